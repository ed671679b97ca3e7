"""What a participant reads, on their own agenda page, about the meetings they asked for that could
not be arranged: one kind sentence each, that names no one else's meetings or reasons for absence
(the organiser's pages and `unmet.csv` have the full detail)."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler import i18n
from scheduler.domain import Event, ParticipantId, Schedule
from scheduler.export.people import Person
from scheduler.i18n.phrases import N_
from scheduler.unmet import UnmetWish


def participant_lines(
    event: Event, schedule: Schedule, unmet: Iterable[UnmetWish], pid: ParticipantId, language: str | None = None
) -> tuple[str, ...]:
    """One sentence per wish of `pid` (their own, not others' wishes to meet them) that did not
    become a meeting, in the order of their wishes; in `language` (None: the person's own)."""
    me = event.participants.get(pid)
    mine = len(schedule.for_person(pid))
    lines = []
    with i18n.using(language or event.language_of(pid)):
        for u in unmet:
            if u.requester != pid:
                continue
            name = Person.of(event.participants.get(u.target), u.target).name
            lines.append(_sentence(u.reason, name, me.max_meetings if me else None, mine))
    return tuple(lines)


# Each reason's sentence, marked for extraction; the name leads, so no language has to decline it.
_SENTENCES = {
    "not_both_present": N_(
        "%(name)s: one of you is not taking part in the meetings, so this one could not be arranged."
    ),
    "not_allowed": N_("%(name)s: colleagues from the same organisation are not scheduled to meet each other."),
    "no_common_time": N_("%(name)s: you are not at the event at the same time, so there was no time to meet."),
    "their_cap": N_("%(name)s: their day was already full."),
    "no_table": N_("%(name)s: at the times you were both free, every table was taken."),
    "busy": N_("%(name)s: at every time you were both free, one of you already had another meeting."),
    "hole_cap": N_("%(name)s: fitting this meeting in would have left long waits in someone's day."),
    "still_possible": N_("%(name)s: this meeting may still fit; the organiser can add it."),
    "other": N_("%(name)s: this meeting could not be arranged."),
}


def _sentence(reason: str, name: str, my_cap: int | None, mine: int) -> str:
    if reason == "cap_reached":
        if my_cap is not None and mine >= my_cap:
            sentence = i18n.ngettext(
                "%(name)s: your day is full — you asked for at most %(num)d meeting.",
                "%(name)s: your day is full — you asked for at most %(num)d meetings.",
                my_cap,
            )
            return sentence % {"name": name, "num": my_cap}
        reason = "their_cap"
    return i18n.gettext(_SENTENCES.get(reason, _SENTENCES["other"])) % {"name": name}
