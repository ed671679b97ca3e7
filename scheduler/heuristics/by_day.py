"""The hole polish on every core: the days of an event searched side by side in a pool of processes.

A Kempe swap moves meetings between two slots of one day, and holes are counted per day, so the
days of an event are independent work for the local search (`local_search.reduce_holes`): each
day's meetings can be polished on their own, on their own core. The [fairness] hole caps are the
exception (a cap counts a person's holes over every day), so with caps the caller keeps the
single search.

The time is cut into short rounds; each round gives every process a day, taking the days in turn
so that every day gets its share, and reports the total after each round (a long polish is never
silent). With fewer days than processes a day goes to several processes, each with its own seed,
and the best of them is kept: on a one-day event both cores anneal the day and start each round
from the better schedule. Between rounds the best schedule of each day is kept, so stopping at any
round is safe. A round resumes from the schedule of least energy of the last (the annealing's own
measure: holes, and how long they are), so holes made shorter carry over; the schedule returned
for each day is the one with the fewest holes any round ended with. Without a usable process pool
(a platform that cannot fork, or a pool that breaks) the same rounds run in this process.

Partner exchanges (`exchange`) change who meets, which one day's search may only do when the day
is the whole event: a pair must not meet on two days.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scheduler.candidates import Pair
from scheduler.domain import Event, SlotIndex
from scheduler.heuristics.exchange import Partners
from scheduler.heuristics.local_search import Clock, HoleReport, hole_energy, reduce_holes
from scheduler.heuristics.state import PairKey, Placement, points
from scheduler.lifetime import die_with_parent

ROUND_SECONDS = 3.0  # one round of the days' searches: the longest stretch without a report
MIN_ROUND_SECONDS = 0.05  # less time than this left: no further round starts

# What the forked workers inherit rather than receive: the event, and the pairs of the meetings
# (a meeting travels as (pair number, slot, location, locked); pickling its pair, with the pair's
# slots, took seconds a day at 2,300 people).
_EVENT: Event | None = None
_PAIRS: list[Pair] = []
_PARTNERS: Partners | None = None
Coded = tuple[int, SlotIndex, str | None, bool]


def split_by_day(event: Event, placements: list[Placement]) -> dict[int, list[Placement]]:
    """The placements of each day, in their order."""
    days: dict[int, list[Placement]] = {}
    for p in placements:
        days.setdefault(event.slots[p.slot].day, []).append(p)
    return days


def reduce_holes_by_day(
    event: Event,
    placements: list[Placement],
    seconds: float,
    seed: int = 0,
    processes: int = 2,
    should_stop: Callable[[], bool] | None = None,
    frozen: set[PairKey] | None = None,
    on_progress: HoleReport | None = None,
    round_seconds: float = ROUND_SECONDS,
    clock: Clock = time.monotonic,
    partners: Partners | None = None,
    cooling: tuple[float, float] = (0.0, 1.0),
) -> list[Placement]:
    """`reduce_holes` day by day, `processes` searches at a time, within `seconds` (see module
    docstring); `partners` (partner exchanges) only for an event of one day; `cooling` as for
    `reduce_holes`, spread over the rounds.

    The event must set no [fairness] hole cap: a cap spans days, which one day's search cannot see.
    """
    if event.max_holes is not None or event.max_hole_spread is not None:
        raise ValueError("hole caps span days: polish an event with caps in one search")
    if partners is not None and len(event.days) > 1:
        raise ValueError("a day's search cannot change who meets: a pair might meet on two days")
    frozen = frozen or set()
    begun = clock()
    deadline = begun + seconds
    days = split_by_day(event, placements)
    start = {d: hole_energy(event, mine) for d, mine in days.items()}  # (weighted holes, energy)
    energy = {d: e for d, (_, e) in start.items()}  # of the schedule each day's rounds resume from
    answer = dict(days)  # each day's schedule with the fewest holes (then the most points) so far
    fewest = {d: (start[d][0], -points(days[d])) for d in days}
    movable = {d for d, mine in days.items() if any(not p.locked and p.pair.key not in frozen for p in mine)}
    turn = 0
    overhead = 0.0  # a round's wall time beyond its searches' limit (forking, passing meetings, counting)
    known = partners.pairs if partners is not None else ()  # pairs an exchange may bring back
    pairs = list({pair.key: pair for pair in [*(p.pair for p in placements), *known]}.values())
    number = {pair.key: i for i, pair in enumerate(pairs)}
    executor = _pool(event, pairs, partners, processes) if processes > 1 and movable else None
    try:
        while True:
            started = clock()
            left = deadline - started - overhead
            todo = sorted(d for d in movable if energy[d] > 0)  # no energy: no hole left
            if left < MIN_ROUND_SECONDS or not todo or (should_stop is not None and should_stop()):
                break
            width = max(1, processes) if executor is not None else min(max(1, processes), len(todo))
            chosen = [todo[(turn + k) % len(todo)] for k in range(width)]  # a day twice: two seeds
            turn += width
            limit = min(round_seconds, left)
            stretch = _stretch(started - begun, limit, seconds, cooling)
            seeds = [seed + 7919 * turn + 104_729 * k + d for k, d in enumerate(chosen)]
            args = [(days[d], limit, s, frozen, stretch) for d, s in zip(chosen, seeds, strict=True)]
            results = _run_round(executor, event, args, number, pairs)
            if results is None:  # the pool broke: the rest runs here, one day after another
                executor, results = None, [_polish_day(event, *a, partners) for a in args]
            for d, polished in zip(chosen, results, strict=True):
                after, lowered = hole_energy(event, polished)
                worth = -points(polished)
                if (lowered, worth) <= (energy[d], -points(days[d])):
                    days[d], energy[d] = polished, lowered
                if (after, worth) <= fewest[d]:
                    answer[d], fewest[d] = polished, (after, worth)
            overhead = max(0.0, clock() - started - limit)
            if on_progress is not None:
                on_progress(sum(h for h, _ in fewest.values()), -sum(w for _, w in fewest.values()))
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    return [p for d in sorted(answer) for p in answer[d]]


def _stretch(
    elapsed: float, limit: float, seconds: float, cooling: tuple[float, float] = (0.0, 1.0)
) -> tuple[float, float]:
    """The stretch of `cooling` one round runs, by its share of the polish's time: a day searched
    in turns cools as one search would, not from the start in every round."""
    first, last = cooling
    if seconds <= 0:
        return (last, last)
    start = first + (last - first) * min(1.0, elapsed / seconds)
    end = first + (last - first) * min(1.0, (elapsed + limit) / seconds)
    return (start, end)


def _pool(event: Event, pairs: list[Pair], partners: Partners | None, processes: int) -> Executor | None:
    """A pool of forked processes that inherit `event`, `pairs` and `partners`; None where processes
    cannot be forked."""
    global _EVENT, _PAIRS, _PARTNERS
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    _EVENT, _PAIRS, _PARTNERS = event, pairs, partners
    gc.freeze()  # the workers' collector then leaves the inherited objects alone: fewer pages copied
    try:
        pool = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent,  # a cancelled solve is killed, not asked: its pool must go too
            initargs=(os.getpid(),),
        )
        for _ in range(processes):
            pool.submit(int)  # fork the workers now, while the collector is frozen
        return pool
    except (OSError, ValueError):
        return None
    finally:
        gc.unfreeze()


def _run_round(
    executor: Executor | None,
    event: Event,
    args: list[tuple[list[Placement], float, int, set[PairKey], tuple[float, float]]],
    number: dict[PairKey, int],
    pairs: list[Pair],
) -> list[list[Placement]] | None:
    """Each day's search of one round; None when the pool broke (the caller runs them itself)."""
    if executor is None:
        return [_polish_day(event, *a) for a in args]
    try:
        futures = [
            executor.submit(_polish_day_in_worker, _encode(mine, number), seconds, seed, frozen, cooling)
            for mine, seconds, seed, frozen, cooling in args
        ]
        return [_decode(f.result(), pairs) for f in futures]
    except (BrokenProcessPool, OSError):
        return None


def _encode(placements: list[Placement], number: dict[PairKey, int]) -> list[Coded]:
    return [(number[p.pair.key], p.slot, p.location, p.locked) for p in placements]


def _decode(coded: list[Coded], pairs: list[Pair]) -> list[Placement]:
    return [Placement(pairs[i], slot, location, locked) for i, slot, location, locked in coded]


def _polish_day_in_worker(
    coded: list[Coded], seconds: float, seed: int, frozen: set[PairKey], cooling: tuple[float, float]
) -> list[Coded]:
    assert _EVENT is not None  # set before the pool forked
    number = {pair.key: i for i, pair in enumerate(_PAIRS)}
    return _encode(_polish_day(_EVENT, _decode(coded, _PAIRS), seconds, seed, frozen, cooling, _PARTNERS), number)


def _polish_day(
    event: Event,
    placements: list[Placement],
    seconds: float,
    seed: int,
    frozen: set[PairKey],
    cooling: tuple[float, float] = (0.0, 1.0),
    partners: Partners | None = None,
) -> list[Placement]:
    return reduce_holes(
        event, placements, seconds, seed=seed, frozen=frozen, cooling=cooling, partners=partners, resume=True
    )
