"""Uploads as organisers' spreadsheets save them, through the real app.

Excel writes a participants list as UTF-16 ("Unicode text"), as Windows-1252 with `;` (plain "CSV"
on Windows in French, German, Danish locales) or as a workbook. Whatever the loader accepts must
survive every organiser route afterwards (list, edit, solve, agendas: no 5xx), and whatever it
refuses must store nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from api_helpers import API_DATA, client_for, event_files, solve
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from api.storage import EventRow, ParticipantRow, WishRow

TOML = (API_DATA / "event.toml").read_bytes()
# Names Windows-1252 can hold (Danish, French, German, Spanish), and one it cannot (Latvian).
PEOPLE = [
    ("p1", "Søren Dybdahl", "Ørsted Æble ApS"),
    ("p2", "Amélie Lefèvre", "Crème Brûlée SARL"),
    ("p3", "Jürgen Größe", "Straßenbau GmbH"),
    ("p4", "Zoë Núñez", "Año Nuevo SL"),
    ("p5", "Jānis Bērziņš", "Rīgas Ūdens"),
]
WISHES = [("p1", "p2", "1"), ("p2", "p1", "1"), ("p3", "p4", "2"), ("p4", "p1", "3"), ("p5", "p3", "2")]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with client_for(tmp_path_factory.mktemp("uploads") / "matchday.db") as c:
        yield c


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """A CSV file as a spreadsheet program writes it (CRLF line ends, quotes only where needed)."""
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], sheet: str = "Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def people_rows(people: list[tuple[str, str, str]] = PEOPLE) -> list[list[str]]:
    return [["id", "name", "organisation"], *[list(p) for p in people]]


def wish_rows(wishes: list[tuple[str, str, str]] = WISHES) -> list[list[str]]:
    return [["requester", "target", "priority"], *[list(w) for w in wishes]]


def post(client: TestClient, participants: bytes, wishes: bytes, names: tuple[str, str] = ("p.csv", "w.csv")) -> Any:
    files = {
        "event": ("event.toml", TOML, "text/plain"),
        "participants": (names[0], participants, "application/octet-stream"),
        "wishes": (names[1], wishes, "application/octet-stream"),
    }
    return client.post("/api/events", files=files)


def counts(client: TestClient) -> list[int]:
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.sessions() as s:
        return [int(s.scalar(select(func.count()).select_from(m)) or 0) for m in (EventRow, ParticipantRow, WishRow)]


def walk_organiser_routes(
    client: TestClient, event_id: str, headers: dict[str, str], names: dict[str, str], solve_it: bool = True
) -> None:
    """List, edit, add a wish, (solve, schedule, agendas): every answer is a success, names intact."""
    base = f"/api/events/{event_id}"
    assert client.get(base, headers=headers).status_code == 200
    listed = client.get(f"{base}/participants", headers=headers)
    assert listed.status_code == 200, listed.text
    people = {p["id"]: p for p in listed.json()["data"]}
    assert {pid: p["name"] for pid, p in people.items()} == names
    first = next(iter(names))
    edited = client.patch(f"{base}/participants/{first}", json={"max_meetings": 3}, headers=headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["participant"]["max_meetings"] == 3
    assert edited.json()["participant"]["name"] == names[first]
    wishes = client.get(f"{base}/wishes", headers=headers)
    assert wishes.status_code == 200, wishes.text
    second = list(names)[1]
    wish = {"requester": second, "target": first, "priority": 1}
    added = client.post(f"{base}/wishes", json=wish, headers=headers)
    assert added.status_code in (200, 201), added.text
    assert added.json()["wish"]["priority"] == 1
    relisted = client.get(f"{base}/participants", headers=headers)
    assert relisted.status_code == 200 and {p["id"]: p["name"] for p in relisted.json()["data"]} == names
    if not solve_it:
        return
    solve(client, event_id, headers, time_limit=1.0)
    for path in ("/schedule", "/schedule.csv", "/agendas.pdf", f"/participants/{first}/agenda.pdf"):
        r = client.get(base + path, headers=headers)
        assert r.status_code == 200, (path, r.text[:300])
    page = client.get(people[first]["agenda_url"])
    assert page.status_code == 200 and names[first] in page.text


# --- the bars: Excel's exports upload, list, edit, solve and print ---------------------------------


def test_utf16_participants_survive_every_route(client: TestClient) -> None:
    """The live bug: a UTF-16 participants.csv was accepted (201) and then listing and editing gave 500."""
    data = csv_bytes(people_rows(), delimiter="\t", encoding="utf-16")  # Excel's "Unicode text"
    r = post(client, data, csv_bytes(wish_rows()))
    assert r.status_code == 201, r.text
    body = r.json()
    headers = {"Authorization": f"Bearer {body['organiser_token']}"}
    walk_organiser_routes(client, body["id"], headers, {p[0]: p[1] for p in PEOPLE})
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.sessions() as s:
        stored = s.get(EventRow, body["id"])
        assert stored is not None and stored.participants_csv.startswith(b"\xff\xfe")  # still their UTF-16 file
        assert "Jürgen Größe" in stored.participants_csv.decode("utf-16")


def test_windows_1252_semicolon_participants_upload_with_a_warning(client: TestClient) -> None:
    people = PEOPLE[:4]  # Latvian letters are not in Windows-1252
    data = csv_bytes(people_rows(people), delimiter=";", encoding="cp1252")
    wishes = csv_bytes(wish_rows(WISHES[:4]), delimiter=";", encoding="cp1252")
    r = post(client, data, wishes)
    assert r.status_code == 201, r.text
    body = r.json()
    warned = [(w["code"], w["file"]) for w in body["warnings"]]
    assert ("windows_1252", "participants.csv") in warned
    headers = {"Authorization": f"Bearer {body['organiser_token']}"}
    walk_organiser_routes(client, body["id"], headers, {p[0]: p[1] for p in people})


def test_workbooks_upload_and_a_bad_cell_names_sheet_row_and_column_letter(client: TestClient) -> None:
    people: list[list[Any]] = [[], [], ["Participant ID", "Full Name", "Company", "Cap"]]
    people += [[int(pid[1:]), name, org, 4.0] for pid, name, org in PEOPLE]
    wishes: list[list[Any]] = [["from", "to", "priority"], *[[int(a[1:]), int(b[1:]), int(p)] for a, b, p in WISHES]]
    bad = [row[:] for row in people]
    bad[5][3] = "four"  # participant 3's cap, in D6
    before = counts(client)
    r = post(client, xlsx_bytes(bad, "People"), xlsx_bytes(wishes))
    assert r.status_code == 422, r.text
    errors = [(p["code"], p["file"], p["row"], p["column"]) for p in r.json()["problems"] if p["severity"] == "error"]
    # Rows 1 and 2 are blank: the header is on row 3, and the rows are numbered as Excel shows them.
    assert errors == [("bad_number", "participants.xlsx, sheet 'People'", 6, "D (max_meetings)")]
    assert counts(client) == before
    r = post(client, xlsx_bytes(people, "People"), xlsx_bytes(wishes), names=("people.xlsx", "wishes.xlsx"))
    assert r.status_code == 201, r.text
    body = r.json()
    headers = {"Authorization": f"Bearer {body['organiser_token']}"}
    walk_organiser_routes(client, body["id"], headers, {str(int(p[0][1:])): p[1] for p in PEOPLE})


def test_an_ods_workbook_uploads(client: TestClient) -> None:
    odf = pytest.importorskip("odf.opendocument")
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    def ods(rows: list[list[str]]) -> bytes:
        doc = odf.OpenDocumentSpreadsheet()
        table = Table(name="participants")
        for row in rows:
            tr = TableRow()
            for value in row:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
        out = io.BytesIO()
        doc.write(out)
        return out.getvalue()

    r = post(client, ods(people_rows()), ods(wish_rows()))
    assert r.status_code == 201, r.text
    body = r.json()
    headers = {"Authorization": f"Bearer {body['organiser_token']}"}
    walk_organiser_routes(client, body["id"], headers, {p[0]: p[1] for p in PEOPLE}, solve_it=False)


# --- the property: accepted means usable, refused means nothing stored -----------------------


HEADERS = {
    "id": ["id", "ID", "participant_id", "Participant ID"],
    "name": ["name", "Full Name", "NAME"],
    "organisation": ["organisation", "Organization", "company"],
    "max_meetings": ["max_meetings", "Max meetings", "cap"],
    "status": ["status", "Status"],
    "notes": ["Notes", "notes for the host"],
}
CELLS = {  # every value valid: the flaws come one at a time, below
    "max_meetings": ["", "3", "3.0", "0", "2"],
    "status": ["", "registered", "Cancelled", "absent"],
    "notes": ["", "vip; front row", 'says "hej"', "two\nlines", "a,b", "\t"],
}
# One flaw of an upload, or none (most often): each is a mistake the loader must refuse.
FLAWS = [None, None, None, None, "duplicate id", "unknown wish target", "self wish", "bad priority", "bad cap"]


@st.composite
def uploads(draw: st.DrawFn) -> tuple[bytes, bytes, dict[str, str]]:
    """A participants and wishes pair as some spreadsheet program might have saved it, with at most one flaw."""
    flaw = draw(st.sampled_from(FLAWS))
    chosen = draw(st.lists(st.sampled_from(PEOPLE), min_size=2, max_size=5, unique=True))
    extra = draw(st.lists(st.sampled_from(["organisation", *CELLS]), unique=True, max_size=3))
    columns = ["id", "name", *extra, *(["max_meetings"] if flaw == "bad cap" and "max_meetings" not in extra else [])]
    header = [draw(st.sampled_from(HEADERS[c])) for c in columns]
    rows: list[list[str]] = [header]
    for pid, name, org in [*chosen, *(chosen[:1] if flaw == "duplicate id" else [])]:
        values = {"id": pid, "name": name, "organisation": org}
        rows.append([values.get(c) or draw(st.sampled_from(CELLS[c])) for c in columns])
        if draw(st.integers(0, 5)) == 0:
            rows.append([])  # a blank line
    if flaw == "bad cap":
        next(r for r in reversed(rows) if r)[columns.index("max_meetings")] = "four"
    ids = [p[0] for p in chosen]
    pairs = draw(st.lists(st.permutations(ids).map(lambda p: p[:2]), max_size=6))
    wish = [
        ["requester", "target", "priority"],
        *[[a, b, draw(st.sampled_from(["", "1", "high", "3"]))] for a, b in pairs],
    ]
    mistake = {
        "unknown wish target": [ids[0], "p9", ""],
        "self wish": [ids[0], ids[0], ""],
        "bad priority": [*ids[:2], "4"],
    }
    if flaw in mistake:
        wish.insert(draw(st.integers(1, len(wish))), mistake[flaw])
    kind = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "xlsx"]))
    if kind == "xlsx":
        people_file, wishes_file = xlsx_bytes(rows), xlsx_bytes(wish)
    else:
        delimiter = draw(st.sampled_from([",", ";", "\t"]))
        if kind == "cp1252" and any(name == PEOPLE[4][1] for _, name, _ in chosen):
            kind = "utf-8"  # not encodable: a Windows-1252 program could not have written it
        people_file = csv_bytes(rows, delimiter, kind)
        wishes_file = csv_bytes(wish, delimiter, "utf-8")
    return people_file, wishes_file, {pid: name for pid, name, _ in chosen}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(upload=uploads())
def test_accepted_uploads_survive_every_route_and_refused_ones_store_nothing(
    client: TestClient, upload: tuple[bytes, bytes, dict[str, str]]
) -> None:
    people_file, wishes_file, names = upload
    before = counts(client)
    r = post(client, people_file, wishes_file)
    assert r.status_code in (201, 422), r.text
    event("accepted" if r.status_code == 201 else "refused")
    if r.status_code == 422:
        assert counts(client) == before
        return
    body = r.json()
    headers = {"Authorization": f"Bearer {body['organiser_token']}"}
    walk_organiser_routes(client, body["id"], headers, names, solve_it=_solve_this_one(body["id"]))


_solved: list[str] = []


def _solve_this_one(event_id: str) -> bool:
    """Solve the first few accepted uploads only: a solve is a worker process and a second of search."""
    if len(_solved) < 3:
        _solved.append(event_id)
        return True
    return False


def test_a_participants_file_with_one_huge_cell_is_refused_with_its_row(client: TestClient) -> None:
    """A 200 KB value (a missing quote, a pasted document) is a 422 naming the row, never a 500."""
    wishes = csv_bytes(wish_rows(WISHES[:1]))
    before = counts(client)
    r = post(client, b"id,name\nP1,Ann\nP2," + b"x" * 200_000 + b"\n", wishes)
    assert r.status_code == 422, r.text
    problem = next(p for p in r.json()["problems"] if p["code"] == "bad_csv")
    assert problem["file"] == "participants.csv" and problem["row"] == 3
    assert counts(client) == before


def test_a_lone_surrogate_in_the_json_route_is_a_422_in_words(tmp_path: Path) -> None:
    toml = json.dumps((API_DATA / "event.toml").read_text(encoding="utf-8"))
    # a JSON escape for a lone surrogate: valid JSON, no valid text
    body = '{"event": ' + toml + ', "participants": "id,name\\na,\\ud800x\\n", "wishes": "requester,target\\n"}'
    with client_for(tmp_path / "db.sqlite") as client:
        r = client.post("/api/events/json", content=body.encode(), headers={"Content-Type": "application/json"})
        assert r.status_code == 422, r.text
        [error] = r.json()["detail"]
        assert error["loc"] == ["body", "participants"] and "lone UTF-16 surrogate" in error["msg"]


def test_a_dotted_key_deeper_than_the_recursion_limit_is_stored_with_a_warning(tmp_path: Path) -> None:
    key = ".".join(["a"] * 1200)
    toml = (API_DATA / "event.toml").read_bytes() + f"\n[x]\n{key} = 1\n".encode()
    with client_for(tmp_path / "db.sqlite") as client:
        r = client.post("/api/events", files=event_files(API_DATA, event=toml))
        assert r.status_code == 201, r.text
        assert [w["code"] for w in r.json()["warnings"]] == ["unknown_setting"]
        nul = (API_DATA / "event.toml").read_bytes() + f'\n[x]\n{key} = "a\\u0000b"\n'.encode()
        refused = client.post("/api/events", files=event_files(API_DATA, event=nul))
        assert refused.status_code == 422 and "NUL" in refused.text


def test_bodies_and_json_files_are_bounded_before_anything_is_stored(tmp_path: Path) -> None:
    names = {"event": "event.toml", "participants": "participants.csv", "wishes": "wishes.csv"}
    files = {name: (API_DATA / f).read_text(encoding="utf-8") for name, f in names.items()}
    with client_for(tmp_path / "db.sqlite", max_upload_bytes=2_000, max_request_bytes=10_000) as client:
        big = dict(files, participants=files["participants"] + "#" * 2_100)
        r = client.post("/api/events/json", json=big)
        assert r.status_code == 413 and "'participants' is larger than 2000 bytes" in r.text
        body = b"{" + b" " * 20_000 + b"}"
        huge = client.post("/api/events/json", content=body, headers={"Content-Type": "application/json"})
        assert huge.status_code == 413  # refused as the body arrives, before it is parsed
        with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            assert session.scalar(select(func.count()).select_from(EventRow)) == 0
        assert client.post("/api/events/json", json=files).status_code == 201


def test_problem_and_warning_lists_are_summarised(tmp_path: Path) -> None:
    bad = b"id,name,organisation\n" + b"".join(b"p%d,,Org\n" % i for i in range(500))  # 500 empty names
    warned = (API_DATA / "wishes.csv").read_bytes() + b"p1,p2,1,\n" * 300  # 300 duplicate wishes
    with client_for(tmp_path / "db.sqlite") as client:
        r = client.post("/api/events", files=event_files(API_DATA, participants=bad))
        assert r.status_code == 422
        problems = r.json()["problems"]
        assert len(problems) <= 60 and "and 450 more like this (500 in all)" in problems[-1]["message"]
        ok = client.post("/api/events", files=event_files(API_DATA, wishes=warned))
        assert ok.status_code == 201
        warnings = ok.json()["warnings"]
        assert len(warnings) <= 60 and any("more like this" in w["message"] for w in warnings)
        stored = client.get(
            f"/api/events/{ok.json()['id']}", headers={"Authorization": f"Bearer {ok.json()['organiser_token']}"}
        )
        assert len(stored.json()["warnings"]) == len(warnings)
