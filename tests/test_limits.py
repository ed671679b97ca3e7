"""Upload limits (issue 12, findings 1 and 7): every size an upload can ask for is bounded, checked
from the numbers before anything is built, and reported with its file, row and column."""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from pathlib import Path

import pytest

import scheduler.io.event_file as event_file
from scheduler.io.limits import TOO_LARGE, Limits
from scheduler.io.loading import load_event_bytes
from scheduler.problems import EventError, Problem
from tests.api_helpers import API_DATA, client_for, event_files, upload

TOML = (API_DATA / "event.toml").read_bytes()
PEOPLE = (API_DATA / "participants.csv").read_bytes()
WISHES = (API_DATA / "wishes.csv").read_bytes()


def huge_toml(days: int = 400, slot_minutes: int = 1, tables: int = 5) -> bytes:
    """The trial's attack: a small event.toml asking for `days` whole days of short slots."""
    first = dt.date(2027, 1, 1)
    blocks = "".join(
        f'[[days]]\ndate = "{first + dt.timedelta(days=i)}"\nstart = "00:00"\nend = "24:00"\n' for i in range(days)
    )
    return f"slot_minutes = {slot_minutes}\ntables = {tables}\n{blocks}".encode()


def problems_of(limits: Limits, toml: bytes = TOML, people: bytes = PEOPLE, wishes: bytes = WISHES) -> list[Problem]:
    with pytest.raises(EventError) as caught:
        load_event_bytes(toml, people, wishes, limits=limits)
    return caught.value.errors


def only(problems: list[Problem], code: str = TOO_LARGE) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, problems
    return found[0]


def test_days_are_counted_before_any_is_read_or_laid_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_grid(*args: object) -> None:
        raise AssertionError("the grid was built although the event is over the limits")

    monkeypatch.setattr(event_file, "build_grid", no_grid)
    p = only(problems_of(Limits(max_days=31), toml=huge_toml()))
    assert (p.file, p.column, p.row) == ("event.toml", "days", 3 + 4 * 31)  # the 32nd [[days]] block
    assert "400" in p.message and "31" in p.message


def test_slots_per_day_and_in_all_are_counted_from_the_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_file, "build_grid", lambda *a: (_ for _ in ()).throw(AssertionError("built")))
    p = only(problems_of(Limits(max_slots_per_day=288), toml=huge_toml(days=2)))
    assert (p.file, p.column, p.row) == ("event.toml", "days[1]", 3)
    assert "1,440 slots" in p.message
    p = only(problems_of(Limits(max_slots=500), toml=huge_toml(days=3, slot_minutes=5)))
    assert p.column == "days" and "864 slots" in p.message


def test_breaks_count_as_the_grid_lays_them_out() -> None:
    toml = TOML  # 09:00-12:00, 20-minute slots, a break 10:20-10:40: 8 slots
    load_event_bytes(toml, PEOPLE, WISHES, limits=Limits(max_slots_per_day=8, max_slots=8))
    assert only(problems_of(Limits(max_slots_per_day=7))).column == "days[1]"


def test_short_slots_many_tables_long_labels() -> None:
    p = only(problems_of(Limits(min_slot_minutes=5), toml=huge_toml(days=1)))
    assert (p.column, p.row) == ("slot_minutes", 1)
    p = only(problems_of(Limits(max_tables=500), toml=huge_toml(days=1, slot_minutes=30, tables=10_000)))
    assert (p.column, p.row) == ("tables", 2) and "10,000" in p.message
    labelled = TOML.replace(b"tables = 3", b'tables = 3\ntable_labels = ["A", "B", "' + b"C" * 300 + b'"]')
    assert only(problems_of(Limits(max_label_chars=200), toml=labelled)).column == "table_labels"
    named = TOML.replace("Nordic–Baltic".encode(), b"N" * 500)
    assert only(problems_of(Limits(max_label_chars=200), toml=named)).column == "name"


def test_rows_of_a_file_are_counted_and_reading_stops_past_the_limit() -> None:
    people = b"id,name\n" + b"".join(b"p%d,Person %d\n" % (i, i) for i in range(1, 50_001))
    started = time.process_time()  # CPU time: a busy machine does not count
    p = only(problems_of(Limits(max_participants=1_000), people=people))
    assert p.file == "participants.csv" and p.row == 1_002 and "1,000" in p.message
    assert time.process_time() - started < 5
    wishes = WISHES + b"".join(b"p1,p%d,2,\n" % i for i in range(2, 2_000))
    assert only(problems_of(Limits(max_wishes=100), wishes=wishes)).file == "wishes.csv"


def test_a_long_cell_is_named_by_row_and_column() -> None:
    lines = PEOPLE.decode().splitlines()
    lines[2] = lines[2].replace("Rīgas Ūdens", "R" * 3_000)
    p = only(problems_of(Limits(max_cell_chars=2_000), people="\n".join(lines).encode()))
    assert (p.file, p.row, p.column) == ("participants.csv", 3, "organisation")


def test_a_value_over_the_csv_modules_limit_names_row_and_column() -> None:
    """The trial's 131,072-character cell was reported with its row but no column."""
    lines = PEOPLE.decode().splitlines()
    lines[3] = lines[3].replace("investor", "x" * 131_073)
    problems = problems_of(Limits(), people="\n".join(lines).encode())
    p = only(problems, "bad_csv")
    assert (p.file, p.row, p.column) == ("participants.csv", 4, "D")


def test_a_quoted_long_value_after_quoted_delimiters_names_its_column() -> None:
    lines = PEOPLE.decode().splitlines()
    lines[1] = 'p1,"Dybdahl, Søren","' + "y" * 131_073 + '",buyer,Denmark,,,'
    p = only(problems_of(Limits(), people="\n".join(lines).encode()), "bad_csv")
    assert (p.row, p.column) == (2, "C")


@pytest.mark.parametrize("key", ["max_holes", "max_spread"])
def test_fairness_caps_beyond_a_day_are_refused(key: str) -> None:
    """10^30 used to be accepted and crashed the solve (CP-SAT takes 64-bit numbers)."""
    toml = TOML + f"\n[fairness]\n{key} = 1000000000000000000000000000000\n".encode()
    with pytest.raises(EventError) as caught:
        load_event_bytes(toml, PEOPLE, WISHES)
    p = only(caught.value.errors, "bad_setting")
    assert p.column == f"fairness.{key}" and "1440" in p.message
    load_event_bytes(TOML + f"\n[fairness]\n{key} = 1440\n".encode(), PEOPLE, WISHES)


def test_the_cli_default_is_unlimited() -> None:
    loaded = load_event_bytes(huge_toml(days=2, slot_minutes=1), PEOPLE, WISHES)
    assert len(loaded.event.slots) == 2 * 1440


# --- through the service -----------------------------------------------------------------------


def test_a_24_kb_event_toml_is_refused_quickly_and_cheaply(tmp_path: Path) -> None:
    """400 days of 1-minute slots took the web process to 5.6 GB; now a 422 before any slot exists."""
    toml = huge_toml()
    assert 20_000 < len(toml) < 25_000
    with client_for(tmp_path / "db.sqlite") as client:
        tracemalloc.start()
        started = time.process_time()  # CPU time: a busy machine does not count
        try:
            r = client.post("/api/events", files=event_files(event=toml))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert time.process_time() - started < 5
    assert r.status_code == 422, r.text
    assert peak < 50_000_000, f"{peak / 1e6:.0f} MB allocated"
    found = {(p["file"], p["column"]) for p in r.json()["problems"] if p["code"] == TOO_LARGE}
    assert found == {("event.toml", "days"), ("event.toml", "slot_minutes")}


def test_ten_thousand_tables_are_refused_by_the_service(tmp_path: Path) -> None:
    toml = TOML.replace(b"tables = 3", b"tables = 10000")
    with client_for(tmp_path / "db.sqlite") as client:
        r = client.post("/api/events", files=event_files(event=toml))
    assert r.status_code == 422, r.text
    (p,) = r.json()["problems"]
    assert (p["file"], p["column"], p["code"]) == ("event.toml", "tables", TOO_LARGE)


def test_the_settings_bound_uploads_and_changes(tmp_path: Path) -> None:
    """The app's own settings apply, also to routes running in the thread pool (adding a person)."""
    with client_for(tmp_path / "db.sqlite", max_participants=9) as client:
        event_id, headers = upload(client)  # 8 participants
        r = client.post(f"/api/events/{event_id}/participants", json={"id": "p9", "name": "Nine"}, headers=headers)
        assert r.status_code == 201, r.text
        r = client.post(f"/api/events/{event_id}/participants", json={"id": "p10", "name": "Ten"}, headers=headers)
        assert r.status_code == 422, r.text
        assert any(p["file"] == "participants.csv" and p["code"] == TOO_LARGE for p in r.json()["problems"])
    with client_for(tmp_path / "db2.sqlite", max_participants=7) as client:
        r = client.post("/api/events", files=event_files())
        assert r.status_code == 422, r.text
