"""The participant's phone page in a real browser: readable at 390 px without sideways scrolling,
no request outside the page's own server, and no serious axe-core violation (at 390 and 1280 px),
for a page with meetings and for the page a wrong link leads to."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from accessibility import assert_accessible
from playwright.sync_api import APIRequestContext, Page

API_DATA = Path(__file__).resolve().parents[1] / "api_data"
CONTACT = b'venue = "Hanaholmen, Espoo"\ncontact_email = "b2b@example.org"\ncontact_phone = "+358 40 123 4567"\n'


def _published_agenda_url(request: APIRequestContext) -> str:
    """Upload the API test event (with a venue and contact), solve and publish it; one person's link."""
    files = {
        name: {"name": f"{name if name != 'event' else 'event'}", "mimeType": "text/plain", "buffer": data}
        for name, data in (
            ("event", CONTACT + (API_DATA / "event.toml").read_bytes()),
            ("participants", (API_DATA / "participants.csv").read_bytes()),
            ("wishes", (API_DATA / "wishes.csv").read_bytes()),
        )
    }
    created = request.post("/api/events", multipart=files)
    assert created.status == 201, created.text()
    body: dict[str, Any] = created.json()
    headers = {"Authorization": f"Bearer {body['organiser_token']}"}
    job = request.post(
        f"/api/events/{body['id']}/solve", data={"time_limit": 1.5, "publish": True}, headers=headers
    ).json()
    deadline = time.monotonic() + 90
    while request.get(f"/api/jobs/{job['job_id']}", headers=headers).json()["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, "the solve did not finish"
        time.sleep(0.2)
    people = request.get(f"/api/events/{body['id']}/participants", headers=headers).json()["data"]
    url: str = people[0]["agenda_url"]
    return url


@pytest.fixture(scope="module")
def agenda_url(browser: Any, base_url: str) -> str:
    context = browser.new_context(base_url=base_url)
    try:
        return _published_agenda_url(context.request)
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_agenda_page_is_accessible_and_fits_a_phone(page: Page, agenda_url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(agenda_url)
    assert page.locator("h1").count() == 1 and page.locator("main").count() == 1
    assert page.get_by_role("link", name="Add to calendar (.ics)").count() == 1
    assert page.get_by_text("Venue: Hanaholmen, Espoo").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)


def test_a_wrong_link_gets_an_accessible_page(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    response = page.goto(f"{base_url}/agenda/{'x' * 40}")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "This agenda link does not work"
    assert_accessible(page)
