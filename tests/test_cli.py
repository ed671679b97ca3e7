"""End-to-end tests of the command line on small events written to tmp_path.

Most run `main()` in-process (fast, output via capsys); one runs `python -m scheduler` for real
to check that --time-limit bounds the whole command, interpreter start-up included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scheduler.cli import describe_progress, main
from scheduler.results import Progress

REPO_ROOT = Path(__file__).resolve().parents[1]
Cap = pytest.CaptureFixture[str]

# One day, 20-minute slots, a break: slots 1..5 start 09:00 09:20 09:40 | 10:20 10:40.
EVENT_TOML = """
name = "Tiny day"
slot_minutes = 20
tables = 2
{extra}
[[days]]
date = "2027-03-10"
start = "09:00"
end = "11:00"
breaks = ["10:00-10:20"]
"""
PEOPLE = """id,name,organisation,available
ann,Ann Åberg,Org A,
ben,Ben Bērziņš,Org B,
cat,Cat,Org C,
dan,Dan,Org D,
eve,Eve,Org E,
"""
WISHES = """requester,target,priority
ann,ben,1
ben,ann,1
ann,cat,
cat,dan,3
dan,eve,
eve,ann,
"""
HEADER = "day,slot,start,end,table,participant_a,participant_b,locked\n"


def write_event(folder: Path, extra: str = "", people: str = PEOPLE, wishes: str = WISHES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "event.toml").write_text(EVENT_TOML.format(extra=extra), encoding="utf-8")
    (folder / "participants.csv").write_text(people, encoding="utf-8")
    (folder / "wishes.csv").write_text(wishes, encoding="utf-8")
    return folder


@pytest.fixture
def event_dir(tmp_path: Path) -> Path:
    return write_event(tmp_path / "event")


def run(capsys: Cap, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def solve_args(event_dir: Path, out: Path, *extra: str) -> list[str]:
    return ["solve", str(event_dir), "--out", str(out), "--time-limit", "3", "--workers", "1", *extra]


# --- solve -------------------------------------------------------------------------------------


def test_solve_writes_a_schedule_that_check_accepts(event_dir: Path, tmp_path: Path, capsys: Cap) -> None:
    out = tmp_path / "schedule.csv"
    code, report, _ = run(capsys, *solve_args(event_dir, out))
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("day,slot,start,end,table,participant_a,participant_b")
    assert "Ann Åberg" in text and "Ben Bērziņš" in text  # non-ASCII names survive
    for word in ("meetings", "points", "bound", "gap", "holes", "without any meeting", "table changes", "time"):
        assert word in report
    assert "19" in report  # every wish fits: 12 (mutual, both priority 1) + 2 + 1 + 2 + 2
    assert "wishes met           6 of 6 (100.0 %); mutual 2 of 2, one-sided 4 of 4" in report
    assert "by priority 1: 2 of 2, 2: 3 of 3, 3: 1 of 1" in report

    code, summary, _ = run(capsys, "check", str(event_dir), str(out))
    assert code == 0
    assert summary.startswith("valid: 5 meetings") and "19 points" in summary


def test_report_json_has_the_figures(event_dir: Path, tmp_path: Path, capsys: Cap) -> None:
    out, report = tmp_path / "schedule.csv", tmp_path / "report.json"
    code, _, _ = run(capsys, *solve_args(event_dir, out, "--report-json", str(report), "--seed", "3"))
    assert code == 0
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert {
        "meetings",
        "mutual_meetings",
        "points",
        "bound",
        "gap",
        "holes",
        "max_holes_per_person",
        "people_without_meeting",
        "seconds",
        "optimal",
        "objective",
    } <= figures.keys()
    assert figures["meetings"] == 5 and figures["mutual_meetings"] == 1
    assert figures["points"] == 19 and figures["bound"] == 19 and figures["gap"] == 0.0
    assert figures["optimal"] is True and figures["objective"] == "maximise"
    assert figures["people_without_meeting"] == 0
    assert figures["wishes"]["met"] == figures["wishes"]["wished"] == 6
    assert figures["wishes"]["mutual"] == {"met": 2, "wished": 2}
    assert figures["wishes"]["by_priority"]["2"] == {"met": 3, "wished": 3}
    assert 0 < figures["solve_time_limit"] <= 3
    assert figures["seconds"] > 0  # how fast is measured by benchmarks/, not asserted here


def test_progress_goes_to_stderr_as_plain_lines(event_dir: Path, tmp_path: Path, capsys: Cap) -> None:
    code, out, err = run(capsys, *solve_args(event_dir, tmp_path / "s.csv"))
    assert code == 0
    lines = err.splitlines()
    assert lines[0].startswith("loading")  # the first snapshot is shown at once, not after 2 s
    assert any("points" in line for line in lines)
    # every step says when it starts, however fast: a log shows where a slow run spends its time
    phases = [line.split()[0] for line in lines if line.strip()]
    for phase in ("loading", "candidates", "greedy", "bound", "polish", "tables", "check", "unmet", "writing", "done"):
        assert phase in phases, (phase, lines)
    assert "\x1b[" not in err  # no terminal codes when stderr is not a terminal
    assert "HiGHS" not in out  # stdout carries only the report


def test_describe_progress_shows_what_the_phase_knows() -> None:
    line = describe_progress(Progress("search", 1.0, points=90, bound=100, holes=4), 2.5)
    assert line.split() == ["search", "points", "90", "bound", "100", "gap", "10.00%", "holes", "4", "2.5", "s"]
    assert "bound" not in describe_progress(Progress("greedy", 0.1, points=5), 0.2)


def test_previous_keeps_locked_rows(event_dir: Path, tmp_path: Path, capsys: Cap) -> None:
    previous = tmp_path / "old.csv"
    # ann-ben would rather not meet in the last slot before lunch; locked, it must stay there.
    previous.write_text(HEADER + "2027-03-10,5,10:40,11:00,2,ann,ben,yes\n", encoding="utf-8")
    out = tmp_path / "new.csv"
    code, _, _ = run(capsys, *solve_args(event_dir, out, "--previous", str(previous)))
    assert code == 0
    assert "2027-03-10,5,10:40,11:00,2,ann,ben," in out.read_text(encoding="utf-8")


def test_bad_previous_schedule_is_bad_input(event_dir: Path, tmp_path: Path, capsys: Cap) -> None:
    previous = tmp_path / "old.csv"
    previous.write_text(HEADER + "2027-03-10,9,,,1,ann,ben,yes\n", encoding="utf-8")
    code, _, err = run(capsys, *solve_args(event_dir, tmp_path / "s.csv", "--previous", str(previous)))
    assert code == 2
    assert "old.csv, row 2, column 'slot'" in err
    assert "Traceback" not in err

    missing = str(tmp_path / "nope.csv")
    code, _, err = run(capsys, *solve_args(event_dir, tmp_path / "s.csv", "--previous", missing))
    assert code == 2 and "nope.csv: no such file" in err


def test_broken_event_names_file_row_and_column(tmp_path: Path, capsys: Cap) -> None:
    people = "id,name,max_meetings\nann,Ann,2\nben,Ben,lots\n"
    event_dir = write_event(tmp_path / "broken", people=people, wishes="requester,target\nann,zed\n")
    out = tmp_path / "s.csv"
    code, _, err = run(capsys, *solve_args(event_dir, out))
    assert code == 2
    assert "participants.csv, row 3, column 'max_meetings'" in err
    assert "wishes.csv, row 2, column 'target'" in err  # every problem is listed, not just the first
    assert "Traceback" not in err
    assert not out.exists()


def test_missing_folder_is_bad_input(tmp_path: Path, capsys: Cap) -> None:
    code, _, err = run(capsys, *solve_args(tmp_path / "nowhere", tmp_path / "s.csv"))
    assert code == 2
    assert "nowhere" in err and "not a folder" in err


def test_missing_file_is_bad_input(event_dir: Path, tmp_path: Path, capsys: Cap) -> None:
    (event_dir / "wishes.csv").unlink()
    code, _, err = run(capsys, *solve_args(event_dir, tmp_path / "s.csv"))
    assert code == 2 and "wishes.csv" in err and "missing" in err


def test_unwritable_out_fails_before_solving(
    event_dir: Path, tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_solve(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the solver ran although --out cannot be written")

    monkeypatch.setattr("scheduler.pipelines.solve.solve", no_solve)
    code, _, err = run(capsys, *solve_args(event_dir, tmp_path / "no" / "such" / "dir.csv"))
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, *solve_args(event_dir, tmp_path))  # a folder, not a file
    assert code == 2 and "is a folder" in err


def test_infeasible_all_mode_exits_3(tmp_path: Path, capsys: Cap) -> None:
    # Ann leaves before Ben arrives, yet in "all" mode their wished meeting must take place.
    people = "id,name,available\nann,Ann,09:00-09:40\nben,Ben,10:20-11:00\ncat,Cat,\n"
    wishes = "requester,target\nann,ben\nann,cat\n"
    event_dir = write_event(tmp_path / "all", extra='objective = "all"', people=people, wishes=wishes)
    out = tmp_path / "s.csv"
    code, _, err = run(capsys, *solve_args(event_dir, out))
    assert code == 3
    assert "no schedule" in err
    assert "Ann" in err or "ann" in err  # the details say whose meeting cannot be placed
    assert "Traceback" not in err
    assert not out.exists()


def test_feasible_all_mode_reports_holes_not_gap(tmp_path: Path, capsys: Cap) -> None:
    event_dir = write_event(tmp_path / "all", extra='objective = "all"')
    out, report = tmp_path / "s.csv", tmp_path / "r.json"
    code, text, _ = run(capsys, *solve_args(event_dir, out, "--report-json", str(report)))
    assert code == 0 and "holes" in text
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["objective"] == "all" and figures["bound"] is None and figures["gap"] is None
    assert figures["meetings"] == 5


def test_bad_option_is_a_usage_error(event_dir: Path, capsys: Cap) -> None:
    code, _, err = run(capsys, "solve", str(event_dir), "--out", "x.csv", "--time-limit", "-1")
    assert code == 2 and "positive" in err


def test_help_mentions_exit_codes(capsys: Cap) -> None:
    code, out, _ = run(capsys, "solve", "--help")
    assert code == 0
    assert "--time-limit" in out and "exit codes" in out and "infeasible" in out


# --- check -------------------------------------------------------------------------------------


def test_check_lists_each_violation(event_dir: Path, tmp_path: Path, capsys: Cap) -> None:
    schedule = tmp_path / "bad.csv"
    schedule.write_text(
        HEADER + "2027-03-10,1,09:00,09:20,1,ann,ben,\n"
        "2027-03-10,1,09:00,09:20,2,ann,cat,\n"  # ann twice in slot 1
        "2027-03-10,2,09:20,09:40,1,ben,dan,\n",  # nobody wished it
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "check", str(event_dir), str(schedule))
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith("rule 1") and "Ben Bērziņš (ben)" in line and "Dan (dan)" in line for line in lines)
    assert any(line.startswith("rule 2") and "Ann Åberg (ann)" in line for line in lines)
    assert "INVALID: 2 violation(s)" in out


def test_check_malformed_schedule_exits_2(event_dir: Path, tmp_path: Path, capsys: Cap) -> None:
    schedule = tmp_path / "bad.csv"
    schedule.write_text(HEADER + "2027-03-10,1,09:00,09:20,1,ann,zed,\n", encoding="utf-8")
    code, _, err = run(capsys, "check", str(event_dir), str(schedule))
    assert code == 2
    assert "bad.csv, row 2, column 'participant_b'" in err

    code, _, err = run(capsys, "check", str(event_dir), str(tmp_path / "missing.csv"))
    assert code == 2 and "no such file" in err


# --- the real command --------------------------------------------------------------------------


def test_real_command_respects_the_time_limit(event_dir: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "schedule.csv", tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scheduler",
            "solve",
            str(event_dir),
            "--out",
            str(out),
            "--time-limit",
            "5",
            "--report-json",
            str(report),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    wall = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    # The wall-clock bar (done within the limit) is a benchmark bar: `python -m benchmarks` runs the
    # same command and reports its own clock against --time-limit, and its wall time from outside.
    assert "points" in proc.stdout and out.is_file()
    assert json.loads(report.read_text(encoding="utf-8"))["seconds"] <= wall


# --- a reader that goes away -------------------------------------------------------------------


def _with_closed_reader(*argv: str) -> tuple[int, str]:
    """Run `python -m scheduler ARGV` with its stdout a pipe whose reader is gone before the first
    byte (as `… | head` does after a line); returns the exit code and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "scheduler", *argv],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    return proc.wait(timeout=60), err


@pytest.mark.parametrize("command", ["diff-text", "diff-json", "diff-csv", "check", "solve", "help"])
def test_output_to_a_closed_reader_ends_quietly(command: str, event_dir: Path, tmp_path: Path) -> None:
    old, new, bad = tmp_path / "old.csv", tmp_path / "new.csv", tmp_path / "bad.csv"
    old.write_text(HEADER + "2027-03-10,1,09:00,09:20,1,ann,ben,\n", encoding="utf-8")
    new.write_text(HEADER + "2027-03-10,2,09:20,09:40,1,ann,ben,\n2027-03-10,1,09:00,09:20,1,cat,dan,\n")
    bad.write_text(HEADER + "2027-03-10,1,09:00,09:20,1,ann,ben,\n2027-03-10,1,09:00,09:20,2,ann,cat,\n")
    out = tmp_path / "schedule.csv"
    argv = {
        "diff-text": ["diff", str(event_dir), str(old), str(new)],
        "diff-json": ["diff", str(event_dir), str(old), str(new), "--format", "json"],
        "diff-csv": ["diff", str(event_dir), str(old), str(new), "--format", "csv"],
        "check": ["check", str(event_dir), str(bad)],
        "solve": ["solve", str(event_dir), "--out", str(out), "--time-limit", "2", "--workers", "1"],
        "help": ["--help"],
    }[command]
    code, err = _with_closed_reader(*argv)
    for noise in ("Traceback", "BrokenPipeError", "Exception ignored"):
        assert noise not in err, err
    # (argparse itself swallows an error while writing --help, and exits 0)
    assert code == (0 if command == "help" else 141)
    if command == "solve":
        assert out.is_file()  # the schedule is written before the report is printed
