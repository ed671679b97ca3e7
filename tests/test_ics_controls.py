"""Control characters in names (issue 12, finding 7): BEL, ESC and the like were written raw into
participants' .ics files, which RFC 5545 forbids and calendar applications may refuse."""

from __future__ import annotations

import datetime as dt
import re

from icalendar import Calendar

from scheduler.domain import Meeting, Schedule
from scheduler.export.calendar import agenda_ics
from scheduler.export.history import ScheduleVersion
from scheduler.io.loading import load_event_bytes


def test_control_characters_never_reach_a_calendar_file() -> None:
    toml = (
        b'name = "Day\\u0007 \\u001b[31mred\\u0000"\nslot_minutes = 20\ntables = 2\n'
        b'[[days]]\ndate = "2027-03-10"\nstart = "09:00"\nend = "10:00"\n'
    )
    people = 'id,name,organisation\na,Ann\x07\tTab,X\x1b[0m\nb,"Bo\x7f\rB\x0c",Ωmega\n'.encode()
    event = load_event_bytes(toml, people, b"requester,target\na,b\n").event
    version = ScheduleVersion(1, dt.datetime.now(dt.UTC), Schedule.of([Meeting(0, "1", "a", "b")]))
    ics = agenda_ics(event, "e1", "a", [version])
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)", ics)
    assert ics.count(b"\r\n") == ics.count(b"\n")  # every line ends CRLF, no bare line feed
    calendar = Calendar.from_ical(ics)
    [meeting] = calendar.walk("VEVENT")
    assert str(meeting["SUMMARY"]) == "Meeting: Bo\nB (Ωmega)"  # a line break, escaped as text
    assert str(calendar["X-WR-CALNAME"]).startswith("Day [31mred")
