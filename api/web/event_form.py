"""The "New event" form's settings as an event.toml, and the loader's verdict back on the form.

The form does not check the settings itself: it writes what was typed into event.toml (numbers
as numbers, everything else as text, a blank field left out) and the library's loader judges
that file exactly as it judges an uploaded one, so every rule is written once. The loader's
problems name a setting (`slot_minutes`, `days[2].end`, `fairness.max_holes`); `field_of` turns
that back into the form field it came from, for a message beside the field.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import tomli_w

from scheduler.problems import Problem

MAX_DAYS = 31
MAX_BREAKS = 12
BLANK_DAYS = 3  # day rows a page without JavaScript offers
BLANK_BREAKS = 2  # break rows per day a page without JavaScript offers
FORM_FILE = "the form"  # how a problem of a form field names its "file"

_WHOLE = re.compile(r"[+-]?\d{1,9}")
_DAY_FIELD = re.compile(r"days-(\d+)-(date|start|end)")
_BREAK_FIELD = re.compile(r"days-(\d+)-break-(\d+)-(start|end)")
_DAY_SETTING = re.compile(r"days\[(\d+)\](?:\.(date|start|end|breaks))?")
_PREFIX = re.compile(r"^(?:days\[\d+\](?:\.\w+)?|[a-z_]+(?:\.[a-z_0-9]+)*): ")


@dataclass
class BreakInput:
    start: str = ""
    end: str = ""

    def empty(self) -> bool:
        return not (self.start or self.end)


@dataclass
class DayInput:
    date: str = ""
    start: str = ""
    end: str = ""
    breaks: list[BreakInput] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.date or self.start or self.end) and all(b.empty() for b in self.breaks)

    def padded(self) -> DayInput:
        """This day with at least `BLANK_BREAKS` break rows, one of them blank when there is room."""
        breaks = list(self.breaks)
        while len(breaks) < BLANK_BREAKS or (len(breaks) < MAX_BREAKS and not breaks[-1].empty()):
            breaks.append(BreakInput())
        return replace(self, breaks=breaks)


@dataclass
class EventForm:
    """What the organiser typed, as text (a form is re-shown exactly as it was sent)."""

    name: str = ""
    timezone: str = "UTC"
    slot_minutes: str = "20"
    tables: str = ""
    table_labels: str = ""
    same_organisation: bool = False
    objective: str = "maximise"
    points_1: str = "3"
    points_2: str = "2"
    points_3: str = "1"
    mutual_multiplier: str = "2"
    max_holes: str = ""
    max_spread: str = ""
    days: list[DayInput] = field(default_factory=lambda: [DayInput(start="09:00", end="17:00")])

    @classmethod
    def of(cls, form: Mapping[str, Any]) -> EventForm:
        """The settings of a sent form; blank day and break rows are dropped, the rest keep their order."""

        def text(key: str) -> str:
            value = form.get(key)
            return value.strip() if isinstance(value, str) else ""

        days: dict[int, DayInput] = {}
        breaks: dict[tuple[int, int], BreakInput] = {}
        for key in form:
            if (m := _DAY_FIELD.fullmatch(key)) and int(m[1]) < MAX_DAYS:
                setattr(days.setdefault(int(m[1]), DayInput()), m[2], text(key))
            elif (m := _BREAK_FIELD.fullmatch(key)) and int(m[1]) < MAX_DAYS and int(m[2]) < MAX_BREAKS:
                setattr(breaks.setdefault((int(m[1]), int(m[2])), BreakInput()), m[3], text(key))
        for (d, _b), value in sorted(breaks.items()):
            if not value.empty():
                days.setdefault(d, DayInput()).breaks.append(value)
        return cls(
            name=text("name"),
            timezone=text("timezone"),
            slot_minutes=text("slot_minutes"),
            tables=text("tables"),
            table_labels=text("table_labels"),
            same_organisation=text("same_organisation") == "yes",
            objective="all" if text("objective") == "all" else "maximise",
            points_1=text("points_1"),
            points_2=text("points_2"),
            points_3=text("points_3"),
            mutual_multiplier=text("mutual_multiplier"),
            max_holes=text("max_holes"),
            max_spread=text("max_spread"),
            days=[days[d] for d in sorted(days) if not days[d].empty()],
        )

    def rows(self) -> list[DayInput]:
        """The day rows to show: the filled ones, then blank ones (at least `BLANK_DAYS` in all)."""
        rows = [d.padded() for d in self.days]
        while len(rows) < BLANK_DAYS or (len(rows) < MAX_DAYS and not rows[-1].empty()):
            rows.append(DayInput().padded())
        return rows

    def labels(self) -> list[str]:
        return [x.strip() for x in re.split(r"[,;\n]", self.table_labels) if x.strip()]

    def settings(self) -> dict[str, Any]:
        """The event.toml these fields make; what cannot be read stays text, for the loader to judge."""
        out: dict[str, Any] = {}
        _put(out, "name", self.name)
        _put(out, "timezone", self.timezone)
        _put(out, "slot_minutes", _number(self.slot_minutes))
        labels = self.labels()
        tables = _number(self.tables) if self.tables else (len(labels) if labels else "")
        _put(out, "tables", tables)
        if labels:
            out["table_labels"] = labels
        if self.same_organisation:
            out["same_organisation_meetings"] = True
        out["objective"] = self.objective
        days = []
        for d in self.days:
            block: dict[str, Any] = {}
            for key in ("date", "start", "end"):
                _put(block, key, getattr(d, key))
            if d.breaks:
                block["breaks"] = [f"{b.start}-{b.end}" for b in d.breaks]
            days.append(block)
        if days:
            out["days"] = days
        points: dict[str, Any] = {}
        for priority in ("1", "2", "3"):
            _put(points, priority, _number(getattr(self, f"points_{priority}")))
        weights: dict[str, Any] = {"priority_points": points} if points else {}
        _put(weights, "mutual_multiplier", _number(self.mutual_multiplier))
        if weights:
            out["weights"] = weights
        fairness: dict[str, Any] = {}
        _put(fairness, "max_holes", _number(self.max_holes))
        _put(fairness, "max_spread", _number(self.max_spread))
        if fairness:
            out["fairness"] = fairness
        return out

    def toml(self) -> bytes:
        return tomli_w.dumps(self.settings()).encode("utf-8")


def _number(value: str) -> int | str:
    return int(value) if _WHOLE.fullmatch(value) else value


def _put(table: dict[str, Any], key: str, value: int | str) -> None:
    if value != "":
        table[key] = value


# --- the loader's problems, back on the form ------------------------------------------------------

_FIELDS = {
    "name": ("name", "Name"),
    "timezone": ("timezone", "Time zone"),
    "slot_minutes": ("slot_minutes", "Slot length"),
    "tables": ("tables", "Tables"),
    "table_labels": ("table_labels", "Table labels"),
    "same_organisation_meetings": ("same_organisation", "Colleagues may meet"),
    "objective": ("objective", "Goal"),
    "weights": ("points_2", "Points"),
    "weights.priority_points": ("points_2", "Points"),
    "weights.priority_points.1": ("points_1", "Points for a high-priority wish"),
    "weights.priority_points.2": ("points_2", "Points for a normal wish"),
    "weights.priority_points.3": ("points_3", "Points for a low-priority wish"),
    "weights.mutual_multiplier": ("mutual_multiplier", "Mutual multiplier"),
    "fairness": ("max_holes", "Most holes per person"),
    "fairness.max_holes": ("max_holes", "Most holes per person"),
    "fairness.max_spread": ("max_spread", "Largest difference in holes"),
    "days": ("days-0-date", "Days"),
}


def field_of(setting: str | None) -> tuple[str, str] | None:
    """(form field id, its label) of an event.toml setting a problem names; None when unknown."""
    if setting is None:
        return None
    if (m := _DAY_SETTING.fullmatch(setting)) is not None:
        day = int(m[1]) - 1
        part = m[2] or "date"
        if part == "breaks":
            return f"days-{day}-breaks", f"Day {day + 1}, breaks"
        return f"days-{day}-{part}", f"Day {day + 1}, {part}"
    return _FIELDS.get(setting)


@dataclass(frozen=True)
class FieldProblems:
    """The loader's event.toml problems as the form shows them: per field, and as table rows."""

    by_field: dict[str, list[str]]
    rows: list[Problem]


def on_the_form(problems: list[Problem], event_file: str) -> FieldProblems:
    """Move the problems of the generated `event_file` onto the form's fields; the others stay as they are."""
    by_field: dict[str, list[str]] = {}
    rows = []
    for p in problems:
        where = field_of(p.column) if p.file == event_file else None
        if where is None:
            rows.append(replace(p, file=FORM_FILE, row=None) if p.file == event_file else p)
            continue
        message = _PREFIX.sub("", p.message, count=1)
        by_field.setdefault(where[0], []).append(message)
        rows.append(replace(p, file=FORM_FILE, row=None, column=where[1], message=message))
    return FieldProblems(by_field, rows)


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The IANA names the form offers (any other valid name may be typed)."""
    return tuple(
        sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    )
