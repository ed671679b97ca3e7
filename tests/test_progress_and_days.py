"""A long solve is never silent, and a multi-day event's hole polish runs its days side by side.

Timing is not asserted: the long loops take an injectable clock, and the tests check that they
report whenever that clock says REPORT_SECONDS have passed, whatever the machine's speed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.generator import GeneratorSpec, build_event
from scheduler.candidates import candidate_pairs
from scheduler.check.checker import check_schedule
from scheduler.domain import Event
from scheduler.heuristics import by_day, greedy, local_search
from scheduler.heuristics.exchange import Partners
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.local_search import reduce_holes
from scheduler.heuristics.state import Placement
from scheduler.heuristics.tables import assign_tables
from scheduler.io.loading import load_event_bytes
from scheduler.pipelines.solve import solve
from scheduler.report import hole_counts
from scheduler.results import Progress, SolveOptions

REPO = Path(__file__).resolve().parents[1]


class FakeClock:
    """A clock that moves `step` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _event(days: int = 2, people: int = 80, seed: int = 5) -> Event:
    g = build_event(GeneratorSpec(participants=people, wishes=people * 6, seed=seed, days=days, slots_per_day=12))
    return load_event_bytes(g.event_toml, g.participants_csv, g.wishes_csv).event


@pytest.fixture(scope="module")
def two_days() -> tuple[Event, list[Placement]]:
    event = _event()
    return event, mutual_first(event, candidate_pairs(event))


def _holes(event: Event, placements: list[Placement]) -> int:
    return sum(hole_counts(event, ((p.slot, p.pair.people) for p in placements)).values())


def _reported_at(clock: FakeClock, reports: list[float]) -> local_search.HoleReport:
    return lambda _total, _points: reports.append(clock.now)


def test_the_hole_search_reports_at_a_bounded_interval_of_its_clock(two_days: tuple[Event, list[Placement]]) -> None:
    event, placed = two_days
    clock, reports = FakeClock(0.1), list[float]()
    polished = reduce_holes(
        event,
        placed,
        seconds=30.0,
        max_moves=60_000,
        timed_moves=True,
        clock=clock,
        on_progress=_reported_at(clock, reports),
    )
    assert len(reports) >= 3
    gaps = [b - a for a, b in zip([0.0, *reports], reports, strict=False)]
    # the clock is read every 256 moves (one step each) and twice at the start: a report is at
    # most a read or two late
    assert max(gaps) <= local_search.REPORT_SECONDS + 3 * clock.step + 1e-9
    assert _holes(event, polished) <= _holes(event, placed)


def test_the_greedy_reports_at_a_bounded_interval_of_its_clock() -> None:
    event = _event(days=1, people=120)
    pairs = candidate_pairs(event)
    clock = FakeClock(1.0)  # read once per REPORT_EVERY pairs: each read is a second later
    counts: list[int] = []
    placed = mutual_first(event, pairs, on_progress=counts.append, clock=clock)
    reads = len(pairs) // greedy.REPORT_EVERY + 1
    assert len(counts) >= (reads - 1) // int(greedy.REPORT_SECONDS) - 1
    assert counts == sorted(counts) and counts[-1] <= len(placed)


@pytest.mark.parametrize("processes", [1, 2])
def test_days_polished_side_by_side_keep_who_meets_and_each_day(
    two_days: tuple[Event, list[Placement]], processes: int
) -> None:
    event, placed = two_days
    totals: list[int] = []
    polished = by_day.reduce_holes_by_day(
        event, placed, seconds=3.0, processes=processes, on_progress=lambda h, _p: totals.append(h), round_seconds=0.5
    )
    assert Counter((p.pair.key, event.slots[p.slot].day) for p in polished) == Counter(
        (p.pair.key, event.slots[p.slot].day) for p in placed
    )
    assert totals and totals == sorted(totals, reverse=True)  # a day's result is kept only when no worse
    assert totals[-1] == _holes(event, polished) <= _holes(event, placed)
    assert check_schedule(event, assign_tables(event, polished)) == []


def test_days_are_not_split_under_hole_caps(two_days: tuple[Event, list[Placement]]) -> None:
    import dataclasses

    event, placed = two_days
    capped = dataclasses.replace(event, max_holes=1)
    with pytest.raises(ValueError, match="hole caps"):
        by_day.reduce_holes_by_day(capped, placed, seconds=1.0)


def test_a_one_day_event_is_annealed_on_both_cores_with_partner_exchanges() -> None:
    """Both processes search the one day (two seeds, the better kept each round), and may change
    who meets: never for fewer points, never leaving anyone who met without a meeting."""
    event = _event(days=1, people=120, seed=7)
    pairs = candidate_pairs(event)
    placed = mutual_first(event, pairs)
    totals: list[int] = []
    polished = by_day.reduce_holes_by_day(
        event,
        placed,
        seconds=3.0,
        processes=2,
        on_progress=lambda h, _p: totals.append(h),
        round_seconds=0.5,
        partners=Partners(pairs),
    )
    assert totals and totals == sorted(totals, reverse=True)
    assert totals[-1] == _holes(event, polished) < _holes(event, placed)
    assert sum(p.pair.points for p in polished) >= sum(p.pair.points for p in placed)
    assert {pid for p in polished for pid in p.pair.people} >= {pid for p in placed for pid in p.pair.people}
    assert check_schedule(event, assign_tables(event, polished)) == []


def test_a_days_search_never_changes_who_meets(two_days: tuple[Event, list[Placement]]) -> None:
    event, placed = two_days
    with pytest.raises(ValueError, match="two days"):
        by_day.reduce_holes_by_day(event, placed, seconds=1.0, partners=Partners(candidate_pairs(event)))


def test_every_phase_of_a_multi_day_solve_reports_progress() -> None:
    event = _event(days=3, people=60, seed=9)
    seen: list[Progress] = []
    result = solve(event, SolveOptions(time_limit=4.0, workers=2, cp_sat=False), progress=seen.append)
    phases = [p.phase for p in seen]
    for phase in ("candidates", "greedy", "bound", "search", "polish", "tables", "check"):
        assert phase in phases, phases
    assert phases[0] == "candidates" and phases[-1] == "check"
    assert [p.elapsed for p in seen] == sorted(p.elapsed for p in seen)
    assert result.stats.holes == next(p.holes for p in reversed(seen) if p.phase == "polish")


def test_the_states_quick_hole_count_is_the_reports() -> None:
    """`ScheduleState.count_holes` counts on slot indices; `report.holes_in` is the definition."""
    import random

    from scheduler.heuristics.state import ScheduleState
    from scheduler.report import holes_in

    event = _event(days=3)  # three days, each with a lunch break
    state = ScheduleState(event)
    rng = random.Random(4)
    for _ in range(2_000):
        slots = rng.sample(range(len(event.slots)), rng.randint(0, len(event.slots)))
        assert state.count_holes(slots) == holes_in(event, slots)


_POLISH_FOREVER = """
import sys
from tests.test_progress_and_days import _event
from scheduler.candidates import candidate_pairs
from scheduler.heuristics import by_day
from scheduler.heuristics.greedy import mutual_first
event = _event()
placed = mutual_first(event, candidate_pairs(event))
print("polishing", flush=True)
by_day.reduce_holes_by_day(event, placed, seconds=120.0, processes=2, round_seconds=60.0)
"""


def _children(pid: int) -> set[int]:
    """The pids of `pid`'s children (Linux /proc)."""
    kids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids |= {int(k) for k in (task / "children").read_text().split()}
    return kids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_days_pool_dies_with_the_solve_that_forked_it() -> None:
    """A cancelled solve is SIGKILLed: its pool processes must not wait on forever."""
    solver = subprocess.Popen([sys.executable, "-c", _POLISH_FOREVER], stdout=subprocess.PIPE, text=True, cwd=REPO)
    pool: set[int] = set()
    try:
        assert solver.stdout is not None and solver.stdout.readline().strip() == "polishing"
        deadline = time.monotonic() + 60
        while len(pool) < 2 and time.monotonic() < deadline:
            pool = _children(solver.pid)
            time.sleep(0.1)
        assert len(pool) >= 2, "the pool never started"
        solver.kill()
        solver.wait()
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in pool) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in pool), "a pool process outlived the solve"
    finally:
        solver.kill()
        solver.wait()
        for pid in pool:  # a failed run leaves no process behind either
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
