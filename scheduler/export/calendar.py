"""A participant's meetings as an iCalendar file that updates cleanly from version to version.

Every meeting of a pair has one UID for the whole event (a pair meets at most once), so a later
version of the schedule updates the entry rather than adding a second one. SEQUENCE counts the
changes the entry went through over the stored versions (moved in time or table, dropped,
restored), and a meeting that an earlier version had and the latest has not is sent with
STATUS:CANCELLED. Times carry the event's TZID, with its VTIMEZONE included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from scheduler.domain import Event, ParticipantId
from scheduler.export.history import ScheduleVersion
from scheduler.export.people import Person
from scheduler.export.tables import place

PRODID = "-//matchday//participant agenda//EN"


@dataclass
class _History:
    state: tuple[int, str] | None = None  # (slot index, table) in the latest version seen
    sequence: int = -1  # the first version that shows the meeting makes it 0
    changed_at: dt.datetime | None = None
    last_slot: int = 0
    last_table: str = ""


def meeting_uid(event_id: str, a: ParticipantId, b: ParticipantId) -> str:
    """The pair's UID for the whole event (a pair meets at most once), whichever version."""
    pair = "\x1f".join(sorted((a, b)))
    return f"{hashlib.sha256(f'{event_id}:{pair}'.encode()).hexdigest()[:24]}@matchday"


def agenda_ics(event: Event, event_id: str, pid: ParticipantId, versions: Sequence[ScheduleVersion]) -> bytes:
    """The .ics of one person over every stored version (oldest first); `event_id` names the event
    in the meetings' UIDs, so it must stay the same from one version to the next."""
    histories: dict[ParticipantId, _History] = {}
    for version in versions:
        now = {(m.b if m.a == pid else m.a): (m.slot, m.table) for m in version.schedule.for_person(pid)}
        for other in set(histories) | set(now):
            h = histories.setdefault(other, _History())
            new = now.get(other)
            if new != h.state:
                h.sequence += 1
                h.state, h.changed_at = new, version.created_at
            if new is not None:
                h.last_slot, h.last_table = new
    zone = ZoneInfo(event.timezone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # X- properties are not escaped as text: a line break in a name would break the file. A
    # calendar's name is one line anyway.
    cal.add("x-wr-calname", " ".join(f"{event.name} – {event.participants[pid].name}".split()))
    cal.add("x-wr-timezone", event.timezone)
    for other in sorted(histories, key=lambda o: (histories[o].last_slot, o)):
        h = histories[other]
        slot = event.slots[h.last_slot]
        partner = Person.of(event.participants.get(other), other)
        ve = VEvent()
        ve.add("uid", meeting_uid(event_id, pid, other))
        ve.add("sequence", h.sequence)
        stamp = (h.changed_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        ve.add("dtstamp", stamp)
        ve.add("last-modified", stamp)
        ve.add("dtstart", dt.datetime.combine(slot.date, slot.start, tzinfo=zone))
        ve.add("dtend", dt.datetime.combine(slot.date, slot.end, tzinfo=zone))
        ve.add(
            "summary",
            f"Meeting: {partner.name}" + (f" ({partner.organisation})" if partner.organisation else ""),
        )
        ve.add("location", place(h.last_table))
        lines = [f"{partner.name}", partner.details, f"{place(h.last_table)}, {event.name}"]
        ve.add("description", "\n".join(line for line in lines if line))
        if h.state is None:
            ve.add("status", "CANCELLED")
        else:
            ve.add("status", "CONFIRMED")
        ve.add("transp", "OPAQUE")
        cal.add_component(ve)
    cal.add_missing_timezones()
    return without_controls(cal.to_ical())


# RFC 5545 allows no control character in a value but tab (line breaks are escaped as \n); the
# icalendar package writes the others (BEL, ESC, ...) as they are. None of them is inside a UTF-8
# sequence, so they are dropped from the file's bytes, CRLF line ends and tabs kept.
_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")


def without_controls(ical: bytes) -> bytes:
    """The calendar file without control characters a calendar application may refuse."""
    return _CONTROLS.sub(b"", ical)
