"""Standby pairs for no-shows: who can take an absent person's place, now.

When a person does not turn up, each partner still to meet them is left with an empty slot and a
free table. `standby_pairs` suggests, per such freed meeting, the best replacement meetings at
that slot: the partner with someone free then whom they wished to meet or who wished to meet them
(an allowed pair, both available, inside every window of the pair's wishes, under everybody's
max_meetings), at a table that is free (the freed table first), ranked by the pair's points.

Which placements are allowed is decided by the hard-rule units of `heuristics.rules` over a
`ScheduleState` of the schedule without the freed meeting, the same units every heuristic uses.
Each suggestion is then put before the independent checker (`scheduler.check`) on the part of the
schedule the change touches, the way `edits.move_targets` judges a move: a suggestion, applied
alone (the freed meeting removed, the replacement added, `apply_suggestion`), brings no violation
the schedule did not already have. The checker judges the schedule as if the absent person were
marked absent, since that is the premise.

"Still to come" means the meetings whose slot has not ended at `at`: the partner of a meeting
running now is waiting at the table, and the organiser can still send someone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from scheduler.candidates import SHARED, Pair, colleagues, pair_key, pair_points, wished_pairs
from scheduler.check.checker import check_schedule
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex
from scheduler.edits import NotFound, gate
from scheduler.heuristics.rules import FixedTableCapacity, HoleCaps, SharedTableCapacity, why_not
from scheduler.heuristics.state import Placement, ScheduleState

PairKey = tuple[ParticipantId, ParticipantId]
TOP = 5  # suggestions per freed meeting


class StandbyError(ValueError):
    """The question cannot be asked as put (an unknown person, a time outside the event); the
    message says which."""


@dataclass(frozen=True)
class StandbySuggestion:
    """One replacement: `meeting` (the partner with `other`, in the freed slot) instead of `freed`."""

    freed: Meeting  # the absent person's meeting that goes
    partner: ParticipantId  # who was to meet the absent person
    other: ParticipantId  # who takes the absent person's place
    meeting: Meeting  # the replacement, locked: it has been announced to both on the day
    points: int  # what the pair is worth (`candidates.pair_points`)
    mutual: bool
    asked_by: tuple[ParticipantId, ...]  # who wished the meeting
    added_holes: int  # holes the replacement adds to the two people's days (negative: closes one)
    freed_table: bool  # the replacement uses the freed table


@dataclass(frozen=True)
class FreedMeeting:
    """A meeting of the absent person still to come, and its ranked replacements (maybe none)."""

    meeting: Meeting
    partner: ParticipantId
    suggestions: tuple[StandbySuggestion, ...]


def as_absent(event: Event, pid: ParticipantId) -> Event:
    """The event with `pid` marked absent (the same event when they already are inactive)."""
    person = event.participants[pid]
    if not person.active:
        return event
    participants = dict(event.participants)
    participants[pid] = dataclasses.replace(person, status="absent")
    return dataclasses.replace(event, participants=participants)


def local_time(event: Event, at: dt.datetime) -> dt.datetime:
    """`at` as a naive local time of the event (an aware time is converted to its time zone)."""
    if at.tzinfo is not None:
        at = at.astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None)
    return at


def _bounds(event: Event) -> tuple[dt.datetime, dt.datetime]:
    first, last = event.days[0], event.days[-1]
    return dt.datetime.combine(first.date, first.start), dt.datetime.combine(last.date, last.end)


def within_event(event: Event, at: dt.datetime) -> bool:
    """Whether the local time `at` lies between the first day's start and the last day's end."""
    start, end = _bounds(event)
    return start <= local_time(event, at) <= end


def _check_question(event: Event, absent: ParticipantId, at: dt.datetime) -> dt.datetime:
    if absent not in event.participants:
        raise StandbyError(f"'{absent}' is not a participant of this event")
    if not event.slots:
        raise StandbyError("The event has no meeting slots")
    local = local_time(event, at)
    start, end = _bounds(event)
    if not start <= local <= end:
        raise StandbyError(
            f"{local:%Y-%m-%d %H:%M} is outside the event, which runs from {start:%Y-%m-%d %H:%M} "
            f"to {end:%Y-%m-%d %H:%M} ({event.timezone})"
        )
    return local


def default_time(event: Event, schedule: Schedule, absent: ParticipantId, now: dt.datetime) -> dt.datetime:
    """The time to ask about when none is given: `now` (in the event's time zone) during the event,
    otherwise the start of the person's next meeting (their first, after the event), else the
    event's start."""
    local = local_time(event, now)
    if within_event(event, local):
        return local.replace(second=0, microsecond=0)
    starts = sorted(
        dt.datetime.combine(event.slots[m.slot].date, event.slots[m.slot].start) for m in schedule.for_person(absent)
    )
    upcoming = [s for s in starts if s >= local]
    if upcoming or starts:
        return (upcoming or starts)[0]
    return _bounds(event)[0]


def still_to_come(event: Event, schedule: Schedule, absent: ParticipantId, at: dt.datetime) -> list[Meeting]:
    """The absent person's meetings whose slot has not ended at the local time `at`, in time order."""
    local = local_time(event, at)
    return [
        m
        for m in schedule.for_person(absent)
        if dt.datetime.combine(event.slots[m.slot].date, event.slots[m.slot].end) > local
    ]


def standby_pairs(
    event: Event, schedule: Schedule, absent: ParticipantId, at: dt.datetime, top: int = TOP
) -> list[StandbySuggestion]:
    """The ranked replacements for every meeting of `absent` still to come at `at` (local time):
    the best `top` per freed meeting, freed meetings in time order. Raises StandbyError."""
    return [s for freed in standby(event, schedule, absent, at, top) for s in freed.suggestions]


def standby(
    event: Event, schedule: Schedule, absent: ParticipantId, at: dt.datetime, top: int = TOP
) -> list[FreedMeeting]:
    """`standby_pairs` grouped by freed meeting, including those for which nothing fits."""
    _check_question(event, absent, at)
    freed = still_to_come(event, schedule, absent, at)
    if not freed:
        return []
    return _Finder(as_absent(event, absent), schedule, absent, freed).run(freed, top)


def apply_suggestion(
    event: Event, schedule: Schedule, absent: ParticipantId, freed: Meeting, replacement: Meeting
) -> Schedule:
    """The schedule with `freed` (a meeting of `absent`) replaced by `replacement`, through the
    checker's gate as hand edits go (`edits.gate`, the absent person marked absent): EditRefused
    when the change brings a violation, NotFound when `freed` is not in the schedule."""
    if absent not in event.participants:
        raise NotFound(f"'{absent}' is not a participant of this event")
    if freed not in schedule.meetings or absent not in (freed.a, freed.b):
        raise NotFound(f"{freed.a} and {freed.b} have no such meeting in the schedule")
    new = Schedule.of([*(m for m in schedule.meetings if m != freed), replacement])
    gate(
        as_absent(event, absent),
        schedule,
        new,
        f"Replacing the meeting of {freed.a} and {freed.b} by one of {replacement.a} and {replacement.b}",
    )
    return new


class _Finder:
    """The indexes one question needs, built once: the wished pairs of the partners, the meetings
    by slot and by person (for the checker's local verdict), and a `ScheduleState` of the meetings
    the rules read: those in the freed slots and every meeting of the absent person, the partners
    and the people they wished to meet or were wished by (their counts, pairs and holes). Without
    a spread cap nobody else's meetings can change a verdict, so the others stay out of the state;
    the spread cap reads everyone's holes, and then the state holds the whole schedule."""

    def __init__(self, event: Event, schedule: Schedule, absent: ParticipantId, freed: list[Meeting]) -> None:
        self.event, self.schedule, self.absent = event, schedule, absent
        partners = {m.b if m.a == absent else m.a for m in freed}
        self.asked = wished_pairs(event)
        self.partners: dict[ParticipantId, list[PairKey]] = defaultdict(list)
        self.windows: dict[PairKey, frozenset[SlotIndex]] = {}
        self.wishes_of: dict[PairKey, list[int]] = defaultdict(list)  # each pair's rows of event.wishes
        for i, w in enumerate(event.wishes):
            key = (w.requester, w.target) if w.requester < w.target else (w.target, w.requester)
            rows = self.wishes_of[key]
            rows.append(i)
            if len(rows) == 1 and key in self.asked:
                for pid in key:
                    if pid in partners:
                        self.partners[pid].append(key)
            if w.window is not None and not w.declined:
                self.windows[key] = self.windows.get(key, w.window) & w.window
        self.meetings = list(schedule.meetings)
        self.by_slot: dict[SlotIndex, list[int]] = defaultdict(list)
        self.by_person: dict[ParticipantId, list[int]] = defaultdict(list)
        for i, m in enumerate(self.meetings):
            self.by_slot[m.slot].append(i)
            self.by_person[m.a].append(i)
            self.by_person[m.b].append(i)
        self.hole_caps = event.max_holes is not None or event.max_hole_spread is not None
        if event.max_hole_spread is not None:
            read = list(range(len(self.meetings)))
        else:
            people = {absent} | {pid for keys in self.partners.values() for key in keys for pid in key}
            wanted = {j for m in freed for j in self.by_slot[m.slot]}
            wanted.update(j for pid in people for j in self.by_person.get(pid, ()))
            read = sorted(wanted)
        self.shared = shared = set(event.table_labels)
        placements = []
        for j in read:
            m = self.meetings[j]
            placements.append(Placement(self._meeting_pair(m), m.slot, SHARED if m.table in shared else m.table))
        self.state = ScheduleState(event, placements, track_holes=self.hole_caps)
        self.in_state = {self.meetings[j]: k for k, j in enumerate(read)}  # a meeting's index in the state
        self.local_event = dataclasses.replace(event, max_hole_spread=None)  # the spread reads everyone

    def _meeting_pair(self, m: Meeting) -> Pair:
        """A scheduled meeting as the state holds it: only its people, key and place are read."""
        a, b = pair_key(m.a, m.b)
        return Pair(a, b, {}, 0, frozenset(), (SHARED if m.table in self.shared else m.table,))

    def pair(self, key: PairKey) -> Pair | None:
        """The wished pair `key` with its slots and places, or None when it may not meet at all
        (someone inactive or unknown, colleagues kept apart, a cap of 0, nowhere to sit)."""
        a, b = key
        pa, pb = self.event.participants.get(a), self.event.participants.get(b)
        if pa is None or pb is None or a == b or not (pa.active and pb.active):
            return None
        if pa.max_meetings == 0 or pb.max_meetings == 0:
            return None
        if not self.event.same_organisation_meetings and colleagues(self.event, a, b):
            return None
        slots = pa.available & pb.available
        if key in self.windows:
            slots &= self.windows[key]
        booths = tuple(dict.fromkeys(t for t in (pa.table, pb.table) if t is not None))
        if not booths and self.event.tables == 0:
            return None
        priorities = self.asked[key]
        return Pair(a, b, priorities, pair_points(self.event, priorities), frozenset(slots), booths or (SHARED,))

    def run(self, freed: list[Meeting], top: int) -> list[FreedMeeting]:
        return [self._replacements(m, top) for m in sorted(freed, key=lambda m: (m.slot, m.table))]

    def _replacements(self, freed: Meeting, top: int) -> FreedMeeting:
        partner = freed.b if freed.a == self.absent else freed.a
        i = self.in_state[freed]
        held = self.state.meetings[i]
        self.state.drop(i)
        try:
            found = [s for s in self._candidates(freed, partner) if self._caps_allow(freed, s)]
        finally:
            self.state.undrop(i, held)
        found.sort(key=lambda s: (-s.points, -s.mutual, s.added_holes, not s.freed_table, s.other))
        kept: list[StandbySuggestion] = []
        for s in found:
            if len(kept) == top:
                break
            if self._checker_allows(s):
                kept.append(s)
        return FreedMeeting(freed, partner, tuple(kept))

    def _candidates(self, freed: Meeting, partner: ParticipantId) -> Iterable[StandbySuggestion]:
        """Every wished pair of the partner that the hard-rule units allow in the freed slot, now
        that the freed meeting is gone, at the table it would take."""
        slot = freed.slot
        for key in self.partners.get(partner, ()):
            other = key[1] if key[0] == partner else key[0]
            if other == self.absent:
                continue
            pair = self.pair(key)
            if pair is None or why_not(self.state, pair, slot) is not None:
                continue
            table = self._table(pair, freed)
            if table is None:
                continue
            yield StandbySuggestion(
                freed=freed,
                partner=partner,
                other=other,
                meeting=Meeting(slot, table, partner, other, locked=True),
                points=pair.points,
                mutual=pair.mutual,
                asked_by=tuple(sorted(pair.priorities)),
                added_holes=self.state.added_holes(pair, slot) if not self.hole_caps else self._added(pair, slot),
                freed_table=table == freed.table,
            )

    def _added(self, pair: Pair, slot: SlotIndex) -> int:
        busy = self.state.busy
        return sum(
            self.state.count_holes(busy.get(pid, set()) | {slot}) - self.state.count_holes(busy.get(pid, set()))
            for pid in pair.people
        )

    def _table(self, pair: Pair, freed: Meeting) -> str | None:
        """The label the replacement takes: the freed table when the pair may use it, else the
        first free one of the pair's places (rules 5 and 6 via their units)."""
        slot = freed.slot
        if pair.uses_shared_table:
            if not SharedTableCapacity.room(self.state, slot):
                return None
            if freed.table in self.shared:
                return freed.table
            used = {self.meetings[j].table for j in self.by_slot[slot] if self.meetings[j] != freed}
            return next((t for t in self.event.table_labels if t not in used), None)
        booths = [str(loc) for loc in pair.locations if FixedTableCapacity.free(self.state, str(loc), slot)]
        if freed.table in booths:
            return freed.table
        return booths[0] if booths else None

    def _caps_allow(self, freed: Meeting, s: StandbySuggestion) -> bool:
        """Rule 7's [fairness] hole caps (`HoleCaps`), for the absent person, the partner and the
        other once the freed meeting is gone and the replacement is in."""
        if not self.hole_caps:
            return True
        busy = self.state.busy  # the freed meeting is dropped from it
        slot = freed.slot
        after = {
            self.absent: self.state.count_holes(busy.get(self.absent, set())),
            s.partner: self.state.count_holes(busy.get(s.partner, set()) | {slot}),
            s.other: self.state.count_holes(busy.get(s.other, set()) | {slot}),
        }
        return HoleCaps.allows_change(self.state, after)

    def _checker_allows(self, s: StandbySuggestion) -> bool:
        """The independent checker's verdict on the part of the schedule the change touches: every
        meeting of the three people concerned and, in the freed slot, those at the replacement's
        table (the whole slot when the change adds a meeting to the shared tables), with the wishes
        of those pairs. The spread cap, which reads everyone's holes, was judged by `HoleCaps`."""
        slot, table = s.freed.slot, s.meeting.table
        shared = self.shared
        whole_slot = table in shared and s.freed.table not in shared
        near = {j for j in self.by_slot[slot] if whole_slot or self.meetings[j].table == table}
        for pid in (self.absent, s.partner, s.other):
            near.update(self.by_person.get(pid, ()))
        part = [self.meetings[j] for j in sorted(near)]
        keys = {pair_key(m.a, m.b) for m in part} | {pair_key(s.partner, s.other)}
        wishes = sorted(i for k in keys for i in self.wishes_of.get(k, ()))
        event = dataclasses.replace(self.local_event, wishes=tuple(self.event.wishes[i] for i in wishes))
        before = {str(v) for v in check_schedule(event, Schedule.of(part))}
        after = Schedule.of([*(m for m in part if m != s.freed), s.meeting])
        return all(str(v) in before for v in check_schedule(event, after))
