"""End-to-end tests of the HTTP service through the real app: upload → solve → schedule → PDFs → ics.

Solves run in real worker processes with short time limits on tests/api_data (8 people whose names
use Nordic, Baltic, Greek, Cyrillic, Polish, Czech and Turkish letters).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import API_DATA, client_for, pdf_pages, solve, squash, upload
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import func, select

from api.storage import EventRow, ParticipantRow, ScheduleRow, WishRow
from scheduler.check.checker import check_schedule
from scheduler.io.loading import load_event_dir
from scheduler.io.schedule_files import COLUMNS, read_schedule_csv

EVENT = load_event_dir(API_DATA).event
NAMES = {p.id: p.name for p in EVENT.participants.values()}


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api") / "matchday.db"


@pytest.fixture(scope="module")
def client(db_path: Path) -> Iterator[TestClient]:
    with client_for(db_path) as c:
        yield c


@pytest.fixture(scope="module")
def solved(client: TestClient) -> dict[str, Any]:
    """One uploaded and solved event, shared by the read-only tests."""
    event_id, headers = upload(client)
    job = solve(client, event_id, headers)
    schedule = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()
    people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
    return {
        "id": event_id,
        "headers": headers,
        "job": job,
        "schedule": schedule,
        "people": {p["id"]: p for p in people},
    }


def _rows(client: TestClient, model: Any, event_id: str | None = None) -> int:
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.sessions() as s:
        query = select(func.count()).select_from(model)
        if event_id is not None:
            query = query.where(model.event_id == event_id if model is not EventRow else model.id == event_id)
        return int(s.scalar(query) or 0)


def _meetings_of(schedule: dict[str, Any], pid: str) -> list[dict[str, Any]]:
    return [m for m in schedule["meetings"] if pid in (m["participant_a"], m["participant_b"])]


# --- the organiser flow -----------------------------------------------------------------------


def test_openapi_documents_the_contract(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/events",
        "/api/events/{event_id}/solve",
        "/api/jobs/{job_id}",
        "/api/events/{event_id}/schedule",
        "/api/events/{event_id}/schedule.csv",
        "/api/events/{event_id}/participants",
        "/api/events/{event_id}/agendas.pdf",
        "/api/events/{event_id}/plan.pdf",
        "/api/events/{event_id}/table-signs.pdf",
        "/agenda/{token}",
        "/agenda/{token}.pdf",
        "/agenda/{token}.ics",
    ):
        assert path in paths, path
    assert client.get("/docs").status_code == 200


def test_upload_returns_id_and_token_and_stores_people(client: TestClient) -> None:
    r = client.post(
        "/api/events",
        files={
            k: (n, (API_DATA / n).read_bytes())
            for k, n in (
                ("event", "event.toml"),
                ("participants", "participants.csv"),
                ("wishes", "wishes.csv"),
            )
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert set(body) >= {"id", "organiser_token"} and len(body["organiser_token"]) >= 40
    assert _rows(client, ParticipantRow, body["id"]) == 8 and _rows(client, WishRow, body["id"]) == 13
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.sessions() as s:
        row = s.get(EventRow, body["id"])
        assert row is not None and body["organiser_token"] not in row.organiser_token_hash  # only a hash
    info = client.get(f"/api/events/{body['id']}", headers={"Authorization": f"Bearer {body['organiser_token']}"})
    assert info.json()["name"] == "Nordic–Baltic Circular B2B Day" and info.json()["latest_schedule_version"] is None


def test_create_by_json(client: TestClient) -> None:
    body = {
        k: (API_DATA / n).read_text("utf-8")
        for k, n in (("event", "event.toml"), ("participants", "participants.csv"), ("wishes", "wishes.csv"))
    }
    r = client.post("/api/events/json", json=body)
    assert r.status_code == 201 and r.json()["id"]


def test_solve_job_reports_progress_and_produces_a_valid_schedule(solved: dict[str, Any]) -> None:
    job = solved["job"]
    assert job["state"] == "done" and job["error"] is None and job["schedule_version"] == 1
    assert job["progress"]["points"] == solved["schedule"]["points"] > 0
    assert job["progress"]["bound"] is not None and job["progress"]["gap"] is not None
    assert job["progress"]["elapsed"] is not None
    assert job["started_at"] and job["finished_at"]
    schedule = solved["schedule"]
    assert schedule["version"] == 1 and len(schedule["meetings"]) >= 5
    rows = [(m["day"], m["slot"], m["table"]) for m in schedule["meetings"]]
    assert rows == sorted(rows, key=lambda r: (r[0], r[1]))


def test_schedule_csv_is_the_formats_md_file(client: TestClient, solved: dict[str, Any]) -> None:
    r = client.get(f"/api/events/{solved['id']}/schedule.csv", headers=solved["headers"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0][:7]) == COLUMNS
    assert len(rows) - 1 == len(solved["schedule"]["meetings"])
    for row, m in zip(rows[1:], solved["schedule"]["meetings"], strict=True):
        assert row[:7] == [
            m["day"],
            str(m["slot"]),
            m["start"],
            m["end"],
            m["table"],
            m["participant_a"],
            m["participant_b"],
        ]
    schedule, _ = read_schedule_csv(r.content, EVENT)
    assert check_schedule(EVENT, schedule) == []  # every hard rule holds
    assert "Søren Dybdahl" in r.text and "Αλέξανδρος Παπαδόπουλος" in r.text


def test_stats(client: TestClient, solved: dict[str, Any]) -> None:
    stats = client.get(f"/api/events/{solved['id']}/stats", headers=solved["headers"]).json()
    assert stats["meetings"] == len(solved["schedule"]["meetings"])
    assert stats["points"] == solved["schedule"]["points"]
    assert stats["bound"] >= stats["points"] and 0 <= stats["gap"] <= 1
    assert {"mutual_meetings", "holes", "people_left_out", "table_use"} <= set(stats)
    uses = {t["table"]: t for t in stats["table_use"]}
    assert set(uses) == {"1", "2", "3", "Booth Ğ"}
    assert sum(t["meetings"] for t in uses.values()) == stats["meetings"]
    left_out = {p["id"] for p in stats["people_left_out"]}
    met = {m[k] for m in solved["schedule"]["meetings"] for k in ("participant_a", "participant_b")}
    assert not left_out & met
    changes = stats["table_changes"]  # the event names no hosts
    assert 0 <= changes["changes"] <= changes["consecutive"] and changes["hosts"] == 0
    assert changes["share"] == (changes["changes"] / changes["consecutive"] if changes["consecutive"] else 0)


def test_schedule_before_solve_is_404(client: TestClient) -> None:
    event_id, headers = upload(client)
    for path in ("schedule", "schedule.csv", "stats", "plan.pdf"):
        r = client.get(f"/api/events/{event_id}/{path}", headers=headers)
        assert r.status_code == 404 and "No schedule yet" in r.json()["detail"]


# --- PDFs ------------------------------------------------------------------------------------


def test_participant_agenda_pdf_shows_every_slot_with_partner_time_and_table(
    client: TestClient, solved: dict[str, Any]
) -> None:
    pid = "p7"  # Gülşen Yıldız, fixed table "Booth Ğ"
    r = client.get(solved["people"][pid]["agenda_pdf_url"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pages = pdf_pages(r.content)
    text = squash("".join(pages))
    assert len(pages) == 1
    for word in (
        "Nordic–BalticCircularB2BDay",
        "Wednesday10March2027",
        "GülşenYıldız",
        "İstanbulGeriDönüşüm",
    ):
        assert word in text, word
    mine = _meetings_of(solved["schedule"], pid)
    assert mine
    for m in mine:
        other = m["participant_b"] if m["participant_a"] == pid else m["participant_a"]
        partner = EVENT.participants[other]
        assert squash(f"{m['start']}–{m['end']}") in text
        assert squash(partner.name) in text and squash(partner.organisation) in text
        assert squash(partner.country) in text and squash(partner.role) in text
        assert m["table"].replace(" ", "") in text
    # the day in order: the meetings, each run of free slots as one row, the break
    positions = [text.index(f"{m['start']}–") for m in sorted(mine, key=lambda m: m["start"])]
    assert positions == sorted(positions)
    assert re.search(r"\d\d:\d\d–\d\d:\d\dbreak", text)
    assert text.count("free") <= len(mine) + 1  # never one "free" row per slot


def test_agenda_page_makes_no_request_for_fonts(client: TestClient, solved: dict[str, Any]) -> None:
    # The phone page uses the phone's own fonts: no font file to fetch, no URL outside the page.
    page = client.get(solved["people"]["p7"]["agenda_url"])
    assert page.status_code == 200
    assert "@font-face" not in page.text and "url(" not in page.text
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page.text)


def test_agenda_pdf_renders_greek_and_cyrillic(client: TestClient, solved: dict[str, Any]) -> None:
    for pid in ("p3", "p4", "p5", "p6", "p1", "p2"):
        text = squash("".join(pdf_pages(client.get(solved["people"][pid]["agenda_pdf_url"]).content)))
        assert squash(NAMES[pid]) in text, NAMES[pid]
        assert "\ufffd" not in text


def test_all_agendas_pdf_one_person_per_page(client: TestClient, solved: dict[str, Any]) -> None:
    r = client.get(f"/api/events/{solved['id']}/agendas.pdf", headers=solved["headers"])
    assert r.status_code == 200
    pages = pdf_pages(r.content)
    assert len(pages) == len(EVENT.participants)
    for page, name in zip(pages, NAMES.values(), strict=True):
        assert squash(name) in squash(page)


def test_plan_pdf_is_a_grid_of_slots_and_tables(client: TestClient, solved: dict[str, Any]) -> None:
    r = client.get(f"/api/events/{solved['id']}/plan.pdf", headers=solved["headers"])
    text = squash("".join(pdf_pages(r.content)))
    for label in ("Table1", "Table2", "Table3", "BoothĞ", "masterplan", "09:00–09:20", "11:40–12:00"):
        assert label in text, label
    for m in solved["schedule"]["meetings"]:
        assert squash(m["name_a"]) in text and squash(m["name_b"]) in text


def test_table_signs_pdf_one_table_per_page(client: TestClient, solved: dict[str, Any]) -> None:
    r = client.get(f"/api/events/{solved['id']}/table-signs.pdf", headers=solved["headers"])
    pages = [squash(p) for p in pdf_pages(r.content)]
    assert [p.split("Table")[1][:1] if "BoothĞ" not in p[:60] else "Ğ" for p in pages] == ["1", "2", "3", "Ğ"]
    by_table = {"1": pages[0], "2": pages[1], "3": pages[2], "Booth Ğ": pages[3]}
    for m in solved["schedule"]["meetings"]:
        page = by_table[m["table"]]
        assert squash(m["name_a"]) in page and squash(m["name_b"]) in page
        assert squash(m["start"] + "–" + m["end"]) in page


# --- calendars -------------------------------------------------------------------------------


def _vevents(ics: bytes) -> list[Any]:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def test_ics_has_meetings_in_event_time_zone(client: TestClient, solved: dict[str, Any]) -> None:
    r = client.get(solved["people"]["p1"]["agenda_ics_url"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    events = _vevents(r.content)
    mine = _meetings_of(solved["schedule"], "p1")
    assert len(events) == len(mine)
    starts = sorted(e.decoded("DTSTART").strftime("%H:%M") for e in events)
    assert starts == sorted(m["start"] for m in mine)
    for e in events:
        assert e["DTSTART"].params["TZID"] == "Europe/Helsinki"
        assert str(e["STATUS"]) == "CONFIRMED" and int(e["SEQUENCE"]) == 0
        assert str(e["UID"]).endswith("@matchday")
    assert b"Dybdahl" in r.content or "Dybdahl" in r.content.decode()


def test_ics_updates_moved_meetings_and_cancels_dropped_ones(client: TestClient) -> None:
    """A second schedule version (written as a re-solve would) updates entries instead of duplicating."""
    event_id, headers = upload(client)
    solve(client, event_id, headers)
    link = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"][0]  # p1
    before = {str(e["UID"]): e for e in _vevents(client.get(link["agenda_ics_url"]).content)}
    assert len(before) >= 2
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.session() as s:
        v1 = s.scalar(select(ScheduleRow).where(ScheduleRow.event_id == event_id))
        assert v1 is not None
        lines = v1.csv.splitlines()
        p1_rows = [i for i, line in enumerate(lines) if ",p1," in line or line.split(",")[6] == "p1"]
        dropped, moved = p1_rows[0], p1_rows[1]
        cells = lines[moved].split(",")
        cells[4] = "3" if cells[4] != "3" else "2"  # same time, another table
        lines[moved] = ",".join(cells)
        del lines[dropped]
        s.add(ScheduleRow(event_id=event_id, version=2, csv="\n".join(lines) + "\n", result={}))
    # A draft until published: the participant's calendar is still version 1's.
    assert {str(e["UID"]): str(e["STATUS"]) for e in _vevents(client.get(link["agenda_ics_url"]).content)} == {
        u: str(e["STATUS"]) for u, e in before.items()
    }
    published = client.post(f"/api/events/{event_id}/publish", headers=headers)
    assert published.status_code == 200, published.text
    assert published.json()["version"] == 2 and published.json()["previous_version"] == 1
    assert published.json()["changes"]["cancelled"] == 1 and published.json()["changes"]["table_changed"] == 1
    after = {str(e["UID"]): e for e in _vevents(client.get(link["agenda_ics_url"]).content)}
    assert set(after) == set(before)  # same UIDs: updated, not duplicated
    statuses = sorted(str(e["STATUS"]) for e in after.values())
    assert statuses.count("CANCELLED") == 1
    changed = [u for u in after if int(after[u]["SEQUENCE"]) > int(before[u]["SEQUENCE"])]
    assert len(changed) == 2  # the dropped and the moved meeting
    assert client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["version"] == 2
    v1_json = client.get(f"/api/events/{event_id}/schedule?version=1", headers=headers).json()
    assert v1_json["version"] == 1
    assert [v["version"] for v in client.get(f"/api/events/{event_id}/schedules", headers=headers).json()] == [1, 2]


# --- bad uploads -----------------------------------------------------------------------------

BAD_UPLOADS = {
    "unknown wish target": ({"wishes": b"requester,target\np1,p99\n"}, "wishes.csv", 2, "target"),
    "broken toml": ({"event": b"name = 'x\nslot_minutes = 20\n"}, "event.toml", None, None),
    "missing name column": ({"participants": b"id,organisation\np1,A\n"}, "participants.csv", 1, None),
    "not utf-8": (  # nor Windows-1252, which is read with a warning: 0x81 is in neither
        {"participants": b"id,name\np1,S\x81ren\n"},
        "participants.csv",
        2,
        None,
    ),
    "bad slot minutes": (
        {"event": b"tables = 2\nslot_minutes = 0\n[[days]]\ndate = '2027-03-10'\nstart = '09:00'\nend = '10:00'\n"},
        "event.toml",
        2,
        "slot_minutes",
    ),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS), ids=list(BAD_UPLOADS))
def test_bad_upload_is_422_with_problems_and_stores_nothing(client: TestClient, case: str) -> None:
    replace, file, row, column = BAD_UPLOADS[case]
    counts = [_rows(client, m) for m in (EventRow, ParticipantRow, WishRow)]
    from api_helpers import event_files

    r = client.post("/api/events", files=event_files(**replace))
    assert r.status_code == 422, r.text
    body = r.json()
    assert "nothing was stored" in body["detail"]
    errors = [p for p in body["problems"] if p["severity"] == "error"]
    assert any(
        p["file"] == file and (row is None or p["row"] == row) and (column is None or p["column"] == column)
        for p in errors
    ), errors
    assert set(errors[0]) == {"severity", "code", "message", "file", "row", "column"}
    assert [_rows(client, m) for m in (EventRow, ParticipantRow, WishRow)] == counts


def test_bad_json_upload_is_422(client: TestClient) -> None:
    body = {
        "event": (API_DATA / "event.toml").read_text(),
        "participants": "id,name\np1,A\np1,B\n",
        "wishes": "",
    }
    r = client.post("/api/events/json", json=body)
    assert r.status_code == 422
    assert any(p["file"] == "participants.csv" and p["row"] == 3 for p in r.json()["problems"])


def test_missing_upload_field_is_422(client: TestClient) -> None:
    from api_helpers import event_files

    files = event_files()
    del files["wishes"]
    assert client.post("/api/events", files=files).status_code == 422
