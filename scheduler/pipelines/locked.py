"""Locked rows of a previous schedule become fixed placements, or a readable refusal.

Kept small and self-contained on purpose: it checks each locked row against the rules with an
`Occupancy` of its own, and names the first rule a row breaks (`why_not`).
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.candidates import SHARED, Pair, pair_key
from scheduler.domain import Event, Meeting, SlotIndex
from scheduler.heuristics.placement import Occupancy, Placement
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
    occupancy = Occupancy(event)
    shared_taken: set[tuple[str, SlotIndex]] = set()
    for m in rows:
        key = pair_key(m.a, m.b)
        pair = pairs[index_of[key]] if key in index_of else None
        where = f"locked meeting {m.a}–{m.b} at {event.slots[m.slot].label} table {m.table}"
        if pair is None or not occupancy.can_place(pair, m.slot):
            errors.append(f"{where}: {why_not(event, pair, m.slot, occupancy)}")
            continue
        if pair.uses_shared_table:
            location: str | None = SHARED
            if m.table not in event.table_labels:
                errors.append(f"{where}: '{m.table}' is not one of the event's shared tables")
                continue
            if (m.table, m.slot) in shared_taken:
                errors.append(f"{where}: another locked meeting is at that table then")
                continue
            shared_taken.add((m.table, m.slot))
        else:
            location = m.table
            if m.table not in pair.locations:
                errors.append(f"{where}: it must take place at {' or '.join(map(str, pair.locations))}")
                continue
            if (m.table, m.slot) in occupancy.fixed:
                errors.append(f"{where}: another locked meeting is at that table then")
                continue
        occupancy.place(pair, m.slot, location)
        placed.append(Placement(pair, m.slot, location, locked=True))
        labels[(pair.a, pair.b, m.slot)] = m.table
    if errors:
        raise MatchdayError("the previous schedule's locked rows cannot all be kept:\n  - " + "\n  - ".join(errors))
    return placed, labels


def why_not(event: Event, pair: Pair | None, slot: SlotIndex, occupancy: Occupancy) -> str:
    """The hard rule a locked row breaks, in words."""
    if pair is None:
        return (
            "nobody asked for this meeting, or it is not allowed (colleagues, a cancelled person, "
            "a declined wish, or no common available slot)"
        )
    if slot not in pair.slots:
        return "one of them is not available then, or it is outside the wish's time window"
    if pair.key in occupancy.met:
        return "the pair is locked twice"
    for pid in pair.people:
        if slot in occupancy.busy[pid]:
            return f"{event.participants[pid].name} ({pid}) is in another locked meeting then"
        cap = event.participants[pid].max_meetings
        if cap is not None and occupancy.count[pid] >= cap:
            return f"{event.participants[pid].name} ({pid}) would exceed max_meetings = {cap}"
    return "no table is free then"
