"""The local search on holes: simulated annealing over Kempe swaps (and, where the caller allows,
partner exchanges) that never lower points.

Moves are proposed for people with holes (more holes, picked more often). What the annealing
lowers (its energy) is the holes plus EMPTY_WEIGHT for each empty slot inside them: a hole of
five slots is closed by moves that first make it shorter, which the hole count alone does not
see. A move that lowers the energy or keeps it is always taken, one that raises it by `e` with
probability exp(-e / T), the temperature T cooling geometrically from T_START to T_END over the
search. The schedule with the fewest holes seen is returned (or, for a caller that runs the search
in rounds, the one of least energy, to resume from). Holes above a [fairness] cap weigh most
(`hole_caps.weighted_holes`), so the search first brings people under the caps. Measured against
the hill-climbing with random kicks it replaces, same start and time: 1,500-person day 437 → 362
holes in 55 s (see benchmarks/README).
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.heuristics.exchange import Partners, propose_exchange
from scheduler.heuristics.hole_caps import weighted_holes
from scheduler.heuristics.kempe import kempe_chain, try_swap
from scheduler.heuristics.moves import Move
from scheduler.heuristics.state import PairKey, Placement, ScheduleState, count_gaps, pinned, points, unpinned

T_START = 0.5  # a move that adds a one-slot hole (energy 1.25) is taken about one time in 12 at first …
T_END = 0.05  # … and about once in 500 million at the end: the last stretch only climbs
EXCHANGE_SHARE = 0.2  # of the moves, partner exchanges (when the caller gives `partners`)
STALL_MOVES = 200_000  # attempts without a single applied move after which the search gives up
RANDOM_TARGET_SHARE = 0.3  # of the swaps, towards any slot of the day rather than next to a meeting
# An empty slot inside a hole weighs a quarter of a hole. Measured through the days' search (two
# processes) from one start each, same time, holes at the end, by weight (0: the hole count alone):
# trade exchange, 100 s: 0 → 1,277 and 1,319; 0.25 → 1,127 and 1,102; 0.5 → 1,033; 1 → 872 and
# 992; 2 → 893; 4 → 917. Table-bound day, 20 s: 0 → 56 and 54; 0.25 → 54 and 58; 0.5 → 70 and 60;
# 1 → 76 and 69. 300-person day, 20 s, three seeds: 0 → 52-55; 0.25 → 48-52; 1 → 49-54. A weight
# of 1 would suit the trade exchange's long days but costs the table-bound day a quarter more holes.
EMPTY_WEIGHT = 0.25


Clock = Callable[[], float]
HoleReport = Callable[[int, int], None]  # the best total of weighted holes so far, and its points

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
    cooling: tuple[float, float] = (0.0, 1.0),
    partners: Partners | None = None,
    resume: bool = False,
) -> list[Placement]:
    """Simulated annealing on total holes; locked and `frozen` meetings never move.

    `max_moves` bounds the work deterministically (deterministic mode: the temperature then
    follows the moves, not the clock); with `timed_moves` the deadline holds as well (a bounded
    polish outside deterministic mode). `cooling` is the stretch of the whole annealing this call
    runs, as fractions (a caller that splits one polish into rounds gives each its stretch).
    With `partners`, some moves change who meets (`exchange`): points never fall, nobody loses
    their last meeting. Only people with a meeting that may move are picked: nobody else's holes
    can change. `on_progress` hears the best total (and the points of that schedule) at least
    every REPORT_SECONDS of `clock` (a long polish is never silent).

    The schedule returned is the one with the fewest holes seen (of those, the least energy); with
    `resume`, the one of least energy, for a caller that runs the search in rounds and resumes
    from it: it carries the holes made shorter, where the fewest holes may come from long before.
    """
    frozen = frozen or set()
    state = ScheduleState(event, pinned(placements, frozen), track_holes=True)
    rng = random.Random(seed)
    started = last_report = clock()
    deadline = started + seconds
    people = sorted({pid for p in state.meetings if p is not None and not p.locked for pid in p.pair.people})
    day_slots = [day.slots for day in event.days]
    holes, total = hole_energy(event, state.placements())
    # The best schedule is copied only when the search is about to leave it, not on every gain: a
    # copy costs as much as thousands of moves on a large event.
    current = best_key = _key(holes, total, resume)
    best_holes, best = holes, None
    gained = best_gained = 0  # points the exchanges added, now and in the best schedule
    start_points = points(state.meetings)
    moves = last_applied = 0
    temperature = _temperature(cooling[0])
    holey = {pid for pid in people if state.holes[pid]}  # kept in step with every applied move
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
                kept = (holes, gained) if current <= best_key else (best_holes, best_gained)  # what is returned
                on_progress(kept[0], start_points + kept[1])
                last_report = now
            done = moves / max_moves if max_moves else 0.0
            if timed:
                done = max(done, (now - started) / seconds if seconds > 0 else 1.0)
            temperature = _temperature(cooling[0] + (cooling[1] - cooling[0]) * min(1.0, done))
        if moves % 64 == 0:  # people with more holes are picked more often
            holed = [pid for pid in sorted(holey) for _ in range(state.holes[pid])]
            if not holed:
                break
        moves += 1
        if partners is not None and rng.random() < EXCHANGE_SHARE:
            move = propose_exchange(state, partners, rng, rng.choice(holed))
        else:
            move = propose_swap(state, rng, rng.choice(holed), day_slots)
        if move is None:
            continue
        step = move.delta + EMPTY_WEIGHT * move.empty
        if step > 0 and rng.random() >= math.exp(-step / temperature):
            continue
        after = _key(holes + move.delta, total + step, resume)
        if after > current and best is None:
            best = list(state.meetings)  # leaving the best schedule seen: keep a copy
        move.apply()
        last_applied = moves
        for person, h in move.changed.items():
            if h:
                holey.add(person)
            else:
                holey.discard(person)
        total, holes, current = total + step, holes + move.delta, after
        gained += move.gain
        if current < best_key:
            best_key, best_holes, best_gained = current, holes, gained
            best = None  # the current schedule is the best: copied when left
    if best is None or current <= best_key:
        best = list(state.meetings)
    return unpinned([p for p in best if p is not None], placements, frozen)


def _key(holes: int, energy: float, resume: bool) -> tuple[float, float]:
    """What "best" means: fewest holes, then least energy; or, to resume from, least energy."""
    return (energy, holes) if resume else (holes, energy)


def hole_energy(event: Event, placements: Iterable[Placement]) -> tuple[int, float]:
    """(weighted holes, energy) of these meetings: what the search reports, and what it lowers."""
    day_of = [s.day for s in event.slots]
    slots: dict[ParticipantId, list[SlotIndex]] = defaultdict(list)
    for p in placements:
        for pid in p.pair.people:
            slots[pid].append(p.slot)
    holes = empty = 0
    for mine in slots.values():
        h, e = count_gaps(day_of, mine)
        holes += weighted_holes(event, h)
        empty += e
    return holes, holes + EMPTY_WEIGHT * empty


def _temperature(done: float) -> float:
    """The temperature after `done` (0 to 1) of the annealing: geometric cooling."""
    return float(T_START * (T_END / T_START) ** done)


def propose_swap(
    state: ScheduleState,
    rng: random.Random,
    pid: ParticipantId,
    day_slots: list[tuple[SlotIndex, ...]],
) -> Move | None:
    """A Kempe swap for one of `pid`'s meetings, with its change in holes; None if none is valid.

    The meeting is at the end of one of the person's blocks (moving one from inside a block
    splits it), moved towards a slot next to another of their meetings (a slot next to only
    itself leaves their holes as they were); measured on the 1,500-person day: 394 holes after
    300,000 moves against 474 for any meeting towards any neighbouring slot, at the same cost."""
    mine = state.busy[pid]
    if not mine:
        return None
    s1 = rng.choice(state.block_ends(pid))  # in time order: the same choice for the same seed
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
    delta, changed, empty = result
    return Move(delta, changed, lambda: state.move(chain, s1, s2, changed), empty=empty)


def _near(rng: random.Random, mine: set[SlotIndex], moving: SlotIndex, day: tuple[SlotIndex, ...]) -> SlotIndex:
    """A free slot next to one of the person's other meetings: where the meeting in `moving` can
    close a hole.

    Slot indices of one day are consecutive, breaks included, so index neighbours are slot
    neighbours. The options are sorted, so the choice does not depend on the set's order."""
    first, last = day[0], day[-1]
    options = sorted({n for m in mine if m != moving for n in (m - 1, m + 1) if first <= n <= last} - mine)
    return rng.choice(options) if options else rng.choice(day)
