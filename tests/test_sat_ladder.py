"""The SAT side of "all" mode (`model.cnf`, each rule's `clauses`, `pipelines.sat_ladder`): the
clauses accept exactly the schedules the independent checker accepts and count their holes as it
does, and the ladder proves the brute-forced optimum on tiny days, in forked processes and in
deterministic mode alike."""

from __future__ import annotations

import multiprocessing
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pysat.solvers import Solver

from scheduler.candidates import Pair
from scheduler.check.checker import check_schedule
from scheduler.check.checker import holes as checker_holes
from scheduler.domain import Event, Meeting, Schedule, SlotIndex
from scheduler.heuristics.state import Placement
from scheduler.pipelines import all_mode, sat_ladder
from scheduler.pipelines.hole_ladder import Climb
from scheduler.pipelines.run import Run
from scheduler.pipelines.sat_ladder import HoleQuestion, climb_sat, hole_question
from scheduler.pipelines.solve import solve
from tests.factories import DATE, DaySpec, EventSpec, make_event, person, quick_options
from tests.test_hole_ladder import _brute_force_least_holes, _tiny


def _event(seed: int) -> Event:
    """Six people over a day with a break: one to three shared tables, part-time people, a booth
    of one's own, meeting caps and hole caps (spread no narrower than the cap) drawn at random."""
    rng = random.Random(seed)
    ids = [f"p{i}" for i in range(6)]
    people = []
    for n, pid in enumerate(ids):
        available = "" if rng.random() < 0.7 else f"{DATE} 09:00-10:00;{DATE} 11:00-12:00"
        cap = rng.choice((None, None, 2, 3))
        people.append(person(pid, available=available, max_meetings=cap, table="B" if n == 0 and seed % 2 else ""))
    wishes = sorted({tuple(sorted(rng.sample(ids, 2))) for _ in range(7)})
    max_holes = rng.choice((None, 1, 2))
    spread = None if max_holes is None else rng.choice((None, max_holes))
    day = DaySpec(DATE, "09:00", "12:00", ("10:20-10:40",))
    spec = EventSpec(tables=rng.choice((1, 2, 3)), days=(day,), objective="all", max_holes=max_holes, max_spread=spread)
    return make_event(people, wishes, spec)


def _meetings(event: Event, chosen: list[tuple[Pair, SlotIndex]]) -> list[Meeting]:
    """The meetings at their tables: a booth where the pair has one, else shared labels in turn
    (a slot with more meetings than tables repeats the last label, which the checker refuses)."""
    labels = list(event.table_labels)
    used: dict[SlotIndex, int] = {}
    out = []
    for pair, slot in chosen:
        table = pair.locations[0]
        if table is None:
            n = used.get(slot, 0)
            used[slot] = n + 1
            table = labels[min(n, len(labels) - 1)]
        out.append(Meeting(slot, str(table), pair.a, pair.b))
    return out


def _assignment(pairs: list[Pair], rng: random.Random) -> list[tuple[Pair, SlotIndex]]:
    """Every pair at one of its slots: mostly nobody booked twice (so the tables, caps and holes
    decide), sometimes anywhere."""
    anywhere = rng.random() < 0.2
    busy: set[tuple[str, SlotIndex]] = set()
    out = []
    for pair in pairs:
        slots = sorted(pair.slots)
        free = [s for s in slots if (pair.a, s) not in busy and (pair.b, s) not in busy]
        slot = rng.choice(slots if anywhere or not free else free)
        busy |= {(pair.a, slot), (pair.b, slot)}
        out.append((pair, slot))
    return out


def _assume(q: HoleQuestion, chosen: list[tuple[Pair, SlotIndex]]) -> list[int]:
    """Every cell of the model fixed: true where `chosen` meets, false elsewhere."""
    index = {pair.key: i for i, pair in enumerate(q.v.pairs)}
    true = {(index[pair.key], slot) for pair, slot in chosen}
    return [var if cell in true else -var for cell, var in q.v.x.items()]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 100_000))
def test_the_clauses_accept_what_the_checker_accepts_and_count_its_holes(seed: int) -> None:
    event = _event(seed)
    run = Run(event, quick_options(), None, None)
    q = hole_question(run)
    assert q is not None  # an uncontested booth and a spread no narrower than the cap are stated
    chosen = _assignment(run.pairs, random.Random(seed))
    meetings = _meetings(event, chosen)
    valid = not check_schedule(event, Schedule.of(meetings))
    total = sum(checker_holes(event, meetings).values())
    q.count_up_to(total + 1)
    with Solver(name="cadical153", bootstrap_with=q.cnf.clauses) as solver:
        assert solver.solve(assumptions=_assume(q, chosen)) == valid
        if valid and total < len(q.at_least):  # exactly `total` holes: at most total, not fewer
            assert solver.solve(assumptions=[*_assume(q, chosen), -q.at_least[total]])
            assert total == 0 or not solver.solve(assumptions=[*_assume(q, chosen), -q.at_least[total - 1]])


def test_the_sat_ladder_stops_at_the_brute_forced_optimum() -> None:
    tried = with_holes = 0
    for seed in range(24):
        event = _tiny(seed, max_spread=None)
        optimum = _brute_force_least_holes(event)
        if optimum is None or len(event.wishes) < 4:
            continue
        for deterministic in (False, True):
            run = Run(event, quick_options(time_limit=5.0, deterministic=deterministic), None, None)
            q = hole_question(run)
            assert q is not None
            reached = climb_sat(run, q, 0, optimum + 1, 1.0)
            assert reached.lower == optimum, (seed, deterministic)  # proven, never above a schedule
            assert reached.found is not None
            found = [Meeting(p.slot, "1", p.pair.a, p.pair.b) for p in reached.found]
            assert len(found) == len(run.pairs)
            assert sum(checker_holes(event, found).values()) == optimum
        tried += 1
        with_holes += optimum > 0
    assert tried >= 8 and with_holes >= 3
    assert not multiprocessing.active_children()  # every solver process is gone


def test_a_stopped_solve_leaves_no_solver_running() -> None:
    event = _tiny(3, max_spread=None)
    run = Run(event, quick_options(time_limit=5.0, deterministic=False), None, lambda: True)
    q = hole_question(run)
    assert q is not None
    reached = climb_sat(run, q, 0, 10, 1.0)
    assert reached.found is None and reached.lower == 0
    assert not multiprocessing.active_children()


def test_what_the_clauses_do_not_state_is_left_to_cp_sat(monkeypatch: pytest.MonkeyPatch) -> None:
    narrow = _tiny(0, max_spread=1)  # a spread narrower than the cap of 2
    assert hole_question(Run(narrow, quick_options(), None, None)) is None
    wide = Run(_tiny(0, max_spread=None), quick_options(), None, None)
    assert hole_question(wide) is not None
    monkeypatch.setattr(sat_ladder, "MAX_CELLS", sum(len(p.slots) for p in wide.pairs) - 1)
    assert hole_question(wide) is None  # too many cells to write as clauses in time
    day = DaySpec(DATE, "09:00", "12:00")
    shared_booth = make_event(
        [person("a", table="B"), person("b", table="B"), "c"], [("a", "c"), ("b", "c")], objective="all", days=(day,)
    )
    assert hole_question(Run(shared_booth, quick_options(), None, None)) is None


def test_a_gap_the_sat_ladder_leaves_goes_to_the_local_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ladder proves a bound but finds nothing: the local search polishes the rest of the time
    and the solve still returns every pair, valid, never proven below what it found."""
    polished: list[int] = []
    real_polish = all_mode.polish

    def counting_polish(run: Run, placed: list[Placement], *args: Any, **kwargs: Any) -> list[Placement]:
        polished.append(kwargs.get("share", 1.0))
        return real_polish(run, placed, *args, **kwargs)

    monkeypatch.setattr(all_mode, "climb_sat", lambda run, q, lower, upper, share: Climb(0, None))
    monkeypatch.setattr(all_mode, "polish", counting_polish)
    for seed in range(24):
        event = _tiny(seed, max_spread=None)
        optimum = _brute_force_least_holes(event)
        if optimum is None or optimum == 0:
            continue
        result = solve(event, quick_options())
        assert not check_schedule(event, result.schedule)
        assert len(result.schedule.meetings) == len(event.wishes)
        assert sum(checker_holes(event, list(result.schedule.meetings)).values()) >= optimum
        assert polished and polished[-1] == 1.0  # the last polish had the rest of the time
        return
    raise AssertionError("no tiny day needs holes")
