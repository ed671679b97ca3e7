"""Who may see what: organiser tokens on every organiser route, private participant links,
link revocation, deleting an event (GDPR), restarts, and the job lifecycle (cancel, failure, recovery)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import API_DATA, big_event, client_for, pdf_pages, settings_for, solve, upload, wait_for_job
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.jobs import STOPPED_BY_SERVER
from api.storage import Database, EventRow, JobRow, ParticipantRow, ScheduleRow, WishRow, utcnow
from scheduler.export.agenda import build_agenda
from scheduler.export.html import agenda_page
from scheduler.export.pdf import agenda_pdf
from scheduler.io.loading import load_event_bytes


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("access") / "matchday.db"


@pytest.fixture(scope="module")
def client(db_path: Path) -> Iterator[TestClient]:
    with client_for(db_path) as c:
        yield c


@pytest.fixture(scope="module")
def two_events(client: TestClient) -> dict[str, Any]:
    a_id, a_headers = upload(client)
    b_id, b_headers = upload(client)
    job = solve(client, a_id, a_headers)
    solve(client, b_id, b_headers)
    people = {p["id"]: p for p in client.get(f"/api/events/{a_id}/participants", headers=a_headers).json()["data"]}
    return {
        "a": a_id,
        "a_headers": a_headers,
        "b": b_id,
        "b_headers": b_headers,
        "job": job["id"],
        "people": people,
    }


def _organiser_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every documented /api route except the two that create an event."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path)
        for path, ops in paths.items()
        for method in ops
        if path.startswith("/api/") and path not in ("/api/events", "/api/events/json")
    ]


def _fill(path: str, ids: dict[str, Any]) -> str:
    return path.replace("{event_id}", ids["a"]).replace("{job_id}", ids["job"]).replace("{participant_id}", "p1")


def test_every_organiser_route_refuses_missing_or_wrong_token(client: TestClient, two_events: dict[str, Any]) -> None:
    routes = _organiser_routes(client)
    assert len(routes) >= 16
    for method, path in routes:
        url = _fill(path, two_events)
        missing = client.request(method, url)
        assert missing.status_code == 401, (method, path, missing.text)
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.request(method, url, headers={"Authorization": "Bearer not-a-token"})
        assert wrong.status_code == 401, (method, path)
        other = client.request(method, url, headers=two_events["b_headers"])
        assert other.status_code == 404, (method, path, other.status_code)


def test_unknown_event_gives_401_without_token_and_404_with_one(client: TestClient, two_events: dict[str, Any]) -> None:
    assert client.get("/api/events/doesnotexist").status_code == 401
    r = client.get("/api/events/doesnotexist", headers=two_events["a_headers"])
    assert r.status_code == 404 and r.json() == {"detail": "Event not found"}
    assert client.get("/api/jobs/nope", headers=two_events["a_headers"]).status_code == 404


def test_participant_link_shows_only_its_owner(client: TestClient, two_events: dict[str, Any]) -> None:
    me = two_events["people"]["p1"]
    page = client.get(me["agenda_url"])
    assert page.status_code == 200 and "Søren Dybdahl" in page.text
    assert page.headers["cache-control"] == "private, no-store"
    assert 'href="/agenda/' in page.text
    schedule = client.get(f"/api/events/{two_events['a']}/schedule", headers=two_events["a_headers"]).json()
    partners = {
        m[k]
        for m in schedule["meetings"]
        if "p1" in (m["participant_a"], m["participant_b"])
        for k in ("name_a", "name_b")
    }
    others = {p["name"] for p in two_events["people"].values()} - partners - {"Søren Dybdahl"}
    assert others  # somebody p1 does not meet
    for name in others:
        assert name not in page.text
    assert "janis@example.lv" not in page.text and "soren@example.dk" not in page.text  # no e-mails shown
    pdf_text = "".join(pdf_pages(client.get(me["agenda_pdf_url"]).content))
    for name in others:
        assert name.split()[0] not in pdf_text


def test_guessed_or_foreign_tokens_get_the_same_404(client: TestClient, two_events: dict[str, Any]) -> None:
    token = two_events["people"]["p1"]["agenda_url"].rsplit("/", 1)[1]
    bodies = set()
    for bad in (
        "x" * 40,
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token.upper(),
        "1",
        "p1",
        two_events["a"],
    ):
        for suffix in ("", ".pdf", ".ics"):
            r = client.get(f"/agenda/{bad}{suffix}", headers={"Accept": "application/json"})
            assert r.status_code == 404, (bad, suffix)
            bodies.add(r.text)
            page = client.get(f"/agenda/{bad}{suffix}", headers={"Accept": "text/html"})
            assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
            bodies.add(page.text)
    json_body = '{"detail":"Agenda not found"}'
    assert json_body in bodies and len(bodies) == 2  # one JSON answer, one page: a guess learns nothing
    (page_body,) = bodies - {json_body}
    assert "This agenda link does not work" in page_body and "check that the link was copied" in page_body
    assert client.get(f"/agenda/{token}", headers={"Authorization": "Bearer x"}).status_code == 200


def test_links_are_stable_and_differ_between_events(client: TestClient, two_events: dict[str, Any]) -> None:
    again = client.get(f"/api/events/{two_events['a']}/participants", headers=two_events["a_headers"]).json()
    assert {p["id"]: p["agenda_url"] for p in again["data"]} == {
        k: v["agenda_url"] for k, v in two_events["people"].items()
    }
    other = client.get(f"/api/events/{two_events['b']}/participants", headers=two_events["b_headers"]).json()
    assert not {p["agenda_url"] for p in other["data"]} & {p["agenda_url"] for p in two_events["people"].values()}
    assert len({p["agenda_url"] for p in again["data"]}) == 8


def test_organiser_can_revoke_and_reissue_one_link(client: TestClient) -> None:
    event_id, headers = upload(client)
    people = {p["id"]: p for p in client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]}
    r = client.post(f"/api/events/{event_id}/participants/p2/link", headers=headers)
    assert r.status_code == 200
    new = r.json()["agenda_url"]
    assert new != people["p2"]["agenda_url"]
    assert client.get(people["p2"]["agenda_url"]).status_code == 404
    assert client.get(people["p2"]["agenda_url"] + ".ics").status_code == 404
    assert client.get(new).status_code == 200 and "Jānis Bērziņš" in client.get(new).text
    assert client.get(people["p1"]["agenda_url"]).status_code == 200  # others unaffected
    listed = {
        p["id"]: p["agenda_url"]
        for p in client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
    }
    assert listed["p2"] == new
    assert client.post(f"/api/events/{event_id}/participants/nobody/link", headers=headers).status_code == 404


def test_access_logs_never_show_a_private_link(
    client: TestClient, two_events: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    token = next(iter(two_events["people"].values()))["agenda_url"].rsplit("/", 1)[1]
    access = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # the record uvicorn's access logger writes for every request
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/agenda/{token}.pdf", "1.1", 200)
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/agenda/fonts/x.woff2", "1.1", 200)
        access.info(f"GET /agenda/{token}.ics")  # no arguments
        access.info("%(path)s", {"path": f"/agenda/{token}"})
        access.info("%s", f"/agenda/{token}".encode())
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/o/{token}", "1.1", 303)  # organiser link
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        '127.0.0.1:5000 - "GET /agenda/[token].pdf HTTP/1.1" 200',
        '127.0.0.1:5000 - "GET /agenda/fonts/x.woff2 HTTP/1.1" 200',
        "GET /agenda/[token].ics",
        "/agenda/[token]",
        "/agenda/[token]",
        '127.0.0.1:5000 - "GET /o/[token] HTTP/1.1" 303',
    ]
    assert token not in caplog.text


def test_agenda_before_any_schedule_says_so(client: TestClient) -> None:
    event_id, headers = upload(client)
    link = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"][0]
    assert "have not been published" in client.get(link["agenda_url"]).text
    assert client.get(link["agenda_ics_url"]).status_code == 200


def _count(db: Database, model: Any, event_id: str) -> int:
    with db.sessions() as s:
        column = model.id if model is EventRow else model.event_id
        return int(s.scalar(select(func.count()).select_from(model).where(column == event_id)) or 0)


def test_delete_event_removes_every_personal_datum(client: TestClient, db_path: Path) -> None:
    event_id, headers = upload(client)
    solve(client, event_id, headers)
    links = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
    db = client.app.state.db  # type: ignore[attr-defined]
    assert _count(db, ScheduleRow, event_id) == 1
    assert client.delete(f"/api/events/{event_id}", headers=headers).status_code == 204
    for model in (EventRow, ParticipantRow, WishRow, ScheduleRow, JobRow):
        assert _count(db, model, event_id) == 0, model
    for link in links:
        for url in (link["agenda_url"], link["agenda_pdf_url"], link["agenda_ics_url"]):
            assert client.get(url).status_code == 404
    assert client.get(f"/api/events/{event_id}", headers=headers).status_code == 401  # token is dead too


def test_delete_while_solving_stops_the_worker(client: TestClient) -> None:
    event_id, headers = upload(client, **big_event())
    job_id = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 30}, headers=headers).json()["job_id"]
    wait_for_job(client, job_id, headers, until=("running",))
    assert client.delete(f"/api/events/{event_id}", headers=headers).status_code == 204
    runner = client.app.state.runner  # type: ignore[attr-defined]
    assert job_id not in runner._running
    db = client.app.state.db  # type: ignore[attr-defined]
    assert _count(db, JobRow, event_id) == 0 and _count(db, ScheduleRow, event_id) == 0


# --- jobs ------------------------------------------------------------------------------------


def test_cancel_a_running_job(client: TestClient) -> None:
    event_id, headers = upload(client, **big_event())
    r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 40}, headers=headers)
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    running = wait_for_job(client, job_id, headers, until=("running",))
    assert running["state"] == "running"
    second = client.post(f"/api/events/{event_id}/solve", headers=headers)
    assert second.status_code == 409 and job_id in second.json()["detail"]
    time.sleep(1.0)
    assert client.post(f"/api/jobs/{job_id}/cancel", headers=headers).json()["cancel_requested"] is True
    job = wait_for_job(client, job_id, headers, timeout=20)  # well before its 40 s limit
    assert job["state"] == "cancelled" and job["error"] is None
    assert client.get(f"/api/events/{event_id}/schedule", headers=headers).status_code == 404
    # the event can be solved again afterwards
    r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 1}, headers=headers)
    assert r.status_code == 202
    assert client.delete(f"/api/jobs/{r.json()['job_id']}", headers=headers).status_code == 200
    assert wait_for_job(client, r.json()["job_id"], headers, timeout=20)["state"] == "cancelled"


def test_progress_is_reported_while_running(client: TestClient) -> None:
    event_id, headers = upload(client, **big_event(people=120, seed=3))
    job_id = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 6}, headers=headers).json()["job_id"]
    seen: set[str] = set()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["state"] == "running" and job["progress"].get("points") is not None:
            seen.add(job["progress"]["phase"])
            assert job["progress"]["elapsed"] is not None
        if job["state"] == "done":
            break
        time.sleep(0.1)
    assert job["state"] == "done", job
    assert seen & {"greedy", "bound", "search", "polish"}, seen
    assert job["progress"]["bound"] >= job["progress"]["points"] > 0


def test_infeasible_solve_fails_with_a_readable_error(client: TestClient) -> None:
    toml = (
        b'name = "Tight"\nslot_minutes = 20\ntables = 1\nobjective = "all"\n'
        b'[[days]]\ndate = "2027-03-10"\nstart = "09:00"\nend = "09:20"\n'
    )
    people = "id,name,organisation\na,Ærø A,X\nb,Bø B,Y\nc,Çe C,Z\n".encode()
    wishes = b"requester,target\na,b\na,c\n"
    event_id, headers = upload(client, event=toml, participants=people, wishes=wishes)
    job_id = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 2}, headers=headers).json()["job_id"]
    job = wait_for_job(client, job_id, headers)
    assert job["state"] == "failed"
    assert job["error"] and "not every wished meeting can be placed" in job["error"]


def test_bad_time_limit_is_422(client: TestClient, two_events: dict[str, Any]) -> None:
    url = f"/api/events/{two_events['a']}/solve"
    assert client.post(url, json={"time_limit": -1}, headers=two_events["a_headers"]).status_code == 422
    assert client.post(url, json={"time_limit": 10**9}, headers=two_events["a_headers"]).status_code == 422


def test_solve_returns_at_once(client: TestClient) -> None:
    event_id, headers = upload(client, **big_event(people=100, seed=5))
    r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 20}, headers=headers)
    assert r.status_code == 202
    # the answer came before the solve ended: a 20 s solve of 100 people is still under way
    assert client.get(f"/api/jobs/{r.json()['job_id']}", headers=headers).json()["state"] in ("queued", "running")
    # the web process keeps answering while the worker solves
    assert client.get(f"/api/events/{event_id}", headers=headers).status_code == 200
    client.post(f"/api/jobs/{r.json()['job_id']}/cancel", headers=headers)
    wait_for_job(client, r.json()["job_id"], headers, timeout=20)


# --- restarts --------------------------------------------------------------------------------


def test_restart_keeps_events_schedules_and_links(tmp_path: Path) -> None:
    db_file = tmp_path / "restart.db"
    with client_for(db_file) as first:
        event_id, headers = upload(first)
        solve(first, event_id, headers)
        csv_before = first.get(f"/api/events/{event_id}/schedule.csv", headers=headers).text
        links = first.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
    with client_for(db_file) as second:
        assert second.get(f"/api/events/{event_id}/schedule.csv", headers=headers).text == csv_before
        again = second.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        assert [p["agenda_url"] for p in again] == [p["agenda_url"] for p in links]
        assert "Søren Dybdahl" in second.get(links[0]["agenda_url"]).text
        assert second.get(f"/api/events/{event_id}/plan.pdf", headers=headers).status_code == 200


def test_restart_settles_a_job_left_running(tmp_path: Path) -> None:
    db_file = tmp_path / "crash.db"
    with client_for(db_file) as first:
        event_id, headers = upload(first)
    _running_job(db_file, event_id, "crashedjob", heartbeat_age=None)  # as if the server died mid-solve
    with client_for(db_file) as second:
        job = second.get("/api/jobs/crashedjob", headers=headers).json()
        assert job["state"] == "failed" and job["error"] == STOPPED_BY_SERVER


def _running_job(db_file: Path, event_id: str, job_id: str, heartbeat_age: float | None) -> None:
    """A job row left "running", as by another web process whose heartbeat is `heartbeat_age` old."""
    db = Database(settings_for(db_file).database_url)
    try:
        with db.session() as s:
            s.add(
                JobRow(
                    id=job_id,
                    event_id=event_id,
                    state="running",
                    time_limit=5,
                    progress={},
                    started_at=utcnow(),
                    heartbeat_at=None if heartbeat_age is None else utcnow() - dt.timedelta(seconds=heartbeat_age),
                )
            )
    finally:
        db.dispose()


def test_a_starting_server_leaves_a_live_servers_job_alone_until_its_heartbeat_stops(tmp_path: Path) -> None:
    db_file = tmp_path / "shared.db"
    with client_for(db_file) as first:
        event_id, headers = upload(first)
    _running_job(db_file, event_id, "livejob", heartbeat_age=0)  # another web process runs it now
    _running_job(db_file, event_id, "deadjob", heartbeat_age=120)  # its server stopped two minutes ago
    with client_for(db_file, job_stale_seconds=5.0) as second:
        assert second.get("/api/jobs/deadjob", headers=headers).json()["state"] == "failed"
        assert second.get("/api/jobs/livejob", headers=headers).json()["state"] == "running"
        # Nobody renews the live job's heartbeat any more: within a few sweeps it is settled too.
        job = wait_for_job(second, "livejob", headers, until=("failed",))
        assert job["error"] == STOPPED_BY_SERVER


def test_a_running_solve_keeps_its_heartbeat_fresh(tmp_path: Path) -> None:
    db_file = tmp_path / "beat.db"
    with client_for(db_file, job_stale_seconds=1.0) as c:
        event_id, headers = upload(c, **big_event())
        job_id = c.post(f"/api/events/{event_id}/solve", json={"time_limit": 4}, headers=headers).json()["job_id"]
        wait_for_job(c, job_id, headers, until=("running",))
        db = Database(settings_for(db_file).database_url)
        try:
            beats = []
            for _ in range(3):
                time.sleep(0.6)
                with db.session() as s:
                    beats.append(s.scalar(select(JobRow.heartbeat_at).where(JobRow.id == job_id)))
        finally:
            db.dispose()
        assert all(b is not None for b in beats) and beats[0] < beats[-1]
        # Longer than job_stale_seconds, yet never settled as stopped: its own server keeps it alive.
        job = wait_for_job(c, job_id, headers)
        assert job["state"] == "done", job


def test_shutdown_stops_workers_and_marks_their_jobs(tmp_path: Path) -> None:
    db_file = tmp_path / "shutdown.db"
    with client_for(db_file) as c:
        event_id, headers = upload(c, **big_event())
        job_id = c.post(f"/api/events/{event_id}/solve", json={"time_limit": 60}, headers=headers).json()["job_id"]
        wait_for_job(c, job_id, headers, until=("running",))
        # The job shows "running" from its claim, a moment before the runner registers its process.
        running = c.app.state.runner._running  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while job_id not in running and time.monotonic() < deadline:
            time.sleep(0.01)
        process = running[job_id].process
    assert not process.is_alive()
    with client_for(db_file) as c:
        job = c.get(f"/api/jobs/{job_id}", headers=headers).json()
        assert job["state"] == "failed" and job["error"] == STOPPED_BY_SERVER


# --- rendering safety ------------------------------------------------------------------------


def _hostile_event() -> Any:
    people = (
        'id,name,organisation\nx1,<script>alert(1)</script>,"<img src=http://example.com/a.png>"\n'
        "x2,Zoë <b>Bold</b>,Q\n"
    ).encode()
    toml = b'slot_minutes = 30\ntables = 1\n[[days]]\ndate = "2027-01-01"\nstart = "09:00"\nend = "10:00"\n'
    return load_event_bytes(toml, people, b"requester,target\nx1,x2\n").event


def test_names_are_escaped_in_html() -> None:
    event = _hostile_event()
    html = agenda_page(build_agenda(event, None, "x1"))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_pdf_never_fetches_remote_or_outside_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.urls import URLFetcher

    fetched: list[str] = []
    original = URLFetcher.fetch

    def spy(self: Any, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", spy)
    import scheduler.export.pdf as pdf_module

    monkeypatch.setattr(pdf_module, "_FETCHER", None)
    event = _hostile_event()
    pdf = agenda_pdf(build_agenda(event, None, "x1"))
    assert pdf.startswith(b"%PDF")
    assert fetched and all(re.match(r"file://.*/templates/fonts/DejaVuSans(-Bold)?\.ttf$", u) for u in fetched)
    fetcher = pdf_module._local_fetcher()
    for url in ("http://example.com/a.png", "file:///etc/passwd", f"file://{API_DATA}/event.toml"):
        with pytest.raises(OSError):
            fetcher.fetch(url)


def test_a_failed_link_reissue_revokes_nothing(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes import events

    event_id, headers = upload(client)
    old = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"][1]["agenda_url"]
    assert client.get(old).status_code == 200

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the answer could not be built")

    monkeypatch.setattr(events, "participant_view", broken)
    with pytest.raises(RuntimeError):
        client.post(f"/api/events/{event_id}/participants/p2/link", headers=headers)
    monkeypatch.undo()
    assert client.get(old).status_code == 200  # the old link still works: the revocation was not stored
    fresh = client.post(f"/api/events/{event_id}/participants/p2/link", headers=headers).json()["agenda_url"]
    assert fresh != old and client.get(old).status_code == 404 and client.get(fresh).status_code == 200
