"""Everyone's agendas (one PDF, a ZIP) prepared away from the request (issue 12, finding 9): the
request only queues and reads; a background thread here (a process or a procrastinate worker in
production) renders; GET answers the file when ready, else 202 with where to follow it."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from api.jobs.state import process_identity
from api.prepared import documents as prepared
from api.prepared import state
from api.prepared.rows import PreparedDocumentRow
from api.storage import Database
from tests.api_helpers import client_for, database_url, pdf_pages, solve, upload, wait_for_state
from tests.web_helpers import HTML, csrf_of, signed_in_event

PEOPLE = 8  # tests/api_data/participants.csv


def _rows(db_path: Path) -> list[PreparedDocumentRow]:
    db = Database(database_url(db_path))
    try:
        with db.session() as s:
            return list(s.scalars(select(PreparedDocumentRow)))
    finally:
        db.dispose()


def test_a_slow_document_answers_202_then_the_status_then_the_file(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", document_wait_seconds=0) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        r = client.get(f"/api/events/{event_id}/agendas.pdf", headers=headers)
        assert r.status_code == 202, r.text
        assert r.headers["cache-control"] == "no-store" and int(r.headers["retry-after"]) > 0
        status_url = r.headers["location"]
        assert status_url == r.json()["status_url"] == f"/api/events/{event_id}/prepared/agendas.pdf?version=1"
        done = wait_for_state(client, status_url, headers)
        assert done["state"] == "done" and done["attempts"] == 1 and done["size"] > 0, done
        for url in (done["download_url"], f"/api/events/{event_id}/agendas.pdf"):
            f = client.get(url, headers=headers)
            assert f.status_code == 200 and f.headers["content-type"] == "application/pdf"
            assert f.headers["cache-control"] == "no-store"
            assert "agendas" in f.headers["content-disposition"]
            assert len(pdf_pages(f.content)) >= PEOPLE
        # The QR codes point at each person's private link: the document shows the same text as before.
        assert "Søren" in "".join(pdf_pages(f.content))


def test_a_small_event_gets_its_file_from_the_get_as_before(tmp_path: Path) -> None:
    """The GET waits a few seconds for the background: clients that only GET still get the file."""
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        z = client.get(f"/api/events/{event_id}/agendas.zip", headers=headers)
        assert z.status_code == 200, z.text
        names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
        assert len([n for n in names if n.endswith(".pdf")]) == PEOPLE
        assert len([n for n in names if n.endswith(".ics")]) == PEOPLE


def test_asking_again_reuses_the_row_and_a_new_version_or_link_prepares_again(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        base = f"/api/events/{event_id}/prepared/agendas.pdf"
        first = client.post(base, headers=headers)
        assert first.status_code == 202 and first.headers["location"].startswith(base)
        done = wait_for_state(client, first.json()["status_url"], headers)
        again = client.post(base, headers=headers).json()
        assert again["id"] == done["id"] and again["state"] == "done" and again["attempts"] == 1
        # A re-issued link changes the QR code printed for that person: the document is made again.
        client.post(f"/api/events/{event_id}/participants/p1/link", headers=headers)
        renewed = client.post(base, headers=headers).json()
        assert renewed["id"] == done["id"] and renewed["state"] in ("queued", "running", "done")
        assert wait_for_state(client, renewed["status_url"], headers)["finished_at"] > done["finished_at"]
        # A new version: its own row; the older version's is dropped (one kept per event and kind).
        solve(client, event_id, headers)
        newer = wait_for_state(client, client.post(base, headers=headers).json()["status_url"], headers)
        assert newer["version"] == 2 and newer["id"] != done["id"]
        assert client.get(f"{base}?version=1", headers=headers).status_code == 404
    assert [(r.version, r.kind) for r in _rows(tmp_path / "db.sqlite")] == [(2, "agendas.pdf")]


def test_status_and_file_before_anything_was_asked_and_before_it_is_done(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = upload(client)
        base = f"/api/events/{event_id}/prepared/agendas.zip"
        assert client.post(base, headers=headers).status_code == 404  # no schedule yet
        solve(client, event_id, headers)
        assert client.get(base, headers=headers).status_code == 404
        assert client.get(f"{base}/file", headers=headers).status_code == 404
        assert client.get(f"/api/events/{event_id}/prepared/other.pdf", headers=headers).status_code == 422
        other_id, other_headers = upload(client)
        assert client.get(base, headers=other_headers).status_code == 404  # another event's token
        assert client.get(base).status_code == 401


def test_a_document_that_cannot_be_made_fails_with_the_reason_and_asking_again_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the renderer broke")

    with client_for(tmp_path / "db.sqlite", document_wait_seconds=0) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        monkeypatch.setattr(prepared.documents, "agendas_pdf", broken)
        url = client.get(f"/api/events/{event_id}/agendas.pdf", headers=headers).headers["location"]
        failed = wait_for_state(client, url, headers)
        assert failed["state"] == "failed" and "the renderer broke" in failed["error"]
        assert client.get(f"{failed['status_url'].split('?')[0]}/file", headers=headers).status_code == 409
        monkeypatch.undo()
        retried = client.post(f"/api/events/{event_id}/prepared/agendas.pdf", headers=headers).json()
        assert retried["id"] == failed["id"] and retried["error"] is None
        assert wait_for_state(client, url, headers)["state"] == "done"


def test_the_request_does_not_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rendering runs on the background's thread, never on the request's."""
    threads: list[str] = []
    real = prepared.documents.agendas_pdf

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        monkeypatch.setattr(prepared.documents, "agendas_pdf", spy)
        assert client.get(f"/api/events/{event_id}/agendas.pdf", headers=headers).status_code == 200
    assert threads and all(name.startswith("matchday-background") for name in threads), threads


def test_a_restarted_server_takes_up_a_document_its_dead_predecessor_was_rendering(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite"
    with client_for(db_path, document_wait_seconds=0) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        url = client.post(f"/api/events/{event_id}/prepared/agendas.pdf", headers=headers).json()["status_url"]
        wait_for_state(client, url, headers)
    # As if a web process had died mid-render: the row is running, its owner a process that is gone.
    db = Database(database_url(db_path))
    dead_owner = process_identity().rsplit(":", 1)[0] + ":1.00"  # this pid, another start time: not alive
    with db.session() as s:
        s.execute(update(PreparedDocumentRow).values(state="running", data=None, worker=dead_owner))
    db.dispose()
    with client_for(db_path) as client:
        settled = wait_for_state(client, url, headers)
    assert settled["state"] == "done" and settled["attempts"] == 2, settled


def test_give_up_settles_a_row_whose_task_the_queue_stopped_retrying(tmp_path: Path) -> None:
    """The procrastinate sweep's last word for a task whose worker died every time (api.prepared.tasks)."""
    with client_for(tmp_path / "db.sqlite", document_wait_seconds=0) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
    db = Database(database_url(tmp_path / "db.sqlite"))
    with db.session() as s:
        doc = PreparedDocumentRow(event_id=event_id, version=1, kind="agendas.zip", fingerprint="x", base_url="")
        s.add(doc)
        s.flush()
        doc_id = doc.id
    assert state.claim(db, PreparedDocumentRow, doc_id, "elsewhere:1:1.00")
    assert state.give_up(db, PreparedDocumentRow, doc_id, 2)
    assert not state.give_up(db, PreparedDocumentRow, doc_id, 2)  # settled once
    with db.session() as s:
        settled = s.get(PreparedDocumentRow, doc_id)
        assert settled is not None and settled.state == "failed" and "stopped 2 times" in (settled.error or "")
    db.dispose()


def test_the_organisers_page_prepares_follows_and_downloads(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", document_wait_seconds=0) as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers)
        overview = client.get(f"/events/{event_id}", headers=HTML).text
        assert f'action="/events/{event_id}/prepared/agendas.pdf?version=1"' in overview
        assert "Prepare all agendas (PDF" in overview
        page = f"/events/{event_id}/prepared/agendas.pdf?version=1"
        # Before it is prepared, the old download link leads to the page with the button.
        r = client.get(f"/events/{event_id}/download/agendas.pdf", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == page
        assert "Not prepared yet" in client.get(page, headers=HTML).text
        token = csrf_of(client, page)
        r = client.post(page, data={"csrf": token}, headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == page
        deadline = time.monotonic() + 60
        while "ready" not in (progress := client.get(page.replace("?", "/progress?"), headers=HTML).text):
            assert 'hx-trigger="every 2s"' in progress  # polled while it is being made
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert f'href="/events/{event_id}/download/agendas.pdf?version=1"' in progress
        assert "hx-trigger" not in progress  # done: no more polling
        f = client.get(f"/events/{event_id}/download/agendas.pdf?version=1")
        assert f.status_code == 200 and f.headers["content-type"] == "application/pdf"
        assert f.headers["cache-control"] == "no-store"
        # Without the CSRF token nothing is queued.
        assert client.post(page.replace("pdf", "zip"), headers=HTML).status_code == 403
        assert client.get("/events/" + event_id + "/prepared/other.pdf", headers=HTML).status_code == 404
