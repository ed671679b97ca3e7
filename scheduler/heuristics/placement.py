"""Bookkeeping of who is busy when and which tables are taken, shared by greedy, repair and export.

A `Placement` is a meeting before it has a table label (shared tables are interchangeable, so
the model only counts them); `assign_tables` turns placements into labelled `Meeting`s, keeping
a previous label wherever it is still free.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass

from scheduler.candidates import SHARED, Pair
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex


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
        self.numbers: dict[tuple[ParticipantId, int], list[int]] = defaultdict(list)  # sorted, per day

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
        day, number = self.event.slots[slot].day, self.event.slots[slot].number
        for pid in pair.people:
            self.busy[pid].add(slot)
            self.count[pid] += 1
            insort(self.numbers[(pid, day)], number)
        if location is SHARED:
            self.shared[slot] += 1
        else:
            self.fixed.add((location, slot))
        self.met.add(pair.key)
        return Placement(pair, slot, location)

    def hole_cost(self, pair: Pair, slot: SlotIndex) -> int:
        """How many holes placing `pair` in `slot` adds for its two people (negative: closes one)."""
        day, number = self.event.slots[slot].day, self.event.slots[slot].number
        cost = 0
        for pid in pair.people:
            nums = self.numbers.get((pid, day))
            if not nums:
                continue
            k = bisect_left(nums, number)
            left = nums[k - 1] if k > 0 else None
            right = nums[k] if k < len(nums) else None
            if left is not None and right is not None and right - left > 1:
                cost -= 1  # the gap between left and right was a hole
            cost += int(left is not None and number - left > 1) + int(right is not None and right - number > 1)
        return cost


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
