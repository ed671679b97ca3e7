"""Property: the heuristic-only path (no CP-SAT) gives a valid schedule on generated events.

Generated events of 50-300 people (`benchmarks.generator`: partial attendance, personal caps,
booths, wish windows, one or two days), sometimes with [fairness] caps, go through the LP
selection, the greedy, insertion, `cover_people`, a short local search, the hole caps and the
table labels, as the "maximise" pipeline runs them when CP-SAT is off. The independent checker
must find no violation, and the steps that promise to keep points or who meets must keep them.
A second property runs the real pipeline, `solve` with `cp_sat=False`, fresh and as a re-solve
with locked rows after cancellations.
"""

from __future__ import annotations

import dataclasses
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generator import GeneratorSpec, build_event
from scheduler.candidates import Pair, candidate_pairs
from scheduler.check.checker import check_schedule, format_violation
from scheduler.domain import Event, Schedule
from scheduler.heuristics import (
    ScheduleState,
    assign_tables,
    counting_limits,
    cover_people,
    enforce_hole_caps,
    insert_pairs,
    mutual_first,
    reduce_holes,
    selection_lp,
)
from scheduler.heuristics.exchange import Partners, propose_exchange
from scheduler.heuristics.hole_caps import weighted_holes
from scheduler.heuristics.local_search import hole_energy, propose_swap
from scheduler.heuristics.state import points
from scheduler.io.loading import load_event_bytes
from scheduler.pipelines.solve import solve
from scheduler.results import SolveOptions

ENOUGH = 60.0  # seconds no step here gets near: work, not time, bounds every step


def by_value(pairs: list[Pair]) -> list[Pair]:
    return sorted(pairs, key=lambda p: (-p.mutual, -p.points, p.key))


@st.composite
def events(draw: st.DrawFn) -> Event:
    people = draw(st.integers(50, 300))
    spec = GeneratorSpec(
        participants=people,
        wishes=people * draw(st.integers(3, 8)),
        seed=draw(st.integers(0, 10_000)),
        days=draw(st.sampled_from([1, 1, 2])),
        slots_per_day=draw(st.integers(8, 17)),
        people_per_table=draw(st.sampled_from([2.0, 4.0, 8.0])),
        cap_share=draw(st.sampled_from([0.0, 0.2, 0.5])),
        exhibitor_share=draw(st.sampled_from([0.0, 0.1, 0.3])),
        wish_window_share=draw(st.sampled_from([0.0, 0.03, 0.2])),
    )
    g = build_event(spec)
    event = load_event_bytes(g.event_toml, g.participants_csv, g.wishes_csv).event
    max_holes = draw(st.sampled_from([None, None, 0, 1, 2]))
    spread = draw(st.sampled_from([None, None, 1, 2]))
    return dataclasses.replace(event, max_holes=max_holes, max_hole_spread=spread)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=events(), seed=st.integers(0, 100))
def test_the_heuristic_path_gives_a_valid_schedule(event: Event, seed: int) -> None:
    pairs = candidate_pairs(event)
    # who meets: the LP selection, placed greedily in the LP's order, then insertion
    _bound, chosen = selection_lp(pairs, counting_limits(event, pairs), set())
    order = sorted((pairs[i] for i in chosen), key=lambda p: (len(p.slots), -p.points, p.key))
    placed = mutual_first(event, pairs, ScheduleState(event), order=order)
    placed = insert_pairs(event, placed, by_value([pairs[i] for i in chosen]), ENOUGH)
    placed = insert_pairs(event, placed, by_value(pairs), ENOUGH)
    placed = max(placed, mutual_first(event, pairs), key=points)
    # a meeting for everybody, never lowering points
    covered = cover_people(event, placed, pairs)
    assert points(covered) >= points(placed)
    # fewer holes, keeping exactly who meets
    kept = reduce_holes(event, covered, ENOUGH, seed=seed, max_moves=3_000)
    assert sorted(p.pair.key for p in kept) == sorted(p.pair.key for p in covered)
    assert hole_energy(event, kept)[0] <= hole_energy(event, covered)[0]  # never more holes
    # a search run in rounds resumes from its least energy (holes, and their length), never higher
    resumed = reduce_holes(event, covered, ENOUGH, seed=seed, max_moves=3_000, resume=True)
    assert hole_energy(event, resumed)[1] <= hole_energy(event, covered)[1]
    # or changing partners (the fresh solve's polish): never lowering points or leaving anyone out
    polished = reduce_holes(event, covered, ENOUGH, seed=seed, max_moves=3_000, partners=Partners(pairs))
    assert points(polished) >= points(covered)
    assert {pid for p in polished for pid in p.pair.people} >= {pid for p in covered for pid in p.pair.people}
    assert len({p.pair.key for p in polished}) == len(polished)
    refilled = insert_pairs(event, polished, by_value(pairs), ENOUGH, max_tries=0, within_hole_caps=True)
    # the [fairness] caps, then a refill that keeps them
    capped = enforce_hole_caps(event, refilled)
    final = insert_pairs(event, capped, by_value(pairs), ENOUGH, max_tries=0, within_hole_caps=True)
    violations = check_schedule(event, assign_tables(event, final))
    assert violations == [], "\n".join(format_violation(v) for v in violations[:10])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(events(), st.integers(0, 2**16), st.floats(0.0, 0.15))
def test_solve_without_cp_sat_is_valid_fresh_and_as_a_repair(event: Event, seed: int, cancel_share: float) -> None:
    """The real pipeline (`solve`, with its Budget, locked rows and repair) with CP-SAT off: a fresh
    solve and a re-solve after some people cancel both pass the checker (the gate raises if not)."""
    options = SolveOptions(time_limit=2.0, deterministic=True, seed=seed % 1000, cp_sat=False)
    fresh = solve(event, options)
    assert check_schedule(event, fresh.schedule) == []
    active = sorted(pid for pid, p in event.participants.items() if p.active)
    gone = set(active[: int(len(active) * cancel_share)])
    changed = dataclasses.replace(
        event,
        participants={
            pid: dataclasses.replace(p, status="cancelled") if pid in gone else p
            for pid, p in event.participants.items()
        },
    )
    kept = [m for m in fresh.schedule.meetings if not {m.a, m.b} & gone]
    locked = [dataclasses.replace(m, locked=True) for m in kept[:5]]
    previous = Schedule.of(locked + kept[5:] + [m for m in fresh.schedule.meetings if {m.a, m.b} & gone])
    repaired = solve(changed, dataclasses.replace(options, previous=previous))
    assert check_schedule(changed, repaired.schedule) == []
    places = {(m.a, m.b, m.slot, m.table) for m in repaired.schedule.meetings}
    assert all((m.a, m.b, m.slot, m.table) in places for m in locked)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=events(), seed=st.integers(0, 2**16))
def test_a_move_does_what_it_is_priced_at(event: Event, seed: int) -> None:
    """The annealing accepts or rejects a move on its figures before making it: after it is made,
    the holes (weighted above a [fairness] cap), their empty slots and the points recounted from
    scratch change by exactly those."""
    pairs = candidate_pairs(event)
    state = ScheduleState(event, mutual_first(event, pairs), track_holes=True)
    partners, rng = Partners(pairs), random.Random(seed)
    day_slots = [day.slots for day in event.days]

    def figures() -> tuple[int, int, int]:
        gaps = [state.count_gaps(slots) for slots in state.busy.values()]
        return sum(weighted_holes(event, h) for h, _ in gaps), sum(e for _, e in gaps), points(state.placements())

    applied, had_holes = 0, any(state.holes.values())
    for _ in range(300):
        holey = sorted(pid for pid, h in state.holes.items() if h)
        if not holey:
            break
        pid = rng.choice(holey)
        if rng.random() < 0.5:
            move = propose_exchange(state, partners, rng, pid)
        else:
            move = propose_swap(state, rng, pid, day_slots)
        if move is None:
            continue
        holes, empty, worth = figures()
        move.apply()
        applied += 1
        assert figures() == (holes + move.delta, empty + move.empty, worth + move.gain)
        assert {p: state.holes[p] for p in move.changed} == move.changed
    assert applied > 0 or not had_holes  # the check above ran
