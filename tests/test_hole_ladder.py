"""The "all"-mode hole ladder: holes counted as the JAIR MaxSAT encoding does (`model.breaks`)
against the independent checker's count on random schedules, and the ladder's proven bound and
schedule against a brute-forced optimum on tiny days."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.candidates import candidate_pairs
from scheduler.check.checker import holes as checker_holes
from scheduler.domain import Event, Meeting
from scheduler.model.breaks import hole_ends
from scheduler.model.occupancy import Occupancy
from scheduler.model.rules import HARD_RULES
from scheduler.model.variables import MeetingVars
from scheduler.pipelines.hole_ladder import climb
from scheduler.pipelines.run import Run
from tests.factories import DATE, DaySpec, EventSpec, make_event, quick_options
from tests.test_all_mode_occupancy import _event, _random_schedule


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_hole_ends_count_the_checkers_holes(seed: int) -> None:
    """Two days with a break and part-time people: each person's hole ends sum to their holes, and
    the implied spans never rule out a valid schedule."""
    event = _event(seed)
    placed = _random_schedule(event, random.Random(seed))
    pairs = [p.pair for p in placed]
    model = cp_model.CpModel()
    v = MeetingVars(model, event, pairs, required=True)
    for rule in HARD_RULES:
        rule.apply(event, model, v)
    ends = hole_ends(event, model, Occupancy(event, model, v), v.people(), spans=True)
    index_of = {p.key: i for i, p in enumerate(pairs)}
    for p in placed:
        v.fix(index_of[p.pair.key], p.slot)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL  # every auxiliary Boolean is defined: one solution
    expected = checker_holes(event, [Meeting(p.slot, "1", p.pair.a, p.pair.b) for p in placed])
    for pid in v.people():
        got = sum(solver.value(lit) for lit in ends.get(pid, []))
        assert got == expected.get(pid, 0), pid


def _tiny(seed: int, max_spread: int | None = 1) -> Event:
    """Five people, six slots with a lunch break (which is not a hole), one or two tables, some
    part-time: small enough to try every placement."""
    rng = random.Random(seed)
    ids = [f"p{i}" for i in range(5)]
    people = []
    for pid in ids:
        roll = rng.random()
        available = (
            "" if roll < 0.6 else (f"{DATE} 09:00-09:40;{DATE} 11:00-12:00" if roll < 0.8 else f"{DATE} 09:20-12:00")
        )
        people.append((pid, "", "", available))
    wishes = sorted({tuple(sorted(rng.sample(ids, 2))) for _ in range(6)})
    day = DaySpec(DATE, "09:00", "12:00", ("10:00-10:20",))
    spec = EventSpec(tables=rng.choice((1, 2)), days=(day,), objective="all", max_holes=2, max_spread=max_spread)
    return make_event(people, wishes, spec)


def _brute_force_least_holes(event: Event) -> int | None:
    """The fewest holes of any schedule placing every pair under the rules and caps (None: none)."""
    pairs = candidate_pairs(event)
    best: int | None = None
    for slots in itertools.product(*[sorted(p.slots) for p in pairs]):
        cells = [(pid, s) for p, s in zip(pairs, slots, strict=True) for pid in p.people]
        if len(set(cells)) < len(cells) or max(slots.count(s) for s in slots) > len(event.table_labels):
            continue
        meetings = [Meeting(s, "1", p.a, p.b) for p, s in zip(pairs, slots, strict=True)]
        per = checker_holes(event, meetings)
        counts = [per.get(pid, 0) for pid in {pid for p in pairs for pid in p.people}]
        spread = event.max_hole_spread
        if max(counts) > (event.max_holes or 0) or (spread is not None and max(counts) - min(counts) > spread):
            continue
        best = sum(counts) if best is None else min(best, sum(counts))
    return best


def test_the_ladder_stops_at_the_brute_forced_optimum() -> None:
    tried = with_holes = 0
    for seed in range(24):
        event = _tiny(seed)
        if len(candidate_pairs(event)) < 4:
            continue
        optimum = _brute_force_least_holes(event)
        if optimum is None:  # no schedule at all: nothing for the ladder to climb below
            continue
        run = Run(event, quick_options(time_limit=5.0), None, None)
        reached = climb(run, 0, optimum + 1, 1.0)
        tried += 1
        with_holes += optimum > 0
        assert reached.lower == optimum, seed  # proven, and never above what a schedule reaches
        assert reached.found is not None
        found = [Meeting(p.slot, "1", p.pair.a, p.pair.b) for p in reached.found]
        assert sum(checker_holes(event, found).values()) == optimum
    assert tried >= 8 and with_holes >= 3  # the tiny days do need holes, and the ladder proves them
