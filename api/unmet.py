"""The reasons for the unmet wishes of a stored version (`scheduler.unmet`), computed once per
version per process (`VersionCache`): the API and the organiser's pages ask for the event, then
person after person. The version's re-plan cut-off, when it has one, makes earlier slots the past.
"""

from __future__ import annotations

import datetime as dt

from api.storage import ScheduleRow
from api.version_cache import VersionCache
from scheduler.domain import Event, Schedule
from scheduler.unmet import UnmetWish, explain_unmet

SEARCH_SECONDS = 0.5  # the search for the cheapest change behind a "busy" wish


_KEPT: VersionCache[tuple[UnmetWish, ...]] = VersionCache(16)


def cutoff_of(srow: ScheduleRow) -> dt.datetime | None:
    """A repair's cut-off (local time of the event), as its version recorded it."""
    text = (srow.result or {}).get("cutoff")
    return dt.datetime.fromisoformat(text) if text else None


def version_unmet(event: Event, srow: ScheduleRow, schedule: Schedule) -> tuple[UnmetWish, ...]:
    """Every unmet wish of the version, one per wish in wishes.csv order, with its reason."""
    return _KEPT.get(
        srow.event_id,
        srow.version,
        event,
        schedule,
        lambda: tuple(explain_unmet(event, schedule, search_seconds=SEARCH_SECONDS, history_before=cutoff_of(srow))),
    )
