"""The reasons for the unmet wishes of a stored version (`scheduler.unmet`), computed once per
version per process: the API and the organiser's pages ask for the event, then person after person.

A stored version never changes and `service` parses each once, so the answer is kept under
(event id, version) and served only to the same parsed Event and Schedule objects (a change of
the event's files makes a new Event, so reasons never outlive the people they speak of). The
version's re-plan cut-off, when it has one, makes earlier slots the past.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from api.storage import ScheduleRow
from scheduler.domain import Event, Schedule
from scheduler.unmet import UnmetWish, explain_unmet

SEARCH_SECONDS = 0.5  # the search for the cheapest change behind a "busy" wish


@dataclass(frozen=True)
class _Kept:
    event: Event
    schedule: Schedule
    unmet: tuple[UnmetWish, ...]


_KEPT: OrderedDict[tuple[str, int], _Kept] = OrderedDict()
_KEPT_SIZE = 16
_LOCK = threading.Lock()


def cutoff_of(srow: ScheduleRow) -> dt.datetime | None:
    """A repair's cut-off (local time of the event), as its version recorded it."""
    text = (srow.result or {}).get("cutoff")
    return dt.datetime.fromisoformat(text) if text else None


def version_unmet(event: Event, srow: ScheduleRow, schedule: Schedule) -> tuple[UnmetWish, ...]:
    """Every unmet wish of the version, one per wish in wishes.csv order, with its reason."""
    key = (srow.event_id, srow.version)
    with _LOCK:
        kept = _KEPT.get(key)
    if kept is not None and kept.event is event and kept.schedule is schedule:
        return kept.unmet
    unmet = tuple(explain_unmet(event, schedule, search_seconds=SEARCH_SECONDS, history_before=cutoff_of(srow)))
    with _LOCK:
        _KEPT[key] = _Kept(event, schedule, unmet)
        _KEPT.move_to_end(key)
        while len(_KEPT) > _KEPT_SIZE:
            _KEPT.popitem(last=False)
    return unmet
