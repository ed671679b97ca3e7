"""Load and validate an event: event.toml, participants.csv and wishes.csv into a typed `Event`.

Every problem is collected before anything is raised, so an organiser fixes a file in one go:
a broken event.toml does not stop the CSV files from being checked for everything that can be
checked without the event (ids, names, caps, statuses, priorities, window syntax, …), and a
missing file does not stop the others from being checked. Bad input never raises anything but
`EventError`.

Rows are numbered as a spreadsheet shows them (the header is row 1; blank lines count, a quoted
value spanning several lines is one row). For event.toml the row is the line number, as far as
it can be found, and the column is the setting, e.g. `days[2].breaks`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.domain import INACTIVE_STATUSES, Day, Event, Participant, ParticipantId, Slot, SlotIndex, Weights, Wish
from scheduler.io.timegrid import (
    WindowError,
    build_grid,
    minutes,
    parse_date,
    parse_range,
    parse_time,
    parse_windows,
    split_windows,
)
from scheduler.problems import Problem, Problems

EVENT_FILE, PARTICIPANTS_FILE, WISHES_FILE = "event.toml", "participants.csv", "wishes.csv"
MAX_TABLES = 10_000
MAX_WEIGHT = 1_000_000  # keeps objective values far from the solver's integer limits


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()


# The one place where the CSV columns are defined; the checks below are driven by it.
# Headers match case-insensitively, with spaces and hyphens read as underscores.
PARTICIPANT_COLUMNS = (
    Column("id", required=True, aliases=("participant_id", "participant")),
    Column("name", required=True, aliases=("full_name",)),
    Column("organisation", aliases=("organization", "company")),
    Column("email", aliases=("e_mail", "mail")),
    Column("role"),
    Column("country"),
    Column("available", aliases=("availability",)),
    Column("max_meetings", aliases=("cap",)),
    Column("status"),
    Column("table", aliases=("booth",)),
)
WISH_STATUSES = frozenset({"", "requested", "declined"})
WISH_COLUMNS = (
    Column("requester", required=True, aliases=("from",)),
    Column("target", required=True, aliases=("to",)),
    Column("priority"),
    Column("window"),
    Column("status"),  # beyond formats.md: "declined" marks a meeting the organiser cancelled for good
)
STATUSES = {"", "registered", *INACTIVE_STATUSES}
STATUS_ALIASES = {"canceled": "cancelled"}
PRIORITY_WORDS = {"high": 1, "normal": 2, "low": 3}

# event.toml keys; anything else is reported as a warning (most likely a typo).
SETTING_KEYS = {
    "name",
    "timezone",
    "slot_minutes",
    "tables",
    "table_labels",
    "same_organisation_meetings",
    "same_organization_meetings",
    "objective",
    "days",
    "weights",
    "fairness",
}
DAY_KEYS = {"date", "start", "end", "breaks"}
WEIGHT_KEYS = {"priority_points", "mutual_multiplier"}
FAIRNESS_KEYS = {"max_holes", "max_spread"}

DaySpec = tuple[dt.date, dt.time, dt.time, list[tuple[dt.time, dt.time]]]


@dataclass(frozen=True)
class LoadedEvent:
    event: Event
    warnings: list[Problem]


def load_event_dir(path: str | Path) -> LoadedEvent:
    """Load an event folder. Raises EventError listing every problem found."""
    folder = Path(path)
    problems = Problems()
    if not folder.is_dir():
        problems.error(
            "missing_folder", f"'{folder}' is not a folder with {EVENT_FILE}, {PARTICIPANTS_FILE} and {WISHES_FILE}"
        )
        problems.raise_if_errors()
    names = (EVENT_FILE, PARTICIPANTS_FILE, WISHES_FILE)
    files = {name: _read_file(folder / name, problems) for name in names}
    return _load(files, folder.absolute().name or "B2B day", problems)


def load_event_bytes(
    event_toml: bytes, participants_csv: bytes, wishes_csv: bytes, default_name: str = "B2B day"
) -> LoadedEvent:
    """Load an event from the raw contents of its three files (as uploaded to the API)."""
    files = {EVENT_FILE: event_toml, PARTICIPANTS_FILE: participants_csv, WISHES_FILE: wishes_csv}
    return _load(files, default_name, Problems())


def _read_file(path: Path, problems: Problems) -> bytes | None:
    if not path.is_file():
        problems.error("missing_file", f"the file is missing from '{path.parent}'", file=path.name)
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.error("unreadable_file", f"the file cannot be read: {exc.strerror or exc}", file=path.name)
        return None


def _load(files: Mapping[str, bytes | None], default_name: str, problems: Problems) -> LoadedEvent:
    """Check every file that is there (None: missing), then build the event if nothing is wrong."""
    event_toml = files[EVENT_FILE]
    settings = None if event_toml is None else _read_settings(event_toml, problems, default_name)
    grid = _grid(settings)
    labels = settings.table_labels if settings else None
    people_table = _read_table(files[PARTICIPANTS_FILE], PARTICIPANTS_FILE, PARTICIPANT_COLUMNS, problems)
    wish_table = _read_table(files[WISHES_FILE], WISHES_FILE, WISH_COLUMNS, problems, allow_no_rows=True)
    people = _participants(people_table, grid, labels, problems)
    wishes = _wishes(wish_table, people.rows if people_table is not None else None, grid, problems)
    _sort_by_place(problems)
    problems.raise_if_errors()
    if settings is None or grid is None:  # an unusable event.toml has always recorded an error
        raise AssertionError("event.toml gave no usable settings, yet no error was recorded")
    event = Event(
        days=grid.days, slots=grid.slots, participants=people.participants, wishes=tuple(wishes), **settings.fields
    )
    _warn_unmeetable(event, people.rows, problems)
    _sort_by_place(problems)
    return LoadedEvent(event=event, warnings=problems.warnings)


def _sort_by_place(problems: Problems) -> None:
    """File by file, row by row (a stable sort: same-row problems keep the order they were found)."""
    order = {EVENT_FILE: 0, PARTICIPANTS_FILE: 1, WISHES_FILE: 2}
    problems.items.sort(key=lambda p: (order.get(p.file or "", -1), p.row or 0))


def _decode(data: bytes, file: str, problems: Problems) -> str | None:
    """UTF-8 with or without BOM (UTF-16 with a BOM is accepted too, as Excel's "Unicode text")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: report it as what the contract asks for
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(
            "not_utf8",
            f"the file is not UTF-8 text (byte {exc.start + 1}, on line {line}, "
            "cannot be read); save it as UTF-8 (in Excel: 'CSV UTF-8')",
            file=file,
            row=line,
        )
        return None


# --- event.toml ----------------------------------------------------------------------------


@dataclass
class _Settings:
    fields: dict[str, Any]  # keyword arguments of Event other than the grid and the people
    days: list[DaySpec] | None  # None when [[days]] or slot_minutes cannot be used
    table_labels: tuple[str, ...] | None  # None when tables / table_labels cannot be used


@dataclass(frozen=True)
class _Grid:
    days: tuple[Day, ...]
    slots: tuple[Slot, ...]


def _grid(settings: _Settings | None) -> _Grid | None:
    if settings is None or settings.days is None:
        return None
    days, slots = build_grid(settings.days, settings.fields["slot_minutes"])
    return _Grid(days, slots)


_Err = Callable[[str, str], None]  # (setting, message)
_WarnUnknown = Callable[[Mapping[str, Any], set[str], str], None]  # (table, known keys, key prefix)


def _read_settings(data: bytes, problems: Problems, default_name: str) -> _Settings | None:
    """The settings of event.toml; None when the file cannot be read as TOML at all."""
    text = _decode(data, EVENT_FILE, problems)
    if text is None:
        return None
    if not text.strip():
        problems.error(
            "empty_file",
            "the file is empty; it needs at least slot_minutes, tables and one [[days]] block",
            file=EVENT_FILE,
        )
        return None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.error("bad_toml", f"not valid TOML: {exc}", file=EVENT_FILE, row=_toml_error_line(str(exc), text))
        return None
    except RecursionError:
        problems.error("bad_toml", "not valid TOML: values are nested too deeply", file=EVENT_FILE)
        return None
    lines = _TomlLines(text)

    def err(key: str, message: str) -> None:
        problems.error("bad_setting", message, file=EVENT_FILE, row=lines.find(key), column=key)

    def warn_unknown(table: Mapping[str, Any], known: set[str], prefix: str) -> None:
        for key in table:
            if key not in known:
                where = f"{prefix}{key}"
                problems.warn(
                    "unknown_setting",
                    f"'{where}' is not a setting matchday knows (a typo?); "
                    f"it is ignored. Known here: {', '.join(sorted(known))}",
                    file=EVENT_FILE,
                    row=lines.find(where),
                    column=where,
                )

    warn_unknown(raw, SETTING_KEYS, "")
    fields: dict[str, Any] = {}
    name = raw.get("name", "")
    fields["name"] = (name.strip() if isinstance(name, str) else str(name)) or default_name
    fields["timezone"] = _timezone(raw.get("timezone", "UTC"), err)
    for key in ("slot_minutes", "tables"):
        if key not in raw:
            err(key, f"'{key}' is required, e.g. {key} = {20 if key == 'slot_minutes' else 40}")
    slot_minutes = None
    if "slot_minutes" in raw:
        slot_minutes = _integer("slot_minutes", raw["slot_minutes"], 1, 24 * 60, err)
    fields["slot_minutes"] = slot_minutes or 20
    tables = _integer("tables", raw["tables"], 0, MAX_TABLES, err) if "tables" in raw else None
    labels = _table_labels(raw.get("table_labels"), tables, err)
    fields["table_labels"] = labels or ()
    same_org = raw.get("same_organisation_meetings", raw.get("same_organization_meetings", False))
    if not isinstance(same_org, bool):
        err("same_organisation_meetings", f"'same_organisation_meetings' must be true or false, not {same_org!r}")
        same_org = False
    fields["same_organisation_meetings"] = same_org
    objective = raw.get("objective", "maximise")
    if isinstance(objective, str) and objective.strip().lower() in ("maximise", "maximize", "all"):
        objective = "all" if objective.strip().lower() == "all" else "maximise"
    else:
        err("objective", f'\'objective\' must be "maximise" or "all", not {objective!r}')
        objective = "maximise"
    fields["objective"] = objective
    fields["weights"] = _read_weights(raw.get("weights", {}), err, warn_unknown)
    fields["max_holes"], fields["max_hole_spread"] = _read_fairness(
        raw.get("fairness", {}), objective, err, warn_unknown
    )
    days = _read_days(raw.get("days"), err, warn_unknown, slot_minutes)
    return _Settings(fields=fields, days=days if slot_minutes is not None else None, table_labels=labels)


def _timezone(value: Any, err: _Err) -> str:
    if isinstance(value, str) and value.strip():
        try:
            zoneinfo.ZoneInfo(value.strip())
            return value.strip()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    err("timezone", f'{value!r} is not an IANA time zone name such as "Europe/Helsinki"')
    return "UTC"


def _integer(key: str, value: Any, minimum: int, maximum: int | None, err: _Err) -> int | None:
    """A TOML integer within bounds, or None after reporting what was expected."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        err(key, f"'{key}' must be a whole number {bounds}, not {value!r}")
        return None
    return value


def _table_labels(raw: Any, tables: int | None, err: _Err) -> tuple[str, ...] | None:
    """The shared tables' labels: "1" … "N", or table_labels; None when they cannot be known."""
    if raw is None:
        return None if tables is None else tuple(str(i) for i in range(1, tables + 1))
    if not isinstance(raw, list) or not all(_is_label(x) for x in raw):
        err("table_labels", '\'table_labels\' must be a list of labels, e.g. ["A1", "A2"]')
        return None
    labels = tuple(str(x).strip() for x in raw)
    ok = True
    if tables is not None and len(labels) != tables:
        err("table_labels", f"'table_labels' has {len(labels)} labels but tables = {tables}")
        ok = False
    repeated = sorted({x for x in labels if labels.count(x) > 1})
    if repeated or "" in labels:
        err(
            "table_labels",
            "table labels must be unique and non-empty"
            + (f" (repeated: {', '.join(repeated)})" if repeated else " (one is empty)"),
        )
        ok = False
    return labels if ok else None


def _is_label(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _read_weights(raw: Any, err: _Err, warn_unknown: _WarnUnknown) -> Weights:
    if not isinstance(raw, dict):
        err("weights", "[weights] must be a table with priority_points and mutual_multiplier")
        return Weights()
    warn_unknown(raw, WEIGHT_KEYS, "weights.")
    points = dict(Weights().priority_points)
    given = raw.get("priority_points", {})
    if not isinstance(given, dict):
        err("weights.priority_points", "priority_points must look like { 1 = 3, 2 = 2, 3 = 1 }")
        given = {}
    for key, value in given.items():
        if key.strip() not in ("1", "2", "3"):
            err("weights.priority_points", f"priority '{key}' in priority_points is not 1, 2 or 3")
            continue
        v = _integer(f"weights.priority_points.{key.strip()}", value, 0, MAX_WEIGHT, err)
        if v is not None:
            points[int(key)] = v
    mult = _integer("weights.mutual_multiplier", raw.get("mutual_multiplier", 2), 0, MAX_WEIGHT, err)
    return Weights(priority_points=points, mutual_multiplier=2 if mult is None else mult)


def _read_fairness(raw: Any, objective: str, err: _Err, warn_unknown: _WarnUnknown) -> tuple[int | None, int | None]:
    """(max_holes, max_hole_spread): both default to 2 in "all" mode and to no cap otherwise."""
    if not isinstance(raw, dict):
        err("fairness", "[fairness] must be a table, e.g. max_holes = 2")
        raw = {}
    warn_unknown(raw, FAIRNESS_KEYS, "fairness.")
    default = 2 if objective == "all" else None
    out: list[int | None] = []
    for key in ("max_holes", "max_spread"):
        value = raw.get(key, default)
        out.append(None if value is None else _integer(f"fairness.{key}", value, 0, None, err))
    return out[0], out[1]


def _read_days(raw: Any, err: _Err, warn_unknown: _WarnUnknown, slot_minutes: int | None) -> list[DaySpec] | None:
    """The [[days]] blocks, sorted by date; None when any of them is unusable.

    Every field of every block is checked, so one bad value does not hide the next one.
    """
    if not isinstance(raw, list) or not raw:
        err("days", "at least one [[days]] block with date, start and end is required")
        return None
    days: list[DaySpec] = []
    seen: set[dt.date] = set()
    ok = True
    for n, block in enumerate(raw, start=1):
        key = f"days[{n}]"
        if not isinstance(block, dict):
            err(key, f"{key} must be a table with date, start and end")
            ok = False
            continue
        warn_unknown(block, DAY_KEYS, f"{key}.")
        date = _day_date(block, key, err)
        hours = _day_hours(block, key, err)
        breaks = _read_breaks(block.get("breaks", []), key, hours, err)
        if date is not None and date in seen:
            err(f"{key}.date", f"{key}: the date {date} appears in two [[days]] blocks")
            date = None
        if date is None or hours is None or breaks is None:
            ok = False
            continue
        seen.add(date)
        start, end = hours
        if slot_minutes is not None and minutes(end) - minutes(start) < slot_minutes:
            err(
                f"{key}.end",
                f"{key}: the day {start:%H:%M}-{_hhmm(end)} is shorter than one slot of {slot_minutes} minutes",
            )
            ok = False
        days.append((date, start, end, breaks))
    return sorted(days, key=lambda d: d[0]) if ok else None


_DAY_EXAMPLES = {"date": '"2027-03-10"', "start": '"09:00"', "end": '"17:00"'}


def _day_field(block: Mapping[str, Any], key: str, name: str, err: _Err) -> Any:
    """The raw value of a day's field; None after reporting that it is missing."""
    if name not in block:
        err(f"{key}.{name}", f"{key}: '{name}' is required, e.g. {name} = {_DAY_EXAMPLES[name]}")
        return None
    return block[name]


def _day_date(block: Mapping[str, Any], key: str, err: _Err) -> dt.date | None:
    """A day's date, as "YYYY-MM-DD" or a TOML date; None after reporting a problem."""
    value = _day_field(block, key, "date", err)
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        if isinstance(value, str):
            return parse_date(value)
        raise WindowError(f"{value!r} is not a date; expected e.g. date = {_DAY_EXAMPLES['date']}")
    except WindowError as exc:
        err(f"{key}.date", f"{key}.date: {exc}")
        return None


def _day_time(block: Mapping[str, Any], key: str, name: str, err: _Err) -> dt.time | None:
    """A day's start or end, as "HH:MM" or a TOML time on the minute; None after reporting a problem."""
    value = _day_field(block, key, name, err)
    if value is None:
        return None
    if isinstance(value, dt.time) and not value.second and not value.microsecond:
        return dt.time(value.hour, value.minute)
    try:
        if isinstance(value, str):
            return parse_time(value)
        raise WindowError(f"{value!r} is not a time; expected e.g. {name} = {_DAY_EXAMPLES[name]}")
    except WindowError as exc:
        err(f"{key}.{name}", f"{key}.{name}: {exc}")
        return None


def _day_hours(block: Mapping[str, Any], key: str, err: _Err) -> tuple[dt.time, dt.time] | None:
    """(start, end) of a day; None after reporting a problem."""
    start, end = _day_time(block, key, "start", err), _day_time(block, key, "end", err)
    if start is None or end is None:
        return None
    if start >= end:
        err(f"{key}.end", f"{key}: the day ends ({_hhmm(end)}) before it starts ({start:%H:%M})")
        return None
    return start, end


def _read_breaks(
    raw: Any, key: str, hours: tuple[dt.time, dt.time] | None, err: _Err
) -> list[tuple[dt.time, dt.time]] | None:
    """The breaks of a day; only their syntax is checked when the day's hours are unknown."""
    where = f"{key}.breaks"
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        err(where, f'{key}: breaks must be a list such as ["12:00-13:00"]')
        return None
    breaks: list[tuple[dt.time, dt.time]] = []
    ok = True
    for b in items:
        try:
            if not isinstance(b, str):
                raise WindowError(f'{b!r} is not a time range; expected "HH:MM-HH:MM", e.g. "12:00-13:00"')
            b0, b1 = parse_range(b)
        except WindowError as exc:
            err(where, f"{key}: break {exc}")
            ok = False
            continue
        if hours is None:
            continue
        start, end = hours
        if minutes(b0) < minutes(start) or minutes(b1) > minutes(end):
            err(where, f"{key}: the break {b.strip()} lies outside the day {start:%H:%M}-{_hhmm(end)}")
            ok = False
            continue
        breaks.append((b0, b1))
    return breaks if ok else None


def _hhmm(t: dt.time) -> str:
    return "24:00" if t.second else f"{t:%H:%M}"


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def _toml_error_line(message: str, text: str) -> int | None:
    m = _TOML_POSITION.search(message)
    if m:
        return int(m.group(1))
    return text.rstrip("\n").count("\n") + 1 if "end of document" in message else None


class _TomlLines:
    """Best-effort line numbers of settings in event.toml, to point at a problem.

    Understands top-level keys, `[table]` and `[[array]]` headers; anything it cannot find
    (inline tables, quoted keys) gets no line rather than a wrong one.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str):
        self.lines = text.split("\n")  # as tomllib counts lines
        # (name, occurrence for [[arrays]], first line index, end line index) of each section
        self.sections: list[tuple[str, int, int, int]] = [("", 0, 0, len(self.lines))]
        counts: dict[str, int] = {}
        for i, line in enumerate(self.lines):
            m = self._HEADER.match(line)
            if m:
                name = m.group(2).replace(" ", "")
                counts[name] = counts.get(name, 0) + 1
                prev = self.sections[-1]
                self.sections[-1] = (prev[0], prev[1], prev[2], i)
                self.sections.append((name, counts[name] if m.group(1) == "[[" else 0, i, len(self.lines)))

    def find(self, path: str) -> int | None:
        m = re.match(r"^([A-Za-z_]+)\[(\d+)\](?:\.(.+))?$", path)
        if m:  # days[2] or days[2].breaks
            section = self._section(m.group(1), int(m.group(2)))
            if section is None:
                return None
            return (self._key(section, m.group(3).split(".")[0]) if m.group(3) else None) or section[2] + 1
        head, _, rest = path.partition(".")
        if rest:  # weights.mutual_multiplier, fairness.max_holes, weights.priority_points.1
            section = self._section(head, 0)
            if section is not None:
                return self._key(section, rest.split(".")[0]) or section[2] + 1
        return self._key(self.sections[0], head)

    def _section(self, name: str, occurrence: int) -> tuple[str, int, int, int] | None:
        return next((s for s in self.sections if s[0] == name and s[1] == occurrence), None)

    def _key(self, section: tuple[str, int, int, int], key: str) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*[=.]")
        first = section[2] + (1 if section[0] else 0)
        return next((i + 1 for i in range(first, section[3]) if pattern.match(self.lines[i])), None)


# --- CSV files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    """One data row: its spreadsheet row number and its cells, stripped, by canonical column."""

    row: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class _Table:
    records: list[_Record]
    extra_columns: list[str]  # columns not in the contract, in file order; kept in Participant.extra


def _read_table(
    data: bytes | None, file: str, columns: tuple[Column, ...], problems: Problems, allow_no_rows: bool = False
) -> _Table | None:
    """Read a CSV file (',', ';' or tab separated); None when it cannot be used at all."""
    if data is None:
        return None
    text = _decode(data, file, problems)
    if text is None:
        return None
    rows = [(n, cells) for n, cells in _csv_rows(text, file, problems) if any(c.strip() for c in cells)]
    if not rows:
        problems.error("empty_file", "the file is empty; it needs a header row and data rows", file=file)
        return None
    header_row, header = rows[0]
    names = _header_names(header, header_row, file, columns, problems)
    if names is None:
        return None
    records: list[_Record] = []
    for n, cells in rows[1:]:
        surplus = [i for i in range(len(header), len(cells)) if cells[i].strip()]
        if surplus:
            problems.error(
                "extra_values",
                f"the row has values up to column {_column_letter(surplus[-1])} "
                f"but the header has only {len(header)} columns (is a value with a comma or ';' "
                "missing its quotes?)",
                file,
                n,
                _column_letter(surplus[0]),
            )
        values = {name: cells[i].strip() for i, name in enumerate(names) if name and i < len(cells)}
        for i, name in enumerate(names):
            if not name and i < len(cells) and cells[i].strip():
                problems.warn(
                    "unnamed_column",
                    "this value is in a column without a header and is ignored",
                    file,
                    n,
                    _column_letter(i),
                )
        records.append(_Record(n, values))
    if not records:
        if allow_no_rows:
            problems.warn("no_rows", "the file has a header but no data rows", file=file)
        else:
            problems.error("empty_file", "the file has a header but no data rows", file=file)
            return None
    canonical = {c.name for c in columns}
    return _Table(records, [n for n in names if n and n not in canonical])


def _csv_rows(text: str, file: str, problems: Problems) -> list[tuple[int, list[str]]]:
    """Every record with its spreadsheet row number; blank lines count as rows.

    pandas reads the file as text with no header row and as many columns as the widest line
    could hold, so that a row with a value too many is neither shifted nor cut (pandas' own
    header and index inference silently do both); the header is interpreted by `_header_names`.
    """
    delimiter = detect_delimiter(text)
    width = _widest_record(text, delimiter)
    try:
        frame = pd.read_csv(
            io.StringIO(text, newline=None),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            index_col=False,
            engine="python",
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        if "end of data" in str(exc) or "EOF" in str(exc):
            return _rows_before_unclosed_quote(text, delimiter, file, problems)
        problems.error("bad_csv", f"the file is not valid CSV: {exc}", file, _error_row(str(exc)))
        return []
    rows = []
    for n, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        cells = list(values)
        while cells and not isinstance(cells[-1], str):  # pandas' padding up to `width`, not data
            cells.pop()
        rows.append((n, [c if isinstance(c, str) else "" for c in cells]))
    return rows


def _widest_record(text: str, delimiter: str) -> int:
    """How many columns the widest record has; a quoted value may span lines, so records are
    counted, not lines (by line where a quote is never closed, which is reported anyway)."""
    try:
        return max((len(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), default=1)
    except csv.Error:
        return 1 + max((line.count(delimiter) for line in text.splitlines()), default=0)


def _rows_before_unclosed_quote(
    text: str, delimiter: str, file: str, problems: Problems
) -> list[tuple[int, list[str]]]:
    """A quote that is never closed swallows the rest of the file: report where it starts and keep
    the rows before it, so that their problems are still reported."""
    rows = list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1))
    row = rows.pop()[0] if rows else None
    problems.error(
        "bad_csv",
        "a quoted value that starts on this row is never closed (a '\"' is missing), "
        "so the rest of the file was read as one value",
        file,
        row,
    )
    return rows


def _error_row(message: str) -> int | None:
    match = re.search(r"(?:row|line) (\d+)", message)
    return int(match.group(1)) if match else None


def detect_delimiter(text: str) -> str:
    """',', ';' or tab: whichever splits the first non-blank line into the most columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def normalise_header(header: str) -> str:
    """A header as the loader compares it: case-insensitive, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", header.replace("\ufeff", "").strip().lower())


def _header_names(
    header: list[str], row: int, file: str, columns: tuple[Column, ...], problems: Problems
) -> list[str] | None:
    """The column name of each header cell: canonical for known columns, as written for extra ones,
    "" for a cell without a header. None when a required column is missing or a name is repeated."""
    names: list[str] = []
    for cell in header:
        key = normalise_header(cell)
        match = next((c.name for c in columns if key == c.name or key in c.aliases), None)
        names.append(match or cell.replace("\ufeff", "").strip())
    ok = True
    for i, name in enumerate(names):
        if name and name in names[:i]:
            problems.error(
                "duplicate_column",
                f"the column '{name}' appears twice in the header (as "
                f"'{header[names.index(name)].strip()}' and '{header[i].strip()}')",
                file,
                row,
                name,
            )
            ok = False
    for c in columns:
        if c.required and c.name not in names:
            found = ", ".join(f"'{n}'" for n in header if n.strip())
            problems.error(
                "missing_column",
                f"the required column '{c.name}' is missing (found: {found}; "
                f"also accepted: {', '.join(c.aliases) or 'no other name'})",
                file,
                row,
                c.name,
            )
            ok = False
    return names if ok else None


def _column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _check_windows(text: str, grid: _Grid | None) -> frozenset[SlotIndex] | None:
    """The slots of `text` (None: empty, no restriction); without a grid only the syntax is checked."""
    if grid is None:
        split_windows(text)
        return None
    return parse_windows(text, grid.days, grid.slots)


_WHOLE = re.compile(r"^\+?([0-9]{1,9})(?:\.0*)?$")


def whole_number(text: str) -> int | None:
    """A non-negative whole number such as 4 (or 4.0, as spreadsheets write it); None otherwise."""
    m = _WHOLE.match(text)
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class _People:
    participants: dict[ParticipantId, Participant] = field(default_factory=dict)  # valid rows, in file order
    rows: dict[ParticipantId, int] = field(default_factory=dict)  # every id given, with its first row


def _participants(
    table: _Table | None, grid: _Grid | None, shared_labels: tuple[str, ...] | None, problems: Problems
) -> _People:
    people = _People()
    if table is None:
        return people
    f = PARTICIPANTS_FILE
    all_slots = frozenset(range(len(grid.slots))) if grid else frozenset()
    for rec in table.records:
        row, pid = rec.row, rec["id"]
        ok = True
        if not pid:
            problems.error("empty_id", "the id is empty; every participant needs a unique id", f, row, "id")
            ok = False
        elif pid in people.rows:
            problems.error("duplicate_id", f"the id '{pid}' is already used on row {people.rows[pid]}", f, row, "id")
            ok = False
        else:
            people.rows[pid] = row
        if not rec["name"]:
            problems.error("empty_name", "the name is empty; it is shown on agendas", f, row, "name")
        available = all_slots
        try:
            windows = _check_windows(rec["available"], grid)
            if windows is not None:
                available = windows
        except WindowError as exc:
            problems.error("bad_window", str(exc), f, row, "available")
        cap: int | None = None
        if rec["max_meetings"]:
            cap = whole_number(rec["max_meetings"])
            if cap is None:
                problems.error(
                    "bad_number",
                    f"max_meetings must be a whole number of 0 or more (or empty "
                    f"for no cap), not '{rec['max_meetings']}'",
                    f,
                    row,
                    "max_meetings",
                )
        status = rec["status"].lower()
        status = STATUS_ALIASES.get(status, status)
        if status not in STATUSES:
            problems.error(
                "bad_status",
                f"status must be empty, registered, cancelled or absent, not '{rec['status']}'",
                f,
                row,
                "status",
            )
        table_label = rec["table"] or None
        if table_label is not None and shared_labels is not None and table_label in shared_labels:
            problems.error(
                "table_clash",
                f"the fixed table '{table_label}' has the label of a shared table; give the booth its own label",
                f,
                row,
                "table",
            )
        if not ok:
            continue
        person = Participant(
            id=pid,
            name=rec["name"],
            available=available,
            organisation=rec["organisation"],
            email=rec["email"],
            role=rec["role"],
            country=rec["country"],
            max_meetings=cap,
            status=status or "registered",
            table=table_label,
            extra={c: rec[c] for c in table.extra_columns if rec[c]},
        )
        people.participants[pid] = person
        if grid is not None and not available and person.active:
            problems.warn(
                "no_availability",
                f"{rec['name'] or pid} is available in no slot of the event and will get no meeting",
                f,
                row,
                "available",
            )
    return people


def _wishes(
    table: _Table | None, known: Mapping[ParticipantId, int] | None, grid: _Grid | None, problems: Problems
) -> list[Wish]:
    """The first wish of each (requester, target); `known` is None when the ids cannot be checked."""
    if table is None:
        return []
    f = WISHES_FILE
    seen: dict[tuple[str, str], int] = {}
    out: list[Wish] = []
    for rec in table.records:
        row = rec.row
        ok = True
        for col in ("requester", "target"):
            pid = rec[col]
            if not pid:
                problems.error(
                    "empty_id", f"the {col} is empty; it must be an id from {PARTICIPANTS_FILE}", f, row, col
                )
                ok = False
            elif known is not None and pid not in known:
                problems.error(
                    "unknown_participant",
                    f"'{pid}' is not an id in {PARTICIPANTS_FILE}" + _did_you_mean(pid, known),
                    f,
                    row,
                    col,
                )
                ok = False
        if ok and rec["requester"] == rec["target"]:
            problems.error("self_wish", f"'{rec['requester']}' asks to meet themselves", f, row, "target")
            ok = False
        priority = 2
        if rec["priority"]:
            value = PRIORITY_WORDS.get(rec["priority"].lower(), whole_number(rec["priority"]))
            if value not in (1, 2, 3):
                problems.error(
                    "bad_priority",
                    f"priority must be 1 (high), 2 (normal) or 3 (low), not '{rec['priority']}'",
                    f,
                    row,
                    "priority",
                )
                ok = False
            else:
                priority = value
        window = None
        try:
            window = _check_windows(rec["window"], grid)
        except WindowError as exc:
            problems.error("bad_window", str(exc), f, row, "window")
            ok = False
        wish_status = rec["status"].strip().lower()
        if wish_status not in WISH_STATUSES:
            problems.error(
                "bad_status",
                f"a wish's status must be empty, requested or declined, not '{rec['status']}'",
                f,
                row,
                "status",
            )
            ok = False
        if not ok:
            continue
        key = (rec["requester"], rec["target"])
        if key in seen:
            problems.warn(
                "duplicate_wish",
                f"'{key[0]}' already asked to meet '{key[1]}' on row {seen[key]}; only that first row counts",
                f,
                row,
                "target",
            )
            continue
        seen[key] = row
        if window is not None and not window:
            problems.warn(
                "empty_window",
                f"the window '{rec['window']}' holds no whole slot, so this meeting can never take place",
                f,
                row,
                "window",
            )
        out.append(
            Wish(requester=key[0], target=key[1], priority=priority, window=window, declined=wish_status == "declined")
        )
    return out


def _did_you_mean(pid: str, known: Mapping[ParticipantId, int]) -> str:
    near = [k for k in known if k.casefold() == pid.casefold()]
    return f" (did you mean '{near[0]}'? ids are case-sensitive)" if near else ""


def _warn_unmeetable(event: Event, rows: Mapping[ParticipantId, int], problems: Problems) -> None:
    """Warn about active people who appear in wishes yet can meet none of their partners."""
    from scheduler.candidates import candidate_pairs  # local: candidates depends on the domain only

    involved = {p for w in event.wishes for p in (w.requester, w.target)}
    meetable = {p for pair in candidate_pairs(event) for p in pair.people}
    for pid in sorted(involved - meetable, key=lambda p: rows.get(p, 0)):
        person = event.participants[pid]
        if person.active:
            problems.warn(
                "unmeetable",
                f"{person.name} ({pid}) cannot meet anyone they asked for or "
                "who asked for them: no common free slot, or only colleagues",
                PARTICIPANTS_FILE,
                rows.get(pid),
                "id",
            )
