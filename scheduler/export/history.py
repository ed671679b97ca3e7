"""A schedule's stored versions as the documents see them: what changed for one person, and when.

Versions are immutable; a re-issued agenda is headed by the most recent step between two versions
that changed the person's meetings, and their calendar file (`calendar.py`) replays every version
so that each meeting's SEQUENCE counts its changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.diff import MeetingChange, diff_schedules
from scheduler.domain import Event, ParticipantId, Schedule


@dataclass(frozen=True)
class ScheduleVersion:
    number: int
    created_at: dt.datetime
    schedule: Schedule


def latest_change(
    event: Event, versions: Sequence[ScheduleVersion], pid: ParticipantId
) -> tuple[int | None, list[MeetingChange]]:
    """The most recent step between two versions (oldest first) that changed this person's
    meetings: the older version of that step and the changes; (None, []) when their meetings
    never changed."""
    mine = [Schedule.of(v.schedule.for_person(pid)) for v in versions]
    for i in range(len(versions) - 1, 0, -1):
        changes = diff_schedules(event, mine[i - 1], mine[i]).changes
        if changes:
            return versions[i - 1].number, list(changes)
    return None, []
