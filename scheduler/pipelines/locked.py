"""Locked rows of a previous schedule become fixed placements, or a readable refusal.

The rules are the heuristics' units (`heuristics.rules.why_not_at` names the first one a row
breaks, its table label included); this module only walks the rows in order, places each one
that may stay on a `ScheduleState` of its own, and gathers the refusals into one error.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.candidates import SHARED, Pair, pair_key
from scheduler.domain import Event, Meeting, SlotIndex
from scheduler.heuristics.rules import why_not_at
from scheduler.heuristics.state import Placement, ScheduleState
from scheduler.problems import MatchdayError


def locked_rows(
    event: Event, rows: Iterable[Meeting], pairs: list[Pair], index_of: dict[tuple[str, str], int]
) -> tuple[list[Placement], dict[tuple[str, str, SlotIndex], str]]:
    """Locked rows (already cleared of cancelled people by `plan_repair`) as fixed placements, and
    the table label of each (by pair and slot).

    Raises:
        MatchdayError: a row breaks a hard rule; every such row is listed, with the rule in words.
    """
    placed: list[Placement] = []
    labels: dict[tuple[str, str, SlotIndex], str] = {}
    errors: list[str] = []
    state = ScheduleState(event)
    shared_labelled: set[tuple[str, SlotIndex]] = set()
    for m in rows:
        key = pair_key(m.a, m.b)
        pair = pairs[index_of[key]] if key in index_of else None
        reason = why_not_at(state, pair, m.slot, m.table, shared_labelled)
        if reason is not None or pair is None:
            where = f"locked meeting {m.a}–{m.b} at {event.slots[m.slot].label} table {m.table}"
            errors.append(f"{where}: {reason}")
            continue
        location = SHARED if pair.uses_shared_table else m.table
        if location is SHARED:
            shared_labelled.add((m.table, m.slot))
        placed.append(state.place(pair, m.slot, location, locked=True))
        labels[(pair.a, pair.b, m.slot)] = m.table
    if errors:
        raise MatchdayError("the previous schedule's locked rows cannot all be kept:\n  - " + "\n  - ".join(errors))
    return placed, labels
