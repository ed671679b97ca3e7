"""`python -m scheduler standby`: the table, --json, and errors in words with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_standby import hand_event_files, hand_schedule

from scheduler.cli import EXIT_BAD_INPUT, EXIT_OK, main
from scheduler.io.loading import load_event_bytes
from scheduler.io.schedule_files import write_schedule_csv

Cap = pytest.CaptureFixture[str]


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    """The hand-made event of test_standby (a absent; p's freed meeting at 09:20) as files."""
    toml, people, wishes = hand_event_files()
    folder = tmp_path / "event"
    folder.mkdir()
    for name, data in (("event.toml", toml), ("participants.csv", people), ("wishes.csv", wishes)):
        (folder / name).write_bytes(data)
    schedule = tmp_path / "schedule.csv"
    schedule.write_text(write_schedule_csv(load_event_bytes(toml, people, wishes).event, hand_schedule()))
    return [str(folder), str(schedule)]


def test_a_table_per_freed_meeting(files: list[str], capsys: Cap) -> None:
    assert main(["standby", *files, "--absent", "a", "--at", "2027-03-10T09:00"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "A (a) absent from 2027-03-10 09:00: 2 meeting(s) still to come" in out
    assert "2027-03-10 09:20-09:40, table 3: P (p) was to meet them" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("  ") and line.strip()[0].isdigit()]
    assert [(r[0], r[1], r[3]) for r in rows] == [("1", "X1", "12"), ("2", "X2", "2"), ("3", "X3", "1")]
    assert "no replacement fits" in out  # r's meeting at 10:00


def test_json_and_top(files: list[str], capsys: Cap) -> None:
    assert main(["standby", *files, "--absent", "a", "--at", "2027-03-10 09:30", "--json", "--top", "2"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["absent"]["id"] == "a" and data["at"] == "2027-03-10T09:30"
    first = data["freed"][0]
    assert (first["start"], first["table"], first["partner"]["id"]) == ("09:20", "3", "p")
    assert [(s["rank"], s["with"]["id"], s["points"], s["mutual"]) for s in first["suggestions"]] == [
        (1, "x1", 12, True),
        (2, "x2", 2, False),
    ]
    assert first["suggestions"][1]["asked_by"] == ["x2"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--absent", "zz", "--at", "2027-03-10T09:00"], "'zz' is not a participant"),
        (["--absent", "a", "--at", "2027-03-10T12:00"], "outside the event"),
        (["--absent", "a", "--at", "noon"], "is not a local date and time"),
        (["--absent", "a", "--at", "2027-03-10T09:00", "--top", "0"], "--top must be 1 or more"),
    ],
)
def test_errors_in_words(files: list[str], capsys: Cap, argv: list[str], message: str) -> None:
    assert main(["standby", *files, *argv]) == EXIT_BAD_INPUT
    assert message in capsys.readouterr().err


def test_a_missing_schedule_file(files: list[str], capsys: Cap) -> None:
    assert main(["standby", files[0], files[1] + ".nope", "--absent", "a", "--at", "2027-03-10T09:00"]) == 2
    assert "no such file" in capsys.readouterr().err
