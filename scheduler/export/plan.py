"""The organiser's master plan: per day a grid of slots × tables, split into pages of a few tables,
so that it prints legibly on A4 landscape."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scheduler.domain import Event, Meeting, Schedule, Slot
from scheduler.export.people import Person
from scheduler.export.tables import all_tables

PLAN_TABLES_PER_PAGE = 8


@dataclass(frozen=True)
class PlanCell:
    """The two people of a meeting, as a grid cell or a table sign's row shows them."""

    a: Person
    b: Person

    @staticmethod
    def of(event: Event, m: Meeting | None) -> PlanCell | None:
        if m is None:
            return None
        return PlanCell(Person.of(event.participants.get(m.a), m.a), Person.of(event.participants.get(m.b), m.b))


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


def meetings_by_place(schedule: Schedule | None) -> dict[tuple[int, str], Meeting]:
    """Each meeting under its (slot index, table)."""
    return {(m.slot, m.table): m for m in (schedule.meetings if schedule else ())}


def build_plan(
    event: Event,
    schedule: Schedule | None,
    schedule_version: int | None = None,
    tables_per_page: int = PLAN_TABLES_PER_PAGE,
) -> PlanData:
    """Per day a grid of slots × tables, split into pages of a few tables each."""
    tables = all_tables(event, schedule)
    at = meetings_by_place(schedule)
    pages = []
    chunks = max(1, -(-len(tables) // tables_per_page))
    tables_per_page = max(1, -(-len(tables) // chunks))  # 25 tables: 7, 7, 7, 4 rather than 8, 8, 8, 1
    for day in event.days:
        for i in range(0, max(len(tables), 1), tables_per_page):
            chunk = tuple(tables[i : i + tables_per_page])
            rows = tuple(
                (event.slots[index], tuple(PlanCell.of(event, at.get((index, t))) for t in chunk))
                for index in day.slots
            )
            pages.append(PlanPage(day.date, chunk, rows))
    return PlanData(
        event.name,
        tuple(d.date for d in event.days),
        tuple(pages),
        len(schedule) if schedule else 0,
        schedule_version,
    )
