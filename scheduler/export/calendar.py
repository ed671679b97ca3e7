"""A participant's meetings as an iCalendar file that updates cleanly from version to version.

Every meeting of a pair has one UID for the whole event (a pair meets at most once), so a later
version of the schedule updates the entry rather than adding a second one. SEQUENCE counts the
changes the entry went through over the stored versions (moved in time or table, dropped,
restored), and a meeting that an earlier version had and the latest has not is sent with
STATUS:CANCELLED. Times carry the event's TZID, with its VTIMEZONE included.

The file is also a subscription (webcal) feed: REFRESH-INTERVAL and X-PUBLISHED-TTL ask calendar
apps to fetch it again hourly, and the address stays the same from version to version. Every text
value passes `_text`: iCalendar text may hold no control characters (a BEL or ESC in a name from an
uploaded file would make strict readers reject the whole file); line breaks are escaped by the
icalendar library. Human sentences go through `_` so that they can be translated.
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

from scheduler import i18n
from scheduler.domain import Event, ParticipantId
from scheduler.export.history import ScheduleVersion
from scheduler.export.people import Person
from scheduler.export.tables import place

PRODID = "-//matchday//participant agenda//EN"
REFRESH = dt.timedelta(hours=1)  # how often a subscribed calendar should fetch the feed again
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]+")  # C0 controls and DEL, but not the line feed
_ = i18n.gettext  # in the language `agenda_ics` renders in


def _text(value: str, one_line: bool = False) -> str:
    """`value` as iCalendar text may hold it: control characters become spaces, CR LF and CR become
    LF (escaped as \\n by the library), and with `one_line` every run of white space one space."""
    value = _CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    return " ".join(value.split()) if one_line else value


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


def agenda_ics(
    event: Event, event_id: str, pid: ParticipantId, versions: Sequence[ScheduleVersion], language: str | None = None
) -> bytes:
    """The .ics of one person over every stored version (oldest first); `event_id` names the event
    in the meetings' UIDs, so it must stay the same from one version to the next. The entries'
    titles and tables are in `language` (None: the person's own)."""
    with i18n.using(language or event.language_of(pid)):
        return _calendar(event, event_id, pid, versions)


def _calendar(event: Event, event_id: str, pid: ParticipantId, versions: Sequence[ScheduleVersion]) -> bytes:
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
    cal.add("x-wr-calname", _text(f"{event.name} – {event.participants[pid].name}", one_line=True))
    cal.add("x-wr-timezone", event.timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
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
        who = f"{partner.name} ({partner.organisation})" if partner.organisation else partner.name
        summary = _("Meeting with {partner}").format(partner=who)
        if h.state is None:
            summary = _("Cancelled: meeting with {partner}").format(partner=who)
        ve.add("summary", _text(summary, one_line=True))
        ve.add("location", _text(f"{place(h.last_table)}, {event.venue}" if event.venue else place(h.last_table)))
        lines = [partner.name, partner.details, f"{place(h.last_table)}, {event.name}", event.venue]
        ve.add("description", _text("\n".join(line for line in lines if line)))
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
