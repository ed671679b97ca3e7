"""A participant's agenda: every slot of every day, in order, as a meeting, a break, free time or
time they are not available; the data the agenda page, its PDF and the all-agendas PDF render.

`build_agendas` makes everybody's agenda in one pass over the wishes and the meetings, so the
all-agendas PDF of a large event costs what one agenda costs, not one pass per person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from scheduler import i18n
from scheduler.candidates import pair_key, wished_pairs
from scheduler.diff import MeetingChange
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex
from scheduler.export.people import Person
from scheduler.export.tables import place
from scheduler.i18n import dates as i18n_dates

EntryKind = Literal["meeting", "free", "unavailable", "break"]
Asked = Literal["you", "they", "both"]  # who asked for a meeting, seen from the agenda's person
IDLE: tuple[EntryKind, ...] = ("free", "unavailable")


@dataclass(frozen=True)
class AgendaEntry:
    kind: EntryKind
    date: dt.date
    start: dt.time
    end: dt.time
    slot: int | None = None  # number within the day
    table: str | None = None
    partner: Person | None = None
    asked: Asked | None = None  # None: nobody asked (a hand-made meeting), or not a meeting
    slots: int = 1  # how many slots a row stands for: a run of free slots is one row

    @property
    def mutual(self) -> bool:
        return self.asked == "both"


@dataclass(frozen=True)
class AgendaDay:
    date: dt.date
    entries: tuple[AgendaEntry, ...]

    @property
    def meetings(self) -> int:
        return sum(1 for e in self.entries if e.kind == "meeting")

    @property
    def rows(self) -> tuple[AgendaEntry, ...]:
        """The entries with each run of consecutive free (or unavailable) slots folded into one row,
        "09:00–11:40 free", so that a short day of meetings is not a long list of "Free"."""
        out: list[AgendaEntry] = []
        for e in self.entries:
            last = out[-1] if out else None
            if last is not None and e.kind in IDLE and last.kind == e.kind and last.end == e.start:
                out[-1] = dataclasses.replace(last, end=e.end, slots=last.slots + e.slots)
            else:
                out.append(e)
        return tuple(out)


@dataclass(frozen=True)
class AgendaData:
    """Everything one person's agenda shows, in order; HTML, PDF and ICS all render this."""

    event_name: str
    timezone: str
    dates: tuple[dt.date, ...]
    person: Person
    active: bool
    days: tuple[AgendaDay, ...]
    schedule_version: int | None  # None: no schedule yet, or a schedule file that has no version number
    published: bool  # whether there is a schedule at all (else the agenda says it is not out yet)
    changes: tuple[str, ...] = ()  # what changed for this person, one sentence each (re-issued agendas)
    changed_since: int | None = None  # the version those changes are against
    venue: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    link: str | None = None  # the person's private agenda address, printed as a QR code (None: not known here)
    language: str = "en"  # what the agenda is written in: the person's language, else the event's

    @property
    def meetings(self) -> list[AgendaEntry]:
        return [e for d in self.days for e in d.entries if e.kind == "meeting"]


def build_agendas(
    event: Event,
    schedule: Schedule | None,
    people: Iterable[ParticipantId] | None = None,
    schedule_version: int | None = None,
) -> list[AgendaData]:
    """The agendas of `people` (by default every active person, in file order), built from one
    pass over the wishes and one over the meetings.

    Raises:
        KeyError: a person the event does not list.
    """
    pids = [pid for pid, p in event.participants.items() if p.active] if people is None else list(people)
    wanted = set(pids)
    asked = wished_pairs(event)
    by_person: dict[ParticipantId, dict[SlotIndex, Meeting]] = {pid: {} for pid in pids}
    for m in schedule.meetings if schedule else ():
        for pid in (m.a, m.b):
            if pid in wanted:
                by_person[pid][m.slot] = m
    published = schedule is not None
    return [_agenda(event, pid, by_person[pid], asked, schedule_version, published) for pid in pids]


def build_agenda(
    event: Event, schedule: Schedule | None, pid: ParticipantId, schedule_version: int | None = None
) -> AgendaData:
    """One person's agenda (`build_agendas` for many)."""
    return build_agendas(event, schedule, [pid], schedule_version)[0]


def _agenda(
    event: Event,
    pid: ParticipantId,
    mine: dict[SlotIndex, Meeting],
    asked: Mapping[tuple[ParticipantId, ParticipantId], Mapping[ParticipantId, int]],
    schedule_version: int | None,
    published: bool,
) -> AgendaData:
    person = event.participants[pid]
    days = []
    for day in event.days:
        entries: list[AgendaEntry] = []
        for index in day.slots:
            slot = event.slots[index]
            m = mine.get(index)
            if m is not None:
                other = m.b if m.a == pid else m.a
                entries.append(
                    AgendaEntry(
                        "meeting",
                        slot.date,
                        slot.start,
                        slot.end,
                        slot.number,
                        m.table,
                        Person.of(event.participants.get(other), other),
                        _asked(asked.get(pair_key(m.a, m.b), {}), pid),
                    )
                )
            else:
                kind: EntryKind = "free" if index in person.available and person.active else "unavailable"
                entries.append(AgendaEntry(kind, slot.date, slot.start, slot.end, slot.number))
        for start, end in day.breaks:
            if start < day.end and end > day.start:
                entries.append(AgendaEntry("break", day.date, max(start, day.start), min(end, day.end)))
        entries.sort(key=lambda e: (e.start, e.kind != "break"))
        days.append(AgendaDay(day.date, tuple(entries)))
    return AgendaData(
        event.name,
        event.timezone,
        tuple(d.date for d in event.days),
        Person.of(person),
        person.active,
        tuple(days),
        schedule_version,
        published,
        venue=event.venue,
        contact_email=event.contact_email,
        contact_phone=event.contact_phone,
        language=event.language_of(pid),
    )


def _asked(who: Mapping[ParticipantId, int], pid: ParticipantId) -> Asked | None:
    if len(who) >= 2:
        return "both"
    if not who:
        return None
    return "you" if pid in who else "they"


def change_lines(
    event: Event, changes: Iterable[MeetingChange], pid: ParticipantId, language: str | None = None
) -> tuple[str, ...]:
    """One sentence per change of a person's meetings, for the top of a re-issued agenda, in
    `language` (None: the person's own)."""
    several_days = len(event.days) > 1

    def when(slot: int | None) -> str:
        if slot is None:
            return ""
        s = event.slots[slot]
        span = i18n_dates.time_range(s.start, s.end, i18n.current_language())
        return f"{i18n_dates.short_date(s.date, i18n.current_language())} {span}" if several_days else span

    lines = []
    with i18n.using(language or event.language_of(pid)):
        for c in changes:
            other = c.partner(pid)
            name = Person.of(event.participants.get(other), other).name
            new_at, old_at = when(c.new_slot), when(c.old_slot)
            new_table, old_table = place(c.new_table or ""), place(c.old_table or "")
            if c.kind == "added":
                line = i18n.gettext("New meeting with %(name)s: %(when)s, %(table)s.")
                lines.append(line % {"name": name, "when": new_at, "table": new_table})
            elif c.kind == "cancelled":
                line = i18n.gettext("Cancelled: your meeting with %(name)s at %(when)s.")
                lines.append(line % {"name": name, "when": old_at})
            elif c.kind == "table_changed":
                line = i18n.gettext(
                    "Another table: your meeting with %(name)s at %(when)s is now at %(table)s (was %(old_table)s)."
                )
                lines.append(line % {"name": name, "when": new_at, "table": new_table, "old_table": old_table})
            else:
                line = i18n.gettext(
                    "Moved: your meeting with %(name)s is now at %(when)s, %(table)s (was %(old_when)s, %(old_table)s)."
                )
                values = {"name": name, "when": new_at, "table": new_table, "old_when": old_at, "old_table": old_table}
                lines.append(line % values)
    return tuple(lines)


def with_changes(event: Event, agenda: AgendaData, changes: Iterable[MeetingChange], since: int | None) -> AgendaData:
    """`agenda` headed by what changed for its person since version `since` (unchanged when nothing did)."""
    lines = change_lines(event, changes, agenda.person.id, agenda.language)
    return dataclasses.replace(agenda, changes=lines, changed_since=since) if lines else agenda
