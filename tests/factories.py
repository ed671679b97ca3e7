"""Small builders for events written inline in tests, loaded through the real loader.

Participants and wishes are plain tuples (or dicts) so that a test reads like the CSV files it
stands for; `make_event` turns them into the three files and calls `load_event_bytes`, so every
test event has passed the same validation as an organiser's upload.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scheduler.domain import Event, Meeting, Schedule
from scheduler.io.loading import load_event_bytes
from scheduler.pipelines.solve import solve
from scheduler.results import SolveOptions, SolveResult

PARTICIPANT_FIELDS = ("id", "name", "organisation", "available", "max_meetings", "status", "table")
WISH_FIELDS = ("requester", "target", "priority", "window", "status")

DATE = "2027-03-10"
DATE2 = "2027-03-11"


@dataclass(frozen=True)
class DaySpec:
    """One [[days]] block of event.toml."""

    date: str = DATE
    start: str = "09:00"
    end: str = "10:20"  # four 20-minute slots by default
    breaks: tuple[str, ...] = ()

    def toml(self) -> str:
        lines = ["[[days]]", f'date = "{self.date}"', f'start = "{self.start}"', f'end = "{self.end}"']
        if self.breaks:
            lines.append("breaks = [" + ", ".join(f'"{b}"' for b in self.breaks) + "]")
        return "\n".join(lines)


@dataclass(frozen=True)
class EventSpec:
    """The settings of event.toml that tests vary; `extra` is appended verbatim."""

    tables: int = 10
    slot_minutes: int = 20
    days: tuple[DaySpec, ...] = (DaySpec(),)
    objective: str = "maximise"
    same_organisation_meetings: bool = False
    max_holes: int | None = None
    max_spread: int | None = None
    table_labels: tuple[str, ...] | None = None
    extra: str = ""
    weights: Mapping[str, Any] = field(default_factory=dict)

    def toml(self) -> str:
        top = [
            'name = "Test day"',
            'timezone = "Europe/Helsinki"',
            f"slot_minutes = {self.slot_minutes}",
            f"tables = {self.tables}",
            f"same_organisation_meetings = {'true' if self.same_organisation_meetings else 'false'}",
            f'objective = "{self.objective}"',
        ]
        if self.table_labels is not None:
            top.append("table_labels = [" + ", ".join(f'"{t}"' for t in self.table_labels) + "]")
        if self.extra:
            top.append(self.extra)
        blocks = [d.toml() for d in self.days]
        if self.weights:
            w = ["[weights]"]
            for key, value in self.weights.items():
                if isinstance(value, Mapping):
                    w.append(f"{key} = {{ " + ", ".join(f"{k} = {v}" for k, v in value.items()) + " }")
                else:
                    w.append(f"{key} = {value}")
            blocks.append("\n".join(w))
        fairness = [
            f"{k} = {v}" for k, v in (("max_holes", self.max_holes), ("max_spread", self.max_spread)) if v is not None
        ]
        if fairness:
            blocks.append("\n".join(["[fairness]", *fairness]))
        return "\n".join(top) + "\n\n" + "\n\n".join(blocks) + "\n"


PersonRow = Sequence[Any] | Mapping[str, Any]
WishRow = Sequence[Any] | Mapping[str, Any]


def person(
    pid: str,
    *,
    organisation: str = "",
    available: str = "",
    max_meetings: int | None = None,
    status: str = "",
    table: str = "",
    name: str | None = None,
) -> dict[str, Any]:
    """A participants.csv row by keyword; unset columns stay empty."""
    return {
        "id": pid,
        "name": name or pid.title(),
        "organisation": organisation,
        "available": available,
        "max_meetings": "" if max_meetings is None else max_meetings,
        "status": status,
        "table": table,
    }


def wish(requester: str, target: str, priority: int | str = "", window: str = "") -> dict[str, Any]:
    return {"requester": requester, "target": target, "priority": priority, "window": window}


def _rows(
    rows: Iterable[PersonRow | WishRow], fields: tuple[str, ...], defaults: Mapping[str, Any]
) -> list[dict[str, str]]:
    out = []
    for row in rows:
        if isinstance(row, str):  # a bare id
            row = (row,)
        rec = dict(row) if isinstance(row, Mapping) else dict(zip(fields, row, strict=False))
        unknown = set(rec) - set(fields)
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)} in test row {row!r}")
        full = {f: rec.get(f, defaults.get(f, "")) for f in fields}
        out.append({k: "" if v is None else str(v) for k, v in full.items()})
    return out


def _csv(fields: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def event_files(
    people: Iterable[PersonRow | str], wishes: Iterable[WishRow], spec: EventSpec | None = None
) -> tuple[bytes, bytes, bytes]:
    """The three files of an event: event.toml, participants.csv and wishes.csv, as bytes.

    A participant row is a bare id, a tuple in `PARTICIPANT_FIELDS` order (id, name, organisation,
    available, max_meetings, status, table) or a dict such as `person(...)` returns; the name
    defaults to the id. A wish row is a tuple in `WISH_FIELDS` order or a dict.
    """
    spec = spec or EventSpec()
    p_rows = _rows(people, PARTICIPANT_FIELDS, {})
    for r in p_rows:
        r["name"] = r["name"] or r["id"].title()
    w_rows = _rows(wishes, WISH_FIELDS, {})
    return spec.toml().encode(), _csv(PARTICIPANT_FIELDS, p_rows), _csv(WISH_FIELDS, w_rows)


def make_event(
    people: Iterable[PersonRow | str], wishes: Iterable[WishRow], spec: EventSpec | None = None, **settings: Any
) -> Event:
    """An `Event` built through `load_event_bytes`; keyword settings override `spec`'s fields."""
    base = spec or EventSpec()
    if settings:
        base = EventSpec(**{**base.__dict__, **settings})
    return load_event_bytes(*event_files(people, wishes, base)).event


def quick_options(**overrides: Any) -> SolveOptions:
    """A short, reproducible solve: what every solver test uses unless it needs otherwise."""
    return SolveOptions(**{"time_limit": 2.0, "deterministic": True, "seed": 1, **overrides})


def quick_solve(event: Event, **overrides: Any) -> SolveResult:
    return solve(event, quick_options(**overrides))


def pairs_met(schedule: Schedule) -> set[frozenset[str]]:
    return {m.pair for m in schedule.meetings}


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def pair_points_of(event: Event, a: str, b: str) -> int:
    """formats.md's points of the pair a-b, from the wishes alone (independent of the solver)."""
    asked: dict[str, int] = {}
    for w in event.wishes:
        if not w.declined and {w.requester, w.target} == {a, b}:
            asked.setdefault(w.requester, w.priority)
    total = sum(event.weights.priority_points.get(p, 0) for p in asked.values())
    return total * (event.weights.mutual_multiplier if len(asked) == 2 else 1)


def slot_number(event: Event, meeting: Meeting) -> tuple[str, int]:
    """(date, slot number within the day) of a meeting, as schedule.csv shows it."""
    s = event.slots[meeting.slot]
    return s.date.isoformat(), s.number


def cluster_day(people: int = 40, seed: int = 2027, objective: str = "maximise") -> tuple[bytes, bytes, bytes]:
    """The files of a medium, realistic event: one day of 15 slots around lunch, only 5 shared
    tables, a few booths (colleagues share a "Stand" label), caps, part-time attendees, a
    cancellation, and 4-9 wishes per person, a quarter of them returned (mutual).

    Deterministic in `seed` (it uses its own `random.Random`), so every process builds the same files.
    """
    import random

    rng = random.Random(seed)
    orgs = [f"Company {c}" for c in "ABCDEFGHIJKL"]
    ids = [f"p{i:02d}" for i in range(people)]
    rows = []
    for i, pid in enumerate(ids):
        org = orgs[i % len(orgs)] if rng.random() < 0.85 else ""
        available = ""
        r = rng.random()
        if r < 0.15:
            available = "09:00-12:00"
        elif r < 0.25:
            available = "10:00-11:40;13:00-15:00"
        cap = rng.choice([None, None, None, 3, 5])
        status = "cancelled" if i == people - 1 else ""
        table = ""
        if i % 9 == 0:
            table = f"Stand {org or pid}"  # colleagues i and i + 12*k may share it
        elif i % 13 == 0:
            table = f"Booth {pid}"
        rows.append(
            person(
                pid,
                organisation=org,
                available=available,
                max_meetings=cap,
                status=status,
                table=table,
                name=f"Jānis Bērziņš {pid}",
            )
        )
    wishes = []
    seen = set()
    for pid in ids:
        for target in rng.sample([x for x in ids if x != pid], rng.randint(4, 9)):
            if (pid, target) in seen:
                continue
            seen.add((pid, target))
            window = "09:00-12:00" if rng.random() < 0.08 else ""
            wishes.append(wish(pid, target, rng.choice([1, 2, 2, 3]), window))
            if rng.random() < 0.25 and (target, pid) not in seen:
                seen.add((target, pid))
                wishes.append(wish(target, pid, rng.choice([1, 2, 3])))
    day = DaySpec(end="15:00", breaks=("12:00-13:00",))
    return event_files(rows, wishes, EventSpec(tables=5, days=(day,), objective=objective))
