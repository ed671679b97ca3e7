"""Table labels: turn placements into `Meeting`s, keeping a previous label wherever it is free.

The heuristics and the model only count shared-table meetings per slot (the tables are
interchangeable); labels are given once, at the end.
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.candidates import SHARED
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex
from scheduler.heuristics.state import Placement


def assign_tables(
    event: Event,
    placements: list[Placement],
    previous: dict[tuple[ParticipantId, ParticipantId, SlotIndex], str] | None = None,
) -> Schedule:
    """Label shared-table meetings, preferring each meeting's previous label when it is free."""
    previous = previous or {}
    by_slot: dict[SlotIndex, list[Placement]] = defaultdict(list)
    for p in placements:
        by_slot[p.slot].append(p)
    meetings: list[Meeting] = []
    for slot, group in by_slot.items():
        shared = sorted((p for p in group if p.location is SHARED), key=lambda p: not p.locked)  # locked first
        taken: set[str] = set()
        unlabelled: list[Placement] = []
        for p in shared:
            label = previous.get((p.pair.a, p.pair.b, slot))
            if label is not None and label in event.table_labels and label not in taken:
                taken.add(label)
                meetings.append(Meeting(slot, label, p.pair.a, p.pair.b, p.locked))
            else:
                unlabelled.append(p)
        free = (label for label in event.table_labels if label not in taken)
        for p in unlabelled:
            meetings.append(Meeting(slot, next(free), p.pair.a, p.pair.b, p.locked))
        for p in group:
            if p.location is not SHARED:
                meetings.append(Meeting(slot, str(p.location), p.pair.a, p.pair.b, p.locked))
    return Schedule.of(meetings)
