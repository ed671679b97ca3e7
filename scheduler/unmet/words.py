"""How the explanations name people, times and meetings: for organisers, and as blockers.

A blocker is a short text a person can read and a script can split (docs/formats.md, "Unmet
wishes"): a person is their id; a slot is `YYYY-MM-DD #N HH:MM` (the day, the slot number within
it and its start, as `Slot.label`); a meeting is `A with B at YYYY-MM-DD #N HH:MM`.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.domain import Event, Meeting, ParticipantId, SlotIndex

BLOCKER_SEPARATOR = ";"  # between blockers in one unmet.csv cell


def slot_blocker(event: Event, slot: SlotIndex) -> str:
    return event.slots[slot].label


def meeting_blocker(m: Meeting, slot_label: str) -> str:
    """`A with B at <slot>`, given the slot's blocker form (`slot_blocker`)."""
    return f"{m.a} with {m.b} at {slot_label}"


def name(event: Event, pid: ParticipantId) -> str:
    person = event.participants.get(pid)
    return person.name if person is not None and person.name else pid


def when(event: Event, slot: SlotIndex) -> str:
    """A slot as an organiser says it: its start, with the day when the event has more than one."""
    s = event.slots[slot]
    return f"{s.start:%H:%M}" if len(event.days) == 1 else f"{s.date:%a %d %b} {s.start:%H:%M}"


def times(event: Event, slots: Iterable[SlotIndex], most: int = 4) -> str:
    """A few slots in words, "10:00, 10:20 and 11:40", with "… and 3 more" past `most`."""
    ordered = sorted(slots)
    words = [when(event, s) for s in ordered[:most]]
    if len(ordered) > most:
        return ", ".join(words) + f" and {len(ordered) - most} more"
    return join(words)


def join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def partner(event: Event, m: Meeting, pid: ParticipantId) -> str:
    """The other person of `pid`'s meeting `m`, by name."""
    return name(event, m.b if m.a == pid else m.a)
