"""On-the-day changes, stored: the library's edits (`scheduler.edits`) on the event's rows.

Event changes edit the stored participants.csv / wishes.csv and go through the library's loader
again before anything is stored (`service.store_files`): a change that makes the event invalid
raises `EventError` with the loader's problem records, and the session must then be rolled
back. An accepted change bumps the event's revision; the schedule is repaired by the next solve.

Hand edits start from the latest schedule version and store a new one; the library refuses an
edit that breaks a rule the latest version kept (`EditRefused`, raised before anything is
stored). A cancel also declines both directions of the pair's wish.

Nothing here knows HTTP; routes turn `NotFound` into 404 and `EditRefused` into 422.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api import service
from api.storage import EventRow, ScheduleRow
from scheduler import edits
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, Slot
from scheduler.io.loading import LoadedEvent


@dataclass(frozen=True)
class Edit:
    """A hand edit: the new version (the latest, unchanged, when `created` is false), the meeting as
    it is now, and whose agenda changed."""

    version: ScheduleRow
    created: bool
    meeting: Meeting | None
    people_affected: list[ParticipantId]


# --- the event's files ------------------------------------------------------------------------


def update_participant(
    *, session: Session, secret: str, row: EventRow, pid: ParticipantId, values: Mapping[str, object]
) -> LoadedEvent:
    """Set some participants.csv cells of one person (None clears a cell); raises NotFound, EventError."""
    participants = edits.update_participant(row.participants_csv, pid, values)
    return service.store_files(
        session=session, secret=secret, row=row, participants_csv=participants, wishes_csv=row.wishes_csv
    )


def add_participant(*, session: Session, secret: str, row: EventRow, values: Mapping[str, object]) -> LoadedEvent:
    """Append a person to participants.csv (a duplicate id is the loader's error, like any other)."""
    participants = edits.add_participant(row.participants_csv, values)
    return service.store_files(
        session=session, secret=secret, row=row, participants_csv=participants, wishes_csv=row.wishes_csv
    )


def put_wish(
    *,
    session: Session,
    secret: str,
    row: EventRow,
    values: Mapping[str, object],
    sent: Collection[str] | None = None,
) -> tuple[LoadedEvent, bool]:
    """Add a wish, or update the row of the same requester → target; returns (event, created).

    An update sets only the fields named in `sent` (every one when None); the others keep their cells.
    """
    wishes, created = edits.put_wish(row.wishes_csv, values, sent)
    loaded = service.store_files(
        session=session, secret=secret, row=row, participants_csv=row.participants_csv, wishes_csv=wishes
    )
    return loaded, created


# --- hand edits of the schedule -------------------------------------------------------------------


def latest_version(session: Session, row: EventRow) -> tuple[Event, ScheduleRow, Schedule]:
    """The event and its latest stored version, parsed: what every hand edit starts from."""
    event = service.load_event(row)
    srow = service.schedule_row(session, row.id)
    if srow is None:
        raise edits.NotFound("No schedule yet: start a solve with POST /api/events/{id}/solve")
    return event, srow, service.parse_schedule(event, srow)


def store_edit(
    session: Session,
    row: EventRow,
    event: Event,
    base: ScheduleRow,
    old: Schedule,
    new: Schedule,
    kind: str,
    edit: Mapping[str, object],
    by: str,
) -> ScheduleRow:
    """Store a hand edit's schedule as the next version, with what was done and by whom."""
    return service.add_schedule_version(
        session=session,
        row=row,
        event=event,
        schedule=new,
        kind=kind,
        based_on=base,
        previous=old,
        result={"edit": dict(edit), "by": by},
    )


def _affected(old: Meeting | None, new: Meeting | None) -> list[ParticipantId]:
    """Who must hear about a one-meeting edit: nobody when only the locked flag changed."""
    if old is not None and new is not None and (old.slot, old.table) == (new.slot, new.table):
        return []
    m = old or new
    return sorted((m.a, m.b)) if m else []


def cancel_meeting(
    *, session: Session, secret: str, row: EventRow, a: ParticipantId, b: ParticipantId, by: str = "api"
) -> Edit:
    """Remove the meeting in a new version and decline both directions of its wish; refused when
    that breaks a rule (a [fairness] hole cap), before anything is stored."""
    event, base, schedule = latest_version(session, row)
    meeting = edits.find_meeting(event, schedule, a, b, version=base.version)
    new = edits.cancel(event, schedule, meeting)
    wishes = edits.decline_pair(row.wishes_csv, a, b)
    if wishes is not None:
        event = service.store_files(
            session=session, secret=secret, row=row, participants_csv=row.participants_csv, wishes_csv=wishes
        ).event
    edit = {"action": "cancel", "a": meeting.a, "b": meeting.b}
    version = store_edit(session, row, event, base, schedule, new, "cancel", edit, by)
    return Edit(version, True, None, _affected(meeting, None))


def move_meeting(
    *,
    session: Session,
    row: EventRow,
    a: ParticipantId,
    b: ParticipantId,
    slot: Slot,
    table: str | None,
    locked: bool,
    by: str = "api",
) -> Edit:
    """Move the meeting to `slot` (and `table`) in a new version; refused when that breaks a rule."""
    event, base, schedule = latest_version(session, row)
    meeting = edits.find_meeting(event, schedule, a, b, version=base.version)
    moved, new = edits.move(event, schedule, meeting, slot, table, locked)
    if new is schedule:
        return Edit(base, False, meeting, [])
    edit = {"action": "move", "a": meeting.a, "b": meeting.b, "locked": locked}
    version = store_edit(session, row, event, base, schedule, new, "move", edit, by)
    return Edit(version, True, moved, _affected(meeting, moved))


def pin_meeting(
    *, session: Session, row: EventRow, a: ParticipantId, b: ParticipantId, locked: bool, by: str = "api"
) -> Edit:
    """Lock (or unlock) the meeting where it is, in a new version; nobody's agenda changes."""
    event, base, schedule = latest_version(session, row)
    meeting = edits.find_meeting(event, schedule, a, b, version=base.version)
    pinned, new = edits.pin(event, schedule, meeting, locked)
    if new is schedule:
        return Edit(base, False, meeting, [])
    edit = {"action": "pin" if locked else "unpin", "a": meeting.a, "b": meeting.b, "locked": locked}
    version = store_edit(session, row, event, base, schedule, new, "pin", edit, by)
    return Edit(version, True, pinned, [])
