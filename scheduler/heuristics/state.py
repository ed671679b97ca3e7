"""The one schedule state every heuristic works on: who is busy when, which tables are taken.

Greedy placement, insertion, Kempe moves, the local search, `cover_people` and the hole caps all
read and change a `ScheduleState`; whether a change is allowed is decided by the hard-rule units
of `heuristics.rules`, so each rule is written once on the heuristic side.

The state is a set of indexed meetings (`Placement`s; an index stays valid while others move or
are dropped) and indexes over them, kept in step by four primitives: `place`, `drop`, `undrop`
and `move`. Holes are indexed in one of two ways (`track_holes`): the greedy asks how many holes
a placement would add, thousands of times; the moves read and update hole counts per person.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from scheduler.candidates import SHARED, Pair
from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.heuristics.rules import free_location, why_not

PairKey = tuple[ParticipantId, ParticipantId]


@dataclass(frozen=True)
class Placement:
    """A meeting before it has a table label: shared tables are interchangeable, so only a fixed
    table (booth) is chosen here; `assign_tables` labels the rest."""

    pair: Pair
    slot: SlotIndex
    location: str | None  # SHARED, or the fixed table label chosen
    locked: bool = False


class ScheduleState:
    """Meetings by index, and who, which shared-table count and which booth is taken per slot.

    Indexes (all kept by the primitives below, never by callers):
    - `at[(person, slot)]`: the index of the person's meeting in that slot;
    - `busy[person]`: the slots the person meets in; `count[person]`: their meetings;
    - `shared[slot]`: meetings at the shared tables; `booths[(label, slot)]`: the meeting at a
      fixed table;
    - `met`: the pairs that meet;
    - without `track_holes` (greedy placement): `numbers[(person, day)]`, the sorted slot numbers
      of the person's meetings that day, for a cheap `added_holes`;
    - with `track_holes` (the moves): `holes[person]` and `histogram[holes] -> people`, for the
      local search and the [fairness] caps. A Kempe move applied without hole changes
      (`move(..., {})`) leaves them as they were; `place` recounts the pair's two people.
    Each index costs on every move, so a state keeps only the one its user reads.
    """

    def __init__(self, event: Event, placements: Iterable[Placement] = (), track_holes: bool = False):
        self.event = event
        self.tables = event.tables
        self.day_of = [s.day for s in event.slots]
        self.number_of = [s.number for s in event.slots]
        self.meetings: list[Placement] = []  # None where a meeting was dropped (`drop`)
        self.at: dict[tuple[ParticipantId, SlotIndex], int] = {}
        self.busy: dict[ParticipantId, set[SlotIndex]] = defaultdict(set)
        self.count: dict[ParticipantId, int] = defaultdict(int)
        self.shared: dict[SlotIndex, int] = defaultdict(int)
        self.booths: dict[tuple[str, SlotIndex], int] = {}
        self.met: set[PairKey] = set()
        self.track_holes = track_holes
        self.numbers: dict[tuple[ParticipantId, int], list[int]] | None = None if track_holes else defaultdict(list)
        for p in placements:
            self._add(p)
        self.holes: dict[ParticipantId, int] = {}
        self.histogram: Counter[int] = Counter()
        if track_holes:
            self.holes = {pid: self.count_holes(slots) for pid, slots in self.busy.items()}
            self.histogram = Counter(self.holes.values())

    # --- the four primitives ----------------------------------------------------------------
    def place(self, pair: Pair, slot: SlotIndex, location: str | None, locked: bool = False) -> Placement:
        """Add a meeting (the caller has checked the rules) and return it."""
        placement = Placement(pair, slot, location, locked)
        self._add(placement)
        if self.track_holes:
            for pid in pair.people:
                self.set_holes(pid, self.count_holes(self.busy[pid]))
        return placement

    def drop(self, i: int) -> None:
        """Remove meeting `i`; the indices of the others stay valid. Hole counts are the caller's."""
        p = self.meetings[i]
        self._vacate(i, p, p.slot)
        for pid in p.pair.people:
            self.count[pid] -= 1
        self.met.discard(p.pair.key)
        self.meetings[i] = None  # type: ignore[call-overload]  # indices of the others stay valid

    def undrop(self, i: int, placement: Placement) -> None:
        """Put a dropped meeting back under its old index."""
        self.meetings[i] = placement
        self._occupy(i, placement, placement.slot)
        for pid in placement.pair.people:
            self.count[pid] += 1
        self.met.add(placement.pair.key)

    def move(self, indices: list[int], s1: SlotIndex, s2: SlotIndex, changed: dict[ParticipantId, int]) -> None:
        """Swap meetings `indices` between s1 and s2 (a Kempe chain), and record new hole counts."""
        meetings = self.meetings
        olds = [(i, meetings[i]) for i in indices]
        for i, p in olds:
            self._vacate(i, p, p.slot)
        for i, p in olds:
            new = s2 if p.slot == s1 else s1
            moved = Placement(p.pair, new, p.location, p.locked)
            meetings[i] = moved
            self._occupy(i, moved, new)
        for pid, h in changed.items():
            self.set_holes(pid, h)

    # --- indexes ----------------------------------------------------------------------------
    def _add(self, placement: Placement) -> None:
        i = len(self.meetings)
        self.meetings.append(placement)
        self._occupy(i, placement, placement.slot)
        for pid in placement.pair.people:
            self.count[pid] += 1
        self.met.add(placement.pair.key)

    def _occupy(self, i: int, p: Placement, slot: SlotIndex) -> None:
        for pid in p.pair.people:
            self.at[(pid, slot)] = i
            self.busy[pid].add(slot)
        if p.location is SHARED:
            self.shared[slot] += 1
        else:
            self.booths[(str(p.location), slot)] = i
        if self.numbers is not None:
            day, number = self.day_of[slot], self.number_of[slot]
            for pid in p.pair.people:
                insort(self.numbers[(pid, day)], number)

    def _vacate(self, i: int, p: Placement, slot: SlotIndex) -> None:
        for pid in p.pair.people:
            del self.at[(pid, slot)]
            self.busy[pid].discard(slot)
        if p.location is SHARED:
            self.shared[slot] -= 1
        else:
            del self.booths[(str(p.location), slot)]
        if self.numbers is not None:
            day, number = self.day_of[slot], self.number_of[slot]
            for pid in p.pair.people:
                self.numbers[(pid, day)].remove(number)

    # --- holes ------------------------------------------------------------------------------
    def count_holes(self, slots: Iterable[SlotIndex]) -> int:
        """`report.holes_in`, on slot indices: those of one day are consecutive (breaks included,
        as slot numbers are), so a gap in indices within a day is a gap in numbers. The moves ask
        this for every changed person; this is about twice as fast as going through the slots."""
        return count_gaps(self.day_of, slots)[0]

    def count_gaps(self, slots: Iterable[SlotIndex]) -> tuple[int, int]:
        """(holes, empty slots inside them): how many holes, and how long they are in all."""
        return count_gaps(self.day_of, slots)

    def block_ends(self, pid: ParticipantId) -> list[SlotIndex]:
        """The slots of `pid`'s meetings at the end of a block (or alone): the meetings that can
        move or go without splitting a block, in time order."""
        busy = self.busy[pid]
        return [s for s in sorted(busy) if s - 1 not in busy or s + 1 not in busy]

    def set_holes(self, pid: ParticipantId, h: int) -> None:
        """Record a person's new hole count, keeping the histogram in step."""
        if pid in self.holes:
            self.histogram[self.holes[pid]] -= 1
        self.histogram[h] += 1
        self.holes[pid] = h

    def added_holes(self, pair: Pair, slot: SlotIndex) -> int:
        """How many holes placing `pair` in `slot` adds for its two people (negative: closes one)."""
        if self.numbers is None:  # a state that tracks hole counts: recount the two people
            return sum(self.count_holes(self.busy[pid] | {slot}) - self.holes.get(pid, 0) for pid in pair.people)
        day, number = self.day_of[slot], self.number_of[slot]
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

    # --- questions the pipelines ask (rules live in heuristics.rules) ---------------------
    def can_place(self, pair: Pair, slot: SlotIndex) -> bool:
        """Whether `pair` may meet in `slot` next to the meetings already here (every hard rule)."""
        return why_not(self, pair, slot) is None

    def free_location(self, pair: Pair, slot: SlotIndex) -> str | None | Literal[False]:
        """The location `pair` could use in `slot` (SHARED or a booth label), or False when none is free."""
        return free_location(self, pair, slot)

    def placements(self) -> list[Placement]:
        """The meetings now held, in index order."""
        return [p for p in self.meetings if p is not None]


def count_gaps(day_of: list[int], slots: Iterable[SlotIndex]) -> tuple[int, int]:
    """(holes, empty slots inside them) of one person's meetings in `slots`, given each slot's day."""
    nums = sorted(slots)
    holes = empty = 0
    for x, y in zip(nums, nums[1:], strict=False):
        if y - x > 1 and day_of[x] == day_of[y]:
            holes += 1
            empty += y - x - 1
    return holes, empty


def points(placements: Iterable[Placement]) -> int:
    """The wish points of these meetings."""
    return sum(p.pair.points for p in placements)


def pinned(placements: Iterable[Placement], frozen: set[PairKey]) -> list[Placement]:
    """Meetings of `frozen` pairs ride along as locked ones, which the moves never touch."""
    return [Placement(p.pair, p.slot, p.location, locked=True) if p.pair.key in frozen else p for p in placements]


def unpinned(meetings: Iterable[Placement], originals: list[Placement], frozen: set[PairKey]) -> list[Placement]:
    """Give frozen meetings back their own placement (with its real `locked` flag)."""
    original = {p.pair.key: p for p in originals if p.pair.key in frozen}
    return [original.get(p.pair.key, p) for p in meetings]
