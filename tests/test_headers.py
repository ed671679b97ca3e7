"""Hardening (issue 12, finding 8): security headers on every response, no-store on every response
that carries a private link, links that a forged Host cannot redirect, the link key outside the
database, and an organiser token the API can rotate."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.security import LINK_SECRET, KeyMismatch, participant_token
from api.storage import Database, SecretRow
from tests.api_helpers import client_for, event_files, settings_for, solve, upload
from tests.web_helpers import HTML, signed_in_event

ALWAYS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


@pytest.fixture
def solved(tmp_path: Path) -> Iterator[tuple[TestClient, str, dict[str, str], str]]:
    """A client signed in to an event with two published versions; yields (client, event id, API
    headers, one participant's agenda link path)."""
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers)
        solve(client, event_id, headers)
        people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
        agenda = httpx.URL(people[0]["agenda_url"]).path
        yield client, event_id, headers, agenda


def test_private_link_responses_are_never_stored(solved: tuple[TestClient, str, dict[str, str], str]) -> None:
    """Every response that holds a private link (or the organiser token) says no-store; six did not."""
    client, event_id, headers, agenda = solved
    api = f"/api/events/{event_id}"
    responses = {
        "create (multipart)": client.post("/api/events", files=event_files()),
        "create (JSON)": client.post(
            "/api/events/json",
            json={k: v[1].decode() for k, v in event_files().items()},
        ),
        "participants": client.get(f"{api}/participants", headers=headers),
        "re-issued link": client.post(f"{api}/participants/p2/link", headers=headers),
        "diff": client.get(f"{api}/diff?from=1&to=2", headers=headers),
        "diff.csv": client.get(f"{api}/diff.csv?from=1&to=2", headers=headers),
        "agenda page": client.get(agenda),
        "agenda pdf": client.get(f"{agenda}.pdf"),
        "agenda ics": client.get(f"{agenda}.ics"),
        "links csv (web)": client.get(f"/events/{event_id}/download/participant-links.csv"),
        "agendas zip (web)": client.get(f"/events/{event_id}/download/agendas.zip"),
        "people page (web)": client.get(f"/events/{event_id}/people", headers=HTML),
        "participant changed": client.patch(f"{api}/participants/p3", json={"organisation": "Neu"}, headers=headers),
        "participant added": client.post(f"{api}/participants", json={"id": "p99", "name": "Late"}, headers=headers),
        "token rotated": client.post(f"{api}/token/rotate", headers=headers),
    }
    for what, r in responses.items():
        assert r.status_code in (200, 201), (what, r.status_code, r.text[:200])
        assert "no-store" in r.headers.get("cache-control", ""), what
        for name, value in ALWAYS.items():
            assert r.headers.get(name) == value, (what, name)


def test_every_html_response_has_a_content_security_policy(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = upload(client)
        pages = {
            "start page": client.get("/", headers=HTML),
            "API docs": client.get("/docs"),
            "error page": client.get("/no/such/page", headers=HTML),
            "unknown agenda link": client.get("/agenda/" + "x" * 40, headers=HTML),
            "organiser link that does not work": client.get("/o/nope", headers=HTML),
        }
        for what, r in pages.items():
            assert r.headers["content-type"].startswith("text/html"), what
            csp = r.headers.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, (what, csp)
            assert r.headers.get("x-frame-options") == "DENY", what
        assert "'unsafe-inline'" not in pages["start page"].headers["content-security-policy"].split("script-src")[1]
        # Refusals made before any route runs carry the headers too.
        too_big = client.post("/api/events/json", content=b"x" * 90_000_000)
        assert too_big.status_code == 413
        assert too_big.headers.get("x-content-type-options") == "nosniff"
        assert event_id


def test_static_files_may_be_cached(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        r = client.get("/static/app.css")
    assert r.status_code == 200
    assert "no-store" not in r.headers.get("cache-control", "")
    assert r.headers["x-content-type-options"] == "nosniff"


# --- Host ----------------------------------------------------------------------------------------


def test_a_forged_host_gets_no_links_without_a_public_base_url(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", allowed_hosts=[]) as client:
        r = client.post("/api/events", files=event_files(), headers={"Host": "evil.example"})
        assert r.status_code == 400, r.text
        assert "MATCHDAY_PUBLIC_BASE_URL" in r.json()["detail"]
        r = client.post("/api/events", files=event_files(), headers={"Host": "localhost:8000"})
        assert r.status_code == 201, r.text
        event_id, token = r.json()["id"], r.json()["organiser_token"]
        auth = {"Authorization": f"Bearer {token}"}
        r = client.get(f"/api/events/{event_id}/participants", headers=auth | {"Host": "127.0.0.1:8000"})
        assert r.json()["data"][0]["agenda_url"].startswith("http://127.0.0.1:8000/agenda/")
        r = client.get(f"/api/events/{event_id}/participants", headers=auth | {"Host": "evil.example"})
        assert r.status_code == 400


def test_with_a_public_base_url_links_ignore_the_host(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite", public_base_url="https://matchday.example.org", allowed_hosts=[]) as c:
        r = c.post("/api/events", files=event_files(), headers={"Host": "evil.example"})
        assert r.status_code == 201, r.text
        auth = {"Authorization": f"Bearer {r.json()['organiser_token']}", "Host": "evil.example"}
        people = c.get(f"/api/events/{r.json()['id']}/participants", headers=auth).json()["data"]
    assert all(p["agenda_url"].startswith("https://matchday.example.org/agenda/") for p in people)


# --- the link key --------------------------------------------------------------------------------


def test_the_link_key_is_kept_outside_the_database(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "db.sqlite", secret_key_file=tmp_path / "link.key")
    with TestClient(create_app(settings)) as client:
        key = client.app.state.link_secret  # type: ignore[attr-defined]
        upload(client)
    assert (tmp_path / "link.key").read_text().strip() == key
    assert stat.S_IMODE(os.stat(tmp_path / "link.key").st_mode) == 0o600
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            stored = [row.value for row in s.scalars(select(SecretRow))]
    finally:
        db.dispose()
    assert stored and all(key not in value for value in stored)
    with TestClient(create_app(settings)) as client:  # a restart: the same key, the same links
        assert client.app.state.link_secret == key  # type: ignore[attr-defined]


def test_a_clear_key_of_an_older_database_moves_out_and_its_links_keep_working(tmp_path: Path) -> None:
    # An event whose links were made with "the-old-secret"; then the database is made to look as one
    # from before the key file, which kept that secret in clear (and no fingerprint).
    with TestClient(create_app(settings_for(tmp_path / "db.sqlite", secret_key="the-old-secret"))) as old:
        event_id, _ = upload(old)
    link = f"/agenda/{participant_token('the-old-secret', event_id, 'p1', 1)}"
    settings = settings_for(tmp_path / "db.sqlite", secret_key_file=tmp_path / "link.key")
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            for row in s.scalars(select(SecretRow)):
                s.delete(row)
            s.add(SecretRow(name=LINK_SECRET, value="the-old-secret"))
    finally:
        db.dispose()
    with TestClient(create_app(settings)) as client:
        assert client.get(link).status_code == 200
    assert (tmp_path / "link.key").read_text().strip() == "the-old-secret"
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            assert s.get(SecretRow, LINK_SECRET) is None
            assert all("the-old-secret" not in row.value for row in s.scalars(select(SecretRow)))
    finally:
        db.dispose()


def test_a_server_with_another_key_refuses_to_start(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "db.sqlite", secret_key_file=tmp_path / "a.key")
    with TestClient(create_app(settings)):
        pass
    other = settings_for(tmp_path / "db.sqlite", secret_key_file=tmp_path / "b.key")
    with pytest.raises(KeyMismatch, match="b.key"), TestClient(create_app(other)):
        pass


# --- rotating the organiser token ------------------------------------------------------------------


def test_the_api_rotates_the_organiser_token(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, old = upload(client)
        r = client.post(f"/api/events/{event_id}/token/rotate", headers=old)
        assert r.status_code == 200, r.text
        new = {"Authorization": f"Bearer {r.json()['organiser_token']}"}
        assert client.get(f"/api/events/{event_id}", headers=old).status_code == 401
        assert client.get(f"/api/events/{event_id}", headers=new).status_code == 200
        assert client.get(f"/o/{old['Authorization'].split()[1]}", headers=HTML).status_code == 404
        schema = client.get("/openapi.json").json()
    assert "/api/events/{event_id}/token/rotate" in schema["paths"]
