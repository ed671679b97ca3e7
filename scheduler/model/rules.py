"""The hard rules of formats.md as units, in one explicit ordered list: each unit states its rule
for CP-SAT (`apply`) and, beside it, as clauses for a SAT solver (`clauses`, `model.cnf`).

Rules 1 (wished, allowed pairs) and 3 (availability and wish windows) need no unit: the
variable container only creates variables for allowed pairs in common allowed slots. Each
unit's docstring names the rule it enforces.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Protocol

from ortools.sat.python import cp_model

from scheduler.candidates import SHARED, Pair
from scheduler.domain import Event, ParticipantId
from scheduler.model.cnf import Cnf, CnfVars, NotInClauses
from scheduler.model.variables import Cells, MeetingVars


class AtMostOne(Protocol):
    """What rules 1 and 2 ask of a solver, which CP-SAT's model and `Cnf` both answer: those two
    rules are stated once, for either."""

    def add_at_most_one(self, lits: Any, /) -> Any: ...

    def add_exactly_one(self, lits: Any, /) -> Any: ...


class Rule(Protocol):
    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None: ...

    def clauses(self, event: Event, cnf: Cnf, v: CnfVars) -> None: ...


class EachPairAtMostOnce:
    """Rule 1: a pair meets at most once (exactly once when the pairs are required)."""

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        self.state(model, v)

    def clauses(self, event: Event, cnf: Cnf, v: CnfVars) -> None:
        self.state(cnf, v)

    @staticmethod
    def state(solver: AtMostOne, v: Cells[Any]) -> None:
        for row in v.by_pair:
            lits = [var for _, var in row]
            if v.required:
                solver.add_exactly_one(lits)
            else:
                solver.add_at_most_one(lits)


class OneMeetingPerSlot:
    """Rule 2: nobody is in two meetings in one slot."""

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        self.state(model, v)

    def clauses(self, event: Event, cnf: Cnf, v: CnfVars) -> None:
        self.state(cnf, v)

    @staticmethod
    def state(solver: AtMostOne, v: Cells[Any]) -> None:
        for lits in v.by_person_slot.values():
            if len(lits) > 1:
                solver.add_at_most_one(lits)


class PersonalCaps:
    """Rule 4: max_meetings over the whole event."""

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        for pid, lits in v.by_person.items():
            cap = event.participants[pid].max_meetings
            if cap is not None and cap < len(lits):
                model.add(sum(lits) <= cap)

    def clauses(self, event: Event, cnf: Cnf, v: CnfVars) -> None:
        for pid, lits in v.by_person.items():
            cap = event.participants[pid].max_meetings
            if cap is not None:
                cnf.add_at_most(lits, cap)


class SharedTableCapacity:
    """Rule 5: at most `tables` meetings use the shared tables in any slot."""

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        for slot, meetings in _shared_per_slot(v).items():
            if len(meetings) > event.tables:
                model.add(sum(v.x[(i, slot)] for i in meetings) <= event.tables)

    def clauses(self, event: Event, cnf: Cnf, v: CnfVars) -> None:
        """Counted over groups rather than meetings (JAIR 74, §4.5.2): a person's meetings in one
        slot exclude each other, so one "the group meets here" literal per person stands for all
        of them, and the count has a quarter of the inputs (measured with CaDiCaL 1.9: ticf-14crafa's
        hole-free day in 3.6 s with the groups, 18.7 s without)."""
        for slot, meetings in _shared_per_slot(v).items():
            if len(meetings) <= event.tables:
                continue
            active = []
            for group in _by_shared_person(v.pairs, meetings):
                if len(group) == 1:
                    active.append(v.x[(group[0], slot)])
                    continue
                lit = cnf.new_bool_var()
                cnf.clauses.extend([-v.x[(i, slot)], lit] for i in group)
                active.append(lit)
            cnf.add_at_most(active, event.tables)


class FixedTableCapacity:
    """Rule 6 (with 5's one-meeting-per-table): a fixed table hosts one meeting per slot.

    Only labels held by several people need a constraint; a pair of two booth holders whose
    booths are contested gets a literal choosing the second booth.
    """

    def apply(self, event: Event, model: cp_model.CpModel, v: MeetingVars) -> None:
        contested = _contested(event)
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

    def clauses(self, event: Event, cnf: Cnf, v: CnfVars) -> None:
        """Without contested booths every booth hosts only its owner's meetings, which rule 2
        already keeps to one a slot; the choice between two contested booths is CP-SAT's alone."""
        if _contested(event):
            raise NotInClauses("booths shared by several people")


def _shared_per_slot(v: Cells[Any]) -> dict[int, list[int]]:
    """The pairs (indices) that may meet at the shared tables, per slot."""
    per_slot: dict[int, list[int]] = defaultdict(list)
    for i, slot in v.x:
        if v.pairs[i].locations == (SHARED,):
            per_slot[slot].append(i)
    return per_slot


def _contested(event: Event) -> set[str]:
    """Booth labels held by more than one active person."""
    owners = Counter(p.table for p in event.participants.values() if p.table and p.active)
    return {label for label, n in owners.items() if n > 1}


def _by_shared_person(pairs: list[Pair], meetings: list[int]) -> list[list[int]]:
    """`meetings` (pair indices) split greedily into groups that share a person: the person with
    the most meetings not yet grouped first."""
    left = set(meetings)
    mine: dict[ParticipantId, list[int]] = defaultdict(list)
    for i in meetings:
        for pid in pairs[i].people:
            mine[pid].append(i)
    groups = []
    while left:
        pid = max(mine, key=lambda p: (len(mine[p]), p))
        group = [i for i in mine[pid] if i in left]
        groups.append(group)
        left.difference_update(group)
        for p in mine:
            mine[p] = [i for i in mine[p] if i in left]
    return groups


HARD_RULES: tuple[Rule, ...] = (
    EachPairAtMostOnce(),
    OneMeetingPerSlot(),
    PersonalCaps(),
    SharedTableCapacity(),
    FixedTableCapacity(),
)
