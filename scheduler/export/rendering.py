"""Presentation: one set of data builders (agenda, master plan, table signs) feeding HTML, PDF and ICS.

Templates live in `templates/` and are rendered by Jinja2 with autoescaping (names come from
uploaded files). PDFs are made by WeasyPrint with `base_url` at `templates/` and a URL fetcher
that only serves files from inside `templates/`, so a document can never reach the network or
the rest of the disk. Fonts are bundled (DejaVu Sans) so every script renders the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scheduler.candidates import pair_key, wished_pairs
from scheduler.diff import MeetingChange
from scheduler.domain import Event, Meeting, Participant, ParticipantId, Schedule, Slot, table_sort_key

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
PLAN_TABLES_PER_PAGE = 8


# --- the presentation structures -------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    organisation: str = ""
    role: str = ""
    country: str = ""
    table: str | None = None

    @staticmethod
    def of(p: Participant | None, pid: str = "") -> Person:
        if p is None:
            return Person(id=pid, name=pid)
        return Person(p.id, p.name, p.organisation, p.role, p.country, p.table)

    @property
    def details(self) -> str:
        """Organisation · role · country, leaving out what is empty."""
        return " · ".join(x for x in (self.organisation, self.role, self.country) if x)


EntryKind = Literal["meeting", "free", "unavailable", "break"]


@dataclass(frozen=True)
class AgendaEntry:
    kind: EntryKind
    date: dt.date
    start: dt.time
    end: dt.time
    slot: int | None = None  # number within the day
    table: str | None = None
    partner: Person | None = None
    mutual: bool = False


@dataclass(frozen=True)
class AgendaDay:
    date: dt.date
    entries: tuple[AgendaEntry, ...]

    @property
    def meetings(self) -> int:
        return sum(1 for e in self.entries if e.kind == "meeting")


@dataclass(frozen=True)
class AgendaData:
    """Everything one person's agenda shows, in order; HTML, PDF and ICS all render this."""

    event_name: str
    timezone: str
    dates: tuple[dt.date, ...]
    person: Person
    active: bool
    days: tuple[AgendaDay, ...]
    schedule_version: int | None
    changes: tuple[str, ...] = ()  # what changed for this person, one sentence each (re-issued agendas)
    changed_since: int | None = None  # the version those changes are against

    @property
    def meetings(self) -> list[AgendaEntry]:
        return [e for d in self.days for e in d.entries if e.kind == "meeting"]


def build_agenda(
    event: Event, schedule: Schedule | None, pid: ParticipantId, schedule_version: int | None = None
) -> AgendaData:
    person = event.participants[pid]
    asked = wished_pairs(event)
    mine = {m.slot: m for m in (schedule.for_person(pid) if schedule else [])}
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
                        len(asked.get(pair_key(m.a, m.b), {})) == 2,
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
    )


def change_lines(event: Event, changes: list[MeetingChange], pid: ParticipantId) -> tuple[str, ...]:
    """One sentence per change of a person's meetings, for the top of a re-issued agenda."""
    several_days = len(event.days) > 1

    def when(slot: int | None) -> str:
        if slot is None:
            return ""
        s = event.slots[slot]
        return (f"{s.date:%a} {s.date.day} {s.date:%b} " if several_days else "") + f"{s.start:%H:%M}–{s.end:%H:%M}"

    lines = []
    for c in changes:
        other = c.partner(pid)
        name = Person.of(event.participants.get(other), other).name
        new, old = (
            f"{when(c.new_slot)}, {place(c.new_table or '')}",
            f"{when(c.old_slot)}, {place(c.old_table or '')}",
        )
        if c.kind == "added":
            lines.append(f"New meeting with {name}: {new}.")
        elif c.kind == "cancelled":
            lines.append(f"Cancelled: your meeting with {name} at {when(c.old_slot)}.")
        elif c.kind == "table_changed":
            lines.append(
                f"Another table: your meeting with {name} at {when(c.new_slot)} is now at "
                f"{place(c.new_table or '')} (was {place(c.old_table or '')})."
            )
        else:
            lines.append(f"Moved: your meeting with {name} is now at {new} (was {old}).")
    return tuple(lines)


@dataclass(frozen=True)
class PlanCell:
    a: Person
    b: Person


@dataclass(frozen=True)
class PlanPage:
    date: dt.date
    tables: tuple[str, ...]
    rows: tuple[tuple[Slot, tuple[PlanCell | None, ...]], ...]


@dataclass(frozen=True)
class PlanData:
    event_name: str
    dates: tuple[dt.date, ...]
    pages: tuple[PlanPage, ...]
    meetings: int
    schedule_version: int | None


def all_tables(event: Event, schedule: Schedule | None) -> list[str]:
    """Shared tables in their order, then fixed tables (and any other label a schedule uses)."""
    labels = list(event.table_labels)
    extra = {p.table for p in event.participants.values() if p.table}
    extra |= {m.table for m in (schedule.meetings if schedule else ())}
    return labels + sorted(extra - set(labels), key=table_sort_key)


def _by_place(schedule: Schedule | None) -> dict[tuple[int, str], Meeting]:
    return {(m.slot, m.table): m for m in (schedule.meetings if schedule else ())}


def build_plan(
    event: Event,
    schedule: Schedule | None,
    schedule_version: int | None = None,
    tables_per_page: int = PLAN_TABLES_PER_PAGE,
) -> PlanData:
    """Per day a grid of slots × tables, split into pages of a few tables each."""
    tables = all_tables(event, schedule)
    at = _by_place(schedule)
    pages = []
    chunks = max(1, -(-len(tables) // tables_per_page))
    tables_per_page = max(1, -(-len(tables) // chunks))  # 25 tables: 7, 7, 7, 4 rather than 8, 8, 8, 1
    for day in event.days:
        for i in range(0, max(len(tables), 1), tables_per_page):
            chunk = tuple(tables[i : i + tables_per_page])
            rows = []
            for index in day.slots:
                cells = []
                for t in chunk:
                    m = at.get((index, t))
                    cells.append(
                        None
                        if m is None
                        else PlanCell(
                            Person.of(event.participants.get(m.a), m.a),
                            Person.of(event.participants.get(m.b), m.b),
                        )
                    )
                rows.append((event.slots[index], tuple(cells)))
            pages.append(PlanPage(day.date, chunk, tuple(rows)))
    return PlanData(
        event.name,
        tuple(d.date for d in event.days),
        tuple(pages),
        len(schedule) if schedule else 0,
        schedule_version,
    )


@dataclass(frozen=True)
class SignRow:
    slot: Slot
    meeting: PlanCell | None


@dataclass(frozen=True)
class TableSign:
    table: str
    owner: Person | None  # the person whose fixed table this is
    days: tuple[tuple[dt.date, tuple[SignRow, ...]], ...]


def build_table_signs(event: Event, schedule: Schedule | None) -> list[TableSign]:
    at = _by_place(schedule)
    owners = {p.table: p for p in event.participants.values() if p.table}
    signs = []
    for t in all_tables(event, schedule):
        days = []
        for day in event.days:
            rows = []
            for index in day.slots:
                m = at.get((index, t))
                rows.append(
                    SignRow(
                        event.slots[index],
                        None
                        if m is None
                        else PlanCell(
                            Person.of(event.participants.get(m.a), m.a),
                            Person.of(event.participants.get(m.b), m.b),
                        ),
                    )
                )
            days.append((day.date, tuple(rows)))
        owner = owners.get(t)
        signs.append(TableSign(t, Person.of(owner) if owner else None, tuple(days)))
    return signs


# --- Jinja2 and WeasyPrint ---------------------------------------------------------------------


def _date(value: dt.date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _dates(values: tuple[dt.date, ...] | list[dt.date]) -> str:
    if not values:
        return ""
    if len(values) == 1:
        return _date(values[0])
    return f"{_date(values[0])} – {_date(values[-1])}"


def place(label: str) -> str:
    """ "Table 7" for a plain table label, the label itself for a named booth ("Booth 7a")."""
    return f"Table {label}" if label.isdigit() or len(label) <= 3 else label


def _hm(value: dt.time) -> str:
    return f"{value:%H:%M}"


_ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters.update(date=_date, dates=_dates, hm=_hm, place=place)


def render_html(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)


def _local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves only files inside templates/ (and data: URLs)."""
    from weasyprint.urls import URLFetcher, URLFetchingError

    root = TEMPLATES_DIR.resolve()

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(url, headers)
            raise URLFetchingError(f"refused to fetch {url!r}: only files in templates/ may be used")

    return LocalOnly(allowed_protocols=("file", "data"), allow_redirects=False)


_FETCHER: Any = None


def render_pdf(template: str, **context: Any) -> bytes:
    global _FETCHER
    from weasyprint import HTML

    if _FETCHER is None:
        _FETCHER = _local_fetcher()
    html = render_html(template, **context)
    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=_FETCHER).write_pdf()
    return pdf


def generated_note(version: int | None) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"schedule version {version}, printed {stamp}" if version else f"no schedule yet, printed {stamp}"


__all__ = [
    "AgendaData",
    "AgendaDay",
    "AgendaEntry",
    "PlanData",
    "TableSign",
    "build_agenda",
    "build_plan",
    "build_table_signs",
    "change_lines",
    "render_html",
    "render_pdf",
    "generated_note",
]
