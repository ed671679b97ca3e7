"""On-the-day changes: to the event (people, availability, wishes) and, by hand, to its schedule.

Event changes edit the stored participants.csv / wishes.csv (`csvedit`) and go through the
library's loader again before anything is stored: a change that makes the event invalid raises
`EventError` with the loader's problem records, and the session must then be rolled back. An
accepted change bumps the event's revision; the schedule is repaired by the next solve.

Hand edits start from the latest schedule version and store a new one:
- cancel: the meeting goes, and both directions of its wish are marked declined, so no
  repair or refill ever brings it back;
- move: the meeting goes to another slot (and table), locked there by default; the result is
  judged by the independent checker and refused with the broken rules in words;
- pin: the meeting is locked (or unlocked) where it is.

Nothing here knows HTTP; routes turn `NotFound` into 404 and `EditRefused` into 422.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api import service
from api.csvedit import CsvTable
from api.storage import EventRow, ScheduleRow
from scheduler.candidates import pair_key
from scheduler.check.checker import Violation, check_schedule
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, Slot
from scheduler.io.columns import PARTICIPANT_COLUMNS, WISH_COLUMNS
from scheduler.io.loading import LoadedEvent


class NotFound(LookupError):
    """What the change names does not exist; the message says what."""


class EditRefused(Exception):
    """A hand edit would break hard rules; nothing was changed."""

    def __init__(self, message: str, violations: list[Violation]):
        super().__init__(message)
        self.violations = violations


@dataclass(frozen=True)
class Edit:
    """A hand edit: the new version (the latest, unchanged, when `created` is false), the meeting as
    it is now, and whose agenda changed."""

    version: ScheduleRow
    created: bool
    meeting: Meeting | None
    people_affected: list[ParticipantId]


# --- the event's files ------------------------------------------------------------------------


def participant_cells(row: EventRow) -> dict[ParticipantId, dict[str, str]]:
    """The raw participants-file cells of each person (available, max_meetings, table, …) by id."""
    table = CsvTable.parse(row.participants_csv, PARTICIPANT_COLUMNS)
    out: dict[ParticipantId, dict[str, str]] = {}
    for r in table.records():
        pid = table.get(r, "id")
        if pid and pid not in out:
            out[pid] = {c.name: table.get(r, c.name) for c in PARTICIPANT_COLUMNS}
    return out


def wish_cells(row: EventRow) -> list[dict[str, str]]:
    """The wishes-file rows that count (the first of each requester → target), as raw cells."""
    table = CsvTable.parse(row.wishes_csv, WISH_COLUMNS)
    seen: set[tuple[str, str]] = set()
    out = []
    for r in table.records():
        cells = {c.name: table.get(r, c.name) for c in WISH_COLUMNS}
        key = (cells["requester"], cells["target"])
        if key not in seen:
            seen.add(key)
            out.append(cells)
    return out


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _set(table: CsvTable, record: list[str], name: str, value: str) -> None:
    """Set a cell; clearing a column the file does not have leaves the file alone."""
    if value or table.index(name) is not None:
        table.set(record, name, value)


def update_participant(
    *, session: Session, secret: str, row: EventRow, pid: ParticipantId, values: Mapping[str, object]
) -> LoadedEvent:
    """Set some participants.csv cells of one person (None clears a cell); raises NotFound, EventError."""
    table = CsvTable.parse(row.participants_csv, PARTICIPANT_COLUMNS)
    rows = table.find(id=pid)
    if not rows:
        raise NotFound("Participant not found")
    for name, value in values.items():
        _set(table, rows[0], name, _text(value))
    return service.store_files(
        session=session, secret=secret, row=row, participants_csv=table.to_bytes(), wishes_csv=row.wishes_csv
    )


def add_participant(*, session: Session, secret: str, row: EventRow, values: Mapping[str, object]) -> LoadedEvent:
    """Append a person to participants.csv (a duplicate id is the loader's error, like any other)."""
    table = CsvTable.parse(row.participants_csv, PARTICIPANT_COLUMNS)
    table.append({name: _text(value) for name, value in values.items() if _text(value)})
    return service.store_files(
        session=session, secret=secret, row=row, participants_csv=table.to_bytes(), wishes_csv=row.wishes_csv
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
    table = CsvTable.parse(row.wishes_csv, WISH_COLUMNS)
    cells = {name: _text(value) for name, value in values.items()}
    if cells.get("status") == "requested":
        cells["status"] = ""  # empty means requested; a file without the column needs none
    existing = table.find(requester=cells["requester"], target=cells["target"])
    if existing:
        for r in existing:  # only the first counts, but keep the file saying one thing
            for name, value in cells.items():
                if sent is None or name in sent:
                    _set(table, r, name, value)
    else:
        table.append({k: v for k, v in cells.items() if v})
    loaded = service.store_files(
        session=session,
        secret=secret,
        row=row,
        participants_csv=row.participants_csv,
        wishes_csv=table.to_bytes(),
    )
    return loaded, not existing


def _decline(row: EventRow, a: ParticipantId, b: ParticipantId) -> bytes | None:
    """wishes.csv with both directions of the pair declined; None when nothing changes."""
    table = CsvTable.parse(row.wishes_csv, WISH_COLUMNS)
    changed = False
    for requester, target in ((a, b), (b, a)):
        for r in table.find(requester=requester, target=target):
            if table.get(r, "status").lower() != "declined":
                table.set(r, "status", "declined")
                changed = True
    return table.to_bytes() if changed else None


# --- hand edits of the schedule -------------------------------------------------------------------


def _latest(session: Session, row: EventRow) -> tuple[Event, ScheduleRow, Schedule]:
    event = service.load_event(row)
    srow = service.schedule_row(session, row.id)
    if srow is None:
        raise NotFound("No schedule yet: start a solve with POST /api/events/{id}/solve")
    return event, srow, service.parse_schedule(event, srow)


def _meeting(event: Event, srow: ScheduleRow, schedule: Schedule, a: ParticipantId, b: ParticipantId) -> Meeting:
    for pid in (a, b):
        if pid not in event.participants:
            raise NotFound(f"'{pid}' is not a participant of this event")
    key = pair_key(a, b)
    found = next((m for m in schedule.meetings if pair_key(m.a, m.b) == key), None)
    if found is None:
        raise NotFound(f"{a} and {b} have no meeting in schedule version {srow.version}")
    return found


def _others(schedule: Schedule, meeting: Meeting) -> list[Meeting]:
    return [m for m in schedule.meetings if m is not meeting]


def _gate(event: Event, old: Schedule, new: Schedule, edit: str) -> None:
    """The checker's gate for hand edits: refused when `new` breaks a rule that `old` kept.

    Only violations the edit brings are held against it: the latest version may already break
    rules after an event change (a cancelled person's meetings stay until the next repair).
    """
    before = {str(v) for v in check_schedule(event, old)}
    broken = [v for v in check_schedule(event, new) if str(v) not in before]
    if broken:
        n = len(broken)
        raise EditRefused(
            f"{edit} breaks {n} rule{'s' if n != 1 else ''}; nothing was changed. A re-solve from the "
            "latest version re-plans around the change",
            broken,
        )


def _store(
    session: Session,
    row: EventRow,
    event: Event,
    base: ScheduleRow,
    old: Schedule,
    new: Schedule,
    kind: str,
    edit: Mapping[str, object],
) -> ScheduleRow:
    return service.add_schedule_version(
        session=session,
        row=row,
        event=event,
        schedule=new,
        kind=kind,
        based_on=base,
        previous=old,
        result={"edit": dict(edit)},
    )


def _affected(old: Meeting | None, new: Meeting | None) -> list[ParticipantId]:
    """Who must hear about a one-meeting edit: nobody when only the locked flag changed."""
    if old is not None and new is not None and (old.slot, old.table) == (new.slot, new.table):
        return []
    m = old or new
    return sorted((m.a, m.b)) if m else []


def cancel_meeting(*, session: Session, secret: str, row: EventRow, a: ParticipantId, b: ParticipantId) -> Edit:
    """Remove the meeting in a new version and decline both directions of its wish; refused when
    that breaks a rule (a [fairness] hole cap), before anything is stored."""
    event, base, schedule = _latest(session, row)
    meeting = _meeting(event, base, schedule, a, b)
    new = Schedule.of(_others(schedule, meeting))
    _gate(event, schedule, new, f"Cancelling the meeting of {meeting.a} and {meeting.b}")
    wishes = _decline(row, a, b)
    if wishes is not None:
        event = service.store_files(
            session=session, secret=secret, row=row, participants_csv=row.participants_csv, wishes_csv=wishes
        ).event
    edit = {"action": "cancel", "a": meeting.a, "b": meeting.b}
    version = _store(session, row, event, base, schedule, new, "cancel", edit)
    return Edit(version, True, None, _affected(meeting, None))


def _pick_table(event: Event, others: list[Meeting], meeting: Meeting, slot: Slot) -> str:
    """A fixed table of either person, else the current shared table, else the first free shared one."""
    used = {m.table for m in others if m.slot == slot.index}
    fixed = [t for t in (event.participants[meeting.a].table, event.participants[meeting.b].table) if t]
    shared = list(event.table_labels)
    candidates = fixed or ([meeting.table] if meeting.table in shared else []) + shared
    return next((t for t in candidates if t not in used), candidates[0] if candidates else meeting.table)


def move_meeting(
    *,
    session: Session,
    row: EventRow,
    a: ParticipantId,
    b: ParticipantId,
    slot: Slot,
    table: str | None,
    locked: bool,
) -> Edit:
    """Move the meeting to `slot` (and `table`) in a new version; refused when that breaks a rule."""
    event, base, schedule = _latest(session, row)
    meeting = _meeting(event, base, schedule, a, b)
    others = _others(schedule, meeting)
    label = table if table is not None else _pick_table(event, others, meeting, slot)
    moved = dataclasses.replace(meeting, slot=slot.index, table=label, locked=locked)
    new = Schedule.of([*others, moved])
    _gate(event, schedule, new, f"Moving the meeting to {slot.label}, table '{label}'")
    if moved == meeting:
        return Edit(base, False, meeting, [])
    edit = {"action": "move", "a": meeting.a, "b": meeting.b, "locked": locked}
    version = _store(session, row, event, base, schedule, new, "move", edit)
    return Edit(version, True, moved, _affected(meeting, moved))


def pin_meeting(*, session: Session, row: EventRow, a: ParticipantId, b: ParticipantId, locked: bool) -> Edit:
    """Lock (or unlock) the meeting where it is, in a new version; nobody's agenda changes."""
    event, base, schedule = _latest(session, row)
    meeting = _meeting(event, base, schedule, a, b)
    if meeting.locked == locked:
        return Edit(base, False, meeting, [])
    pinned = dataclasses.replace(meeting, locked=locked)
    new = Schedule.of([*_others(schedule, meeting), pinned])
    _gate(event, schedule, new, "Locking the meeting" if locked else "Unlocking the meeting")
    edit = {"action": "pin" if locked else "unpin", "a": meeting.a, "b": meeting.b, "locked": locked}
    version = _store(session, row, event, base, schedule, new, "pin", edit)
    return Edit(version, True, pinned, [])
