"""Table signs: one page per table, saying who sits there in each slot of each day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scheduler.domain import Event, Schedule, Slot
from scheduler.export.people import Person
from scheduler.export.plan import PlanCell, meetings_by_place
from scheduler.export.tables import all_tables


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
    """A sign for every table in the plan's order, fixed tables with their owner's name."""
    at = meetings_by_place(schedule)
    owners = {p.table: p for p in event.participants.values() if p.table}
    signs = []
    for t in all_tables(event, schedule):
        days = tuple(
            (
                day.date,
                tuple(SignRow(event.slots[index], PlanCell.of(event, at.get((index, t)))) for index in day.slots),
            )
            for day in event.days
        )
        owner = owners.get(t)
        signs.append(TableSign(t, Person.of(owner) if owner else None, days))
    return signs
