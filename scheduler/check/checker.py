"""The independent checker: does a schedule obey hard rules 1-7 of formats.md?

It re-derives everything from the `Event` alone and shares no code with the solver or its
preprocessing (`candidates`), so that a bug there cannot hide itself here. It runs on every
solve result, on uploaded previous schedules and in tests, and returns one labelled
`Violation` per broken rule instance rather than a bare boolean.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex

PairKey = tuple[ParticipantId, ParticipantId]  # (smaller id, larger id)


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, pointing at the people and the slot an organiser must look at."""

    rule: int  # 1..7, the numbered hard rules of formats.md
    code: str  # short machine-readable kind, e.g. "colleagues"
    message: str  # a sentence for a person, naming people and time
    people: tuple[ParticipantId, ...] = ()
    slot: SlotIndex | None = None

    def __str__(self) -> str:
        return format_violation(self)


def format_violation(v: Violation) -> str:
    return f"rule {v.rule} ({v.code}): {v.message}"


def check_schedule(event: Event, schedule: Schedule, history_before: dt.datetime | None = None) -> list[Violation]:
    """Every violation of hard rules 1-7 in `schedule`, ordered by rule; empty when it is valid.

    Meetings that started before `history_before` (a re-solve's cut-off) are history: they took
    place, so today's statuses, wishes, availability, table labels and booths do not judge them
    (formats.md); they still count for caps, pairs meeting once, double booking and a table
    used twice.
    """
    out: list[Violation] = []
    # Meetings that cannot be placed on the grid or refer to unknown people are reported once
    # and kept out of the other checks, which need a real slot and real participants.
    sound: list[Meeting] = []
    for m in schedule.meetings:
        bad = _malformed(event, m)
        out.extend(bad)
        if not bad:
            sound.append(m)
    checker = _Checker(event, sound)
    if history_before is not None:
        checker.history = {
            id(m)
            for m in sound
            if dt.datetime.combine(event.slots[m.slot].date, event.slots[m.slot].start) < history_before
        }
    for check in (
        checker.pairs,
        checker.one_per_slot,
        checker.availability,
        checker.caps,
        checker.tables,
        checker.fixed_tables,
        checker.all_mode,
    ):
        out.extend(check())
    return sorted(out, key=lambda v: (v.rule, -1 if v.slot is None else v.slot, v.people, v.code))


# --- helpers that describe people and slots ------------------------------------------------


def _who(event: Event, pid: ParticipantId) -> str:
    p = event.participants.get(pid)
    return f"{p.name} ({pid})" if p else f"unknown id '{pid}'"


def _pair(event: Event, a: ParticipantId, b: ParticipantId) -> str:
    return f"{_who(event, a)} and {_who(event, b)}"


def _when(event: Event, slot: SlotIndex) -> str:
    s = event.slots[slot]
    return f"{s.date.isoformat()} slot {s.number} ({s.start:%H:%M}-{s.end:%H:%M})"


def _org(event: Event, pid: ParticipantId) -> str:
    return event.participants[pid].organisation.strip().casefold()


def _key(a: ParticipantId, b: ParticipantId) -> PairKey:
    return (a, b) if a < b else (b, a)


def _malformed(event: Event, m: Meeting) -> list[Violation]:
    """A meeting outside the grid or with unknown / identical people is not a meeting at all."""
    out: list[Violation] = []
    people = (m.a, m.b)
    if not 0 <= m.slot < len(event.slots):
        out.append(
            Violation(
                3,
                "no_such_slot",
                f"{_pair(event, m.a, m.b)} meet in slot index {m.slot}, "
                f"which the event does not have (it has {len(event.slots)} slots)",
                people,
            )
        )
    slot = m.slot if not out else None
    where = f" at {_when(event, m.slot)}" if slot is not None else ""
    for pid in dict.fromkeys(people):
        if pid not in event.participants:
            out.append(
                Violation(
                    1,
                    "unknown_participant",
                    f"a meeting{where}, table '{m.table}', names '{pid}', who is not in participants.csv",
                    people,
                    slot,
                )
            )
    if m.a == m.b and not out:
        out.append(
            Violation(
                1, "self_meeting", f"{_who(event, m.a)} meets themselves at {_when(event, m.slot)}", people, m.slot
            )
        )
    return out


def holes(event: Event, meetings: Iterable[Meeting]) -> dict[ParticipantId, int]:
    """Holes per person: maximal runs of empty slots between two of their meetings on one day.

    Slot numbers are gap-free across breaks, so a break alone is never a hole. Re-derived here
    rather than taken from `report` because that module depends on the solver's preprocessing.
    """
    numbers: dict[tuple[ParticipantId, int], set[int]] = defaultdict(set)
    for m in meetings:
        s = event.slots[m.slot]
        for pid in (m.a, m.b):
            numbers[(pid, s.day)].add(s.number)
    out: Counter[ParticipantId] = Counter()
    for (pid, _day), nums in numbers.items():
        ordered = sorted(nums)
        out[pid] += sum(1 for x, y in pairwise(ordered) if y - x > 1)
    return dict(out)


# --- the rules ---------------------------------------------------------------------------


class _Checker:
    """The rules, one method each, over meetings known to have a real slot and real people."""

    def __init__(self, event: Event, meetings: list[Meeting]):
        self.event = event
        self.meetings = meetings
        self.history: set[int] = set()  # id() of meetings exempt from status, wish and availability
        self.asked: dict[PairKey, list[ParticipantId]] = defaultdict(list)  # who asked, declined excluded
        self.declined: set[PairKey] = set()
        self.windows: dict[PairKey, list[tuple[ParticipantId, frozenset[SlotIndex]]]] = defaultdict(list)
        for w in event.wishes:
            key = _key(w.requester, w.target)
            if w.declined:
                self.declined.add(key)
                continue
            self.asked[key].append(w.requester)
            if w.window is not None:
                self.windows[key].append((w.requester, w.window))
        self.fixed_owners: dict[str, set[ParticipantId]] = defaultdict(set)
        for p in event.participants.values():
            if p.table is not None:
                self.fixed_owners[p.table].add(p.id)

    def colleagues(self, a: ParticipantId, b: ParticipantId) -> bool:
        return (
            not self.event.same_organisation_meetings
            and bool(_org(self.event, a))
            and _org(self.event, a) == _org(self.event, b)
        )

    def v(self, rule: int, code: str, message: str, m: Meeting, people: tuple[ParticipantId, ...] = ()) -> Violation:
        """A violation about meeting `m`, its message prefixed with who and when."""
        ev = self.event
        return Violation(
            rule,
            code,
            f"{_pair(ev, m.a, m.b)} at {_when(ev, m.slot)}, table '{m.table}': {message}",
            people or (m.a, m.b),
            m.slot,
        )

    def pairs(self) -> list[Violation]:
        """Rule 1: wished by a side, not colleagues, both taking part, and at most once."""
        out: list[Violation] = []
        seen: dict[PairKey, Meeting] = {}
        for m in self.meetings:
            key = _key(m.a, m.b)
            if id(m) in self.history:
                seen.setdefault(key, m)
                continue
            if key not in self.asked:
                why = "the request was declined" if key in self.declined else "neither asked to meet the other"
                out.append(self.v(1, "not_wished", why, m))
            if self.colleagues(m.a, m.b):
                org = self.event.participants[m.a].organisation.strip()
                out.append(self.v(1, "colleagues", f"both work for {org} and colleagues may not meet", m))
            for pid in (m.a, m.b):
                p = self.event.participants[pid]
                if not p.active:
                    out.append(self.v(1, "inactive", f"{_who(self.event, pid)} is {p.status}", m, (pid,)))
            if key in seen:
                first = _when(self.event, seen[key].slot)
                out.append(self.v(1, "pair_twice", f"they already meet at {first}", m))
            else:
                seen[key] = m
        return out

    def one_per_slot(self) -> list[Violation]:
        """Rule 2: nobody is in two meetings in one slot."""
        count: Counter[tuple[SlotIndex, ParticipantId]] = Counter(
            (m.slot, pid) for m in self.meetings for pid in (m.a, m.b)
        )
        return [
            Violation(
                2,
                "double_booked",
                f"{_who(self.event, pid)} has {n} meetings at {_when(self.event, slot)}",
                (pid,),
                slot,
            )
            for (slot, pid), n in count.items()
            if n > 1
        ]

    def availability(self) -> list[Violation]:
        """Rule 3: both people are available, and the slot is inside every window of the pair."""
        out: list[Violation] = []
        for m in self.meetings:
            if id(m) in self.history:
                continue
            for pid in (m.a, m.b):
                if m.slot not in self.event.participants[pid].available:
                    out.append(self.v(3, "unavailable", f"{_who(self.event, pid)} is not available then", m, (pid,)))
            for requester, window in self.windows.get(_key(m.a, m.b), []):
                if m.slot not in window:
                    out.append(
                        self.v(
                            3,
                            "outside_window",
                            f"the slot is outside the time window of {_who(self.event, requester)}'s request",
                            m,
                            (requester,),
                        )
                    )
        return out

    def caps(self) -> list[Violation]:
        """Rule 4: personal max_meetings caps hold."""
        count = Counter(pid for m in self.meetings for pid in (m.a, m.b))
        out: list[Violation] = []
        for pid, n in count.items():
            cap = self.event.participants[pid].max_meetings
            if cap is not None and n > cap:
                out.append(
                    Violation(
                        4,
                        "over_cap",
                        f"{_who(self.event, pid)} has {n} meetings but max_meetings is {cap}",
                        (pid,),
                        None,
                    )
                )
        return out

    def tables(self) -> list[Violation]:
        """Rule 5: real table labels, no table twice in a slot, at most `tables` shared per slot."""
        shared = set(self.event.table_labels)
        out: list[Violation] = []
        per_table: dict[tuple[SlotIndex, str], list[Meeting]] = defaultdict(list)
        shared_use: Counter[SlotIndex] = Counter()
        for m in self.meetings:
            per_table[(m.slot, m.table)].append(m)
            if id(m) in self.history:  # tables may have been removed or relabelled since
                continue
            if m.table in shared:
                shared_use[m.slot] += 1
            elif m.table not in self.fixed_owners:
                out.append(
                    self.v(5, "unknown_table", f"'{m.table}' is neither a shared table nor anyone's fixed table", m)
                )
        for (slot, table), ms in per_table.items():
            if len(ms) > 1:
                people = tuple(dict.fromkeys(pid for m in ms for pid in (m.a, m.b)))
                names = "; ".join(_pair(self.event, m.a, m.b) for m in ms)
                out.append(
                    Violation(
                        5,
                        "table_twice",
                        f"table '{table}' hosts {len(ms)} meetings at {_when(self.event, slot)}: {names}",
                        people,
                        slot,
                    )
                )
        for slot, n in shared_use.items():
            if n > self.event.tables:
                people = tuple(pid for m in self.meetings if m.slot == slot and m.table in shared for pid in (m.a, m.b))
                out.append(
                    Violation(
                        5,
                        "too_many_tables",
                        f"{n} meetings use shared tables at "
                        f"{_when(self.event, slot)} but there are only {self.event.tables}",
                        people,
                        slot,
                    )
                )
        return out

    def fixed_tables(self) -> list[Violation]:
        """Rule 6: people with a fixed table meet only there; a fixed table is its owners' only."""
        out: list[Violation] = []
        for m in self.meetings:
            if id(m) in self.history:  # booths may have changed since
                continue
            own = {t for t in (self.event.participants[m.a].table, self.event.participants[m.b].table) if t}
            if own and m.table not in own:
                where = " or ".join(f"'{t}'" for t in sorted(own))
                out.append(self.v(6, "not_at_fixed_table", f"the meeting must take place at {where}", m))
            elif not own and m.table in self.fixed_owners and m.table not in self.event.table_labels:
                owners = ", ".join(_who(self.event, o) for o in sorted(self.fixed_owners[m.table]))
                out.append(self.v(6, "foreign_fixed_table", f"'{m.table}' is the fixed table of {owners}", m))
        return out

    def all_mode(self) -> list[Violation]:
        """Rule 7: every allowed wished pair is met; hole caps hold (whenever the event sets them)."""
        ev = self.event
        out: list[Violation] = []
        if ev.objective == "all":
            met = {_key(m.a, m.b) for m in self.meetings}
            for a, b in self.asked:
                pa, pb = ev.participants.get(a), ev.participants.get(b)
                if (
                    pa is None
                    or pb is None
                    or (a, b) in met
                    or not (pa.active and pb.active)
                    or a == b
                    or self.colleagues(a, b)
                ):
                    continue
                reason = self.unplaceable(a, b)
                code = "unplaceable" if reason else "unscheduled"
                out.append(
                    Violation(
                        7,
                        code,
                        f"{_pair(ev, a, b)} asked to meet and must meet in 'all' "
                        f"mode, but do not" + (f"; they cannot: {reason}" if reason else ""),
                        (a, b),
                        None,
                    )
                )
        # The loader sets these caps by default only in "all" mode; in "maximise" mode they are
        # set only when the organiser wrote them in [fairness], and then they are meant to hold.
        count = holes(ev, self.meetings)
        if ev.max_holes is not None:
            for pid, n in sorted(count.items()):
                if n > ev.max_holes:
                    out.append(
                        Violation(
                            7,
                            "too_many_holes",
                            f"{_who(ev, pid)} has {n} holes (at most {ev.max_holes} allowed)",
                            (pid,),
                            None,
                        )
                    )
        if ev.max_hole_spread is not None:
            counted = {pid for m in self.meetings for pid in (m.a, m.b) if ev.participants[pid].active}
            if counted:
                most = max(sorted(counted), key=lambda p: count.get(p, 0))
                least = min(sorted(counted), key=lambda p: count.get(p, 0))
                spread = count.get(most, 0) - count.get(least, 0)
                if spread > ev.max_hole_spread:
                    out.append(
                        Violation(
                            7,
                            "hole_spread",
                            f"holes are unevenly spread: {_who(ev, most)} has "
                            f"{count.get(most, 0)}, {_who(ev, least)} has {count.get(least, 0)} "
                            f"(a difference of at most {ev.max_hole_spread} allowed)",
                            (most, least),
                            None,
                        )
                    )
        return out

    def unplaceable(self, a: ParticipantId, b: ParticipantId) -> str:
        """Why an allowed pair can never be placed, or "" when some slot and table would do."""
        ev = self.event
        pa, pb = ev.participants[a], ev.participants[b]
        slots = pa.available & pb.available
        for _requester, window in self.windows.get((a, b), []):
            slots &= window
        if not slots:
            return "they share no available slot inside the requested time windows"
        for p in (pa, pb):
            if p.max_meetings == 0:
                return f"{_who(ev, p.id)} has max_meetings 0"
        if pa.table is None and pb.table is None and ev.tables == 0:
            return "there are no shared tables and neither has a fixed table"
        return ""
