"""The re-issued agendas of the people a change affects (GET /api/events/{id}/diff/agendas.pdf, the
published page's agendas) are prepared away from the request like everyone's agendas (issue 12,
finding 9): keyed by the pair of versions, 200 within `document_wait_seconds`, else 202 with where
to follow it; the web app goes through the prepared page."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.prepared import documents as prepared
from api.prepared.rows import PreparedDocumentRow
from api.storage import Database
from tests.api_helpers import client_for, database_url, pdf_pages, solve, squash, upload, wait_for_state
from tests.web_helpers import HTML, csrf_of, signed_in_event

KIND = "changed-agendas.pdf"


def _cancel_one(client: TestClient, event_id: str, headers: dict[str, str]) -> set[str]:
    """Cancel the first meeting of the latest version by hand (a new version): the two people affected."""
    meeting = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"][0]
    pair = {"a": meeting["participant_a"], "b": meeting["participant_b"]}
    r = client.post(f"/api/events/{event_id}/meetings/cancel", json=pair, headers=headers)
    assert r.status_code == 200, r.text
    return set(pair.values())


def _names(client: TestClient, event_id: str, headers: dict[str, str]) -> dict[str, str]:
    people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
    return {p["id"]: squash(p["name"]) for p in people}


def _people_in(pdf: bytes, names: dict[str, str]) -> list[set[str]]:
    """Whose agenda each page of a PDF of changes is: the name above "Changed since" (partners are
    named below it)."""
    heads = [squash(page).split("Changedsince")[0] for page in pdf_pages(pdf)]
    return [{pid for pid, name in names.items() if name in head} for head in heads]


def _rows(db_path: Path) -> list[tuple[int, int, str]]:
    db = Database(database_url(db_path))
    try:
        with db.session() as s:
            rows = s.scalars(select(PreparedDocumentRow).order_by(PreparedDocumentRow.created_at))
            return [(r.from_version, r.version, r.kind) for r in rows]
    finally:
        db.dispose()


@pytest.fixture
def slow_renderer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The changed agendas take a second to render; the names of the threads that rendered them."""
    threads: list[str] = []
    real = prepared.documents.changed_agendas_pdf

    def slow(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(prepared.documents, "changed_agendas_pdf", slow)
    return threads


def test_a_slow_diff_pdf_answers_202_then_the_file_with_exactly_the_affected_people(
    tmp_path: Path, slow_renderer: list[str]
) -> None:
    with client_for(tmp_path / "db.sqlite", document_wait_seconds=0.2) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        affected = _cancel_one(client, event_id, headers)
        url = f"/api/events/{event_id}/diff/agendas.pdf"
        r = client.get(url, headers=headers)
        assert r.status_code == 202, r.text[:200]
        assert r.headers["cache-control"] == "no-store" and int(r.headers["retry-after"]) > 0
        status_url = f"/api/events/{event_id}/prepared/{KIND}?version=2&from=1"
        assert r.headers["location"] == r.json()["status_url"] == status_url
        assert r.json()["kind"] == KIND and (r.json()["from_version"], r.json()["version"]) == (1, 2)
        done = wait_for_state(client, status_url, headers)
        assert done["state"] == "done" and done["attempts"] == 1, done
        for answer in (client.get(done["download_url"], headers=headers), client.get(url, headers=headers)):
            assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
            assert answer.headers["cache-control"] == "no-store"
            assert "changed-agendas-v1-v2" in answer.headers["content-disposition"]
            pages = _people_in(answer.content, _names(client, event_id, headers))
            assert pages and all(len(people) == 1 for people in pages), pages  # one person's agenda a page
            assert set().union(*pages) == affected
            assert all("Changedsincescheduleversion1" in squash(p) for p in pdf_pages(answer.content))
    assert slow_renderer and all(name.startswith("matchday-background") for name in slow_renderer), slow_renderer


def test_another_pair_of_versions_and_a_reissued_link_render_again(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        first = _cancel_one(client, event_id, headers)
        base = f"/api/events/{event_id}/prepared/{KIND}"
        one_two = client.post(f"{base}?from=1&version=2", headers=headers).json()
        one_two = wait_for_state(client, one_two["status_url"], headers)
        assert client.get(f"/api/events/{event_id}/diff/agendas.pdf?from=1&to=2", headers=headers).status_code == 200
        assert client.post(f"{base}?from=1&version=2", headers=headers).json()["id"] == one_two["id"]  # kept
        # A re-issued link changes the QR code printed for that person: the same pair is made again.
        client.post(f"/api/events/{event_id}/participants/{sorted(first)[0]}/link", headers=headers)
        renewed = client.post(f"{base}?from=1&version=2", headers=headers).json()
        assert renewed["id"] == one_two["id"] and renewed["state"] in ("queued", "running", "done")
        assert wait_for_state(client, renewed["status_url"], headers)["finished_at"] > one_two["finished_at"]
        # Another pair: its own row and its own people (by default, the latest version and the one before).
        second = _cancel_one(client, event_id, headers)
        r = client.get(f"/api/events/{event_id}/diff/agendas.pdf", headers=headers)
        assert r.status_code == 200 and "changed-agendas-v2-v3" in r.headers["content-disposition"]
        assert set().union(*_people_in(r.content, _names(client, event_id, headers))) == second
        wide = client.get(f"/api/events/{event_id}/diff/agendas.pdf?from=1&to=3", headers=headers)
        assert wide.status_code == 200
        assert set().union(*_people_in(wide.content, _names(client, event_id, headers))) == first | second
        # One pair is kept per event: the first one's row is gone.
        assert client.get(f"{base}?from=1&version=2", headers=headers).status_code == 404
    assert _rows(tmp_path / "db.sqlite") == [(1, 3, KIND)]


def test_two_pairs_with_the_same_newer_version_are_two_documents(tmp_path: Path, slow_renderer: list[str]) -> None:
    """The unique key holds the older version: two pairs ending at one version may be under way together."""
    with client_for(tmp_path / "db.sqlite", document_wait_seconds=0) as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        _cancel_one(client, event_id, headers)
        _cancel_one(client, event_id, headers)
        a = client.get(f"/api/events/{event_id}/diff/agendas.pdf?from=1&to=3", headers=headers).json()
        b = client.get(f"/api/events/{event_id}/diff/agendas.pdf?from=2&to=3", headers=headers).json()
        assert a["id"] != b["id"] and (a["from_version"], b["from_version"]) == (1, 2)
        assert {wait_for_state(client, x["status_url"], headers)["state"] for x in (a, b)} == {"done"}


def test_the_pair_is_checked_before_anything_is_queued(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = upload(client)
        solve(client, event_id, headers)
        diff = f"/api/events/{event_id}/diff/agendas.pdf"
        assert client.get(diff, headers=headers).status_code == 404  # version 1 has nothing before it
        assert client.get(f"{diff}?from=7&to=1", headers=headers).status_code == 404
        assert client.get(f"{diff}?from=0", headers=headers).status_code == 422
        base = f"/api/events/{event_id}/prepared"
        assert client.post(f"{base}/{KIND}", headers=headers).status_code == 404
        wrong = client.post(f"{base}/agendas.pdf?from=1", headers=headers)  # 'from' is for changed agendas only
        assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["query", "from"]
        assert client.get(f"{base}/{KIND}?from=1&version=1", headers=headers).status_code == 404  # not asked
        assert client.get(diff).status_code == 401
    assert _rows(tmp_path / "db.sqlite") == []


def _ready(client: TestClient, progress_url: str) -> str:
    """The progress part of a page, polled until the document is ready (it polls itself meanwhile)."""
    deadline = time.monotonic() + 60
    while "ready" not in (progress := client.get(progress_url, headers=HTML).text):
        assert f'hx-get="{progress_url.replace("&", "&amp;")}"' in progress and 'hx-trigger="every 2s"' in progress
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert "hx-trigger" not in progress  # done: no more polling
    return progress


def test_publishing_on_the_pages_prepares_the_affected_peoples_agendas_and_follows_them(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", document_wait_seconds=0) as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers, publish=False)
        csrf = csrf_of(client, f"/events/{event_id}/publish")
        first = client.post(f"/events/{event_id}/publish?version=1", data={"csrf": csrf}, headers=HTML)
        assert first.status_code == 200 and "Version 1 is published" in first.text
        assert "the first agendas (PDF, everyone with a meeting)" in first.text  # being made, or ready
        _ready(client, f"/events/{event_id}/prepared/{KIND}/progress?version=1")
        affected = _cancel_one(client, event_id, headers)
        # Not published yet, so not prepared: the download leads to the page with the button.
        page = f"/events/{event_id}/prepared/{KIND}?version=2&since=1"
        download = f"/events/{event_id}/download/{KIND}?version=2&since=1"
        r = client.get(download, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == page
        shown = client.get(page, headers=HTML).text
        assert "Agendas of the people affected, version 1 to 2" in shown and "Not prepared yet" in shown
        assert f'action="{page.replace("&", "&amp;")}"' in shown
        # Publishing queues them; the published page follows them (htmx) to their download.
        done = client.post(f"/events/{event_id}/publish?version=2", data={"csrf": csrf}, headers=HTML)
        assert "The affected people&#39;s agendas (PDF, 2 people)" in done.text
        assert 'id="prepared-progress"' in done.text and "Not prepared yet" not in done.text
        progress = _ready(client, page.replace("?", "/progress?"))
        assert f'href="{download.replace("&", "&amp;")}"' in progress
        assert "Download the affected people&#39;s agendas (PDF)" in progress
        f = client.get(download)
        assert f.status_code == 200 and f.headers["content-type"] == "application/pdf"
        assert "changed-agendas-v1-v2" in f.headers["content-disposition"]
        assert set().union(*_people_in(f.content, _names(client, event_id, headers))) == affected
        # The page's own button asks again (nothing new while it is done); a version not kept is a 404.
        r = client.post(page, data={"csrf": csrf}, headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == page
        assert "ready" in client.get(page, headers=HTML).text
        assert client.get(f"/events/{event_id}/prepared/{KIND}?version=2&since=9", headers=HTML).status_code == 404
        assert client.post(page, headers=HTML).status_code == 403  # no CSRF token: nothing queued
