"""What a new participants or wishes file changes, person by person and wish by wish.

Compared on the events the library's loader built from the old and the new files, so a change
of column order, delimiter, header spelling or file type is no change at all, and only what the
scheduler reads (and the extra columns kept with a person) counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scheduler.domain import Event, Participant, ParticipantId, Wish

PRIORITIES = {1: "high (1)", 2: "normal (2)", 3: "low (3)"}


@dataclass(frozen=True)
class Change:
    what: str  # the column, as the organiser's file names it
    old: str
    new: str


@dataclass(frozen=True)
class PersonChange:
    person: Participant  # as the new file has them
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class WishChange:
    wish: Wish  # as the new file has it
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class FileChanges:
    added: list[Participant]
    removed: list[Participant]
    changed: list[PersonChange]
    wishes_added: list[Wish]
    wishes_removed: list[Wish]
    wishes_changed: list[WishChange]
    names: dict[ParticipantId, str]  # everyone of either file, to name a wish's two people

    @property
    def people_count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    @property
    def wish_count(self) -> int:
        return len(self.wishes_added) + len(self.wishes_removed) + len(self.wishes_changed)

    def name(self, pid: ParticipantId) -> str:
        return self.names.get(pid, pid)


def _slots(event: Event) -> Callable[[frozenset[int] | None], str]:
    every = len(event.slots)

    def describe(slots: frozenset[int] | None) -> str:
        if slots is None or len(slots) == every:
            return "any time"
        return f"{len(slots)} of {every} slots"

    return describe


def _person_changes(old: Participant, new: Participant, event: Event) -> tuple[Change, ...]:
    slots = _slots(event)
    pairs = [
        ("name", old.name, new.name),
        ("organisation", old.organisation, new.organisation),
        ("email", old.email, new.email),
        ("role", old.role, new.role),
        ("country", old.country, new.country),
        ("available", slots(old.available), slots(new.available)),
        ("max_meetings", _cap(old.max_meetings), _cap(new.max_meetings)),
        ("status", old.status, new.status),
        ("table", old.table or "a shared table", new.table or "a shared table"),
    ]
    if old.available != new.available and pairs[5][1] == pairs[5][2]:
        pairs[5] = ("available", f"{pairs[5][1]} (other times)", f"{pairs[5][2]} (other times)")
    for column in sorted(set(old.extra) | set(new.extra)):
        pairs.append((column, old.extra.get(column, ""), new.extra.get(column, "")))
    return tuple(Change(what, a or "(empty)", b or "(empty)") for what, a, b in pairs if a != b)


def _cap(value: int | None) -> str:
    return "no limit" if value is None else str(value)


def _wish_changes(old: Wish, new: Wish, event: Event) -> tuple[Change, ...]:
    slots = _slots(event)
    pairs = [
        ("priority", PRIORITIES.get(old.priority, str(old.priority)), PRIORITIES.get(new.priority, str(new.priority))),
        ("window", slots(old.window), slots(new.window)),
        ("status", "declined" if old.declined else "requested", "declined" if new.declined else "requested"),
    ]
    if old.window != new.window and pairs[1][1] == pairs[1][2]:
        pairs[1] = ("window", f"{pairs[1][1]} (other times)", f"{pairs[1][2]} (other times)")
    return tuple(Change(what, a, b) for what, a, b in pairs if a != b)


def file_changes(old: Event, new: Event) -> FileChanges:
    """Who was added, removed or changed, and which wishes, from `old` to `new` (same settings)."""
    added = [p for pid, p in new.participants.items() if pid not in old.participants]
    removed = [p for pid, p in old.participants.items() if pid not in new.participants]
    changed = []
    for pid, person in new.participants.items():
        before = old.participants.get(pid)
        if before is not None and (diff := _person_changes(before, person, new)):
            changed.append(PersonChange(person, diff))
    old_wishes = {(w.requester, w.target): w for w in old.wishes}
    new_wishes = {(w.requester, w.target): w for w in new.wishes}
    wishes_changed = []
    for key, wish in new_wishes.items():
        before_wish = old_wishes.get(key)
        if before_wish is not None and (diff := _wish_changes(before_wish, wish, new)):
            wishes_changed.append(WishChange(wish, diff))
    names = {pid: p.name for pid, p in old.participants.items()} | {pid: p.name for pid, p in new.participants.items()}
    return FileChanges(
        added=added,
        removed=removed,
        changed=changed,
        wishes_added=[w for key, w in new_wishes.items() if key not in old_wishes],
        wishes_removed=[w for key, w in old_wishes.items() if key not in new_wishes],
        wishes_changed=wishes_changed,
        names=names,
    )
