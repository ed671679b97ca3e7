"""The "New event" page through the real app: the settings form or an event.toml, then participants
and wishes; problems inline, nothing stored until the files are valid."""

from __future__ import annotations

import html
import io
import re
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import func, select
from starlette.testclient import TestClient

from api.storage import EventRow, ParticipantRow
from api.web.event_form import EventForm
from tests.api_helpers import API_DATA, client_for
from tests.web_helpers import HTML, csrf_of

PARTICIPANTS = (API_DATA / "participants.csv").read_bytes()
WISHES = (API_DATA / "wishes.csv").read_bytes()
NO_FILE = ("", b"", "application/octet-stream")  # what a browser sends for an empty file input


def _settings(**changes: str) -> dict[str, str]:
    fields = {
        "name": "Harbour Buyers' Day",
        "timezone": "Europe/Tallinn",
        "slot_minutes": "20",
        "tables": "4",
        "table_labels": "",
        "objective": "maximise",
        "days-0-date": "2027-05-04",
        "days-0-start": "09:00",
        "days-0-end": "12:00",
        "days-0-break-0-start": "10:20",
        "days-0-break-0-end": "10:40",
        "days-1-date": "",
        "days-1-start": "",
        "days-1-end": "",
        "points_1": "3",
        "points_2": "2",
        "points_3": "1",
        "mutual_multiplier": "2",
        "max_holes": "",
        "max_spread": "",
    }
    fields.update(changes)
    return fields


def _files(
    participants: tuple[str, bytes] = ("people.csv", PARTICIPANTS),
    wishes: tuple[str, bytes] = ("wishes.csv", WISHES),
    event: tuple[str, bytes] | None = None,
) -> dict[str, tuple[str, bytes, str]]:
    return {
        "event": NO_FILE if event is None else (event[0], event[1], "text/plain"),
        "participants": (participants[0], participants[1], "text/csv"),
        "wishes": (wishes[0], wishes[1], "text/csv"),
    }


def _post(client: TestClient, data: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None) -> Any:
    token = csrf_of(client, "/events/new")
    return client.post("/events/new", data={"csrf": token, **data}, files=files or {}, headers=HTML)


def _count(client: TestClient, model: Any) -> int:
    with client.app.state.db.sessions() as s:  # type: ignore[attr-defined]
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _created_event(client: TestClient, page: str) -> EventRow:
    event_id = re.search(r'href="/events/([^"/]+)"', page)
    assert event_id, page
    with client.app.state.db.sessions() as s:  # type: ignore[attr-defined]
        row: EventRow | None = s.get(EventRow, event_id.group(1))
        assert row is not None
        s.expunge(row)
        return row


def _problem_rows(page: str, caption: str) -> list[list[str]]:
    """The cells of each body row of the table with `caption`, as text."""
    table = re.search(rf"<caption>{caption}</caption>(.*?)</table>", page, re.S)
    assert table, f"no table '{caption}'"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]
    return [[re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_the_page_names_its_inputs_as_the_contract_says(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        page = client.get("/events/new", headers=HTML)
        assert page.status_code == 200
        for key, label in (("event", "Event settings"), ("participants", "Participants"), ("wishes", "Wishes")):
            assert f'<label for="file-{key}">{label}</label>' in page.text
            assert re.search(rf'<div class="drop-zone">\s*<label for="file-{key}">', page.text)
        assert '<button type="submit">Upload</button>' in page.text
        assert "<progress data-upload hidden" in page.text
        assert 'hx-encoding="multipart/form-data"' in page.text and 'enctype="multipart/form-data"' in page.text
        days = re.findall(r'<fieldset class="day" data-day="(\d+)"', page.text)
        assert days == ["0", "1", "2"]  # rows to fill in without JavaScript (the template adds more with it)
        assert 'name="days-0-break-1-start"' in page.text
        assert '<option value="Europe/Riga">' in page.text


def test_the_form_creates_the_event_it_describes(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        data = _settings(
            table_labels="A1, A2, B1, B2",
            objective="all",
            max_holes="1",
            points_1="5",
            **{"days-2-date": "2027-05-05", "days-2-start": "10:00", "days-2-end": "11:00"},
        )
        created = _post(client, data, _files())
        assert created.status_code == 200, created.text
        assert "is ready" in created.text and "/o/" in created.text
        assert "Path=/events/" in created.headers["set-cookie"]  # this browser is signed in
        row = _created_event(client, created.text)
        settings = tomllib.loads(row.event_toml.decode())
        assert settings["name"] == "Harbour Buyers' Day" and settings["timezone"] == "Europe/Tallinn"
        assert settings["tables"] == 4 and settings["table_labels"] == ["A1", "A2", "B1", "B2"]
        assert settings["objective"] == "all" and settings["fairness"] == {"max_holes": 1}
        assert settings["weights"]["priority_points"] == {"1": 5, "2": 2, "3": 1}
        assert settings["days"] == [
            {"date": "2027-05-04", "start": "09:00", "end": "12:00", "breaks": ["10:20-10:40"]},
            {"date": "2027-05-05", "start": "10:00", "end": "11:00"},  # the blank row between is dropped
        ]
        overview = client.get(f"/events/{row.id}", headers=HTML)
        assert overview.status_code == 200 and "Harbour Buyers" in overview.text


def test_an_uploaded_event_toml_is_used_instead_of_the_form(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        toml = (API_DATA / "event.toml").read_bytes()
        created = _post(client, _settings(name="Ignored"), _files(event=("event.toml", toml)))
        assert created.status_code == 200, created.text
        row = _created_event(client, created.text)
        assert row.event_toml == toml and row.name == "Nordic–Baltic Circular B2B Day"


def test_a_bad_participants_file_shows_its_problems_and_stores_nothing(tmp_path: Path) -> None:
    bad = PARTICIPANTS.replace(b"p3,", b",", 1)  # an empty id on row 4
    with client_for(tmp_path / "db.sqlite") as client:
        before = _count(client, EventRow), _count(client, ParticipantRow)
        page = _post(client, _settings(), _files(participants=("people.csv", bad)))
        assert page.status_code == 422
        assert "Nothing was stored" in page.text and 'role="alert"' in page.text
        rows = _problem_rows(page.text, "Problems")
        assert any(r[0] == "participants.csv" and r[1] == "4" and r[2] == "id" for r in rows), rows
        assert (_count(client, EventRow), _count(client, ParticipantRow)) == before
        # every typed value is kept, and both files are carried to the next try
        assert 'value="Harbour Buyers&#39; Day"' in page.text and 'value="2027-05-04"' in page.text
        assert 'name="kept-participants"' in page.text and 'name="kept-wishes"' in page.text
        assert "Kept from your last try: <strong>people.csv</strong>" in page.text


def test_fixing_the_one_bad_file_is_enough(tmp_path: Path) -> None:
    bad = PARTICIPANTS.replace(b"p3,", b",", 1)
    with client_for(tmp_path / "db.sqlite") as client:
        page = _post(client, _settings(), _files(participants=("people.csv", bad)))
        kept_wishes = re.search(r'name="kept-wishes" value="([^"]+)"', page.text)
        assert kept_wishes
        files = {"participants": ("people.csv", PARTICIPANTS, "text/csv"), "wishes": NO_FILE, "event": NO_FILE}
        again = _post(client, {**_settings(), "kept-wishes": kept_wishes.group(1)}, files)
        assert again.status_code == 200 and "is ready" in again.text
        assert _created_event(client, again.text).wishes_csv == WISHES


def test_a_changed_kept_file_is_not_trusted(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        page = _post(client, _settings(), {"participants": ("p.csv", PARTICIPANTS, "text/csv")})
        assert page.status_code == 422 and "Choose the wishes file." in page.text
        sealed = re.search(r'name="kept-participants" value="([^"]+)"', page.text)
        assert sealed
        mac, payload = sealed.group(1).split(".", 1)
        forged = f"{'0' * len(mac)}.{payload}"
        again = _post(client, {**_settings(), "kept-participants": forged}, {"wishes": ("w.csv", WISHES, "text/csv")})
        assert again.status_code == 422 and "Choose the participants file." in again.text


def test_form_fields_are_judged_by_the_loader_beside_each_field(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        data = _settings(
            timezone="Mars/Olympus",
            slot_minutes="twenty",
            **{"days-0-end": "08:00", "days-1-date": "2027-02-30", "days-1-start": "09:00", "days-1-end": "10:00"},
        )
        page = _post(client, data, _files())
        assert page.status_code == 422
        text = page.text
        assert re.search(r'id="days-0-end"[^>]*aria-invalid="true"', text)
        assert re.search(r'id="days-0-end-error">[^<]*ends \(08:00\) before it starts \(09:00\)', text)
        assert re.search(r'id="timezone-error">[^<]*not an IANA time zone', text)
        assert re.search(r'id="slot_minutes-error">[^<]*whole number', text)
        assert re.search(r'id="days-1-date-error">', text)
        rows = _problem_rows(text, "Problems")
        assert ["the form", "–", "Day 1, end"] in [r[:3] for r in rows]
        assert 'value="Mars/Olympus"' in text and 'value="twenty"' in text
        assert _count(client, EventRow) == 0


def test_warnings_are_shown_apart_from_errors(tmp_path: Path) -> None:
    repeated = WISHES + b"p1,p2,3,\n"  # a repeated wish: a warning
    bad = PARTICIPANTS.replace(b"p3,", b",", 1)  # an error
    with client_for(tmp_path / "db.sqlite") as client:
        page = _post(client, _settings(), _files(participants=("people.csv", bad), wishes=("wishes.csv", repeated)))
        assert page.status_code == 422
        errors, warnings = _problem_rows(page.text, "Problems"), _problem_rows(page.text, "Warnings")
        assert errors and all("error" in r[3] for r in errors)
        assert any(r[0] == "wishes.csv" and r[1] == "15" and "warning" in r[3] for r in warnings), warnings
        assert not any("warning" in r[3] for r in errors)


def test_excel_workbooks_are_accepted(tmp_path: Path) -> None:
    def workbook(csv_bytes: bytes) -> bytes:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for line in csv_bytes.decode().splitlines():
            sheet.append(line.split(","))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    bad = PARTICIPANTS.replace(b"p3,", b",", 1)
    with client_for(tmp_path / "db.sqlite") as client:
        page = _post(client, _settings(), _files(participants=("people.xlsx", workbook(bad))))
        assert page.status_code == 422
        rows = _problem_rows(page.text, "Problems")
        assert any(r[0].startswith("participants.xlsx") and r[1] == "4" and r[2].startswith("A") for r in rows), rows
        created = _post(
            client, _settings(), _files(("people.xlsx", workbook(PARTICIPANTS)), ("w.xlsx", workbook(WISHES)))
        )
        assert created.status_code == 200 and "is ready" in created.text


def test_a_file_over_the_size_limit_is_refused_clearly(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", max_upload_bytes=200) as client:
        page = _post(client, _settings(), _files())
        assert page.status_code == 413
        assert "'people.csv' is larger than the limit of 200 bytes per file." in html.unescape(page.text)
        assert _count(client, EventRow) == 0


def test_creating_needs_the_csrf_token(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        csrf_of(client, "/events/new")
        refused = client.post("/events/new", data={**_settings(), "csrf": "0" * 64}, files=_files(), headers=HTML)
        assert refused.status_code == 403
        assert client.post("/events/new", data=_settings(), files=_files(), headers=HTML).status_code == 403
        assert _count(client, EventRow) == 0


def test_the_form_keeps_its_rows_and_writes_what_was_typed() -> None:
    form = EventForm.of(_settings(tables="", table_labels="North; South", slot_minutes="15"))
    assert form.settings()["tables"] == 2 and form.settings()["slot_minutes"] == 15
    assert len(form.rows()) == 3 and len(form.rows()[0].breaks) == 2  # one day filled: two blank rows after it
    assert "days" not in EventForm.of({}).settings()  # nothing typed: the loader asks for a day
