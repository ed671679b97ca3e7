"""The slot grid of an event and the window syntax used for availability and wishes.

Slots lie on a fixed grid per day (start + k x slot_minutes), exist only if they end by the
day's end and overlap no break, and are numbered 1.. without gaps. Windows are parsed into the
set of slots that lie wholly inside them.

Accepted spellings (formats.md asks for the first of each; the rest are conveniences):
times `HH:MM`, `H:MM`, `H.MM` and `24:00` as the end of a day; ranges `HH:MM-HH:MM` (also with
an en or em dash); windows `HH:MM-HH:MM`, `YYYY-MM-DD HH:MM-HH:MM` or a bare `YYYY-MM-DD` for the
whole of that day, several separated by `;` (or `,`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from scheduler.domain import Day, Slot, SlotIndex

_TIME = re.compile(r"^([0-9]{1,2})[:.]([0-9]{2})$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_RANGE = re.compile(r"^(.*?)\s*[-\u2013\u2014]\s*(.*)$")
_WINDOW = re.compile(r"^(?:([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\s+|$))?(.*)$")
_WINDOW_SEPARATORS = re.compile(r"[;,]")
END_OF_DAY = dt.time(23, 59, 59)
"""How `24:00` is represented: `minutes()` counts it as 1440."""


class WindowError(ValueError):
    """A time, range or window that cannot be understood; the message says what was expected."""


class WindowSpec(NamedTuple):
    """One window as written: an optional date and a time range (a bare date is the whole day)."""

    date: dt.date | None  # None: the same hours on every day of the event
    start: dt.time
    end: dt.time
    text: str


def parse_time(text: str) -> dt.time:
    """`HH:MM` (also `H:MM` or `HH.MM`); `24:00` is the end of the day."""
    m = _TIME.match(text.strip())
    if not m:
        raise WindowError(f"'{text}' is not a time; expected HH:MM, e.g. 09:00")
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour == 24 and minute == 0:
        return END_OF_DAY  # only meaningful as the end of a range or of a day
    if hour > 23 or minute > 59:
        raise WindowError(f"'{text}' is not a valid time of day; expected HH:MM from 00:00 to 24:00")
    return dt.time(hour, minute)


def parse_date(text: str) -> dt.date:
    """`YYYY-MM-DD`, a real calendar date."""
    stripped = text.strip()
    if _DATE.match(stripped):
        try:
            return dt.date.fromisoformat(stripped)
        except ValueError:
            raise WindowError(f"'{text}' is not a real date; expected YYYY-MM-DD, e.g. 2027-03-10") from None
    raise WindowError(f"'{text}' is not a date; expected YYYY-MM-DD, e.g. 2027-03-10")


def parse_range(text: str) -> tuple[dt.time, dt.time]:
    """'HH:MM-HH:MM' with start before end."""
    m = _RANGE.match(text.strip())
    if not m:
        raise WindowError(f"'{text}' is not a time range; expected HH:MM-HH:MM, e.g. 12:00-13:00")
    try:
        start, end = parse_time(m.group(1)), parse_time(m.group(2))
    except WindowError as exc:
        raise WindowError(f"'{text}' is not a time range: {exc}") from None
    if start >= end:
        raise WindowError(f"'{text}' ends before it starts")
    return start, end


def minutes(t: dt.time) -> int:
    """Minutes since midnight; `24:00` (END_OF_DAY) counts as 1440."""
    return t.hour * 60 + t.minute + (1 if t.second else 0)


def build_grid(
    days_spec: Sequence[tuple[dt.date, dt.time, dt.time, Sequence[tuple[dt.time, dt.time]]]], slot_minutes: int
) -> tuple[tuple[Day, ...], tuple[Slot, ...]]:
    """Lay out every day's slots; the caller has validated the inputs."""
    if slot_minutes < 1:
        raise ValueError(f"slot_minutes must be at least 1, not {slot_minutes}")
    days: list[Day] = []
    slots: list[Slot] = []
    for day_index, (date, start, end, breaks) in enumerate(days_spec):
        indices: list[SlotIndex] = []
        for s, e in _slot_minutes(start, end, breaks, slot_minutes):
            slot = Slot(
                index=len(slots),
                day=day_index,
                date=date,
                number=len(indices) + 1,
                start=_time_of(s),
                end=_time_of(e),
            )
            slots.append(slot)
            indices.append(slot.index)
        days.append(Day(date=date, start=start, end=end, breaks=tuple(breaks), slots=tuple(indices)))
    return tuple(days), tuple(slots)


def count_slots(start: dt.time, end: dt.time, breaks: Sequence[tuple[dt.time, dt.time]], slot_minutes: int) -> int:
    """How many slots `build_grid` lays out on one day, counted without building them (at most
    1,440), so that a size limit can be checked first."""
    return sum(1 for _ in _slot_minutes(start, end, breaks, slot_minutes))


def _slot_minutes(
    start: dt.time, end: dt.time, breaks: Sequence[tuple[dt.time, dt.time]], slot_minutes: int
) -> Iterator[tuple[int, int]]:
    """(start, end) in minutes since midnight of each slot of a day: on the grid from the day's
    start, ending by its end, overlapping no break."""
    t, end_m = minutes(start), minutes(end)
    while t + slot_minutes <= end_m:
        s, e = t, t + slot_minutes
        if not any(s < minutes(b1) and minutes(b0) < e for b0, b1 in breaks):
            yield s, e
        t += slot_minutes


def _time_of(m: int) -> dt.time:
    return dt.time(min(m // 60, 23), m % 60 if m < 24 * 60 else 59)


def split_windows(text: str) -> list[WindowSpec]:
    """The windows of `text` as written, without looking at the event; [] when `text` is empty.

    Raises WindowError naming the first malformed window.
    """
    out: list[WindowSpec] = []
    for raw in _WINDOW_SEPARATORS.split(text):
        part = raw.strip()
        if not part:
            continue
        m = _WINDOW.match(part)
        assert m is not None  # the pattern matches any text
        date = parse_date(m.group(1)) if m.group(1) else None
        hours = m.group(2).strip()
        if date is not None and not hours:
            out.append(WindowSpec(date, dt.time(0, 0), END_OF_DAY, part))
            continue
        try:
            start, end = parse_range(hours)
        except WindowError as exc:
            raise WindowError(
                f"{exc} (a window is 'HH:MM-HH:MM', 'YYYY-MM-DD HH:MM-HH:MM' or "
                "'YYYY-MM-DD'; several are separated by ';')"
            ) from None
        out.append(WindowSpec(date, start, end, part))
    return out


def parse_windows(text: str, days: Sequence[Day], slots: Sequence[Slot]) -> frozenset[SlotIndex] | None:
    """Slots wholly inside the ';'-separated windows of `text`; None when `text` is empty.

    Raises WindowError for malformed windows and for a window that touches no day of the event.
    """
    specs = split_windows(text)
    if not specs:
        return None
    inside: set[SlotIndex] = set()
    for spec in specs:
        w0, w1 = minutes(spec.start), minutes(spec.end)
        touched = False
        for day in days:
            if spec.date is not None and day.date != spec.date:
                continue
            if w0 < minutes(day.end) and minutes(day.start) < w1:
                touched = True
            for i in day.slots:
                slot = slots[i]
                if w0 <= minutes(slot.start) and minutes(slot.end) <= w1:
                    inside.add(i)
        if not touched:
            raise WindowError(_outside_message(spec, days))
    return frozenset(inside)


def _outside_message(spec: WindowSpec, days: Sequence[Day]) -> str:
    known = ", ".join(d.date.isoformat() for d in days)
    if spec.date is not None and all(d.date != spec.date for d in days):
        return f"window '{spec.text}' lies outside the event: {spec.date.isoformat()} is not one of its days ({known})"
    when = f"on {spec.date.isoformat()}" if spec.date else "on any day"
    hours = "; ".join(
        f"{d.date.isoformat()} {d.start:%H:%M}-{_hhmm(d.end)}" for d in days if spec.date is None or d.date == spec.date
    )
    return f"window '{spec.text}' lies outside the event ({when} it overlaps no opening hours: {hours})"


def _hhmm(t: dt.time) -> str:
    return "24:00" if t == END_OF_DAY else f"{t:%H:%M}"
