"""The local search on holes: Kempe swaps that keep exactly who meets and remove holes.

Iterated hill-climbing: random swaps for people with holes (more holes, picked more often),
sideways moves always taken, and when nothing better has been found for a while a kick of a few
random swaps whatever they cost; the best schedule seen is returned. Holes above a [fairness]
cap weigh most (`hole_caps.weighted_holes`), so the search first brings people under the caps.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.heuristics.hole_caps import weighted_holes
from scheduler.heuristics.kempe import kempe_chain, try_swap
from scheduler.heuristics.state import PairKey, Placement, ScheduleState, pinned, unpinned

KICK_SWAPS = 8  # random swaps that a kick applies, whatever they do to holes
STALL_MOVES = 200_000  # attempts without a single applied swap after which the search gives up
RANDOM_TARGET_SHARE = 0.3  # of the swaps, towards any slot of the day rather than next to a meeting


Clock = Callable[[], float]
HoleReport = Callable[[int], None]  # the best total of weighted holes so far

REPORT_SECONDS = 2.0  # at most this long between two `on_progress` calls of a long search


def reduce_holes(
    event: Event,
    placements: list[Placement],
    seconds: float,
    seed: int = 0,
    max_moves: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    frozen: set[PairKey] | None = None,
    timed_moves: bool = False,
    on_progress: HoleReport | None = None,
    clock: Clock = time.monotonic,
) -> list[Placement]:
    """Iterated local search on total holes; locked and `frozen` meetings never move.

    Hill-climbing that always takes sideways moves; when it has found nothing better for a while
    it kicks the schedule with a few random valid swaps and climbs again, keeping the best
    schedule seen. `max_moves` bounds the work deterministically (deterministic mode); with
    `timed_moves` the deadline holds as well (a bounded polish outside deterministic mode). Only
    people with a meeting that may move are picked: nobody else's holes can change.
    `on_progress` hears the best total at least every REPORT_SECONDS of `clock` (a long polish
    is never silent).
    """
    frozen = frozen or set()
    state = ScheduleState(event, pinned(placements, frozen), track_holes=True)
    rng = random.Random(seed)
    deadline = clock() + seconds
    last_report = clock()
    people = sorted({pid for p in state.meetings if p is not None and not p.locked for pid in p.pair.people})
    day_slots = [day.slots for day in event.days]
    patience = max(2_000, 20 * len(state.meetings))
    total = sum(weighted_holes(event, h) for h in state.holes.values())
    # The best schedule is copied only when the search is about to leave it (a kick), not on
    # every gain: a copy costs as much as thousands of moves on a large event.
    best_total, best = total, None
    moves = last_gain = last_applied = 0
    holey = {pid for pid in people if state.holes[pid]}  # kept in step with every applied swap
    holed: list[ParticipantId] = []
    while max_moves is None or moves < max_moves:
        if moves - last_applied > STALL_MOVES:
            break  # nothing can move (everything locked or frozen): do not spin until the deadline
        timed = max_moves is None or timed_moves
        if moves % 256 == 0:
            now = clock()
            if (timed and now > deadline) or (should_stop is not None and should_stop()):
                break
            if on_progress is not None and now - last_report >= REPORT_SECONDS:
                on_progress(min(best_total, total))
                last_report = now
        if moves % 64 == 0:  # people with more holes are picked more often
            holed = [pid for pid in sorted(holey) for _ in range(state.holes[pid])]
            if not holed:
                break
        moves += 1
        if moves - last_gain > patience:  # stuck: kick, then climb again from there
            if total <= best_total:
                best_total, best = total, list(state.meetings)
            for _ in range(KICK_SWAPS):
                total += _random_swap(state, rng, people, day_slots, True, holey) or 0
            last_gain = moves
            continue
        delta = _random_swap(state, rng, holed, day_slots, False, holey)
        if delta is not None:
            last_applied = moves
            total += delta
            if total < best_total:
                best_total, last_gain = total, moves
                best = None  # the current schedule is the best: copied when left
    if best is None or total <= best_total:
        best = list(state.meetings)
    return unpinned(best, placements, frozen)


def _random_swap(
    state: ScheduleState,
    rng: random.Random,
    people: list[ParticipantId],
    day_slots: list[tuple[SlotIndex, ...]],
    accept_worse: bool,
    holey: set[ParticipantId],
) -> int | None:
    """Try one Kempe swap for a meeting of a random person; its change in holes if applied.

    A climbing move takes a meeting at the end of one of the person's blocks (moving one from
    inside a block splits it) towards a slot next to another of their meetings (a slot next to
    only itself leaves their holes as they were); measured on the 1,500-person day: 394 holes
    after 300,000 moves against 474 for any meeting towards any neighbouring slot, at the same
    cost. A kick takes any meeting."""
    pid = rng.choice(people)
    busy = state.busy[pid]
    mine = sorted(busy)
    if not mine:
        return None
    if accept_worse:
        s1 = rng.choice(mine)
    else:
        s1 = rng.choice([s for s in mine if s - 1 not in busy or s + 1 not in busy])
    i = state.at[(pid, s1)]
    if state.meetings[i].locked:
        return None
    day = state.day_of[s1]
    s2 = rng.choice(day_slots[day]) if rng.random() < RANDOM_TARGET_SHARE else _near(rng, mine, s1, day_slots[day])
    if s2 == s1:
        return None
    chain = kempe_chain(state, i, s1, s2)
    if chain is None or any(state.meetings[j].locked for j in chain):
        return None
    result = try_swap(state, chain, s1, s2)
    if result is None:
        return None
    delta, changed = result
    if delta <= 0 or accept_worse:  # sideways moves keep the search moving across plateaus
        state.move(chain, s1, s2, changed)
        for person, h in changed.items():
            if h:
                holey.add(person)
            else:
                holey.discard(person)
        return delta
    return None


def _near(rng: random.Random, mine: list[SlotIndex], moving: SlotIndex, day: tuple[SlotIndex, ...]) -> SlotIndex:
    """A free slot next to one of the person's other meetings: where the meeting in `moving` can
    close a hole.

    Slot indices of one day are consecutive, breaks included, so index neighbours are slot
    neighbours."""
    taken = set(mine)
    first, last = day[0], day[-1]
    options = sorted({n for m in mine if m != moving for n in (m - 1, m + 1) if first <= n <= last} - taken)
    return rng.choice(options) if options else rng.choice(day)
