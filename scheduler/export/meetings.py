"""A schedule as a list of meetings with everything a reader needs beside the ids: day, slot
number and times, table, both names and organisations, whether the wish was mutual and the points
it is worth. The same columns as schedule.csv; the API's JSON schedule is made of these rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scheduler.candidates import pair_key, pair_points, wished_pairs
from scheduler.domain import Event, Schedule


@dataclass(frozen=True)
class MeetingRow:
    day: dt.date
    slot: int  # number within the day, 1-based
    start: str  # HH:MM, local time
    end: str
    table: str
    participant_a: str
    participant_b: str
    name_a: str
    name_b: str
    organisation_a: str
    organisation_b: str
    mutual: bool
    points: int
    locked: bool


def meeting_rows(event: Event, schedule: Schedule) -> list[MeetingRow]:
    """Every meeting in the schedule's order (day, slot, table), in one pass over the wishes."""
    asked = wished_pairs(event)
    out = []
    for m in schedule.meetings:
        s = event.slots[m.slot]
        pa, pb = event.participants.get(m.a), event.participants.get(m.b)
        who = asked.get(pair_key(m.a, m.b), {})
        out.append(
            MeetingRow(
                day=s.date,
                slot=s.number,
                start=f"{s.start:%H:%M}",
                end=f"{s.end:%H:%M}",
                table=m.table,
                participant_a=m.a,
                participant_b=m.b,
                name_a=pa.name if pa else "",
                name_b=pb.name if pb else "",
                organisation_a=pa.organisation if pa else "",
                organisation_b=pb.organisation if pb else "",
                mutual=len(who) == 2,
                points=pair_points(event, who),
                locked=m.locked,
            )
        )
    return out
