"""Statistics of the latest version: meetings, mutual meetings, points against the proven bound,
gap, holes, wishes met, who has no meeting, and how full the tables are in every slot of every day.

The figures are the library's (`scheduler.report.schedule_stats`, `scheduler.export.tables.table_use`)
for the event as it is now, so a person cancelled since the version was made no longer counts as
someone who could have met."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.version_cache import VersionCache
from api.web.deps import WebEventDep
from api.web.pages import render
from api.web.version_view import ShownVersion, person_path, shown_version
from scheduler.domain import Event, Schedule
from scheduler.export.tables import TableUse, table_use
from scheduler.report import schedule_stats
from scheduler.results import ScheduleStats, relative_gap

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class SlotUse:
    """One slot: meetings at the shared tables (of how many) and at people's own tables."""

    number: int
    start: dt.time
    end: dt.time
    shared: int
    booths: int
    tables: int  # shared tables

    @property
    def share(self) -> float:
        return self.shared / self.tables if self.tables else 0.0


@dataclass(frozen=True)
class DayUse:
    date: dt.date
    slots: tuple[SlotUse, ...]

    @property
    def meetings(self) -> int:
        return sum(s.shared + s.booths for s in self.slots)

    @property
    def busiest(self) -> int:
        return max((s.shared for s in self.slots), default=0)


def slot_use(event: Event, schedule: Schedule) -> list[DayUse]:
    """Meetings per slot, day by day, split between shared tables and own tables (booths)."""
    shared_labels = set(event.table_labels)
    shared: Counter[int] = Counter()
    booths: Counter[int] = Counter()
    for m in schedule.meetings:
        (shared if m.table in shared_labels else booths)[m.slot] += 1
    days = []
    for day in event.days:
        slots = []
        for index in day.slots:
            s = event.slots[index]
            slots.append(SlotUse(s.number, s.start, s.end, shared[index], booths[index], event.tables))
        days.append(DayUse(day.date, tuple(slots)))
    return days


@dataclass(frozen=True)
class _Figures:
    event: Event
    schedule: Schedule
    stats: ScheduleStats
    days: tuple[DayUse, ...]
    tables: tuple[TableUse, ...]


_FIGURES: VersionCache[_Figures] = VersionCache(16)


def figures(event_id: str, shown: ShownVersion) -> _Figures | None:
    """The version's figures, computed once per version (the candidate pairs behind "could have
    met" take a while on a large event)."""
    if shown.row is None or shown.schedule is None:
        return None
    event, schedule = shown.event, shown.schedule
    return _FIGURES.get(
        event_id,
        shown.row.version,
        event,
        schedule,
        lambda: _Figures(
            event,
            schedule,
            schedule_stats(event, schedule),
            tuple(slot_use(event, schedule)),
            tuple(table_use(event, schedule)),
        ),
    )


def _context(row: Any, shown: ShownVersion) -> dict[str, Any]:
    found = figures(row.id, shown)
    context: dict[str, Any] = {"event": row, "section": "stats", "shown": shown, "figures": found}
    if found is None or shown.row is None:
        return context
    event = shown.event
    without = [
        (event.participants[pid], person_path(row.id, pid))
        for pid in found.stats.people_without_meeting
        if pid in event.participants
    ]
    context.update(
        stats=found.stats,
        bound=shown.row.bound,
        optimal=shown.row.optimal,
        gap=relative_gap(found.stats.points, shown.row.bound),
        without=without,
        days=found.days,
        tables=found.tables,
        booths=any(s.booths for d in found.days for s in d.slots),
    )
    context.update(fairness=_fairness(row.id, event, found.stats))
    return context


def _fairness(event_id: str, event: Event, stats: ScheduleStats) -> dict[str, Any]:
    """The Fairness section: the distribution, and who is below [fairness] min_meetings and why."""
    short = [
        (event.participants[s.person], person_path(event_id, s.person), s)
        for s in stats.below_minimum
        if s.person in event.participants
    ]
    return {"distribution": stats.distribution, "minimum": stats.min_meetings, "short": short}


@router.get("/events/{event_id}/stats", response_class=HTMLResponse)
def stats(row: WebEventDep, request: Request, session: SessionDep) -> HTMLResponse:
    """The latest version's figures and table use per slot."""
    return render(request, "stats.html", **_context(row, shown_version(session, row)))
