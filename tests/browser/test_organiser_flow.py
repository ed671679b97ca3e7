"""The organiser's whole flow in a real browser (Debian's chromium) against the real service:
a bad upload and its fix, a solve with live progress, the day's grid, a move, the Unscheduled
tray, a person marked absent, a re-solve, a publish and the agendas; every page checked by
axe-core and at 390 px; and the first-time organiser's path in under 10 clicks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from accessibility import assert_accessible
from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page, expect

SAMPLE = Path(__file__).resolve().parents[2] / "sample_events" / "cluster-day"
PHONE = {"width": 390, "height": 844}
ANSWERED_4XX = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


@pytest.fixture
def organiser(new_context) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A browser page that fails the test on any console error (a CSP refusal, a broken script)."""
    context: BrowserContext = new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)  # CI shares two cores with solver tests: pages may take a while
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A 4xx answer is a page too (a form's problems, 422): the browser logs its status, no error.
        if message.type == "error" and not ANSWERED_4XX.match(message.text):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"console errors: {errors}"


def check_page(page: Page) -> None:
    """axe-core finds nothing serious, and at 390 px wide the page itself never scrolls sideways
    (wide tables scroll inside their own box)."""
    assert_accessible(page)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{page.url} is {overflow} px wider than a 390 px phone"
        assert_accessible(page)
    finally:
        if size:
            page.set_viewport_size(size)


def wait_for_solve(page: Page) -> None:
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Solved: version \d+ is ready as a draft"))).to_be_visible(timeout=120_000)


def test_the_whole_flow_on_a_sample_event(organiser: Page, tmp_path: Path) -> None:
    page = organiser
    page.goto("/")
    check_page(page)
    page.get_by_role("link", name="New event").click()
    check_page(page)

    # A bad participants file: the loader's problems inline, with file, row and column; nothing stored.
    bad = tmp_path / "participants.csv"
    lines = (SAMPLE / "participants.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[1]  # row 4 repeats row 2's id
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.get_by_label("Event settings", exact=True).set_input_files(SAMPLE / "event.toml")
    page.get_by_label("Participants", exact=True).set_input_files(bad)
    page.get_by_label("Wishes", exact=True).set_input_files(SAMPLE / "wishes.csv")
    page.get_by_role("button", name="Upload").click()
    problems = page.get_by_role("table", name="Problems")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("participants.csv")
    expect(problems.get_by_role("row").filter(has_text="participants.csv").first).to_contain_text("4")
    check_page(page)

    # The fixed file: the event is created, the organiser link shown once, the browser signed in.
    page.get_by_label("Participants", exact=True).set_input_files(SAMPLE / "participants.csv")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_label("Organiser link")).to_have_value(re.compile(r"/o/[A-Za-z0-9_-]{20,}$"))
    check_page(page)
    page.get_by_role("link", name="Continue to the event").click()
    check_page(page)

    # Solve with a short limit; the progress bar is live, the result replaces it.
    page.get_by_label("Time limit").fill("4")
    page.get_by_role("button", name="Solve", exact=True).click()
    wait_for_solve(page)
    check_page(page)

    # The day: the grid, a selected meeting whose valid cells light up, a move.
    page.get_by_role("link", name="See the schedule").click()
    grid = page.get_by_role("table", name=re.compile(r"^Schedule"))
    expect(grid).to_be_visible()
    check_page(page)
    # This day is table-bound (10 tables, 40 people): most meetings have nowhere to go, since every
    # other slot's tables are full. Select one after another until one may move.
    selects = grid.get_by_role("link", name=re.compile("^Select the meeting of"))
    hrefs = [selects.nth(i).get_attribute("href") for i in range(selects.count())]
    move_here: Locator = page.get_by_role("button", name=re.compile("^Move here"))
    for href in hrefs:
        page.goto(str(href))
        if move_here.count():
            break
    expect(move_here.first).to_be_visible()
    check_page(page)
    move_here.first.click()
    expect(page.get_by_text(re.compile(r"This is version 2, a draft"))).to_be_visible()

    # The tray, a person, statistics, history.
    page.get_by_role("link", name="Unscheduled").click()
    expect(page.get_by_role("table", name="Unscheduled")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Statistics").click()
    check_page(page)
    page.get_by_role("link", name="People").click()
    check_page(page)
    page.get_by_role("searchbox").first.fill("Bērziņš")
    page.get_by_role("searchbox").first.press("Enter")
    page.get_by_role("link", name=re.compile("Jānis Bērziņš")).first.click()
    check_page(page)
    page.get_by_role("button", name="Mark as absent").click()
    expect(page.get_by_role("link", name="Re-solve on the overview")).to_be_visible()

    # Re-solve from now, then publish and take the agendas.
    page.get_by_role("link", name="Re-solve on the overview").click()
    page.get_by_role("button", name="Re-solve").click()
    wait_for_solve(page)
    page.get_by_role("link", name="Review and publish", exact=True).click()
    check_page(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name=re.compile(r"Version \d+ is published"))).to_be_visible()
    check_page(page)
    with page.expect_download(timeout=120_000) as download:  # dozens of PDF pages, on a busy machine
        page.get_by_role("link", name=re.compile(r"^Download the .*agendas \(PDF")).click()
    pdf = Path(download.value.path())
    assert pdf.read_bytes()[:5] == b"%PDF-"
    page.get_by_role("link", name="Versions").click()
    expect(page.get_by_role("table", name="Version history")).to_contain_text("organiser (web)")
    check_page(page)

    # Signing out: the event's pages ask for the organiser link again.
    page.get_by_role("button", name="Sign out").click()
    event_path = re.sub(r"^https?://[^/]+", "", download.value.url).split("/download/")[0]
    page.goto(event_path)
    expect(page.get_by_role("heading", name="Please sign in")).to_be_visible()
    check_page(page)


def test_a_first_time_organiser_publishes_and_gets_an_agenda_in_under_10_clicks(organiser: Page) -> None:
    """From the start page and the three sample files to a published schedule and a PDF agenda.
    Choosing a file counts as a click (the file dialog)."""
    page = organiser
    clicks = 0

    def click(target: Locator) -> None:
        nonlocal clicks
        clicks += 1
        target.click()

    def choose(label: str, path: Path) -> None:
        nonlocal clicks
        clicks += 1
        page.get_by_label(label, exact=True).set_input_files(path)

    page.goto("/")
    click(page.get_by_role("link", name="New event"))
    choose("Event settings", SAMPLE / "event.toml")
    choose("Participants", SAMPLE / "participants.csv")
    choose("Wishes", SAMPLE / "wishes.csv")
    click(page.get_by_role("button", name="Upload"))
    click(page.get_by_role("button", name="Solve now"))
    wait_for_solve(page)
    click(page.get_by_role("link", name="Review and publish", exact=True))
    click(page.get_by_role("button", name="Publish"))
    with page.expect_download(timeout=120_000) as download:
        click(page.get_by_role("link", name=re.compile(r"^Download the .*agendas \(PDF")))
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    assert clicks < 10, clicks
