"""Big new participants or wishes files for an existing event (issue 12, finding 2): never parsed in
a request. They are stored as they came, their changes worked out in the background and shown to
confirm, and the confirmed files stored in the background in one short transaction that re-checks
the event's revision (a change made meanwhile: a clear conflict, nothing stored)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api import service
from api.prepared import replacements
from api.prepared.rows import ImportRow
from api.storage import ParticipantRow, WishRow
from api.web import revise
from scheduler.io.loading import load_event_bytes
from tests.api_helpers import API_DATA, client_for, event_row, stored_rows
from tests.web_helpers import HTML, csrf_of, page_text, signed_in_event

PARTICIPANTS = (API_DATA / "participants.csv").read_bytes()
WISHES = (API_DATA / "wishes.csv").read_bytes()
INLINE = 5_000  # the tests' `upload_inline_bytes`: the sample event is below it, the files below above it
EXTRA = 200  # new people in the big file (about 6 KB)


def _people(extra: int = EXTRA, bad_row: int | None = None) -> bytes:
    """The sample's eight people (p2's organisation changed) and `extra` newcomers."""
    lines = PARTICIPANTS.replace(b"R\xc4\xabgas \xc5\xaadens,", b"R\xc4\xabgas \xc5\xaadens AS,").splitlines()
    lines += [f"n{i},Newcomer {i},Org {i % 7},buyer,Norway,,,".encode() for i in range(extra)]
    if bad_row is not None:
        lines[bad_row - 1] = b",Nobody,Org,buyer,Norway,,,"  # no id (rows as a spreadsheet counts them)
    return b"\n".join(lines) + b"\n"


class Loader:
    """The library's loader as every module of the flow calls it, counting the calls made outside
    the background's threads (a request's), and able to hold the background's parse."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.in_requests: list[str] = []
        self.parsing, self.release = threading.Event(), threading.Event()
        self.release.set()
        real = load_event_bytes

        def counted(*args: Any, **kwargs: Any) -> Any:
            thread = threading.current_thread().name
            if not thread.startswith("matchday-background"):
                self.in_requests.append(thread)
            else:
                self.parsing.set()
                assert self.release.wait(timeout=60)
            return real(*args, **kwargs)

        for module in (replacements, revise, service):
            monkeypatch.setattr(module, "load_event_bytes", counted)

    def hold(self) -> None:
        self.parsing.clear()
        self.release.clear()


@pytest.fixture
def loader(monkeypatch: pytest.MonkeyPatch) -> Iterator[Loader]:
    held = Loader(monkeypatch)
    yield held
    held.release.set()


def _send(client: TestClient, event_id: str, participants: bytes | None, wishes: bytes | None = None) -> Any:
    token = csrf_of(client, f"/events/{event_id}/files")
    none = ("", b"", "application/octet-stream")
    files = {
        "participants": ("people.csv", participants, "text/csv") if participants is not None else none,
        "wishes": ("wishes.csv", wishes, "text/csv") if wishes is not None else none,
    }
    return client.post(
        f"/events/{event_id}/files", data={"csrf": token}, files=files, headers=HTML, follow_redirects=False
    )


def _settled(client: TestClient, path: str) -> Any:
    """Poll the page's live part as htmx does until it asks for a reload; then the page."""
    deadline = time.monotonic() + 60
    while True:
        progress = client.get(f"{path}/progress", headers=HTML)
        assert progress.status_code == 200, progress.text
        if progress.headers.get("hx-refresh") == "true":
            break
        assert 'hx-trigger="every 2s"' in progress.text and f'href="{path}"' in progress.text  # a Refresh link
        assert time.monotonic() < deadline, progress.text
        time.sleep(0.05)
    return client.get(path, headers=HTML, follow_redirects=False)


def _confirm(client: TestClient, path: str) -> Any:
    token = csrf_of(client, path)
    return client.post(f"{path}/apply", data={"csrf": token}, headers=HTML, follow_redirects=False)


def _people_rows(client: TestClient, event_id: str) -> dict[str, tuple[str, str]]:
    with client.app.state.db.sessions() as s:  # type: ignore[attr-defined]
        rows = s.execute(
            select(ParticipantRow.pid, ParticipantRow.organisation, ParticipantRow.token_digest).where(
                ParticipantRow.event_id == event_id
            )
        ).all()
        return {pid: (organisation, token) for pid, organisation, token in rows}


def _wish_count(client: TestClient, event_id: str) -> int:
    with client.app.state.db.sessions() as s:  # type: ignore[attr-defined]
        return len(s.scalars(select(WishRow.id).where(WishRow.event_id == event_id)).all())


def test_a_big_file_is_read_in_the_background_its_changes_confirmed_then_applied(
    tmp_path: Path, loader: Loader
) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, _ = signed_in_event(client)
        before = _people_rows(client, event_id)
        loader.in_requests.clear()
        loader.hold()
        sent = _send(client, event_id, _people())
        # Answered while the background's parse is held: the request did not parse.
        assert sent.status_code == 303, sent.text
        path = sent.headers["location"]
        assert re.fullmatch(rf"/events/{event_id}/files/[0-9a-f]+", path), path
        assert loader.parsing.wait(timeout=30), "the background did not start reading"
        waiting = client.get(path, headers=HTML)
        assert waiting.status_code == 200 and "Reading the new files" in waiting.text
        assert 'aria-live="polite"' in waiting.text and "hx-get" in waiting.text
        loader.release.set()

        page = _settled(client, path)
        assert page.status_code == 200, page.text
        text = page_text(page.text)
        assert f"Added people ({EXTRA})" in text and "Newcomer 0 (n0, Org 0)" in text
        assert "Changed people (1)" in text and "organisation: Rīgas Ūdens → Rīgas Ūdens AS" in text
        assert "people.csv (participants) is valid" in text
        assert f'action="{path}/apply"' in page.text and "Apply these changes" in text
        assert event_row(client, event_id).revision == 1  # nothing stored yet

        applied = _confirm(client, path)
        assert applied.status_code == 303 and applied.headers["location"] == path
        done = _settled(client, path)
        assert done.status_code == 303 and done.headers["location"] == f"/events/{event_id}"
        assert loader.in_requests == [], f"parsed in a request: {loader.in_requests}"

        row = event_row(client, event_id)
        assert row.revision == 2 and row.participants_csv == _people() and row.wishes_csv == WISHES
        after = _people_rows(client, event_id)
        assert len(after) == 8 + EXTRA
        assert after["p2"][0] == "Rīgas Ūdens AS"
        assert all(after[pid][1] == before[pid][1] for pid in before)  # everyone keeps their private link
        assert _wish_count(client, event_id) == len(WISHES.splitlines()) - 1
        with client.app.state.db.sessions() as s:  # type: ignore[attr-defined]
            upload = s.get(ImportRow, path.rsplit("/", 1)[1])
            assert upload is not None and upload.state == "done" and upload.participants_csv == b""
        # What the web app shows afterwards is the new event (its cache is keyed by the files).
        assert client.get(f"/events/{event_id}/people", headers=HTML).status_code == 200
        assert len(service.load_event(row).participants) == 8 + EXTRA


def test_the_same_files_store_the_same_rows_inline_and_in_the_background(tmp_path: Path) -> None:
    stored = []
    for name, inline in (("inline", 10_000_000), ("background", INLINE)):
        with client_for(tmp_path / f"{name}.sqlite", upload_inline_bytes=inline) as client:
            event_id, _ = signed_in_event(client)
            wishes = WISHES + b"n1,p1,2,\np1,n2,3,\n"
            sent = _send(client, event_id, _people(), wishes)
            if sent.status_code == 200:  # inline: the confirmation page itself
                fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', sent.text))
                applied = client.post(
                    f"/events/{event_id}/files/apply", data=fields, headers=HTML, follow_redirects=False
                )
                assert applied.status_code == 303, applied.text
            else:
                path = sent.headers["location"]
                assert _settled(client, path).status_code == 200
                assert _confirm(client, path).status_code == 303
                assert _settled(client, path).status_code == 303
            row = event_row(client, event_id)
            with client.app.state.db.sessions() as s:  # type: ignore[attr-defined]
                people, wish_rows = stored_rows(s, event_id)
            stored.append((row.revision, row.participants_csv, row.wishes_csv, row.warnings, people, wish_rows))
    assert stored[0] == stored[1]


def test_a_big_file_with_problems_ends_with_them_by_file_row_and_column_and_changes_nothing(
    tmp_path: Path, loader: Loader
) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, _ = signed_in_event(client)
        before = _people_rows(client, event_id)
        loader.in_requests.clear()
        sent = _send(client, event_id, _people(bad_row=12))
        assert sent.status_code == 303, sent.text
        page = _settled(client, sent.headers["location"])
        assert page.status_code == 200
        assert loader.in_requests == []
        assert "1 problem in the new files; nothing was changed" in page.text
        assert "Problems, by file, row and column" in page.text
        assert re.search(r"<td>participants\.csv</td>\s*<td class=\"num\">12</td>\s*<td>id</td>", page.text), page.text
        assert "Apply these changes" not in page.text
        assert f'href="/events/{event_id}/files"' in page.text  # upload again
        row = event_row(client, event_id)
        assert row.revision == 1 and row.participants_csv == PARTICIPANTS
        assert _people_rows(client, event_id) == before


def test_a_change_made_before_the_confirmation_refuses_it(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, headers = signed_in_event(client)
        path = _send(client, event_id, _people()).headers["location"]
        assert _settled(client, path).status_code == 200
        change = client.patch(f"/api/events/{event_id}/participants/p3", json={"status": "cancelled"}, headers=headers)
        assert change.status_code == 200, change.text
        refused = _confirm(client, path)
        assert refused.status_code == 409
        assert "sent against revision 1, it is now revision 2" in page_text(refused.text)
        assert "Nothing was changed" in refused.text
        row = event_row(client, event_id)
        assert row.revision == 2 and b"n0," not in row.participants_csv
        gone = client.get(path, headers=HTML)  # the refused files are not offered again
        assert "Apply these changes" not in gone.text and "nothing was changed" in gone.text


def test_a_change_made_while_the_confirmed_files_are_read_wins_and_nothing_is_stored(
    tmp_path: Path, loader: Loader
) -> None:
    """The confirmation was accepted (same revision), then another change went through while the
    background read the files again: its short write sees the revision moved on and stores nothing."""
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, headers = signed_in_event(client)
        path = _send(client, event_id, _people()).headers["location"]
        assert _settled(client, path).status_code == 200
        loader.hold()
        assert _confirm(client, path).status_code == 303
        assert loader.parsing.wait(timeout=30), "the apply did not start"
        change = client.patch(f"/api/events/{event_id}/participants/p3", json={"status": "cancelled"}, headers=headers)
        assert change.status_code == 200, change.text  # not blocked by the big file being read
        loader.release.set()
        page = _settled(client, path)
        assert page.status_code == 200
        text = page_text(page.text)
        assert "nothing was changed" in text and "sent against revision 1, it is now revision 2" in text
        row = event_row(client, event_id)
        assert row.revision == 2 and b"n0," not in row.participants_csv
        assert "n0" not in _people_rows(client, event_id)


def test_a_solve_started_while_the_confirmed_files_are_read_refuses_them(tmp_path: Path, loader: Loader) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, headers = signed_in_event(client)
        path = _send(client, event_id, _people()).headers["location"]
        assert _settled(client, path).status_code == 200
        loader.hold()
        assert _confirm(client, path).status_code == 303
        assert loader.parsing.wait(timeout=30)
        job = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 30}, headers=headers)
        assert job.status_code == 202, job.text
        loader.release.set()
        page = _settled(client, path)
        assert "A solve of this event started" in page_text(page.text)
        assert event_row(client, event_id).revision == 1
        client.post(f"/api/jobs/{job.json()['job_id']}/cancel", headers=headers)


def test_htmxs_post_of_big_files_loads_the_page_that_follows_them(tmp_path: Path) -> None:
    """Not a followed 303 swapped in under the form's address, whose final reload would show the form."""
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, _ = signed_in_event(client)
        token = csrf_of(client, f"/events/{event_id}/files")
        r = client.post(
            f"/events/{event_id}/files",
            data={"csrf": token},
            files={"participants": ("people.csv", _people(), "text/csv")},
            headers=HTML | {"HX-Request": "true"},
            follow_redirects=False,
        )
        assert r.status_code == 200 and r.headers["hx-redirect"].startswith(f"/events/{event_id}/files/"), r.text
        assert _settled(client, r.headers["hx-redirect"]).status_code == 200


def test_the_page_of_new_files_is_the_events_own(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, _ = signed_in_event(client)
        path = _send(client, event_id, _people()).headers["location"]
        other_id, _ = signed_in_event(client)  # this browser now organises another event
        assert client.get(path.replace(event_id, other_id), headers=HTML).status_code == 404
        assert client.get(f"/events/{other_id}/files/{'0' * 32}", headers=HTML).status_code == 404
    with client_for(tmp_path / "db.sqlite") as stranger:
        assert stranger.get(path, headers=HTML).status_code == 401


# --- the API: PUT /api/events/{id}/files ----------------------------------------------------------


def _put(client: TestClient, event_id: str, headers: dict[str, str], **files: bytes) -> Any:
    sent = {key: (f"{key}.csv", data, "text/csv") for key, data in files.items()}
    return client.put(f"/api/events/{event_id}/files", files=sent, headers=headers)


def _follow(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = client.get(url, headers=headers).json()
        if body["state"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def test_the_api_answers_202_before_reading_a_big_file_and_stores_it_as_the_next_revision(
    tmp_path: Path, loader: Loader
) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, headers = signed_in_event(client)
        loader.in_requests.clear()
        loader.hold()
        r = _put(client, event_id, headers, participants=_people())
        assert r.status_code == 202, r.text
        accepted = r.json()
        assert (
            r.headers["location"] == accepted["status_url"] == f"/api/events/{event_id}/files/imports/{accepted['id']}"
        )
        assert r.headers["cache-control"] == "no-store" and int(r.headers["retry-after"]) > 0
        assert accepted["base_revision"] == 1
        assert loader.parsing.wait(timeout=30)
        assert client.get(accepted["status_url"], headers=headers).json()["state"] == "running"
        loader.release.set()
        done = _follow(client, accepted["status_url"], headers)
        assert done["state"] == "done" and done["event_revision"] == 2 and done["problems"] == [], done
        assert loader.in_requests == [], f"parsed in a request: {loader.in_requests}"
        event = client.get(f"/api/events/{event_id}", headers=headers).json()
        assert event["revision"] == 2 and event["participants"] == 8 + EXTRA
        # Only the event's organiser reads it.
        other_id, other_headers = signed_in_event(client)
        assert client.get(accepted["status_url"], headers=other_headers).status_code == 404
        assert client.get(accepted["status_url"]).status_code == 401


def test_the_api_reads_small_files_in_the_request_as_before(tmp_path: Path, loader: Loader) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, headers = signed_in_event(client)
        r = _put(client, event_id, headers, wishes=WISHES + b"p8,p1,2,\n")
        assert r.status_code == 200, r.text
        assert r.json()["event_revision"] == 2 and r.json()["wishes"] == len(WISHES.splitlines())
        bad = _put(client, event_id, headers, wishes=WISHES + b"p1,nobody,1,\n")
        assert bad.status_code == 422
        assert any(p["file"] == "wishes.csv" and p["column"] == "target" for p in bad.json()["problems"])
        assert _put(client, event_id, headers).status_code == 422  # no file at all
        assert event_row(client, event_id).revision == 2


def test_the_api_ends_a_bad_big_file_with_its_problems_and_changes_nothing(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, headers = signed_in_event(client)
        r = _put(client, event_id, headers, participants=_people(bad_row=30))
        assert r.status_code == 202, r.text
        failed = _follow(client, r.json()["status_url"], headers)
        assert failed["state"] == "failed" and failed["event_revision"] is None
        assert "nothing was changed" in failed["detail"]
        assert any(
            p["file"] == "participants.csv" and p["row"] == 30 and p["column"] == "id" for p in failed["problems"]
        ), failed["problems"]
        assert event_row(client, event_id).participants_csv == PARTICIPANTS


def test_the_api_refuses_big_files_when_the_event_changed_while_they_were_read(tmp_path: Path, loader: Loader) -> None:
    with client_for(tmp_path / "db.sqlite", upload_inline_bytes=INLINE) as client:
        event_id, headers = signed_in_event(client)
        loader.hold()
        r = _put(client, event_id, headers, participants=_people())
        assert r.status_code == 202, r.text
        assert loader.parsing.wait(timeout=30)
        change = client.patch(f"/api/events/{event_id}/participants/p3", json={"status": "cancelled"}, headers=headers)
        assert change.status_code == 200, change.text
        loader.release.set()
        failed = _follow(client, r.json()["status_url"], headers)
        assert failed["state"] == "failed" and failed["problems"] == []
        assert "sent against revision 1, it is now revision 2" in failed["detail"], failed
        assert "nothing was changed" in failed["detail"]
        row = event_row(client, event_id)
        assert row.revision == 2 and b"n0," not in row.participants_csv
