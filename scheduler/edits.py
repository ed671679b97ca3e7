"""On-the-day changes as plain functions: to the event's files, and by hand to its schedule.

File edits take the stored participants or wishes file as bytes and give the edited file back
as bytes, in the organiser's own layout (`scheduler.io.table_edit`). Nothing here judges the
values: the result goes through the loader again before anyone stores it, and a change that
makes the event invalid is the loader's `EventError`.

Hand edits take an `Event` and a `Schedule` and give the new schedule:
- cancel: the meeting goes (the caller declines both directions of its wish with
  `decline_pair`, so no repair or refill ever brings it back);
- move: the meeting goes to another slot and table (`pick_table` when none is named), locked
  there by default;
- pin: the meeting is locked (or unlocked) where it is.
`move_targets` lists every slot and table a move may take the meeting to, for a page that
lights up the valid cells before the organiser picks one.
Each passes the checker's gate (`gate`) first: an edit that breaks a rule the old schedule
kept raises `EditRefused` with the violations, and nothing is returned to store. What a change
names but does not exist is `NotFound`. Storing versions and files is the caller's (the API's
`api.changes`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from scheduler.candidates import pair_key
from scheduler.check.checker import Violation, check_schedule
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, Slot, SlotIndex, Wish
from scheduler.io.columns import PARTICIPANT_COLUMNS, WISH_COLUMNS
from scheduler.io.table_edit import EditableTable


class NotFound(LookupError):
    """What the change names does not exist; the message says what."""


class EditRefused(Exception):
    """A hand edit would break hard rules; nothing was changed."""

    def __init__(self, message: str, violations: list[Violation]):
        super().__init__(message)
        self.violations = violations


# --- the event's files ------------------------------------------------------------------------


def participant_cells(participants: bytes) -> dict[ParticipantId, dict[str, str]]:
    """The raw participants-file cells of each person (available, max_meetings, table, …) by id."""
    table = EditableTable.parse(participants, PARTICIPANT_COLUMNS)
    out: dict[ParticipantId, dict[str, str]] = {}
    for r in table.records():
        pid = table.get(r, "id")
        if pid and pid not in out:
            out[pid] = {c.name: table.get(r, c.name) for c in PARTICIPANT_COLUMNS}
    return out


def wish_cells(wishes: bytes) -> list[dict[str, str]]:
    """The wishes-file rows that count (the first of each requester → target), as raw cells."""
    table = EditableTable.parse(wishes, WISH_COLUMNS)
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


def _set(table: EditableTable, record: list[str], name: str, value: str) -> None:
    """Set a cell; clearing a column the file does not have leaves the file alone."""
    if value or table.index(name) is not None:
        table.set(record, name, value)


def update_participant(participants: bytes, pid: ParticipantId, values: Mapping[str, object]) -> bytes:
    """Set some participants-file cells of one person (None clears a cell); raises NotFound."""
    table = EditableTable.parse(participants, PARTICIPANT_COLUMNS)
    rows = table.find(id=pid)
    if not rows:
        raise NotFound("Participant not found")
    for name, value in values.items():
        _set(table, rows[0], name, _text(value))
    return table.to_bytes()


def add_participant(participants: bytes, values: Mapping[str, object]) -> bytes:
    """Append a person (a duplicate id is the loader's error, like any other)."""
    table = EditableTable.parse(participants, PARTICIPANT_COLUMNS)
    table.append({name: _text(value) for name, value in values.items() if _text(value)})
    return table.to_bytes()


def put_wish(wishes: bytes, values: Mapping[str, object], sent: Collection[str] | None = None) -> tuple[bytes, bool]:
    """Add a wish, or update the row of the same requester → target; returns (file, created).

    An update sets only the fields named in `sent` (every one when None); the others keep their cells.
    """
    table = EditableTable.parse(wishes, WISH_COLUMNS)
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
    return table.to_bytes(), not existing


def decline_pair(wishes: bytes, a: ParticipantId, b: ParticipantId) -> bytes | None:
    """The wishes file with both directions of the pair declined; None when nothing changes."""
    table = EditableTable.parse(wishes, WISH_COLUMNS)
    changed = False
    for requester, target in ((a, b), (b, a)):
        for r in table.find(requester=requester, target=target):
            if table.get(r, "status").lower() != "declined":
                table.set(r, "status", "declined")
                changed = True
    return table.to_bytes() if changed else None


# --- hand edits of the schedule -------------------------------------------------------------------


def find_meeting(
    event: Event, schedule: Schedule, a: ParticipantId, b: ParticipantId, *, version: int | None = None
) -> Meeting:
    """The meeting of the pair (in either order); NotFound names the schedule `version` when given."""
    for pid in (a, b):
        if pid not in event.participants:
            raise NotFound(f"'{pid}' is not a participant of this event")
    key = pair_key(a, b)
    found = next((m for m in schedule.meetings if pair_key(m.a, m.b) == key), None)
    if found is None:
        where = f"schedule version {version}" if version is not None else "the schedule"
        raise NotFound(f"{a} and {b} have no meeting in {where}")
    return found


def _others(schedule: Schedule, meeting: Meeting) -> list[Meeting]:
    return [m for m in schedule.meetings if m is not meeting]


def gate(event: Event, old: Schedule, new: Schedule, edit: str) -> None:
    """The checker's gate for hand edits: EditRefused when `new` breaks a rule that `old` kept.

    Only violations the edit brings are held against it: the latest version may already break
    rules after an event change (a cancelled person's meetings stay until the next repair).
    `edit` says what was tried, in words, to begin the message.
    """
    _gate(event, {str(v) for v in check_schedule(event, old)}, new, edit)


def _gate(event: Event, before: set[str], new: Schedule, edit: str) -> None:
    """`gate` with the old schedule's violations (as text) already known."""
    broken = [v for v in check_schedule(event, new) if str(v) not in before]
    if broken:
        n = len(broken)
        raise EditRefused(
            f"{edit} breaks {n} rule{'s' if n != 1 else ''}; nothing was changed. A re-solve from the "
            "latest version re-plans around the change",
            broken,
        )


def cancel(event: Event, schedule: Schedule, meeting: Meeting) -> Schedule:
    """The schedule without `meeting`; refused when that breaks a rule (a [fairness] hole cap)."""
    new = Schedule.of(_others(schedule, meeting))
    gate(event, schedule, new, f"Cancelling the meeting of {meeting.a} and {meeting.b}")
    return new


def pick_table(event: Event, others: Collection[Meeting], meeting: Meeting, slot: Slot) -> str:
    """A fixed table of either person, else the current shared table, else the first free shared one."""
    used = {m.table for m in others if m.slot == slot.index}
    fixed = [t for t in (event.participants[meeting.a].table, event.participants[meeting.b].table) if t]
    shared = list(event.table_labels)
    candidates = fixed or ([meeting.table] if meeting.table in shared else []) + shared
    return next((t for t in candidates if t not in used), candidates[0] if candidates else meeting.table)


def move(
    event: Event, schedule: Schedule, meeting: Meeting, slot: Slot, table: str | None, locked: bool = True
) -> tuple[Meeting, Schedule]:
    """The meeting at `slot` and `table` (`pick_table` when None), and the schedule with it there;
    refused when that breaks a rule. When nothing changes, the schedule is `schedule` itself."""
    others = _others(schedule, meeting)
    label = table if table is not None else pick_table(event, others, meeting, slot)
    moved = dataclasses.replace(meeting, slot=slot.index, table=label, locked=locked)
    new = Schedule.of([*others, moved])
    gate(event, schedule, new, f"Moving the meeting to {slot.label}, table '{label}'")
    return (meeting, schedule) if moved == meeting else (moved, new)


def pin(event: Event, schedule: Schedule, meeting: Meeting, locked: bool = True) -> tuple[Meeting, Schedule]:
    """The meeting locked (or unlocked) where it is, and the schedule with it so; when it already
    is as asked, the schedule is `schedule` itself."""
    if meeting.locked == locked:
        return meeting, schedule
    pinned = dataclasses.replace(meeting, locked=locked)
    new = Schedule.of([*_others(schedule, meeting), pinned])
    gate(event, schedule, new, "Locking the meeting" if locked else "Unlocking the meeting")
    return pinned, new


def move_targets(event: Event, schedule: Schedule, meeting: Meeting) -> list[tuple[Slot, str]]:
    """Every (slot, table) that `move(event, schedule, meeting, slot, table)` accepts, in slot and
    table order; the meeting's own place is not among them.

    A first pass keeps the cells a move could take by the rules that depend on the cell alone:
    both people available, inside every window of the pair's wishes, free of other meetings in
    that slot, and a table of theirs (their booth, or a shared table when neither has one) that
    nobody else uses then. The checker's gate, the one `move` applies, then judges one table per
    remaining slot: the other rules (hole caps, a rule the meeting already breaks) depend on the
    slot, not on which free table it takes, so one verdict stands for all of that slot's tables.
    """
    others = _others(schedule, meeting)
    pa, pb = event.participants.get(meeting.a), event.participants.get(meeting.b)
    if pa is None or pb is None:
        return []
    key = pair_key(pa.id, pb.id)
    slots = set(pa.available & pb.available)
    for w in event.wishes:
        if w.window is not None and not w.declined and pair_key(w.requester, w.target) == key:
            slots &= w.window
    busy = {(pid, m.slot) for m in others for pid in (m.a, m.b)}
    used = {(m.slot, m.table) for m in others}
    tables = list(dict.fromkeys(t for t in (pa.table, pb.table) if t)) or list(event.table_labels)
    judge = _SlotJudge(event, others, meeting)
    out: list[tuple[Slot, str]] = []
    for index in sorted(slots):
        if (pa.id, index) in busy or (pb.id, index) in busy:
            continue
        free = [t for t in tables if (index, t) not in used and (index, t) != (meeting.slot, meeting.table)]
        if free and judge.allows(index, free[0]):
            out.extend((event.slots[index], t) for t in free)
    return out


class _SlotJudge:
    """The checker's gate for moving one meeting, asked slot after slot.

    A move changes only what the checker says about the two slots it leaves and enters and about
    the pair's two people (their meetings, caps and holes), so each slot is judged on that part
    of the schedule, with the wishes of the pairs in it: the same verdict as the whole gate at a
    fraction of its cost. The one rule that reads everyone's holes, the [fairness] spread cap,
    needs the whole schedule; an event that sets it is judged whole.
    """

    def __init__(self, event: Event, others: list[Meeting], meeting: Meeting):
        self.event, self.others, self.meeting = event, others, meeting
        self.whole = event.max_hole_spread is not None
        self.wishes: dict[tuple[ParticipantId, ParticipantId], list[tuple[int, Wish]]] = {}
        for i, w in enumerate(event.wishes):
            self.wishes.setdefault(pair_key(w.requester, w.target), []).append((i, w))
        self._whole_before: set[str] | None = None

    def allows(self, index: SlotIndex, table: str) -> bool:
        m = self.meeting
        trial = dataclasses.replace(m, slot=index, table=table, locked=True)
        if self.whole:
            if self._whole_before is None:
                self._whole_before = {str(v) for v in check_schedule(self.event, Schedule.of([*self.others, m]))}
            event, part, before = self.event, self.others, self._whole_before
        else:
            people = (m.a, m.b)
            part = [o for o in self.others if o.slot in (m.slot, index) or o.a in people or o.b in people]
            keys = {pair_key(o.a, o.b) for o in part} | {pair_key(m.a, m.b)}
            wishes = sorted((iw for k in keys for iw in self.wishes.get(k, ())), key=lambda iw: iw[0])
            event = dataclasses.replace(self.event, wishes=tuple(w for _, w in wishes))
            before = {str(v) for v in check_schedule(event, Schedule.of([*part, m]))}
        try:
            _gate(event, before, Schedule.of([*part, trial]), "")
        except EditRefused:
            return False
        return True
