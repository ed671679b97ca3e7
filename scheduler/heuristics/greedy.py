"""Two fast heuristics: the booking baseline matchday is measured against, and the warm start.

- `first_come_first_served`: what self-service platforms do. Requests are booked in arrival
  order (wishes.csv order) into the earliest common free slot.
- `mutual_first`: mutual pairs first, then by points, each placed where it opens the fewest
  holes. It is the solver's starting point and the bar it must never fall below.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.candidates import Pair, candidate_pairs, pair_key
from scheduler.domain import Event
from scheduler.heuristics.placement import Occupancy, Placement


def first_come_first_served(event: Event, pairs: list[Pair] | None = None) -> list[Placement]:
    by_key = {p.key: p for p in (pairs if pairs is not None else candidate_pairs(event))}
    occupancy = Occupancy(event)
    placed: list[Placement] = []
    for wish in event.wishes:
        pair = by_key.get(pair_key(wish.requester, wish.target))
        if pair is None or pair.key in occupancy.met:
            continue
        for slot in sorted(pair.slots):
            if occupancy.can_place(pair, slot):
                placed.append(occupancy.place(pair, slot, occupancy.free_location(pair, slot)))  # type: ignore[arg-type]
                break
    return placed


def mutual_first(
    event: Event,
    pairs: list[Pair] | None = None,
    occupancy: Occupancy | None = None,
    order: Iterable[Pair] | None = None,
) -> list[Placement]:
    """Place pairs greedily; `occupancy` may already hold fixed meetings (locked rows, repair)."""
    pairs = pairs if pairs is not None else candidate_pairs(event)
    occupancy = occupancy or Occupancy(event)
    if order is None:
        order = sorted(pairs, key=lambda p: (-p.mutual, -p.points, len(p.slots), p.key))
    placed: list[Placement] = []
    for pair in order:
        best: tuple[int, int] | None = None
        for slot in pair.slots:
            if occupancy.can_place(pair, slot):
                score = (occupancy.hole_cost(pair, slot), slot)
                if best is None or score < best:
                    best = score
        if best is not None:
            slot = best[1]
            placed.append(occupancy.place(pair, slot, occupancy.free_location(pair, slot)))  # type: ignore[arg-type]
    return placed
