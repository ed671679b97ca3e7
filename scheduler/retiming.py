"""Reduce holes without changing who meets: local search with Kempe-chain slot swaps.

The meetings held in two slots s1 and s2 form paths and cycles (nobody is in two meetings of
one slot). Swapping s1 and s2 along one such chain keeps everyone conflict-free; only the
chain's two ends change when they are busy, so a move is cheap to evaluate. Each move is
checked against availability and wish windows (the pair's allowed slots), shared-table
capacity, booth labels and the hole caps, so every accepted state is a valid schedule with the
same meetings, points and people covered.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict

from .candidates import SHARED
from .domain import Event, ParticipantId, SlotIndex
from .placement import Placement


class _State:
    def __init__(self, event: Event, placements: list[Placement]):
        self.event = event
        self.meetings = list(placements)
        self.at: dict[tuple[ParticipantId, SlotIndex], int] = {}
        self.shared: Counter[SlotIndex] = Counter()
        self.labels: dict[tuple[str, SlotIndex], int] = {}
        self.slots_of: dict[ParticipantId, set[SlotIndex]] = defaultdict(set)
        for i, p in enumerate(self.meetings):
            self._add(i, p.slot)
        self.holes = {pid: self.count_holes(slots) for pid, slots in self.slots_of.items()}
        self.histogram = Counter(self.holes.values())

    def _add(self, i: int, slot: SlotIndex) -> None:
        p = self.meetings[i]
        for pid in p.pair.people:
            self.at[(pid, slot)] = i
            self.slots_of[pid].add(slot)
        if p.location is SHARED:
            self.shared[slot] += 1
        else:
            self.labels[(str(p.location), slot)] = i

    def _remove(self, i: int, slot: SlotIndex) -> None:
        p = self.meetings[i]
        for pid in p.pair.people:
            del self.at[(pid, slot)]
            self.slots_of[pid].discard(slot)
        if p.location is SHARED:
            self.shared[slot] -= 1
        else:
            del self.labels[(str(p.location), slot)]

    def count_holes(self, slots: set[SlotIndex]) -> int:
        by_day: dict[int, list[int]] = defaultdict(list)
        for s in slots:
            slot = self.event.slots[s]
            by_day[slot.day].append(slot.number)
        total = 0
        for nums in by_day.values():
            nums.sort()
            total += sum(1 for x, y in zip(nums, nums[1:]) if y - x > 1)
        return total

    def chain(self, start: int, s1: SlotIndex, s2: SlotIndex) -> list[int] | None:
        """Meetings swapped with `start` (which is in s1) between s1 and s2; None if too long."""
        seen = {start}
        todo = [start]
        while todo:
            i = todo.pop()
            here = self.meetings[i].slot
            other = s2 if here == s1 else s1
            for pid in self.meetings[i].pair.people:
                j = self.at.get((pid, other))
                if j is not None and j not in seen:
                    seen.add(j)
                    todo.append(j)
            if len(seen) > 60:
                return None
        return list(seen)

    def try_swap(self, chain: list[int], s1: SlotIndex, s2: SlotIndex) -> tuple[int, dict[ParticipantId, int]] | None:
        """(change in total holes, new holes per changed person), or None if the swap breaks a rule."""
        event = self.event
        moved_shared = Counter()
        for i in chain:
            p = self.meetings[i]
            new = s2 if p.slot == s1 else s1
            if new not in p.pair.slots:
                return None
            if p.location is SHARED:
                moved_shared[p.slot] -= 1
                moved_shared[new] += 1
            else:
                holder = self.labels.get((str(p.location), new))
                if holder is not None and holder not in chain:
                    return None
        for s, d in moved_shared.items():
            if self.shared[s] + d > event.tables:
                return None
        changed: dict[ParticipantId, int] = {}
        people = Counter(pid for i in chain for pid in self.meetings[i].pair.people)
        for pid, n in people.items():
            if n == 2:
                continue  # busy in both slots before and after
            slots = set(self.slots_of[pid])
            if s1 in slots:
                slots.discard(s1)
                slots.add(s2)
            else:
                slots.discard(s2)
                slots.add(s1)
            changed[pid] = self.count_holes(slots)
        delta = sum(h - self.holes[pid] for pid, h in changed.items())
        cap = event.max_holes
        if cap is not None and any(h > cap for h in changed.values()):
            return None
        if event.max_hole_spread is not None and changed:
            hist = Counter(self.histogram)
            for pid, h in changed.items():
                hist[self.holes[pid]] -= 1
                hist[h] += 1
            present = [h for h, n in hist.items() if n > 0]
            if present and max(present) - min(present) > event.max_hole_spread:
                return None
        return delta, changed

    def apply(self, chain: list[int], s1: SlotIndex, s2: SlotIndex, changed: dict[ParticipantId, int]) -> None:
        olds = [(i, self.meetings[i].slot) for i in chain]
        for i, old in olds:
            self._remove(i, old)
        for i, old in olds:
            p = self.meetings[i]
            new = s2 if old == s1 else s1
            self.meetings[i] = Placement(p.pair, new, p.location, p.locked)
            self._add(i, new)
        for pid, h in changed.items():
            self.histogram[self.holes[pid]] -= 1
            self.histogram[h] += 1
            self.holes[pid] = h


def reduce_holes(event: Event, placements: list[Placement], seconds: float, seed: int = 0,
                 max_moves: int | None = None) -> list[Placement]:
    """Hill-climb on total holes, always taking sideways moves; locked meetings never move.

    `max_moves` bounds the work deterministically (used in deterministic mode instead of time).
    """
    state = _State(event, placements)
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    people = sorted(state.slots_of)
    day_slots = [day.slots for day in event.days]
    moves = 0
    holed: list[ParticipantId] = []
    while max_moves is None or moves < max_moves:
        if moves % 256 == 0 and max_moves is None and time.monotonic() > deadline:
            break
        if moves % 64 == 0:
            holed = [pid for pid in people if state.holes[pid] > 0]
            if not holed:
                break
        moves += 1
        pid = rng.choice(holed)
        mine = sorted(state.slots_of[pid])
        s1 = rng.choice(mine)
        i = state.at[(pid, s1)]
        if state.meetings[i].locked:
            continue
        day = event.slots[s1].day
        s2 = rng.choice(day_slots[day]) if rng.random() < 0.3 else _near(rng, mine, day_slots[day], event)
        if s2 == s1:
            continue
        chain = state.chain(i, s1, s2)
        if chain is None or any(state.meetings[j].locked for j in chain):
            continue
        result = state.try_swap(chain, s1, s2)
        if result is None:
            continue
        delta, changed = result
        if delta <= 0:  # sideways moves keep the search moving across plateaus
            state.apply(chain, s1, s2, changed)
    return state.meetings


def _near(rng: random.Random, mine: list[SlotIndex], day: tuple[SlotIndex, ...], event: Event) -> SlotIndex:
    """A free slot next to one of the person's meetings: where a moved meeting can close a hole."""
    taken = set(mine)
    options = [s for s in day if s not in taken and any(abs(s - m) == 1 for m in mine)]
    return rng.choice(options) if options else rng.choice(day)
