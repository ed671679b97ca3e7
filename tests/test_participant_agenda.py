"""The participant's agenda (issue 10, items 3-5): the phone page with "now / next" from an injected
clock, venue and contact from event.toml, who asked for each meeting, runs of free slots folded,
the printed sheet's QR code (decoded back to the link), a friendly page for a bad link, and the
calendar subscription that updates in place from one published version to the next."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import API_DATA, client_for, solve, upload
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.routes.agendas import current_time
from scheduler.domain import Event, Meeting, Schedule
from scheduler.export.agenda import build_agenda
from scheduler.export.calendar import agenda_ics, meeting_uid
from scheduler.export.history import ScheduleVersion
from scheduler.export.html import agenda_page
from scheduler.export.today import now_next
from scheduler.io.loading import load_event_bytes
from scheduler.problems import EventError

CONTACT = b'venue = "Hanaholmen, Espoo"\ncontact_email = "b2b@example.org"\ncontact_phone = "+358 40 123 4567"\n'
TOML = CONTACT + (API_DATA / "event.toml").read_bytes()
HELSINKI = dt.timezone(dt.timedelta(hours=2))  # 10 March 2027 is winter time in Europe/Helsinki


def _event(toml: bytes = TOML, wishes: bytes | None = None) -> Event:
    people = (API_DATA / "participants.csv").read_bytes()
    return load_event_bytes(toml, people, wishes or (API_DATA / "wishes.csv").read_bytes()).event


# --- event.toml --------------------------------------------------------------------------------


def test_venue_and_contact_are_read_from_event_toml() -> None:
    event = _event()
    assert (event.venue, event.contact_email, event.contact_phone) == (
        "Hanaholmen, Espoo",
        "b2b@example.org",
        "+358 40 123 4567",
    )
    assert _event((API_DATA / "event.toml").read_bytes()).venue == ""


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (b'contact_email = "b2b.example.org"\n', "contact_email", "is not an e-mail address"),
        (b'contact_phone = "call us"\n', "contact_phone", "is not a phone number"),
        (b'venue = "Hall\\u0007 C"\n', "venue", "one line of text"),
        (b"venue = 7\n", "venue", "one line of text"),
    ],
)
def test_bad_contact_settings_say_where_and_why(line: bytes, column: str, words: str) -> None:
    with pytest.raises(EventError) as caught:
        _event(line + (API_DATA / "event.toml").read_bytes())
    (problem,) = caught.value.problems
    assert problem.file == "event.toml" and problem.row == 1 and problem.column == column
    assert words in problem.message


# --- the agenda's rows and the clock -------------------------------------------------------------


def _two_meetings() -> tuple[Event, Schedule]:
    """p1 meets p2 (both asked) at 09:00 and p4 (only p4 asked) at 11:00; p1 asked for p3, unmet."""
    wishes = b"requester,target\np1,p2\np2,p1\np4,p1\np1,p3\n"
    event = _event(wishes=wishes)
    day = event.days[0]
    first, last = day.slots[0], day.slots[-1]
    return event, Schedule.of([Meeting(first, "1", "p1", "p2"), Meeting(last, "2", "p4", "p1")])


def test_runs_of_free_slots_are_one_row_and_each_meeting_says_who_asked() -> None:
    event, schedule = _two_meetings()
    day = build_agenda(event, schedule, "p1").days[0]
    kinds = [(e.kind, f"{e.start:%H:%M}", f"{e.end:%H:%M}", e.slots) for e in day.rows]
    assert kinds == [
        ("meeting", "09:00", "09:20", 1),
        ("free", "09:20", "10:20", 3),
        ("break", "10:20", "10:40", 1),
        ("free", "10:40", "11:40", 3),
        ("meeting", "11:40", "12:00", 1),
    ]
    assert len(day.entries) == 9  # every slot is still there for whoever needs it
    assert [e.asked for e in day.rows if e.kind == "meeting"] == ["both", "they"]
    assert [e.asked for e in build_agenda(event, schedule, "p4").meetings] == ["you"]
    html = agenda_page(build_agenda(event, schedule, "p1"))
    assert "you both asked" in html and "they asked to meet you" in html
    assert "09:20–10:20 free" in html and html.count("free</li>") == 2


@pytest.mark.parametrize(
    ("local", "now", "next_", "event_day", "over"),
    [
        ("2027-03-09 18:00", None, "09:00", False, False),  # the evening before
        ("2027-03-10 09:05", "09:00", "11:40", True, False),  # during the first meeting
        ("2027-03-10 09:20", None, "11:40", True, False),  # the first has just ended
        ("2027-03-10 11:59", "11:40", None, True, False),
        ("2027-03-10 12:00", None, None, True, True),
    ],
)
def test_now_and_next_follow_the_clock(
    local: str, now: str | None, next_: str | None, event_day: bool, over: bool
) -> None:
    event, schedule = _two_meetings()
    agenda = build_agenda(event, schedule, "p1")
    clock = dt.datetime.fromisoformat(local).replace(tzinfo=HELSINKI).astimezone(dt.UTC)
    seen = now_next(agenda, clock)
    assert (f"{seen.now.start:%H:%M}" if seen.now else None) == now
    assert (f"{seen.next.start:%H:%M}" if seen.next else None) == next_
    assert (seen.event_day, seen.over) == (event_day, over)
    with pytest.raises(ValueError):
        now_next(agenda, clock.replace(tzinfo=None))


# --- the calendar subscription -------------------------------------------------------------------


def test_a_published_change_updates_the_subscribed_calendar_in_place() -> None:
    event, first = _two_meetings()
    day = event.days[0]
    moved = Schedule.of([Meeting(day.slots[1], "3", "p1", "p2")])  # p2 moved; p4's meeting dropped
    t1 = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)
    t2 = t1 + dt.timedelta(days=2)
    v1 = [ScheduleVersion(1, t1, first)]
    v2 = [*v1, ScheduleVersion(2, t2, moved)]
    before = {str(e["UID"]): e for e in Calendar.from_ical(agenda_ics(event, "ev", "p1", v1)).walk("VEVENT")}
    cal = Calendar.from_ical(agenda_ics(event, "ev", "p1", v2))
    after = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    with_p2, with_p4 = meeting_uid("ev", "p1", "p2"), meeting_uid("ev", "p4", "p1")
    assert set(before) == set(after) == {with_p2, with_p4}
    assert int(after[with_p2]["SEQUENCE"]) > int(before[with_p2]["SEQUENCE"])
    assert after[with_p2]["DTSTART"].dt.astimezone(HELSINKI).strftime("%H:%M") == "09:20"
    assert str(after[with_p2]["STATUS"]) == "CONFIRMED" and "3" in str(after[with_p2]["LOCATION"])
    assert str(before[with_p4]["STATUS"]) == "CONFIRMED" and str(after[with_p4]["STATUS"]) == "CANCELLED"
    assert int(after[with_p4]["SEQUENCE"]) > int(before[with_p4]["SEQUENCE"])
    assert after[with_p2]["LAST-MODIFIED"].dt == t2 and after[with_p2]["DTSTAMP"].dt == t2
    assert before[with_p2]["DTSTAMP"].dt == t1
    assert "Hanaholmen, Espoo" in str(after[with_p2]["LOCATION"])
    assert cal["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1) and str(cal["X-PUBLISHED-TTL"]) == "PT1H"


def test_control_characters_and_line_breaks_never_break_the_calendar() -> None:
    people = b'id,name,organisation\np1,"Ann\x07 Bell","Esc\x1b Ltd"\np2,"Bo\r\nDahl","Line\nTwo; A, B"\n'
    toml = (API_DATA / "event.toml").read_bytes()
    event = load_event_bytes(toml, people, b"requester,target\np1,p2\n").event
    schedule = Schedule.of([Meeting(event.days[0].slots[0], "1", "p1", "p2")])
    data = agenda_ics(event, "ev", "p1", [ScheduleVersion(1, dt.datetime(2027, 3, 1, tzinfo=dt.UTC), schedule)])
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data)
    assert all(line.endswith(b"\r") or not line for line in data.split(b"\n")[:-1])  # CRLF line ends only
    (meeting,) = Calendar.from_ical(data).walk("VEVENT")
    assert "\n" not in str(meeting["SUMMARY"]) and "Bo Dahl" in str(meeting["SUMMARY"])
    assert "Line\nTwo; A, B" in str(meeting["DESCRIPTION"])
    assert "\x1b" not in str(meeting["DESCRIPTION"]) and "Esc" not in str(meeting["SUMMARY"])


# --- through the service -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with client_for(tmp_path_factory.mktemp("agenda") / "agenda.db") as client:
        yield _publish(client)


def _publish(client: TestClient) -> dict[str, Any]:
    event_id, headers = upload(client, event=TOML)
    solve(client, event_id, headers)
    people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
    schedule = client.get(f"/api/events/{event_id}/schedule", headers=headers).json()
    busy = [p for p in people if any(p["id"] in (m["participant_a"], m["participant_b"]) for m in schedule["meetings"])]
    return {"client": client, "event_id": event_id, "headers": headers, "me": busy[0], "meetings": schedule["meetings"]}


def _at(client: TestClient, moment: dt.datetime) -> None:
    client.app.dependency_overrides[current_time] = lambda: moment  # type: ignore[attr-defined]


def test_the_phone_page_puts_the_next_meeting_on_top(published: dict[str, Any]) -> None:
    client, me = published["client"], published["me"]
    mine = sorted(
        (m for m in published["meetings"] if me["id"] in (m["participant_a"], m["participant_b"])),
        key=lambda m: m["start"],
    )
    first = mine[0]
    start = dt.datetime.fromisoformat(f"{first['day']} {first['start']}").replace(tzinfo=HELSINKI)
    try:
        _at(client, start - dt.timedelta(days=1))
        page = client.get(me["agenda_url"]).text
        card = page[page.index('id="next-title"') : page.index("</section>", page.index('id="next-title"'))]
        assert "Your next meeting" in card and f"{first['start']}–{first['end']}" in card
        assert first["table"] in card
        _at(client, start + dt.timedelta(minutes=5))
        page = client.get(me["agenda_url"]).text
        card = page[page.index('id="now-title"') : page.index("</section>", page.index('id="now-title"'))]
        assert ">Now<" in card and f"{first['start']}–{first['end']}" in card
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert "Venue: Hanaholmen, Espoo" in page and 'href="mailto:b2b@example.org"' in page
    assert 'href="tel:+358401234567"' in page
    webcal = re.search(r'href="(webcal://[^"]+)"', page)
    assert webcal and webcal.group(1) == me["agenda_ics_url"].replace("http://", "webcal://")
    assert f'href="{me["agenda_pdf_url"].removeprefix("http://testserver")}"' in page
    assert "<script" not in page


def test_the_calendar_is_served_as_a_subscription(published: dict[str, Any]) -> None:
    r = published["client"].get(published["me"]["agenda_ics_url"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    assert cal["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)


def _qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """The QR codes on the PDF's pages, rasterised at 150 dpi and decoded by zxing-cpp."""
    import zxingcpp
    from PIL import Image

    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "agenda.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "agenda.pdf"), str(tmp_path / "page")], check=True)
    found = []
    for image in sorted(tmp_path.glob("page*.png")):
        found += [code.text for code in zxingcpp.read_barcodes(Image.open(image))]
    return found


def test_the_printed_agenda_carries_a_qr_code_of_the_private_link(published: dict[str, Any], tmp_path: Path) -> None:
    client, me = published["client"], published["me"]
    own = client.get(me["agenda_pdf_url"])
    assert own.status_code == 200
    assert _qr_codes(own.content, tmp_path / "own") == [me["agenda_url"]]
    url = f"/api/events/{published['event_id']}/participants/{me['id']}/agenda.pdf"
    organiser = client.get(url, headers=published["headers"])
    assert _qr_codes(organiser.content, tmp_path / "organiser") == [me["agenda_url"]]
    token = published["headers"]["Authorization"].removeprefix("Bearer ")
    assert client.get(f"/o/{token}", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303
    web = client.get(f"/events/{published['event_id']}/people/{me['id']}/agenda.pdf")  # the organiser's web app
    assert web.status_code == 200 and _qr_codes(web.content, tmp_path / "web") == [me["agenda_url"]]


def test_a_replaced_link_gets_a_page_with_the_organisers_contact(published: dict[str, Any]) -> None:
    client, event_id, headers = published["client"], published["event_id"], published["headers"]
    people = client.get(f"/api/events/{event_id}/participants", headers=headers).json()["data"]
    victim = people[-1]
    r = client.post(f"/api/events/{event_id}/participants/{victim['id']}/link", headers=headers)
    assert r.status_code == 200 and r.json()["agenda_url"] != victim["agenda_url"]
    for suffix in ("", ".pdf", ".ics"):
        page = client.get(victim["agenda_url"] + suffix, headers={"Accept": "text/html"})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "replaced this link" in page.text and "b2b@example.org" in page.text
        assert "+358 40 123 4567" in page.text and victim["name"] not in page.text
    answer = client.get(victim["agenda_url"], headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.json() == {"detail": "Agenda not found"}
    assert client.get(r.json()["agenda_url"]).status_code == 200


def test_pdf_bytes_are_a_pdf(published: dict[str, Any]) -> None:
    from pypdf import PdfReader

    data = published["client"].get(published["me"]["agenda_pdf_url"]).content
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 and "page 1 of 1" in (reader.pages[0].extract_text() or "")
