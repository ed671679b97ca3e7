"""Two fast heuristics: the booking baseline matchday is measured against, and the warm start.

- `first_come_first_served`: what self-service platforms do. Requests are booked in arrival
  order (wishes.csv order) into the earliest common free slot.
- `mutual_first`: mutual pairs first, then by points, each placed where it opens the fewest
  holes. It is the solver's starting point and the bar it must never fall below.

Both place on a `ScheduleState`. Rules 1 and 4 do not depend on the slot, so they are asked once
per pair; rule 3 holds because only the pair's own slots are tried.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from scheduler.candidates import Pair, candidate_pairs, pair_key
from scheduler.domain import Event
from scheduler.heuristics.rules import EachPairAtMostOnce, OneMeetingPerSlot, PersonalCaps, free_location
from scheduler.heuristics.state import Placement, ScheduleState

REPORT_SECONDS = 2.0  # at most this long between two `on_progress` calls of a long placement
REPORT_EVERY = 512  # pairs between two looks at the clock


def first_come_first_served(event: Event, pairs: list[Pair] | None = None) -> list[Placement]:
    by_key = {p.key: p for p in (pairs if pairs is not None else candidate_pairs(event))}
    state = ScheduleState(event)
    placed: list[Placement] = []
    for wish in event.wishes:
        pair = by_key.get(pair_key(wish.requester, wish.target))
        if pair is None or not (EachPairAtMostOnce.allows(state, pair) and PersonalCaps.allows(state, pair)):
            continue
        for slot in sorted(pair.slots):
            if OneMeetingPerSlot.allows(state, pair, slot):
                location = free_location(state, pair, slot)
                if location is not False:
                    placed.append(state.place(pair, slot, location))
                    break
    return placed


def mutual_first(
    event: Event,
    pairs: list[Pair] | None = None,
    occupancy: ScheduleState | None = None,
    order: Iterable[Pair] | None = None,
    on_progress: Callable[[int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[Placement]:
    """Place pairs greedily; `occupancy` may already hold fixed meetings (locked rows, repair).
    `on_progress` hears the number placed at least every REPORT_SECONDS of `clock`."""
    pairs = pairs if pairs is not None else candidate_pairs(event)
    state = occupancy or ScheduleState(event)
    if order is None:
        order = sorted(pairs, key=lambda p: (-p.mutual, -p.points, len(p.slots), p.key))
    placed: list[Placement] = []
    last_report = clock()
    for n, pair in enumerate(order):
        if on_progress is not None and n % REPORT_EVERY == 0 and clock() - last_report >= REPORT_SECONDS:
            on_progress(len(placed))
            last_report = clock()
        if not (EachPairAtMostOnce.allows(state, pair) and PersonalCaps.allows(state, pair)):
            continue
        best: tuple[int, int] | None = None
        for slot in pair.slots:
            if OneMeetingPerSlot.allows(state, pair, slot) and free_location(state, pair, slot) is not False:
                score = (state.added_holes(pair, slot), slot)
                if best is None or score < best:
                    best = score
        if best is not None:
            slot = best[1]
            placed.append(state.place(pair, slot, free_location(state, pair, slot)))  # type: ignore[arg-type]
    return placed
