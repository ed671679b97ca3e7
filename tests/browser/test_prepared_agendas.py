"""Everyone's agendas, and the re-issued agendas of a publication, prepared in the background, in a
real browser: the button, the page that follows the work (htmx poll, no inline script), then the
download; checked by axe-core and at 390 px."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx2
from playwright.sync_api import Page, expect
from test_organiser_flow import PHONE, check_page, organiser  # noqa: F401 - the page fixture

SAMPLE = Path(__file__).resolve().parents[2] / "sample_events" / "cluster-day"


def _solved_event(base_url: str, draft_change: bool = False) -> str:
    """A sample event solved and published through the API; its organiser token. With `draft_change`
    one meeting is then cancelled by hand: version 2, a draft affecting two people."""
    with httpx2.Client(base_url=base_url, timeout=60) as client:
        files = {
            f: (n, (SAMPLE / n).read_bytes())
            for f, n in (("event", "event.toml"), ("participants", "participants.csv"), ("wishes", "wishes.csv"))
        }
        created = client.post("/api/events", files=files)
        assert created.status_code == 201, created.text
        token: str = created.json()["organiser_token"]
        headers = {"Authorization": f"Bearer {token}"}
        event_id = created.json()["id"]
        job = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 2, "publish": True}, headers=headers)
        deadline = time.monotonic() + 180
        while client.get(f"/api/jobs/{job.json()['job_id']}", headers=headers).json()["state"] not in (
            "done",
            "failed",
        ):
            assert time.monotonic() < deadline
            time.sleep(0.5)
        if draft_change:
            meeting = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()["meetings"][0]
            pair = {"a": meeting["participant_a"], "b": meeting["participant_b"]}
            assert client.post(f"/api/events/{event_id}/meetings/cancel", json=pair, headers=headers).status_code == 200
        return token


def test_all_agendas_are_prepared_followed_and_downloaded(organiser: Page, live_server: str) -> None:  # noqa: F811
    page = organiser
    page.goto(f"/o/{_solved_event(live_server)}")
    page.get_by_role("button", name="Prepare all agendas (PDF, one page per person)").click()
    expect(page.get_by_role("heading", name="All agendas (PDF), version 1")).to_be_visible()
    check_page(page)
    download_link = page.get_by_role("link", name="Download all agendas (PDF)")
    expect(download_link).to_be_visible(timeout=120_000)  # the poll brings it in, no reload
    check_page(page)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_the_affected_peoples_agendas_are_prepared_after_publishing(organiser: Page, live_server: str) -> None:  # noqa: F811
    """Publishing starts them; the published page follows them and brings in the download, no reload."""
    page = organiser
    page.goto(f"/o/{_solved_event(live_server, draft_change=True)}")
    page.goto(page.url.rstrip("/") + "/publish?version=2")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Version 2 is published")).to_be_visible()
    check_page(page)
    _each_agenda_link_fits_a_phone(page)
    download_link = page.get_by_role("link", name="Download the affected people's agendas (PDF)")
    expect(download_link).to_be_visible(timeout=120_000)
    check_page(page)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith("changed-agendas-v1-v2.pdf")


def _each_agenda_link_fits_a_phone(page: Page) -> None:
    """At 390 px the "who is affected" table drops its Agenda column and shows the link under the
    person's name, so that the changes keep a readable width; on a desktop it is the other way round."""
    size = page.viewport_size
    first = page.locator("table.affected tbody tr").first
    in_name = first.locator("th").get_by_role("link", name=re.compile(r"^Agenda of .+ \(PDF\)$"))
    in_column = first.locator("td.mid").get_by_role("link", name=re.compile(r"^Download .+'s agenda \(PDF\)$"))
    expect(in_column).to_be_visible()
    expect(in_name).to_be_hidden()
    page.set_viewport_size(PHONE)
    try:
        expect(in_name).to_be_visible()
        expect(in_column).to_be_hidden()
    finally:
        if size:
            page.set_viewport_size(size)
