"""Standby pairs, stored: the library's suggestions (`scheduler.standby`) for the latest version,
and a confirmed suggestion as a new version, shared by the API and the organiser's pages.

A confirmation replaces the absent person's meeting with the chosen one through the checker's
gate (`standby.apply_suggestion`, the person judged as absent): `EditRefused` (nothing stored)
when it would break a rule. The replacement is locked, since both people have been told on the
day. Nothing here knows HTTP.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.changes import Edit, latest_version, store_edit
from api.storage import EventRow, ScheduleRow
from scheduler import edits
from scheduler.domain import Event, Meeting, ParticipantId, Schedule
from scheduler.standby import FreedMeeting, apply_suggestion, default_time, local_time, standby


@dataclasses.dataclass(frozen=True)
class Question:
    """What was asked and answered: the latest version, the time, the freed meetings."""

    event: Event
    version: ScheduleRow
    schedule: Schedule
    absent: ParticipantId
    at: dt.datetime
    freed: list[FreedMeeting]


def ask(session: Session, row: EventRow, absent: ParticipantId, at: dt.datetime | None) -> Question:
    """The suggestions for `absent` at the local time `at` (by default now in the event's time
    zone, or the start of their next meeting outside the event). Raises NotFound for an unknown
    person or no schedule, StandbyError for a time outside the event."""
    event, srow, schedule = latest_version(session, row)
    if absent not in event.participants:
        raise edits.NotFound(f"'{absent}' is not a participant of this event")
    when = at if at is not None else default_time(event, schedule, absent, dt.datetime.now(ZoneInfo(event.timezone)))
    freed = standby(event, schedule, absent, when)
    return Question(event, srow, schedule, absent, local_time(event, when), freed)


def confirm(
    *,
    session: Session,
    row: EventRow,
    absent: ParticipantId,
    partner: ParticipantId,
    other: ParticipantId,
    table: str | None = None,
    by: str = "api",
) -> Edit:
    """Replace the meeting of `absent` and `partner` in the latest version by a locked meeting of
    `partner` and `other` in the same slot, at `table` (by default a fixed table of either, else the
    freed table, else the first free shared one), as a new version. Raises NotFound, EditRefused."""
    event, base, schedule = latest_version(session, row)
    freed = edits.find_meeting(event, schedule, absent, partner, version=base.version)
    if other not in event.participants:
        raise edits.NotFound(f"'{other}' is not a participant of this event")
    others = [m for m in schedule.meetings if m != freed]
    slot = event.slots[freed.slot]
    draft = Meeting(freed.slot, freed.table, partner, other, locked=True)
    label = table if table is not None else edits.pick_table(event, others, draft, slot)
    replacement = dataclasses.replace(draft, table=label)
    new = apply_suggestion(event, schedule, absent, freed, replacement)
    edit = {"action": "standby", "a": absent, "b": partner, "replacement": other, "locked": True}
    version = store_edit(session, row, event, base, schedule, new, "standby", edit, by)
    return Edit(version, True, replacement, sorted({absent, partner, other}))
