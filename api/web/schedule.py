"""The schedule grid: one day at a time, slots × a page of tables (shared tables and booths), each
cell the two people of its meeting.

A day of a 1,500-person event has hundreds of tables, so the grid shows a page of `PAGE_SIZE`
tables and links to the others; a person's meetings are found by search (name, organisation
or id), which links to the day and page that hold them and highlights their cells. Selecting a
meeting (`select=A~B`) lights the cells a move may take it to (`scheduler.edits.move_targets`),
each with a "Move here" button; the edits themselves are `api.web.edit`'s. Everything is
addressed by query parameters, so every state of the page works without JavaScript and can be
bookmarked; htmx only swaps the page's content in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session

from api import service
from api.deps import SessionDep
from api.storage import EventRow, ScheduleRow
from api.web.deps import WebEventDep
from api.web.pages import render
from scheduler import edits
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex
from scheduler.export.tables import all_tables, place

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25  # tables per page: a day of 17 slots stays a page of ~50 kB with 1,500 people
MAX_MATCHES = 30  # search results listed


@dataclass(frozen=True)
class View:
    """What the page shows, as its query parameters say (the page's links are built from it)."""

    day: int = 1  # 1-based
    page: int = 1  # 1-based page of tables
    version: int | None = None  # None: the latest
    person: str = ""
    q: str = ""
    select: str = ""  # "A~B": the meeting being moved
    confirm: str = ""  # "cancel": ask before cancelling the selected meeting

    def url(self, event_id: str, anchor: str = "", **changes: Any) -> str:
        values = {
            "day": self.day,
            "page": self.page,
            "version": self.version,
            "person": self.person,
            "q": self.q,
            "select": self.select,
            "confirm": self.confirm,
        }
        values.update(changes)
        query = {k: v for k, v in values.items() if v not in (None, "")}
        return f"/events/{event_id}/schedule?{urlencode(query)}" + (f"#{anchor}" if anchor else "")


@dataclass(frozen=True)
class Cell:
    table: str
    meeting: Meeting | None = None
    highlighted: bool = False  # the meeting of the person looked for
    selected: bool = False  # the meeting being moved
    target: bool = False  # a place the selected meeting may go


@dataclass(frozen=True)
class Row:
    slot: SlotIndex
    cells: list[Cell]
    person_at: Meeting | None = None  # the looked-for person's meeting in this slot (on any page)
    person_page: int | None = None  # the page of tables that holds it


@dataclass
class Grid:
    """One day × one page of tables of one version, with what the parameters ask to mark."""

    event: Event
    srow: ScheduleRow
    schedule: Schedule
    view: View
    tables: list[str]  # every table, in the documents' order
    pages: int
    rows: list[Row] = field(default_factory=list)
    person: ParticipantId | None = None
    selected: Meeting | None = None
    targets: set[tuple[SlotIndex, str]] = field(default_factory=set)
    targets_elsewhere: list[tuple[int, int, int]] = field(default_factory=list)  # (day, page, count)

    @property
    def page_tables(self) -> list[str]:
        start = (self.view.page - 1) * PAGE_SIZE
        return self.tables[start : start + PAGE_SIZE]

    def page_of(self, table: str) -> int:
        return self.tables.index(table) // PAGE_SIZE + 1

    def page_label(self, page: int) -> str:
        first = (page - 1) * PAGE_SIZE
        last = min(first + PAGE_SIZE, len(self.tables)) - 1
        return (
            f"{place(self.tables[first])} – {place(self.tables[last])}" if last > first else place(self.tables[first])
        )


def parse_pair(event: Event, text: str) -> tuple[ParticipantId, ParticipantId] | None:
    """ "A~B" as two participant ids; ids may hold "~" themselves, so every split is tried."""
    for i, ch in enumerate(text):
        if ch == "~" and text[:i] in event.participants and text[i + 1 :] in event.participants:
            return text[:i], text[i + 1 :]
    return None


def pair_text(m: Meeting) -> str:
    return f"{m.a}~{m.b}"


def version_numbers(session: Session, event_id: str) -> list[int]:
    """The event's version numbers, newest first, without loading their schedules."""
    query = sql_select(ScheduleRow.version).where(ScheduleRow.event_id == event_id).order_by(ScheduleRow.version.desc())
    return list(session.scalars(query))


def search(event: Event, schedule: Schedule, q: str) -> list[tuple[ParticipantId, Meeting | None]]:
    """People whose name, organisation or id holds `q` (any case), with their first meeting."""
    needle = q.strip().casefold()
    if not needle:
        return []
    found = [
        p.id
        for p in event.participants.values()
        if needle in p.name.casefold() or needle in p.organisation.casefold() or needle == p.id.casefold()
    ][:MAX_MATCHES]
    first: dict[ParticipantId, Meeting] = {}
    wanted = set(found)
    for m in schedule.meetings:  # sorted by slot: the first seen is the earliest
        for pid in (m.a, m.b):
            if pid in wanted and pid not in first:
                first[pid] = m
    return [(pid, first.get(pid)) for pid in found]


def build_grid(event: Event, srow: ScheduleRow, schedule: Schedule, view: View, latest: bool) -> Grid:
    """The grid the view asks for; `latest` says whether `srow` is the latest version (only it is edited)."""
    tables = all_tables(event, schedule)
    pages = max(1, math.ceil(len(tables) / PAGE_SIZE))
    person = view.person if view.person in event.participants else None
    selected = None
    if view.select and latest:
        pair = parse_pair(event, view.select)
        if pair is not None:
            try:
                selected = edits.find_meeting(event, schedule, *pair)
            except edits.NotFound:
                selected = None
    grid = Grid(event, srow, schedule, view, tables, pages, person=person, selected=selected)
    if selected is not None:
        found = edits.move_targets(event, schedule, selected)
        grid.targets = {(s.index, t) for s, t in found}
        here: dict[tuple[int, int], int] = {}
        for s, t in found:
            key = (s.day + 1, grid.page_of(t))
            here[key] = here.get(key, 0) + 1
        grid.targets_elsewhere = [(d, p, n) for (d, p), n in sorted(here.items())]
    day = event.days[view.day - 1]
    page = set(grid.page_tables)
    slots = set(day.slots)
    at: dict[tuple[SlotIndex, str], Meeting] = {}
    mine: dict[SlotIndex, Meeting] = {}
    for m in schedule.meetings:
        if m.slot in slots:
            if m.table in page:
                at[(m.slot, m.table)] = m
            if person is not None and person in (m.a, m.b):
                mine[m.slot] = m
    for index in day.slots:
        cells = []
        for t in grid.page_tables:
            held = at.get((index, t))
            cells.append(
                Cell(
                    table=t,
                    meeting=held,
                    highlighted=held is not None and person is not None and person in (held.a, held.b),
                    selected=held is not None and held == selected,
                    target=(index, t) in grid.targets,
                )
            )
        own = mine.get(index)
        grid.rows.append(Row(index, cells, own, grid.page_of(own.table) if own else None))
    return grid


def default_place(event: Event, schedule: Schedule, tables: list[str], view: View) -> View:
    """Without a day and page in the address, open where the selected meeting or the person is."""
    focus: Meeting | None = None
    pair = parse_pair(event, view.select) if view.select else None
    if pair is not None:
        focus = next((m for m in schedule.meetings if {m.a, m.b} == set(pair)), None)
    elif view.person in event.participants:
        focus = next((m for m in schedule.meetings if view.person in (m.a, m.b)), None)
    if focus is None or focus.table not in tables:
        return view
    return View(
        day=event.slots[focus.slot].day + 1,
        page=tables.index(focus.table) // PAGE_SIZE + 1,
        version=view.version,
        person=view.person,
        q=view.q,
        select=view.select,
        confirm=view.confirm,
    )


def grid_page(
    request: Request,
    session: Session,
    row: EventRow,
    view: View,
    placed: bool,
    *,
    status_code: int = 200,
    notice: str = "",
    error: str = "",
    violations: list[str] | None = None,
) -> HTMLResponse:
    """The schedule page of `view` (`placed`: the address named the day and page), with a notice
    after an edit or the reason an edit was refused."""
    event = service.load_event(row)
    latest_row = service.schedule_row(session, row.id)
    context: dict[str, Any] = {"event": row, "section": "schedule", "model": event, "notice": notice, "error": error}
    context["violations"] = violations or []
    if latest_row is None:
        return render(request, "schedule.html", status_code=status_code, grid=None, **context)
    srow = latest_row
    if view.version is not None and view.version != latest_row.version:
        srow = service.schedule_row(session, row.id, view.version) or latest_row
    schedule = service.parse_schedule(event, srow)
    if not placed:
        view = default_place(event, schedule, all_tables(event, schedule), view)
    pages = max(1, math.ceil(len(all_tables(event, schedule)) / PAGE_SIZE))
    view = View(
        day=min(max(view.day, 1), len(event.days)),
        page=min(max(view.page, 1), pages),
        version=None if srow.version == latest_row.version else srow.version,
        person=view.person,
        q=view.q,
        select=view.select,
        confirm=view.confirm,
    )
    latest = srow.version == latest_row.version
    grid = build_grid(event, srow, schedule, view, latest)
    return render(
        request,
        "schedule.html",
        status_code=status_code,
        grid=grid,
        view=view,
        latest=latest,
        latest_version=latest_row.version,
        published_version=row.published_version,
        versions=version_numbers(session, row.id),
        matches=search(event, schedule, view.q),
        pair_text=pair_text,
        **context,
    )


@router.get("/events/{event_id}/schedule", response_class=HTMLResponse)
def schedule_page(
    row: WebEventDep,
    request: Request,
    session: SessionDep,
    day: Annotated[int | None, Query(ge=1)] = None,
    page: Annotated[int | None, Query(ge=1)] = None,
    version: Annotated[int | None, Query(ge=1)] = None,
    person: Annotated[str, Query(max_length=200)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    select: Annotated[str, Query(max_length=401)] = "",
    confirm: Annotated[str, Query(max_length=20)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
    v: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    view = View(day or 1, page or 1, version, person.strip(), q, select, confirm)
    return grid_page(request, session, row, view, placed=day is not None, notice=done_notice(done, v))


DONE = {
    "moved": "The meeting was moved and pinned there",
    "cancelled": "The meeting was cancelled and the pair's wish marked declined",
    "pinned": "The meeting is pinned: a re-solve keeps it where it is",
    "unpinned": "The meeting is no longer pinned: a re-solve may move it",
    "unchanged": "Nothing changed: the meeting already was as asked",
}


def done_notice(done: str, version: int | None) -> str:
    """The sentence shown after an edit (the edit redirects here, so a reload repeats nothing)."""
    if done not in DONE:
        return ""
    if done == "unchanged" or version is None:
        return f"{DONE[done]}."
    return f"{DONE[done]}. This is version {version}, a draft: participants see it once you publish it."
