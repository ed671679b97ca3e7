"""event.toml: the settings of an event (name, time zone, slots, tables, days, weights, fairness, hosts).

Every setting is checked and every problem recorded before anything is given up, so one bad value
does not hide the next. A problem's row is the line of the setting, as far as it can be found, and
its column the setting, e.g. `days[2].breaks`. Unknown keys are warnings (most likely typos).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zoneinfo
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scheduler.domain import DEFAULT_MIN_MEETINGS, Day, HostRule, Slot, Weights
from scheduler.i18n.languages import DEFAULT_LANGUAGE, parse_language, supported_list
from scheduler.io.codec import NotText, decode
from scheduler.io.columns import PARTICIPANT_COLUMNS, normalise_header
from scheduler.io.limits import TOO_LARGE, UNLIMITED, Limits, over
from scheduler.io.timegrid import (
    WindowError,
    build_grid,
    count_slots,
    minutes,
    parse_date,
    parse_range,
    parse_time,
)
from scheduler.problems import Problems

EVENT_FILE = "event.toml"
MAX_TABLES = 10_000
MAX_WEIGHT = 1_000_000  # keeps objective values far from the solver's integer limits

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
    "hosts",
    "language",
    "venue",
    "contact_email",
    "contact_phone",
}
DAY_KEYS = {"date", "start", "end", "breaks"}
WEIGHT_KEYS = {"priority_points", "mutual_multiplier"}
FAIRNESS_KEYS = {"max_holes", "max_spread", "min_meetings"}
MAX_MIN_MEETINGS = 1_000  # more than any day has slots; keeps the objective's weights small
MAX_FAIRNESS_CAP = 1_440  # max_holes, max_spread: a day has at most 1,440 slots; CP-SAT needs 64-bit numbers
HOST_KEYS = {"column", "value"}
HOST_COLUMN_UNFIT = {"available", "max_meetings"}  # windows and numbers, not a kind of person

DaySpec = tuple[dt.date, dt.time, dt.time, list[tuple[dt.time, dt.time]]]  # date, start, end, breaks


@dataclass
class Settings:
    """What event.toml says, as far as it could be read."""

    fields: dict[str, Any]  # keyword arguments of Event other than the grid and the people
    days: list[DaySpec] | None  # None when [[days]] or slot_minutes cannot be used
    table_labels: tuple[str, ...] | None  # None when tables / table_labels cannot be used


@dataclass(frozen=True)
class Grid:
    """The event's days and slots."""

    days: tuple[Day, ...]
    slots: tuple[Slot, ...]


def grid_of(settings: Settings | None) -> Grid | None:
    """The days and slots of the settings; None when they cannot be known."""
    if settings is None or settings.days is None:
        return None
    days, slots = build_grid(settings.days, settings.fields["slot_minutes"])
    return Grid(days, slots)


_Err = Callable[[str, str], None]  # (setting, message)
_WarnUnknown = Callable[[Mapping[str, Any], set[str], str], None]  # (table, known keys, key prefix)


def read_settings(data: bytes, problems: Problems, default_name: str, limits: Limits = UNLIMITED) -> Settings | None:
    """The settings of event.toml; None when the file cannot be read as TOML at all. Sizes beyond
    `limits` are errors, found from the numbers before any day, slot or table is laid out."""
    try:
        text = decode(data, fallback=False).text  # TOML is UTF-8 by definition: no Windows-1252 here
    except NotText as exc:
        problems.error("not_utf8", str(exc), file=EVENT_FILE, row=exc.line)
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

    def big(key: str, message: str, at: str | None = None) -> None:
        problems.error(TOO_LARGE, message, file=EVENT_FILE, row=lines.find(at or key), column=key)

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
    if over(len(fields["name"]), limits.max_label_chars):
        big(
            "name",
            f"the event's name has {len(fields['name']):,} characters; at most {limits.max_label_chars:,} are accepted",
        )
    fields["timezone"] = _timezone(raw.get("timezone", "UTC"), err)
    for key in ("slot_minutes", "tables"):
        if key not in raw:
            err(key, f"'{key}' is required, e.g. {key} = {20 if key == 'slot_minutes' else 40}")
    slot_minutes = None
    if "slot_minutes" in raw:
        slot_minutes = _integer("slot_minutes", raw["slot_minutes"], 1, 24 * 60, err)
        if slot_minutes is not None and limits.min_slot_minutes is not None and slot_minutes < limits.min_slot_minutes:
            big(
                "slot_minutes",
                f"slot_minutes = {slot_minutes} is shorter than the {limits.min_slot_minutes} minutes accepted",
            )
            slot_minutes = None
    fields["slot_minutes"] = slot_minutes or 20
    tables = _integer("tables", raw["tables"], 0, MAX_TABLES, err) if "tables" in raw else None
    if tables is not None and over(tables, limits.max_tables):
        big("tables", f"tables = {tables:,} is more than the {limits.max_tables:,} tables accepted")
        tables = None
    labels = _table_labels(raw.get("table_labels"), tables, err, limits, big)
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
    fields["max_holes"], fields["max_hole_spread"], fields["min_meetings"] = _read_fairness(
        raw.get("fairness", {}), objective, err, warn_unknown
    )
    fields["hosts"] = _read_hosts(raw["hosts"], err, warn_unknown) if "hosts" in raw else None
    fields["language"] = _language(raw.get("language", DEFAULT_LANGUAGE), err)
    fields.update(_read_contact(raw, err))
    raw_days = raw.get("days")
    if isinstance(raw_days, list) and over(len(raw_days), limits.max_days):
        big(
            "days",
            f"the event has {len(raw_days):,} [[days]] blocks; at most {limits.max_days:,} days are accepted",
            at=f"days[{(limits.max_days or 0) + 1}]",  # the first block too many
        )
        days = None
    else:
        days = _read_days(raw_days, err, warn_unknown, slot_minutes, limits, big)
    return Settings(fields=fields, days=days if slot_minutes is not None else None, table_labels=labels)


def _slots_within(days: list[tuple[str, DaySpec]], slot_minutes: int, limits: Limits, big: _Err) -> bool:
    """Whether the days' slots (each day with its key, e.g. `days[2]`), counted without laying
    them out, stay within `limits`; the first day beyond them is the error."""
    total = 0
    for key, (date, start, end, breaks) in days:
        count = count_slots(start, end, breaks, slot_minutes)
        if over(count, limits.max_slots_per_day):
            big(
                key,
                f"{key}: {count:,} slots of {slot_minutes} minutes on {date}; at most "
                f"{limits.max_slots_per_day:,} slots a day are accepted (longer slots, or a shorter day?)",
            )
            return False
        total += count
    if over(total, limits.max_slots):
        big(
            "days",
            f"the event has {total:,} slots of {slot_minutes} minutes over {len(days)} days; "
            f"at most {limits.max_slots:,} slots are accepted",
        )
        return False
    return True


MAX_CONTACT_LENGTH = 200
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9 ()./-]+")
CONTACT_EXAMPLES = {
    "venue": 'venue = "Bella Center, Hall C, Copenhagen"',
    "contact_email": 'contact_email = "b2b@example.org"',
    "contact_phone": 'contact_phone = "+45 12 34 56 78"',
}


def _read_contact(raw: Mapping[str, Any], err: _Err) -> dict[str, str]:
    """venue, contact_email and contact_phone: optional one-line texts the participants' agendas show
    ("" when absent or unusable, after reporting why)."""
    out = {}
    for key, example in CONTACT_EXAMPLES.items():
        value = raw.get(key, "")
        text = value.strip() if isinstance(value, str) else None
        if text is None or any(ord(c) < 32 or ord(c) == 127 for c in text) or len(text) > MAX_CONTACT_LENGTH:
            err(key, f"'{key}' must be one line of text of at most {MAX_CONTACT_LENGTH} characters, e.g. {example}")
            text = ""
        elif key == "contact_email" and text and not _EMAIL.fullmatch(text):
            err(key, f"'contact_email' {text!r} is not an e-mail address, e.g. {example}")
            text = ""
        elif key == "contact_phone" and text and (not _PHONE.fullmatch(text) or sum(c.isdigit() for c in text) < 5):
            err(key, f"'contact_phone' {text!r} is not a phone number (digits, spaces, + - ( ) . /), e.g. {example}")
            text = ""
        out[key] = text
    return out


def _timezone(value: Any, err: _Err) -> str:
    if isinstance(value, str) and value.strip():
        try:
            zoneinfo.ZoneInfo(value.strip())
            return value.strip()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    err("timezone", f'{value!r} is not an IANA time zone name such as "Europe/Helsinki"')
    return "UTC"


def _language(value: Any, err: _Err) -> str:
    """The agendas' default language: a supported ISO 639-1 code, any case, region ignored."""
    code = parse_language(value) if isinstance(value, str) else None
    if code is None:
        err(
            "language",
            f"'language' must be a language agendas can be written in, as an ISO 639-1 code "
            f'such as "fr" or "fr-FR" (supported: {supported_list()}), not {value!r}',
        )
        return DEFAULT_LANGUAGE
    return code


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


def _table_labels(raw: Any, tables: int | None, err: _Err, limits: Limits, big: _Err) -> tuple[str, ...] | None:
    """The shared tables' labels: "1" … "N", or table_labels; None when they cannot be known."""
    if raw is None:
        return None if tables is None else tuple(str(i) for i in range(1, tables + 1))
    if not isinstance(raw, list) or not all(_is_label(x) for x in raw):
        err("table_labels", '\'table_labels\' must be a list of labels, e.g. ["A1", "A2"]')
        return None
    if over(len(raw), min(MAX_TABLES, limits.max_tables or MAX_TABLES)):
        big("table_labels", f"'table_labels' has {len(raw):,} labels, more than the tables accepted")
        return None
    labels = tuple(str(x).strip() for x in raw)
    longest = max(labels, key=len, default="")
    if over(len(longest), limits.max_label_chars):
        big(
            "table_labels",
            f"the table label '{longest[:20]}…' has {len(longest):,} characters; "
            f"at most {limits.max_label_chars:,} are accepted",
        )
        return None
    ok = True
    if tables is not None and len(labels) != tables:
        err("table_labels", f"'table_labels' has {len(labels)} labels but tables = {tables}")
        ok = False
    repeated = sorted(x for x, n in Counter(labels).items() if n > 1)
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


def _read_fairness(
    raw: Any, objective: str, err: _Err, warn_unknown: _WarnUnknown
) -> tuple[int | None, int | None, int]:
    """(max_holes, max_hole_spread, min_meetings): the caps default to 2 in "all" mode and to no cap
    otherwise; min_meetings defaults to `DEFAULT_MIN_MEETINGS` (1: nobody who can meet is left out)."""
    if not isinstance(raw, dict):
        err("fairness", "[fairness] must be a table, e.g. max_holes = 2")
        raw = {}
    warn_unknown(raw, FAIRNESS_KEYS, "fairness.")
    default = 2 if objective == "all" else None
    out: list[int | None] = []
    for key in ("max_holes", "max_spread"):
        value = raw.get(key, default)
        out.append(None if value is None else _integer(f"fairness.{key}", value, 0, MAX_FAIRNESS_CAP, err))
    minimum = _integer("fairness.min_meetings", raw.get("min_meetings", DEFAULT_MIN_MEETINGS), 0, MAX_MIN_MEETINGS, err)
    return out[0], out[1], DEFAULT_MIN_MEETINGS if minimum is None else minimum


def _read_hosts(raw: Any, err: _Err, warn_unknown: _WarnUnknown) -> HostRule | None:
    """Who stays at one table: `hosts = "seller"` (a `role` value) or
    `hosts = { column = "sector", value = "Food" }` (any other participants.csv column)."""
    if isinstance(raw, str) and raw.strip():
        return HostRule("role", raw.strip())
    example = 'hosts = "seller" (a role) or hosts = { column = "sector", value = "Food" }'
    if not isinstance(raw, dict):
        err("hosts", f"'hosts' must look like {example}, not {raw!r}")
        return None
    warn_unknown(raw, HOST_KEYS, "hosts.")
    column, value = raw.get("column"), raw.get("value")
    ok = True
    if not isinstance(column, str) or not column.strip():
        err("hosts.column", f"hosts needs a column of participants.csv, e.g. {example}")
        ok = False
    else:
        column = next((c.name for c in PARTICIPANT_COLUMNS if c.matches(column)), normalise_header(column))
        if column in HOST_COLUMN_UNFIT:
            err("hosts.column", f"hosts cannot be chosen by '{column}'; name a column such as role or sector")
            ok = False
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        err("hosts.value", f"hosts needs the value that marks a host, e.g. {example}")
        ok = False
    return HostRule(str(column), str(value).strip()) if ok else None


def _read_days(
    raw: Any, err: _Err, warn_unknown: _WarnUnknown, slot_minutes: int | None, limits: Limits, big: _Err
) -> list[DaySpec] | None:
    """The [[days]] blocks, sorted by date; None when any of them is unusable or their slots,
    counted from the numbers, are beyond `limits`.

    Every field of every block is checked, so one bad value does not hide the next one.
    """
    if not isinstance(raw, list) or not raw:
        err("days", "at least one [[days]] block with date, start and end is required")
        return None
    days: list[tuple[str, DaySpec]] = []
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
        days.append((key, (date, start, end, breaks)))
    if not ok or (slot_minutes is not None and not _slots_within(days, slot_minutes, limits, big)):
        return None
    return sorted((spec for _, spec in days), key=lambda d: d[0])


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
