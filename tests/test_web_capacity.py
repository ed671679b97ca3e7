"""Table planning through the API (`POST /api/events/{id}/capacity`) and the organiser's page
(`/events/{id}/capacity`: the plain form, and the htmx panel whose stream runs the planning)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.api_helpers import client_for, upload
from tests.web_helpers import HTML, csrf_of, signed_in_event


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    with client_for(tmp_path / "db.sqlite") as c:
        yield c


def test_api_plans_the_tables(client: TestClient) -> None:
    event_id, headers = upload(client)
    r = client.post(f"/api/events/{event_id}/capacity", json={"solve_seconds": 0.3}, headers=headers)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["current"] == 3
    assert 0 <= plan["recommended"] <= plan["unlimited"]
    tables = [row["tables"] for row in plan["rows"]]
    assert tables == sorted(tables) and plan["recommended"] in tables and plan["unlimited"] in tables
    unlimited = plan["rows"][-1]
    assert unlimited["points"] == plan["reference_points"] and unlimited["share"] == 1.0
    assert {row["slot_change"] for row in plan["slot_rows"]} == {-1, 1}
    assert r.headers["cache-control"] == "no-store"


def test_api_refuses_without_a_token_or_with_bad_options(client: TestClient) -> None:
    event_id, headers = upload(client)
    assert client.post(f"/api/events/{event_id}/capacity").status_code == 401
    r = client.post(f"/api/events/{event_id}/capacity", json={"solve_seconds": 0}, headers=headers)
    assert r.status_code == 422


def test_page_links_from_the_overview_and_plans_without_javascript(client: TestClient) -> None:
    event_id, _ = signed_in_event(client)
    assert f'href="/events/{event_id}/capacity"' in client.get(f"/events/{event_id}", headers=HTML).text
    page = client.get(f"/events/{event_id}/capacity", headers=HTML)
    assert page.status_code == 200 and "No planning yet" in page.text
    token = csrf_of(client, f"/events/{event_id}/capacity")
    r = client.post(f"/events/{event_id}/capacity", data={"csrf": token}, headers=HTML)
    assert r.status_code == 200, r.text
    assert "Recommended:" in r.text and 'class="badge ok">recommended' in r.text
    assert "<caption>Points by number of shared tables" in r.text and "One slot fewer a day" in r.text


def test_page_form_needs_the_csrf_token(client: TestClient) -> None:
    event_id, _ = signed_in_event(client)
    r = client.post(f"/events/{event_id}/capacity", data={"csrf": "0" * 64}, headers=HTML)
    assert r.status_code == 403


def test_htmx_panel_streams_progress_then_the_result(client: TestClient) -> None:
    event_id, _ = signed_in_event(client)
    token = csrf_of(client, f"/events/{event_id}/capacity")
    panel = client.post(f"/events/{event_id}/capacity", data={"csrf": token}, headers={**HTML, "HX-Request": "true"})
    assert panel.status_code == 200
    assert f'sse-connect="/events/{event_id}/capacity/stream?csrf={token}"' in panel.text
    assert 'role="progressbar"' in panel.text
    stream = client.get(f"/events/{event_id}/capacity/stream?csrf={token}")
    assert stream.status_code == 200
    events = [line.removeprefix("event: ") for line in stream.text.splitlines() if line.startswith("event: ")]
    assert events[0] == "progress" and "phase" in events
    assert events[-2:] == ["result", "done"]
    assert "Recommended:" in stream.text and 'role="progressbar"' in stream.text


def test_stream_needs_the_csrf_token(client: TestClient) -> None:
    event_id, _ = signed_in_event(client)
    assert client.get(f"/events/{event_id}/capacity/stream?csrf=nope", headers=HTML).status_code == 403
