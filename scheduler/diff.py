"""What changed between two versions of a schedule, per meeting and per person.

A re-solve or a hand edit must tell exactly the people whose day changed, and only them: the
diff drives the re-issued agendas and .ics files, and its counts say what a repair bought
(meetings kept, moved, lost, added). Records are typed (style.md habit 7, anchor F) rather than
dicts with string keys; `diff_as_dict` and `diff_to_csv` are the presentation edges.

A meeting is identified by its pair, since a pair meets at most once in a valid schedule
(formats.md). Both schedules must index the same `event.slots`. Invalid schedules with a pair
twice are still diffed exactly: identical (slot, table) occurrences are kept, the rest are
matched same-slot first, then in time order, and any surplus is added or cancelled.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Literal

from scheduler import __version__
from scheduler.candidates import pair_key
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex, table_sort_key
from scheduler.io.codec import spreadsheet_cell

ChangeKind = Literal["added", "cancelled", "moved", "table_changed"]
_Place = tuple[SlotIndex, str]  # (slot, table)
_Pair = tuple[ParticipantId, ParticipantId]


@dataclass(frozen=True)
class MeetingChange:
    """One meeting that is not identical in both versions.

    `a < b` (`pair_key` order). "added" has only new_*, "cancelled" only old_*; "moved" means
    another slot (the table may change too), "table_changed" the same slot at another table.
    """

    kind: ChangeKind
    a: ParticipantId
    b: ParticipantId
    old_slot: SlotIndex | None
    old_table: str | None
    new_slot: SlotIndex | None
    new_table: str | None

    def partner(self, pid: ParticipantId) -> ParticipantId:
        return self.b if pid == self.a else self.a


@dataclass(frozen=True)
class ScheduleDiff:
    """Every change between two versions, plus how many meetings stayed exactly where they were.

    `moved` holds both relocation kinds ("moved" and "table_changed"), so that
    len(old) == kept + len(moved) + len(cancelled) and len(new) == kept + len(moved) + len(added);
    `table_changed` is the table-only subset of `moved`.
    """

    changes: tuple[MeetingChange, ...]
    kept: int

    def _of(self, *kinds: ChangeKind) -> list[MeetingChange]:
        return [c for c in self.changes if c.kind in kinds]

    @property
    def added(self) -> list[MeetingChange]:
        return self._of("added")

    @property
    def cancelled(self) -> list[MeetingChange]:
        return self._of("cancelled")

    @property
    def moved(self) -> list[MeetingChange]:
        return self._of("moved", "table_changed")

    @property
    def table_changed(self) -> list[MeetingChange]:
        return self._of("table_changed")

    @property
    def people_affected(self) -> list[ParticipantId]:
        """Everyone on either side of a change: the people whose agenda and .ics are re-issued."""
        return sorted({p for c in self.changes for p in (c.a, c.b)})

    def for_person(self, pid: ParticipantId) -> list[MeetingChange]:
        return [c for c in self.changes if pid in (c.a, c.b)]

    @property
    def summary(self) -> dict[str, int]:
        """Counts for the repair report; "table_changed" is included in "moved"."""
        moved, added, cancelled = len(self.moved), len(self.added), len(self.cancelled)
        return {
            "kept": self.kept,
            "moved": moved,
            "table_changed": len(self.table_changed),
            "cancelled": cancelled,
            "added": added,
            "before": self.kept + moved + cancelled,
            "after": self.kept + moved + added,
        }


def diff_schedules(event: Event, old: Schedule, new: Schedule) -> ScheduleDiff:
    """Compare two versions of the event's schedule; the changes are in time order.

    Order: by the meeting's old slot (new slot for an added one), then pair, then places, so
    that one person's changes read chronologically. Locked flags are not compared. Raises
    ValueError for a slot index outside `event.slots` (a schedule of another grid).
    """
    for m in (*old.meetings, *new.meetings):
        if not 0 <= m.slot < len(event.slots):
            raise ValueError(f"meeting {m.a}-{m.b} is in slot {m.slot}, not a slot of the event")
    olds, news = _places(old), _places(new)
    changes: list[MeetingChange] = []
    kept = 0
    for key in olds.keys() | news.keys():
        before, after = Counter(olds.get(key, [])), Counter(news.get(key, []))
        kept += sum((before & after).values())
        gone = sorted((before - after).elements(), key=_place_key)
        came = sorted((after - before).elements(), key=_place_key)
        for o in list(gone):  # same slot, other table first: the smallest change that explains it
            n = next((x for x in came if x[0] == o[0]), None)
            if n is not None:
                gone.remove(o)
                came.remove(n)
                changes.append(MeetingChange("table_changed", *key, *o, *n))
        changes += [MeetingChange("moved", *key, *o, *n) for o, n in zip(gone, came, strict=False)]
        n_moved = min(len(gone), len(came))
        changes += [MeetingChange("cancelled", *key, *o, None, None) for o in gone[n_moved:]]
        changes += [MeetingChange("added", *key, None, None, *n) for n in came[n_moved:]]
    return ScheduleDiff(tuple(sorted(changes, key=_change_key)), kept)


def apply_diff(old: Schedule, diff: ScheduleDiff) -> Schedule:
    """Replay a diff on the old version: the new version's (pair, slot, table) meetings.

    The proof that a diff explains the whole difference (the property tests use it). Kept
    meetings keep their locked flag; moved and added ones come back unlocked. Raises ValueError
    when the diff does not fit `old`.
    """
    remaining: dict[tuple[_Pair, SlotIndex, str], list[Meeting]] = defaultdict(list)
    for m in old.meetings:
        remaining[(pair_key(m.a, m.b), m.slot, m.table)].append(m)
    out: list[Meeting] = []
    for c in diff.changes:
        if c.old_slot is not None and c.old_table is not None:
            if not remaining[((c.a, c.b), c.old_slot, c.old_table)]:
                raise ValueError(f"the diff {c.kind} a meeting {c.a}-{c.b} that the old schedule lacks")
            remaining[((c.a, c.b), c.old_slot, c.old_table)].pop()
        if c.new_slot is not None and c.new_table is not None:
            out.append(Meeting(c.new_slot, c.new_table, c.a, c.b))
    kept = [m for ms in remaining.values() for m in ms]
    if len(kept) != diff.kept:
        raise ValueError(f"the diff keeps {diff.kept} meetings, the old schedule leaves {len(kept)}")
    return Schedule.of(kept + out)


def diff_as_dict(event: Event, diff: ScheduleDiff) -> dict[str, Any]:
    """JSON-ready: summary counts, people affected, the changes by meeting and by person.

    Places are human-readable (day, slot number within the day, start, end, table); a person's
    "moved" list holds table-only changes too, told apart by "change".
    """
    people = []
    for pid in diff.people_affected:
        entry: dict[str, Any] = {"id": pid, "name": _name(event, pid), "added": [], "cancelled": [], "moved": []}
        for c in diff.for_person(pid):
            other = c.partner(pid)
            entry["moved" if c.kind == "table_changed" else c.kind].append(
                {"change": c.kind, "partner": other, "partner_name": _name(event, other), **_old_new(event, c)}
            )
        people.append(entry)
    return {
        "event": event.name,
        "generator": {"name": "matchday", "version": __version__},
        "summary": diff.summary,
        "people_affected": diff.people_affected,
        "meetings": [{"change": c.kind, "a": c.a, "b": c.b, **_old_new(event, c)} for c in diff.changes],
        "people": people,
    }


CSV_COLUMNS = (
    "person",
    "name",
    "change",
    "partner",
    "partner_name",
    "old_day",
    "old_slot",
    "old_start",
    "old_table",
    "new_day",
    "new_slot",
    "new_start",
    "new_table",
)


def diff_to_csv(event: Event, diff: ScheduleDiff) -> str:
    """One row per (person, change), by person id then time: a meeting change appears twice. Cells
    that would start a formula are marked as text (`spreadsheet_cell`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for pid in diff.people_affected:
        for c in diff.for_person(pid):
            other = c.partner(pid)
            places = _old_new(event, c)
            cells = [
                pid,
                _name(event, pid),
                c.kind,
                other,
                _name(event, other),
                *_cells(places["old"]),
                *_cells(places["new"]),
            ]
            writer.writerow([spreadsheet_cell("" if cell is None else str(cell)) for cell in cells])
    return out.getvalue()


# --- helpers ---------------------------------------------------------------------------------


def _places(schedule: Schedule) -> dict[_Pair, list[_Place]]:
    by_pair: dict[_Pair, list[_Place]] = defaultdict(list)
    for m in schedule.meetings:
        by_pair[pair_key(m.a, m.b)].append((m.slot, m.table))
    return by_pair


def _place_key(place: _Place) -> tuple[int, tuple[int, int | str]]:
    return place[0], table_sort_key(place[1])


def _change_key(c: MeetingChange) -> tuple[Any, ...]:
    def opt(slot: SlotIndex | None, table: str | None) -> tuple[Any, ...]:
        return (-1, (-1, 0)) if slot is None or table is None else _place_key((slot, table))

    first = c.old_slot if c.old_slot is not None else c.new_slot
    return first, c.a, c.b, opt(c.old_slot, c.old_table), opt(c.new_slot, c.new_table)


def _name(event: Event, pid: ParticipantId) -> str:
    p = event.participants.get(pid)
    return p.name if p else ""


def _place(event: Event, slot: SlotIndex | None, table: str | None) -> dict[str, Any] | None:
    if slot is None:
        return None
    s = event.slots[slot]
    return {
        "day": s.date.isoformat(),
        "slot": s.number,
        "start": f"{s.start:%H:%M}",
        "end": f"{s.end:%H:%M}",
        "table": table,
    }


def _old_new(event: Event, c: MeetingChange) -> dict[str, dict[str, Any] | None]:
    return {"old": _place(event, c.old_slot, c.old_table), "new": _place(event, c.new_slot, c.new_table)}


def _cells(place: dict[str, Any] | None) -> list[Any]:
    return ["", "", "", ""] if place is None else [place[k] for k in ("day", "slot", "start", "table")]
