"""Typed domain objects shared by every part of matchday.

The loader turns files into these; the model, the checker, the greedy baselines and the
exporters only ever see these. Everything is immutable once loaded so that one `Event` can be
solved, checked and rendered concurrently without defensive copies.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

ParticipantId = str
SlotIndex = int
"""Position of a slot in `Event.slots` (0-based, across all days)."""

Objective = Literal["maximise", "all"]
INACTIVE_STATUSES = frozenset({"cancelled", "absent"})


@dataclass(frozen=True)
class Slot:
    """One meeting slot on the event's fixed grid."""

    index: SlotIndex  # position in Event.slots, 0-based over the whole event
    day: int  # position of its day in Event.days
    date: dt.date
    number: int  # 1-based within its day, gap-free across breaks
    start: dt.time
    end: dt.time

    @property
    def label(self) -> str:
        return f"{self.date.isoformat()} #{self.number} {self.start:%H:%M}"


@dataclass(frozen=True)
class Day:
    date: dt.date
    start: dt.time
    end: dt.time
    breaks: tuple[tuple[dt.time, dt.time], ...]
    slots: tuple[SlotIndex, ...]  # indices into Event.slots, in time order


@dataclass(frozen=True)
class Weights:
    priority_points: dict[int, int] = field(default_factory=lambda: {1: 3, 2: 2, 3: 1})
    mutual_multiplier: int = 2


@dataclass(frozen=True)
class Participant:
    id: ParticipantId
    name: str
    available: frozenset[SlotIndex]
    organisation: str = ""
    email: str = ""
    role: str = ""
    country: str = ""
    max_meetings: int | None = None
    status: str = "registered"
    table: str | None = None  # fixed table / booth label
    extra: dict[str, str] = field(default_factory=dict)
    language: str | None = None  # agenda language (a supported ISO 639-1 code); None: the event's

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE_STATUSES


@dataclass(frozen=True)
class Wish:
    requester: ParticipantId
    target: ParticipantId
    priority: int = 2
    window: frozenset[SlotIndex] | None = None  # None: any common slot
    declined: bool = False  # cancelled by the organiser: never scheduled again


@dataclass(frozen=True)
class HostRule:
    """Who stays put: the people whose `column` of participants.csv is `value` (ignoring case and
    surrounding spaces). Their shared-table meetings keep one table all day where tables allow."""

    column: str  # "role" for `hosts = "seller"`
    value: str

    def matches(self, person: Participant) -> bool:
        column = _header_key(self.column)
        if column in _PERSON_COLUMNS:
            raw = getattr(person, column)
        else:
            raw = next((v for k, v in person.extra.items() if _header_key(k) == column), "")
        return str(raw or "").strip().lower() == self.value.strip().lower()


_PERSON_COLUMNS = ("id", "name", "organisation", "email", "role", "country", "status", "table", "language")


def _header_key(header: str) -> str:
    """A column name as the loader matches headers: any case, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


# [fairness] min_meetings when event.toml sets none: nobody who could meet a wished partner is left
# with no meeting where the event allows it (0 turns the guarantee off).
DEFAULT_MIN_MEETINGS = 1


@dataclass(frozen=True)
class Event:
    name: str
    timezone: str
    slot_minutes: int
    table_labels: tuple[str, ...]  # the shared tables
    days: tuple[Day, ...]
    slots: tuple[Slot, ...]
    participants: dict[ParticipantId, Participant]  # in file order
    wishes: tuple[Wish, ...]  # first occurrence of each (requester, target), in file order
    same_organisation_meetings: bool = False
    objective: Objective = "maximise"
    weights: Weights = field(default_factory=Weights)
    max_holes: int | None = None  # per person; None means no cap
    max_hole_spread: int | None = None  # "all" mode fairness: max - min holes over people
    min_meetings: int = DEFAULT_MIN_MEETINGS  # [fairness]: meetings everyone who can should get, before points
    hosts: HostRule | None = None  # the people who stay at one table all day (event.toml `hosts`)
    venue: str = ""  # where the event takes place, shown on the participants' agendas
    contact_email: str = ""  # the organiser's contact on the agendas ("" when not given)
    contact_phone: str = ""
    language: str = "en"  # agendas' language for people without their own (event.toml `language`)

    def language_of(self, pid: ParticipantId) -> str:
        """The language of a person's agenda: their own, else the event's."""
        person = self.participants.get(pid)
        return (person.language if person is not None else None) or self.language

    @property
    def tables(self) -> int:
        return len(self.table_labels)

    def slot_at(self, date: dt.date, number: int) -> Slot | None:
        for day in self.days:
            if day.date == date:
                if 1 <= number <= len(day.slots):
                    return self.slots[day.slots[number - 1]]
                return None
        return None


def host_ids(event: Event) -> frozenset[ParticipantId]:
    """The active people the event's `hosts` setting names (none without the setting)."""
    rule = event.hosts
    if rule is None:
        return frozenset()
    return frozenset(pid for pid, p in event.participants.items() if p.active and rule.matches(p))


@dataclass(frozen=True)
class Meeting:
    slot: SlotIndex
    table: str
    a: ParticipantId
    b: ParticipantId
    locked: bool = False

    @property
    def pair(self) -> frozenset[ParticipantId]:
        return frozenset((self.a, self.b))


@dataclass(frozen=True)
class Schedule:
    """A set of meetings, always kept sorted by slot then table."""

    meetings: tuple[Meeting, ...]

    @staticmethod
    def of(meetings: list[Meeting] | tuple[Meeting, ...]) -> Schedule:
        return Schedule(tuple(sorted(meetings, key=lambda m: (m.slot, _table_key(m.table), m.a, m.b))))

    def __len__(self) -> int:
        return len(self.meetings)

    def for_person(self, pid: ParticipantId) -> list[Meeting]:
        return [m for m in self.meetings if pid in (m.a, m.b)]


def _table_key(label: str) -> tuple[int, int | str]:
    """Sort "2" before "10" and numbers before names."""
    return (0, int(label)) if label.isascii() and label.isdigit() else (1, label)


def table_sort_key(label: str) -> tuple[int, int | str]:
    return _table_key(label)
