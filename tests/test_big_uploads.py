"""Big uploads parsed away from the request (issue 12, finding 2): stored as they came, parsed and
checked in the background, then the event written in one short transaction, so that another
organiser's write goes through while a big upload is being parsed."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.prepared import imports
from api.prepared.rows import ImportRow
from api.storage import Database, EventRow, ParticipantRow
from tests.api_helpers import API_DATA, client_for, database_url, event_files, stored_rows, upload, wait_for_state
from tests.web_helpers import HTML, csrf_of

PEOPLE = 300  # a participants file of about 10 KB: above the tests' inline limit below


def _people(n: int = PEOPLE, bad_row: int | None = None) -> bytes:
    rows = [f"q{i},Person {i},Org {i % 7}" for i in range(n)]
    if bad_row is not None:
        rows[bad_row - 2] = ",Nobody,Org"  # no id (row numbers as a spreadsheet shows them: header is 1)
    return ("id,name,organisation\n" + "\n".join(rows) + "\n").encode()


def _wishes(n: int = PEOPLE) -> bytes:
    return ("requester,target,priority\n" + "".join(f"q{i},q{(i + 1) % n},{1 + i % 3}\n" for i in range(n))).encode()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_big_upload_answers_202_and_becomes_the_same_event_as_a_small_one(tmp_path: Path) -> None:
    files = event_files(participants=_people(), wishes=_wishes())
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        r = client.post("/api/events", files=files)
        assert r.status_code == 202, r.text
        accepted = r.json()
        assert r.headers["location"] == accepted["status_url"] == f"/api/events/imports/{accepted['id']}"
        assert r.headers["cache-control"] == "no-store" and int(r.headers["retry-after"]) > 0
        headers = _bearer(accepted["organiser_token"])
        done = wait_for_state(client, accepted["status_url"], headers)
        assert done["state"] == "done" and done["attempts"] == 1 and done["problems"] == [], done
        event = client.get(f"/api/events/{done['event_id']}", headers=headers).json()
        assert event["participants"] == PEOPLE and event["wishes"] == PEOPLE
        links = client.get(f"/api/events/{done['event_id']}/participants", headers=headers).json()["data"]
        assert client.get(links[0]["agenda_url"].replace("http://testserver", "")).status_code == 200
    # The same files through the inline path (a large limit) store the same rows.
    with client_for(tmp_path / "inline.sqlite", upload_inline_bytes=10_000_000) as client:
        r = client.post("/api/events", files=files)
        assert r.status_code == 201, r.text
        inline_id = r.json()["id"]
    assert _stored(tmp_path / "db.sqlite", done["event_id"]) == _stored(tmp_path / "inline.sqlite", inline_id)
    # The import keeps no copy of the files.
    db = Database(database_url(tmp_path / "db.sqlite"))
    with db.session() as s:
        row = s.get(ImportRow, accepted["id"])
        assert row is not None and row.participants_csv == b"" and row.event_toml == b""
    db.dispose()


def _stored(db_path: Path, event_id: str) -> tuple[Any, ...]:
    """Everything an event's rows hold apart from its id and its link keys."""
    db = Database(database_url(db_path))
    try:
        with db.session() as s:
            event = s.get(EventRow, event_id)
            assert event is not None
            people, wishes = stored_rows(s, event_id)
            files = (event.name, event.timezone, event.event_toml, event.participants_csv, event.wishes_csv)
            return files, event.revision, event.warnings, people, wishes
    finally:
        db.dispose()


def test_a_big_upload_with_problems_fails_with_file_row_and_column_and_stores_nothing(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        r = client.post("/api/events", files=event_files(participants=_people(bad_row=7), wishes=_wishes()))
        assert r.status_code == 202, r.text
        failed = wait_for_state(client, r.json()["status_url"], _bearer(r.json()["organiser_token"]))
        assert failed["state"] == "failed" and failed["event_id"] is None
        assert "nothing was stored" in failed["detail"]
        row_7 = [p for p in failed["problems"] if p["severity"] == "error" and p["row"] == 7]
        assert any(p["file"] == "participants.csv" and p["column"] == "id" for p in row_7), failed["problems"]
        # The same problems a small upload's 422 lists.
        inline = client.post("/api/events", files=event_files(participants=_people(20, bad_row=7), wishes=b""))
        assert inline.status_code == 422
        assert any(p["row"] == 7 and p["column"] == "id" for p in inline.json()["problems"])
    db = Database(database_url(tmp_path / "db.sqlite"))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(EventRow)) == 0
        assert s.scalar(select(func.count()).select_from(ParticipantRow)) == 0
    db.dispose()


def test_the_json_route_queues_big_uploads_too(tmp_path: Path) -> None:
    toml = (API_DATA / "event.toml").read_text(encoding="utf-8")
    body = {"event": toml, "participants": _people().decode(), "wishes": _wishes().decode()}
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        r = client.post("/api/events/json", json=body)
        assert r.status_code == 202, r.text
        assert wait_for_state(client, r.json()["status_url"], _bearer(r.json()["organiser_token"]))["state"] == "done"


def test_an_import_is_read_with_its_own_token_only(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        _, other_headers = upload(client)  # a small upload: an event's token
        first = client.post("/api/events", files=event_files(participants=_people(), wishes=_wishes())).json()
        second = client.post("/api/events", files=event_files(participants=_people(), wishes=_wishes())).json()
        url = first["status_url"]
        assert client.get(url).status_code == 401
        assert client.get(url, headers=_bearer("not a token")).status_code == 401
        assert client.get(url, headers=_bearer(second["organiser_token"])).status_code == 404
        assert client.get(url, headers=other_headers).status_code == 404
        assert client.get(url, headers=_bearer(first["organiser_token"])).status_code == 200


def test_another_organisers_write_succeeds_while_a_big_upload_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parse is held open until the other organiser's write has answered: the upload's request
    must have answered by then (it does not parse), and the write must not wait for any lock."""
    parsing, release = threading.Event(), threading.Event()
    real = imports.load_event_bytes

    def slow_parse(*args: Any, **kwargs: Any) -> Any:
        parsing.set()
        release.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "load_event_bytes", slow_parse)
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        other_id, other_headers = upload(client)
        try:
            r = client.post("/api/events", files=event_files(participants=_people(), wishes=_wishes()))
            assert r.status_code == 202, r.text
            assert parsing.wait(timeout=30), "the import did not start"
            write = client.post(f"/api/events/{other_id}/participants/p1/link", headers=other_headers)
            assert write.status_code == 200, write.text
            change = client.patch(
                f"/api/events/{other_id}/participants/p2", json={"organisation": "Neu"}, headers=other_headers
            )
            assert change.status_code == 200, change.text
            assert (
                client.get(r.json()["status_url"], headers=_bearer(r.json()["organiser_token"])).json()["state"]
                == "running"
            )
        finally:
            release.set()
        assert wait_for_state(client, r.json()["status_url"], _bearer(r.json()["organiser_token"]))["state"] == "done"


def _web_upload(client: TestClient, participants: bytes, wishes: bytes) -> Any:
    token = csrf_of(client, "/events/new")
    files = {
        "event": ("event.toml", (API_DATA / "event.toml").read_bytes(), "text/plain"),
        "participants": ("people.csv", participants, "text/csv"),
        "wishes": ("wishes.csv", wishes, "text/csv"),
    }
    return client.post(
        "/events/new", data={"csrf": token, "settings_from": "file"}, files=files, headers=HTML, follow_redirects=False
    )


def _page_until_settled(client: TestClient, path: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        progress = client.get(f"{path}/progress", headers=HTML)
        assert progress.status_code == 200, progress.text
        if progress.headers.get("hx-refresh") == "true":
            break
        assert 'hx-trigger="every 2s"' in progress.text  # polled while the files are read
        assert time.monotonic() < deadline
        time.sleep(0.1)
    page = client.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    return page.text


def test_the_new_event_page_reads_big_files_in_the_background_and_shows_the_link_once(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        r = _web_upload(client, _people(), _wishes())
        assert r.status_code == 303, r.text
        path = r.headers["location"]
        assert path.startswith("/events/new/imports/")
        page = _page_until_settled(client, path)
        assert "Keep this private organiser link" in page  # the created page: the link, shown this once
        event_id = re.search(r'href="/events/([0-9a-f]+)"', page)
        assert event_id
        assert client.get(f"/events/{event_id.group(1)}", headers=HTML).status_code == 200  # signed in
        assert client.get(path, headers=HTML).status_code == 404  # the result is not shown twice
        # Another browser (no cookie of this upload) never sees it.
        with client_for(tmp_path / "db.sqlite") as stranger:
            assert stranger.get(path, headers=HTML).status_code == 404


def test_the_new_event_page_lists_a_big_uploads_problems_by_file_row_and_column(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        r = _web_upload(client, _people(bad_row=9), _wishes())
        page = _page_until_settled(client, r.headers["location"])
        assert "Nothing was stored" in page and "Problems, by file, row and column" in page
        assert re.search(r"<td>participants\.csv</td>\s*<td class=\"num\">9</td>\s*<td>id</td>", page), page
        assert 'href="/events/new"' in page


def test_deleting_the_event_deletes_its_import_and_old_settled_imports_go(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        r = client.post("/api/events", files=event_files(participants=_people(), wishes=_wishes())).json()
        headers = _bearer(r["organiser_token"])
        event_id = wait_for_state(client, r["status_url"], headers)["event_id"]
        refused = client.post("/api/events", files=event_files(participants=_people(bad_row=5), wishes=_wishes()))
        refused_id = refused.json()["id"]
        wait_for_state(client, refused.json()["status_url"], _bearer(refused.json()["organiser_token"]))
        assert client.delete(f"/api/events/{event_id}", headers=headers).status_code == 204
        db = Database(database_url(tmp_path / "db.sqlite"))
        with db.session() as s:
            assert s.get(ImportRow, r["id"]) is None
            failed = s.get(ImportRow, refused_id)
            assert failed is not None
            failed.finished_at = failed.finished_at - imports.KEEP_SETTLED - dt.timedelta(minutes=1)  # type: ignore[operator]
        db.dispose()
        client.post("/api/events", files=event_files(participants=_people(), wishes=_wishes()))
        db = Database(database_url(tmp_path / "db.sqlite"))
        with db.session() as s:
            assert s.get(ImportRow, refused_id) is None
        db.dispose()


def test_htmxs_post_of_big_files_loads_the_import_page_itself(tmp_path: Path) -> None:
    """htmx follows a 303 in place: the import page would be swapped in under /events/new, and its
    final reload would show the empty form (the new event's link lost). It gets HX-Redirect instead."""
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=5_000) as client:
        token = csrf_of(client, "/events/new")
        files = {
            "event": ("event.toml", (API_DATA / "event.toml").read_bytes(), "text/plain"),
            "participants": ("people.csv", _people(), "text/csv"),
            "wishes": ("wishes.csv", _wishes(), "text/csv"),
        }
        r = client.post(
            "/events/new",
            data={"csrf": token, "settings_from": "file"},
            files=files,
            headers=HTML | {"HX-Request": "true"},
            follow_redirects=False,
        )
        assert r.status_code == 200 and r.headers["hx-redirect"].startswith("/events/new/imports/"), r.text
        page = _page_until_settled(client, r.headers["hx-redirect"])  # the cookie came with the answer
        assert "Keep this private organiser link" in page
