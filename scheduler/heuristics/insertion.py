"""Insertion: add pairs to a schedule, making room with one Kempe swap where they do not fit.

A pair whose two people have no common free slot can often still come in: one is free in s1,
the other in s2, and swapping the chain through the second person's s1 meeting frees them in s1
(the augmenting step of Vizing's edge-colouring proof).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from scheduler.candidates import Pair
from scheduler.domain import Event, SlotIndex
from scheduler.heuristics.greedy import REPORT_EVERY, REPORT_SECONDS
from scheduler.heuristics.kempe import kempe_chain, try_swap
from scheduler.heuristics.rules import (
    EachPairAtMostOnce,
    HoleCaps,
    OneMeetingPerSlot,
    PersonalCaps,
    free_location,
)
from scheduler.heuristics.state import PairKey, Placement, ScheduleState, pinned, unpinned

MovePrice = Callable[[Placement, SlotIndex], int]
"""What moving a meeting to another slot costs, in points (negative: moving it back pays)."""


def insert_pairs(
    event: Event,
    placements: list[Placement],
    candidates: list[Pair],
    seconds: float,
    max_tries: int = 40,
    frozen: set[PairKey] | None = None,
    price: MovePrice | None = None,
    within_hole_caps: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> list[Placement]:
    """Add `candidates` (best first) where caps allow, making room with one Kempe swap if needed;
    meetings of `frozen` pairs are never moved. With `price`, a swap that makes room must cost
    less than the points of the pair it lets in (repair: moving a kept meeting has a price).
    `within_hole_caps` only adds a pair where it takes nobody above the [fairness] caps (refilling
    after `enforce_hole_caps`); give it `max_tries=0`, since swaps do not check the caps here.
    `on_progress` hears the number of meetings at least every REPORT_SECONDS."""
    frozen = frozen or set()
    state = ScheduleState(event, pinned(placements, frozen), track_holes=True)
    deadline = time.monotonic() + seconds
    last_report = time.monotonic()
    for n, pair in enumerate(candidates):
        if n % 64 == 0 and time.monotonic() > deadline:
            break
        if on_progress is not None and n % REPORT_EVERY == 0 and time.monotonic() - last_report >= REPORT_SECONDS:
            on_progress(sum(p is not None for p in state.meetings))
            last_report = time.monotonic()
        if not (EachPairAtMostOnce.allows(state, pair) and PersonalCaps.allows(state, pair)):
            continue
        slot, location = free_slot(state, pair, within_hole_caps)
        if slot is None:
            slot, location = make_room(state, pair, max_tries, price)
        if slot is not None:
            state.place(pair, slot, location)
    return unpinned(state.meetings, placements, frozen)


def free_slot(state: ScheduleState, pair: Pair, within_hole_caps: bool = False) -> tuple[SlotIndex | None, str | None]:
    """The common free slot with a free table that adds the fewest holes (earliest on ties).

    Hole counts are the state's, which a room-making swap does not update (see `make_room`)."""
    best: tuple[int, SlotIndex, str | None] | None = None
    for slot in sorted(pair.slots):
        if not OneMeetingPerSlot.allows(state, pair, slot):
            continue
        location = free_location(state, pair, slot)
        if location is False:
            continue
        after = {pid: state.count_holes(state.busy[pid] | {slot}) for pid in pair.people}
        if within_hole_caps and not HoleCaps.within(state, after):
            continue
        cost = sum(h - state.holes.get(pid, 0) for pid, h in after.items())
        if best is None or cost < best[0]:
            best = (cost, slot, location)
            if cost < 0:
                break
    return (best[1], best[2]) if best else (None, None)


def make_room(
    state: ScheduleState, pair: Pair, max_tries: int, price: MovePrice | None = None
) -> tuple[SlotIndex | None, str | None]:
    """Free one person in a slot where the other is free, by swapping a chain with a slot where
    the first is free. The swap leaves hole counts as they were (it places, it does not polish)."""
    tries = 0
    for x, y in ((pair.a, pair.b), (pair.b, pair.a)):
        free_x = [s for s in sorted(pair.slots) if (x, s) not in state.at]
        # y's meeting in s1 moves to s2: any slot where y is free, not only one the pair could use.
        free_y = [s for s in sorted(state.event.participants[y].available) if (y, s) not in state.at]
        for s1 in free_x:  # x is free in s1; y is busy there (else free_slot would have found it)
            i = state.at.get((y, s1))
            if i is None or state.meetings[i].locked:
                continue
            for s2 in free_y:
                if s2 == s1:
                    continue
                tries += 1
                if tries > max_tries:
                    return None, None
                chain = kempe_chain(state, i, s1, s2)
                if chain is None or any(state.meetings[j].locked for j in chain):
                    continue
                if any(x in state.meetings[j].pair.people for j in chain):
                    continue  # the swap would make x busy in s1
                if (
                    price is not None
                    and sum(price(state.meetings[j], s2 if state.meetings[j].slot == s1 else s1) for j in chain)
                    >= pair.points
                ):
                    continue
                if try_swap(state, chain, s1, s2, holes=False) is None:
                    continue
                state.move(chain, s1, s2, {})
                location = free_location(state, pair, s1)
                if location is not False:
                    return s1, location
                state.move(chain, s1, s2, {})  # no table left in s1: swap back
    return None, None
