"""A big new participants file for an existing event, in a real browser: the form's htmx post loads
the page that follows the background's reading (htmx poll, no inline script), which then shows the
changes to confirm; the confirmation is applied in the background too, and the browser ends on the
overview. Checked by axe-core and at 390 px. (The files are above the service's default 256 KB.)"""

from __future__ import annotations

import re
from pathlib import Path

import httpx2
from playwright.sync_api import Page, expect
from test_organiser_flow import check_page, organiser  # noqa: F401 - the page fixture

API_DATA = Path(__file__).resolve().parents[1] / "api_data"
NEWCOMERS = 8_000  # about 330 KB


def _event(base_url: str) -> tuple[str, str]:
    files = {
        f: (n, (API_DATA / n).read_bytes())
        for f, n in (("event", "event.toml"), ("participants", "participants.csv"), ("wishes", "wishes.csv"))
    }
    created = httpx2.post(f"{base_url}/api/events", files=files, timeout=60)
    assert created.status_code == 201, created.text
    return created.json()["id"], created.json()["organiser_token"]


def _people(tmp_path: Path, bad: bool = False) -> Path:
    rows = (API_DATA / "participants.csv").read_bytes()
    rows += b"".join(f"n{i},Newcomer {i},Org {i % 7},buyer,Norway,,,\n".encode() for i in range(NEWCOMERS))
    if bad:
        rows = rows.replace(b"n17,Newcomer 17", b",Newcomer 17")
    path = tmp_path / ("bad-people.csv" if bad else "people.csv")
    path.write_bytes(rows)
    return path


def test_a_big_participants_file_is_read_confirmed_and_applied_in_the_background(
    organiser: Page,  # noqa: F811
    live_server: str,
    tmp_path: Path,
) -> None:
    page = organiser
    event_id, token = _event(live_server)
    page.goto(f"/o/{token}")
    page.goto(f"/events/{event_id}/files")
    page.set_input_files("#file-participants", _people(tmp_path))
    page.locator("form[data-upload-form]").get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(rf"/events/{event_id}/files/[0-9a-f]+$"))
    follow_url = page.url
    expect(page.get_by_role("heading", name="Check the changes")).to_be_visible(timeout=120_000)
    assert page.url == follow_url  # the poll's final reload showed this page, not the form again
    expect(page.get_by_text(f"Added people ({NEWCOMERS:,})")).to_be_visible()
    expect(page.get_by_text(f"… and {NEWCOMERS - 200:,} more, not listed here.")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Apply these changes").click()
    expect(page).to_have_url(re.compile(rf"/events/{event_id}$"), timeout=120_000)
    event = httpx2.get(f"{live_server}/api/events/{event_id}", headers={"Authorization": f"Bearer {token}"}).json()
    assert event["revision"] == 2 and event["participants"] == 8 + NEWCOMERS

    page.goto(f"/events/{event_id}/files")
    page.set_input_files("#file-participants", _people(tmp_path, bad=True))
    page.locator("form[data-upload-form]").get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="The new files were not applied")).to_be_visible(timeout=120_000)
    table = page.get_by_role("table", name="Problems, by file, row and column")
    expect(table.get_by_role("row").nth(1)).to_contain_text("participants.csv")
    expect(table.get_by_role("row").nth(1)).to_contain_text("27")
    check_page(page)
