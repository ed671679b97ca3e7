"""The "all"-mode hole count on busy cells (`scheduler.model.occupancy`) against the independent
checker's count, on random schedules over two days with breaks and part-time people; and the
whole-solution hint it writes, which CP-SAT must accept as a solution as it stands."""

from __future__ import annotations

import random

import pytest
from ortools.sat.python import cp_model

from scheduler.candidates import candidate_pairs
from scheduler.check.checker import holes as checker_holes
from scheduler.domain import Event, Meeting
from scheduler.heuristics.state import Placement
from scheduler.model.occupancy import Occupancy
from scheduler.model.rules import HARD_RULES
from scheduler.model.variables import MeetingVars
from tests.factories import DATE, DATE2, DaySpec, EventSpec, make_event


def _event(seed: int) -> Event:
    rng = random.Random(seed)
    ids = [f"p{i}" for i in range(9)]
    people: list[tuple[str, ...]] = []
    for pid in ids:
        available = "" if rng.random() < 0.6 else f"{DATE} 09:00-10:40;{DATE2} 09:40-12:00"
        people.append((pid, "", "", available))
    pairs = {tuple(sorted(rng.sample(ids, 2))) for _ in range(16)}
    wishes = [(a, b) for a, b in sorted(pairs)]
    days = (DaySpec(DATE, "09:00", "12:00", ("10:40-11:00",)), DaySpec(DATE2, "09:00", "12:00"))
    return make_event(people, wishes, EventSpec(tables=20, days=days, objective="all"))


def _random_schedule(event: Event, rng: random.Random) -> list[Placement]:
    busy: set[tuple[str, int]] = set()
    out = []
    for pair in candidate_pairs(event):
        free = [s for s in sorted(pair.slots) if (pair.a, s) not in busy and (pair.b, s) not in busy]
        if free:
            slot = rng.choice(free)
            busy |= {(pair.a, slot), (pair.b, slot)}
            out.append(Placement(pair, slot, pair.locations[0]))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_hole_count_matches_the_checker(seed: int) -> None:
    event = _event(seed)
    rng = random.Random(seed)
    placed = _random_schedule(event, rng)
    pairs = [p.pair for p in placed]  # every pair of the model is placed: "all" mode's situation
    model = cp_model.CpModel()
    v = MeetingVars(model, event, pairs, required=True)
    for rule in HARD_RULES:
        rule.apply(event, model, v)
    occupancy = Occupancy(event, model, v)
    per_person = occupancy.holes(v.people())
    index_of = {p.key: i for i, p in enumerate(pairs)}
    for p in placed:
        v.fix(index_of[p.pair.key], p.slot)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    meetings = [Meeting(p.slot, "1", p.pair.a, p.pair.b) for p in placed]
    expected = checker_holes(event, meetings)
    assert sum(expected.values()) > 0 or seed > 3  # the random days do have holes to count
    for pid, expr in per_person.items():
        assert solver.value(expr) == expected.get(pid, 0), pid
    for pid in v.people():
        if pid not in per_person:
            assert expected.get(pid, 0) == 0


def test_the_hint_is_a_whole_solution() -> None:
    event = _event(11)
    placed = _random_schedule(event, random.Random(11))
    pairs = [p.pair for p in placed]
    model = cp_model.CpModel()
    v = MeetingVars(model, event, pairs, required=True)
    for rule in HARD_RULES:
        rule.apply(event, model, v)
    occupancy = Occupancy(event, model, v)
    total = sum(occupancy.holes(v.people()).values())
    model.minimize(total)
    v.hint(placed, {p.key: i for i, p in enumerate(pairs)})
    occupancy.hint(placed)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.fix_variables_to_their_hinted_value = True  # only the hinted solution is left
    assert solver.solve(model) == cp_model.OPTIMAL
    meetings = [Meeting(p.slot, "1", p.pair.a, p.pair.b) for p in placed]
    assert solver.objective_value == sum(checker_holes(event, meetings).values())
