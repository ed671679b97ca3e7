"""What a participant reads, on their own agenda page, about the meetings they asked for that could
not be arranged: one kind sentence each, that names no one else's meetings or reasons for absence
(the organiser's pages and `unmet.csv` have the full detail)."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.domain import Event, ParticipantId, Schedule
from scheduler.export.people import Person
from scheduler.unmet import UnmetWish


def participant_lines(
    event: Event, schedule: Schedule, unmet: Iterable[UnmetWish], pid: ParticipantId
) -> tuple[str, ...]:
    """One sentence per wish of `pid` (their own, not others' wishes to meet them) that did not
    become a meeting, in the order of their wishes."""
    me = event.participants.get(pid)
    mine = len(schedule.for_person(pid))
    lines = []
    for u in unmet:
        if u.requester != pid:
            continue
        name = Person.of(event.participants.get(u.target), u.target).name
        lines.append(_sentence(u.reason, name, me.max_meetings if me else None, mine))
    return tuple(lines)


def _sentence(reason: str, name: str, my_cap: int | None, mine: int) -> str:
    if reason == "not_both_present":
        return f"{name}: one of you is not taking part in the meetings, so this one could not be arranged."
    if reason == "not_allowed":
        return f"{name}: colleagues from the same organisation are not scheduled to meet each other."
    if reason == "no_common_time":
        return f"{name}: you are not at the event at the same time, so there was no time to meet."
    if reason == "cap_reached":
        if my_cap is not None and mine >= my_cap:
            return f"{name}: your day is full — you asked for at most {my_cap} meetings."
        return f"{name}: their day was already full."
    if reason == "no_table":
        return f"{name}: at the times you were both free, every table was taken."
    if reason == "busy":
        return f"{name}: at every time you were both free, one of you already had another meeting."
    if reason == "hole_cap":
        return f"{name}: fitting this meeting in would have left long waits in someone's day."
    if reason == "still_possible":
        return f"{name}: this meeting may still fit; the organiser can add it."
    return f"{name}: this meeting could not be arranged."
