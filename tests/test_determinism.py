"""Deterministic mode: the same event, options and seed give the same schedule, every time.

The event is medium-sized (40 people, about 300 wishes, scarce tables) so that the solve is
cut short by its work limits rather than finishing by proof; only then could a dependence on
wall-clock time show. Repeats run in fresh processes with different hash seeds (set and dict
order of strings) and one of them on a deliberately busy machine.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from factories import cluster_day

from scheduler.check.checker import check_schedule
from scheduler.domain import Event, Schedule
from scheduler.io.loading import load_event_bytes
from scheduler.pipelines.solve import solve
from scheduler.results import SolveOptions, SolveResult

REPO = Path(__file__).resolve().parents[1]
OPTIONS = SolveOptions(time_limit=3.0, deterministic=True, seed=7)

# A child process: build the same event, solve it, print the schedule as JSON rows.
CHILD = """
import json, sys
sys.path.insert(0, {tests!r})
from factories import cluster_day
from scheduler.io.loading import load_event_bytes
from scheduler.results import SolveOptions
from scheduler.pipelines.solve import solve
event = load_event_bytes(*cluster_day(objective={objective!r})).event
result = solve(event, SolveOptions(time_limit={time_limit!r}, deterministic=True, seed={seed!r}))
rows = [[m.slot, m.table, m.a, m.b] for m in result.schedule.meetings]
print("SCHEDULE " + json.dumps({{"rows": rows, "points": result.stats.points, "holes": result.stats.holes}}))
"""


def rows(schedule: Schedule) -> list[list[object]]:
    return [[m.slot, m.table, m.a, m.b] for m in schedule.meetings]


def solve_in_child(hash_seed: str, objective: str = "maximise") -> dict[str, object]:
    code = CHILD.format(
        tests=str(REPO / "tests"), objective=objective, time_limit=OPTIONS.time_limit, seed=OPTIONS.seed
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("SCHEDULE "))
    return json.loads(line.removeprefix("SCHEDULE "))


@pytest.fixture(scope="module")
def event() -> Event:
    return load_event_bytes(*cluster_day()).event


@pytest.fixture(scope="module")
def first(event: Event) -> SolveResult:
    result = solve(event, OPTIONS)
    assert check_schedule(event, result.schedule) == []
    assert len(result.schedule) > 50  # a real schedule, not a trivial one
    return result


def test_same_seed_same_schedule_in_one_process(event: Event, first: SolveResult) -> None:
    again = solve(event, OPTIONS)
    assert again.schedule == first.schedule
    assert again.stats == first.stats
    assert again.bound == first.bound


def test_same_seed_same_schedule_across_processes_and_hash_seeds(first: SolveResult) -> None:
    for hash_seed in ("0", "12345"):
        child = solve_in_child(hash_seed)
        assert child["rows"] == rows(first.schedule), f"PYTHONHASHSEED={hash_seed} changed the schedule"
        assert child["points"] == first.stats.points


@pytest.mark.cpu_load  # runs alone, after the other tests (see the marker in pyproject.toml)
def test_same_seed_same_schedule_on_a_busy_machine(first: SolveResult) -> None:
    # Deterministic mode must bound work, not wall time: slowing the solve down changes nothing.
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        child = solve_in_child("777")
    finally:
        for p in burners:
            p.kill()
            p.wait()
    assert child["rows"] == rows(first.schedule)


def test_all_mode_is_deterministic_too(first: SolveResult) -> None:
    # "all" mode on the pairs the maximise solve met: feasible, and holes are what is optimised.
    files = cluster_day(objective="all")
    event = load_event_bytes(*files).event
    met = {m.pair for m in first.schedule.meetings}
    wishes = tuple(w for w in event.wishes if frozenset((w.requester, w.target)) in met)
    event = dataclasses.replace(event, wishes=wishes, max_holes=None, max_hole_spread=None)
    one = solve(event, OPTIONS)
    two = solve(event, OPTIONS)
    assert check_schedule(event, one.schedule) == []
    assert {m.pair for m in one.schedule.meetings} == met
    assert one.schedule == two.schedule
