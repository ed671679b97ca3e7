"""What a participant's phone should show first: the meeting under way and the next one, from a clock
the caller passes in (the page's route reads the real time; tests pass a fixed one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from scheduler.export.agenda import AgendaData, AgendaEntry


@dataclass(frozen=True)
class NowNext:
    now: AgendaEntry | None  # the meeting under way at the clock's time
    next: AgendaEntry | None  # the first meeting that starts after it
    event_day: bool  # whether the clock's local date is a day of the event ("now" only makes sense then)
    over: bool  # every meeting has ended
    local_time: dt.datetime  # the clock's time in the event's zone


def now_next(agenda: AgendaData, clock: dt.datetime) -> NowNext:
    """The meeting under way and the next one at `clock` (timezone-aware), in the event's local time.

    Raises:
        ValueError: `clock` has no time zone (a naive time would silently be read as the server's).
    """
    if clock.tzinfo is None:
        raise ValueError("now_next needs a timezone-aware clock")
    local = clock.astimezone(ZoneInfo(agenda.timezone))
    zone = local.tzinfo
    current: AgendaEntry | None = None
    upcoming: AgendaEntry | None = None
    last_end: dt.datetime | None = None
    for e in agenda.meetings:
        start = dt.datetime.combine(e.date, e.start, tzinfo=zone)
        end = dt.datetime.combine(e.date, e.end, tzinfo=zone)
        last_end = end
        if start <= local < end:
            current = e
        elif start > local and upcoming is None:
            upcoming = e
    return NowNext(
        now=current,
        next=upcoming,
        event_day=local.date() in agenda.dates,
        over=last_end is not None and local >= last_end,
        local_time=local,
    )
