"""The independent checker gates every schedule that leaves the library.

A solver bug is simulated by letting the table assignment (the last step before the result)
double-book a person; the real `solve`, the CLI and the API worker must then refuse the schedule
with the checker's violations, and publish nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_helpers import claimed_solve, settings_for
from factories import DaySpec, event_files, make_event, quick_options, wish

import scheduler.pipelines.maximise
import scheduler.pipelines.solve
from api import jobs
from scheduler.check.checker import check_schedule
from scheduler.cli import main
from scheduler.domain import Event, Schedule
from scheduler.heuristics.state import Placement
from scheduler.pipelines.solve import solve
from scheduler.problems import InvalidScheduleError, MatchdayError
from scheduler.results import SolveOptions

PEOPLE = ["ann", "ben", "cat", "dan"]
WISHES = [wish("ann", "ben", 1), wish("ben", "ann", 1), wish("ann", "cat"), wish("dan", "cat", 3)]

AssignTables = Callable[..., Schedule]


def _double_booking(real: AssignTables) -> AssignTables:
    """The real table assignment, then one meeting moved onto the slot of another meeting of the
    same person: a rule-2 violation the solver's own code would never see."""

    def sabotaged(
        event: Event, placements: list[Placement], labels: dict[tuple[str, str, int], str], before: Any = ()
    ) -> Schedule:
        meetings = list(real(event, placements, labels, before=before).meetings)
        first = meetings[0]
        other = next(m for m in meetings[1:] if {m.a, m.b} & {first.a, first.b})
        meetings[meetings.index(other)] = dataclasses.replace(other, slot=first.slot)
        return Schedule.of(meetings)

    return sabotaged


@pytest.fixture
def sabotaged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        scheduler.pipelines.solve, "assign_tables", _double_booking(scheduler.pipelines.solve.assign_tables)
    )


def test_a_valid_schedule_passes_the_gate() -> None:
    event = make_event(PEOPLE, WISHES)
    result = solve(event, quick_options())
    assert len(result.schedule) == 3 and check_schedule(event, result.schedule) == []


@pytest.mark.usefixtures("sabotaged")
def test_solve_refuses_a_schedule_the_checker_rejects() -> None:
    event = make_event(PEOPLE, WISHES)
    with pytest.raises(InvalidScheduleError) as caught:
        solve(event, quick_options())
    error = caught.value
    assert any(v.code == "double_booked" and v.people == ("ann",) for v in error.violations)
    assert error.violations == tuple(check_schedule(event, error.schedule))
    message = str(error)
    assert "bug in matchday" in message and "please report it" in message and "not published" in message
    assert str(error.violations[0]) in message
    assert not isinstance(error, MatchdayError)  # never mistaken for a user's error


@pytest.mark.usefixtures("sabotaged")
def test_the_cli_writes_nothing_as_out_and_keeps_the_rejected_schedule_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "event"
    folder.mkdir()
    for name, data in zip(("event.toml", "participants.csv", "wishes.csv"), event_files(PEOPLE, WISHES), strict=True):
        (folder / name).write_bytes(data)
    out = tmp_path / "schedule.csv"
    code = main(["solve", str(folder), "--out", str(out), "--time-limit", "2", "--workers", "1"])
    _, err = capsys.readouterr()
    assert code == 1
    assert not out.exists()
    rejected = tmp_path / "schedule.rejected.csv"
    assert rejected.is_file() and str(rejected) in err
    assert "bug in matchday" in err and "rule 2 (double_booked)" in err


def test_the_api_worker_fails_the_job_and_stores_no_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(tmp_path / "db.sqlite")

    with claimed_solve(settings, time_limit=2) as (c, _db, eid, job_id, h):
        monkeypatch.setattr(
            scheduler.pipelines.solve, "assign_tables", _double_booking(scheduler.pipelines.solve.assign_tables)
        )
        jobs.run_job(settings.database_url, job_id, solver_workers=1)
        job = c.get(f"/api/jobs/{job_id}", headers=h).json()
        assert job["state"] == "failed"
        assert "bug in matchday" in job["error"] and "rule 2 (double_booked)" in job["error"]
        assert job["schedule_version"] is None
        assert c.get(f"/api/events/{eid}/schedules", headers=h).json() == []


# --- SolveOptions.cp_sat ---------------------------------------------------------------------------


def test_without_cp_sat_maximise_runs_on_heuristics_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_cp_sat(*_args: object, **_kwargs: object) -> list[Placement]:
        raise AssertionError("CP-SAT ran although SolveOptions.cp_sat is False")

    monkeypatch.setattr(scheduler.pipelines.maximise, "restricted_search", no_cp_sat)
    # Three people who all wish each other and one slot: one meeting (12 points) is the most, but
    # the LP's bound says 18, so the CP-SAT step runs whenever it is allowed.
    people = ["a", "b", "c"]
    event = make_event(people, [wish(x, y, 1) for x in people for y in people if x != y], days=(DaySpec(end="09:20"),))
    result = solve(event, quick_options(cp_sat=False))
    assert result.parameters["cp_sat"] is False
    assert check_schedule(event, result.schedule) == [] and result.stats.points == 12 and result.bound == 18
    with pytest.raises(AssertionError, match="CP-SAT ran"):
        solve(event, quick_options())


def test_all_mode_refuses_to_run_without_cp_sat() -> None:
    event = make_event(PEOPLE, WISHES, objective="all")
    with pytest.raises(MatchdayError, match='"all" mode needs CP-SAT'):
        solve(event, SolveOptions(time_limit=2, cp_sat=False))
