"""The hard rules of formats.md as CP-SAT units, in one explicit ordered list.

Rules 1 (wished, allowed pairs) and 3 (availability and wish windows) need no unit: the
variable container only creates variables for allowed pairs in common allowed slots. Each
unit's docstring names the rule it enforces.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Protocol

from ortools.sat.python import cp_model

from scheduler.candidates import SHARED
from scheduler.domain import Event
from scheduler.model.variables import MeetingVars


class Rule(Protocol):
    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None: ...


class EachPairAtMostOnce:
    """Rule 1: a pair meets at most once (exactly once when the pairs are required)."""

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        for row in v.by_pair:
            lits = [var for _, var in row]
            if v.required:
                model.add_exactly_one(lits)
            else:
                model.add_at_most_one(lits)


class OneMeetingPerSlot:
    """Rule 2: nobody is in two meetings in one slot."""

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        for lits in v.by_person_slot.values():
            if len(lits) > 1:
                model.add_at_most_one(lits)


class PersonalCaps:
    """Rule 4: max_meetings over the whole event."""

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        for pid, lits in v.by_person.items():
            cap = event.participants[pid].max_meetings
            if cap is not None and cap < len(lits):
                model.add(sum(lits) <= cap)


class SharedTableCapacity:
    """Rule 5: at most `tables` meetings use the shared tables in any slot."""

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        per_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (i, slot), var in v.x.items():
            if v.pairs[i].locations == (SHARED,):
                per_slot[slot].append(var)
        for lits in per_slot.values():
            if len(lits) > event.tables:
                model.add(sum(lits) <= event.tables)


class FixedTableCapacity:
    """Rule 6 (with 5's one-meeting-per-table): a fixed table hosts one meeting per slot.

    Only labels held by several people need a constraint; a pair of two booth holders whose
    booths are contested gets a literal choosing the second booth.
    """

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        owners = Counter(p.table for p in event.participants.values() if p.table and p.active)
        contested = {label for label, n in owners.items() if n > 1}
        if not contested:
            return
        usage: dict[tuple[str, int], list[cp_model.LinearExprT]] = defaultdict(list)
        for (i, slot), var in v.x.items():
            locations = v.pairs[i].locations
            if locations == (SHARED,):
                continue
            if len(locations) == 1:
                usage[(str(locations[0]), slot)].append(var)
                continue
            first, second = str(locations[0]), str(locations[1])
            if first not in contested and second not in contested:
                continue
            at_second = model.new_bool_var(f"at[{second}]{v.pairs[i].key}@{slot}")
            model.add_implication(at_second, var)
            v.location[(i, slot, second)] = at_second
            usage[(first, slot)].append(var - at_second)
            usage[(second, slot)].append(at_second)
        for (label, _slot), exprs in usage.items():
            if label in contested and len(exprs) > 1:
                model.add(sum(exprs) <= 1)


HARD_RULES: tuple[Rule, ...] = (
    EachPairAtMostOnce(),
    OneMeetingPerSlot(),
    PersonalCaps(),
    SharedTableCapacity(),
    FixedTableCapacity(),
)
