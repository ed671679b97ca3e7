"""Bookkeeping of who is busy when and which tables are taken, shared by greedy, repair and export.

A `Placement` is a meeting before it has a table label (shared tables are interchangeable, so
the model only counts them); `assign_tables` turns placements into labelled `Meeting`s, keeping
a previous label wherever it is still free.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .candidates import SHARED, Pair
from .domain import Event, Meeting, ParticipantId, Schedule, SlotIndex


@dataclass(frozen=True)
class Placement:
    pair: Pair
    slot: SlotIndex
    location: str | None  # SHARED, or the fixed table label chosen
    locked: bool = False


class Occupancy:
    """Who and which tables are taken in each slot; the greedy's and the repair's state."""

    def __init__(self, event: Event):
        self.event = event
        self.busy: dict[ParticipantId, set[SlotIndex]] = defaultdict(set)
        self.count: dict[ParticipantId, int] = defaultdict(int)
        self.shared: dict[SlotIndex, int] = defaultdict(int)
        self.fixed: set[tuple[str, SlotIndex]] = set()
        self.met: set[tuple[ParticipantId, ParticipantId]] = set()

    def free_location(self, pair: Pair, slot: SlotIndex) -> str | None | bool:
        """The location `pair` could use in `slot`, or False when none is free."""
        for loc in pair.locations:
            if loc is SHARED:
                if self.shared[slot] < self.event.tables:
                    return SHARED
            elif (loc, slot) not in self.fixed:
                return loc
        return False

    def can_place(self, pair: Pair, slot: SlotIndex) -> bool:
        if pair.key in self.met or slot not in pair.slots:
            return False
        for pid in pair.people:
            cap = self.event.participants[pid].max_meetings
            if slot in self.busy[pid] or (cap is not None and self.count[pid] >= cap):
                return False
        return self.free_location(pair, slot) is not False

    def place(self, pair: Pair, slot: SlotIndex, location: str | None) -> Placement:
        for pid in pair.people:
            self.busy[pid].add(slot)
            self.count[pid] += 1
        if location is SHARED:
            self.shared[slot] += 1
        else:
            self.fixed.add((location, slot))
        self.met.add(pair.key)
        return Placement(pair, slot, location)

    def hole_cost(self, pair: Pair, slot: SlotIndex) -> int:
        """How many holes placing `pair` in `slot` adds for its two people (negative: closes one)."""
        slots = self.event.slots
        day = slots[slot].day
        number = slots[slot].number
        cost = 0
        for pid in pair.people:
            nums = sorted(slots[s].number for s in self.busy[pid] if slots[s].day == day)
            cost += _holes(sorted(nums + [number])) - _holes(nums)
        return cost


def _holes(nums: list[int]) -> int:
    return sum(1 for x, y in zip(nums, nums[1:]) if y - x > 1)


def assign_tables(event: Event, placements: list[Placement],
                  previous: dict[tuple[ParticipantId, ParticipantId, SlotIndex], str] | None = None) -> Schedule:
    """Label shared-table meetings, preferring each meeting's previous label when it is free."""
    previous = previous or {}
    by_slot: dict[SlotIndex, list[Placement]] = defaultdict(list)
    for p in placements:
        by_slot[p.slot].append(p)
    meetings: list[Meeting] = []
    for slot, group in by_slot.items():
        shared = [p for p in group if p.location is SHARED]
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
