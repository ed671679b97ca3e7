"""An independent writing of the reasons for unmet wishes, for the tests and the benchmark bar.

It reads the `Event` and the `Schedule` alone, like the checker: no `candidates`, no heuristics,
no `scheduler.unmet`. `true_reasons` lists every reason that holds for a wish, most specific
first; `blocker_problems` says what is wrong with the blockers a reason names. The explanation
under test must give the first true reason, with blockers that pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from itertools import pairwise

from scheduler.domain import Event, Meeting, Schedule, SlotIndex, Wish

ORDER = (
    "not_both_present",
    "not_allowed",
    "no_common_time",
    "cap_reached",
    "no_table",
    "busy",
    "hole_cap",
    "still_possible",
)
_MEETING = re.compile(r"^(.+) with (.+) at (\d{4}-\d\d-\d\d) #(\d+) (\d\d:\d\d)$")


def slot_text(event: Event, slot: SlotIndex) -> str:
    s = event.slots[slot]
    return f"{s.date.isoformat()} #{s.number} {s.start:%H:%M}"


def meeting_text(event: Event, m: Meeting) -> str:
    return f"{m.a} with {m.b} at {slot_text(event, m.slot)}"


def _org(event: Event, pid: str) -> str:
    return event.participants[pid].organisation.strip().casefold()


def _holes(event: Event, slots: set[SlotIndex]) -> int:
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for s in slots:
        by_day[event.slots[s].date].append(event.slots[s].number)
    return sum(sum(1 for x, y in pairwise(sorted(nums)) if y - x > 1) for nums in by_day.values())


class Oracle:
    """The facts of one schedule every reason asks about."""

    def __init__(self, event: Event, schedule: Schedule, history_before: dt.datetime | None = None) -> None:
        self.event, self.schedule = event, schedule
        self.cutoff = history_before
        self.busy: dict[str, set[SlotIndex]] = defaultdict(set)
        self.of: dict[str, list[Meeting]] = defaultdict(list)
        self.windows: dict[frozenset[str], list[frozenset[SlotIndex]]] = defaultdict(list)
        for w in event.wishes:
            if not w.declined and w.window is not None:
                self.windows[frozenset((w.requester, w.target))].append(w.window)
        self.tables_used: dict[SlotIndex, set[str]] = defaultdict(set)
        for m in schedule.meetings:
            self.tables_used[m.slot].add(m.table)
            for pid in (m.a, m.b):
                self.busy[pid].add(m.slot)
                self.of[pid].append(m)
        self.met = {frozenset((m.a, m.b)) for m in schedule.meetings}
        self._holes: dict[str, int] | None = None  # per person who meets, once asked

    def present(self, pid: str) -> bool:
        p = self.event.participants.get(pid)
        return p is not None and p.status not in ("cancelled", "absent")

    def common(self, r: str, t: str) -> set[SlotIndex]:
        ev = self.event
        slots = set(ev.participants[r].available) & set(ev.participants[t].available)
        for window in self.windows.get(frozenset((r, t)), []):
            slots &= window
        if self.cutoff is not None:
            slots = {s for s in slots if dt.datetime.combine(ev.slots[s].date, ev.slots[s].start) >= self.cutoff}
        return slots

    def full(self, pid: str) -> bool:
        """Whether the person has as many meetings as their max_meetings allows."""
        cap = self.event.participants[pid].max_meetings
        return cap is not None and len(self.of[pid]) >= cap

    def table_free(self, r: str, t: str, slot: SlotIndex) -> bool:
        ev = self.event
        booths = {b for b in (ev.participants[r].table, ev.participants[t].table) if b}
        places = booths or set(ev.table_labels)
        return bool(places - self.tables_used[slot])

    def caps_kept(self, r: str, t: str, slot: SlotIndex) -> bool:
        """Whether adding r-t at `slot` takes nobody above, or further above, a [fairness] cap."""
        ev = self.event
        if ev.max_holes is None and ev.max_hole_spread is None:
            return True
        if self._holes is None:
            self._holes = {pid: _holes(ev, slots) for pid, slots in self.busy.items() if slots}
        before = self._holes
        after = dict(before)
        for pid in (r, t):
            after[pid] = _holes(ev, self.busy[pid] | {slot})
        if ev.max_holes is not None:
            if any(after[p] > ev.max_holes and after[p] > before.get(p, 0) for p in (r, t)):
                return False
        if ev.max_hole_spread is not None:
            spread_before = max(before.values()) - min(before.values()) if before else 0
            spread_after = max(after.values()) - min(after.values())
            if spread_after > ev.max_hole_spread and spread_after > spread_before:
                return False
        return True

    def true_reasons(self, w: Wish) -> list[str]:
        ev, r, t = self.event, w.requester, w.target
        out = []
        if w.declined or not (self.present(r) and self.present(t)):
            out.append("not_both_present")
        if r not in ev.participants or t not in ev.participants:
            return out
        if not ev.same_organisation_meetings and _org(ev, r) and _org(ev, r) == _org(ev, t):
            out.append("not_allowed")
        common = self.common(r, t)
        if not common:
            out.append("no_common_time")
        if any(self.full(p) for p in (r, t)):
            out.append("cap_reached")
        free = [s for s in common if s not in self.busy[r] and s not in self.busy[t]]
        tabled = [s for s in free if self.table_free(r, t, s)]
        kept = [s for s in tabled if self.caps_kept(r, t, s)]
        if free and not tabled:
            out.append("no_table")
        if common and not free:
            out.append("busy")
        if tabled and not kept:
            out.append("hole_cap")
        if kept:
            out.append("still_possible")
        return out

    def blocker_problems(self, w: Wish, reason: str, blockers: tuple[str, ...]) -> list[str]:
        """What is wrong with the blockers a reason names (empty when they are right)."""
        ev, r, t = self.event, w.requester, w.target
        meetings = {meeting_text(ev, m): m for m in self.of[r] + self.of[t]}  # r's and t's
        problems: list[str] = []
        if reason == "not_both_present":
            if set(blockers) != {p for p in (r, t) if not self.present(p)}:
                problems.append(f"blockers {blockers} are not the absent people")
        elif reason == "cap_reached":
            capped = {p for p in (r, t) if self.full(p)}
            expected = {meeting_text(ev, m) for p in capped for m in self.of[p]}
            if set(blockers) != expected:
                problems.append(f"blockers {blockers} are not the meetings of {capped}")
        elif reason in ("no_table", "still_possible"):
            common = self.common(r, t)
            free = [s for s in common if s not in self.busy[r] and s not in self.busy[t]]
            if reason == "no_table":
                expected = {slot_text(ev, s) for s in free}
            else:
                expected = {slot_text(ev, s) for s in free if self.table_free(r, t, s) and self.caps_kept(r, t, s)}
            if set(blockers) != expected:
                problems.append(f"blockers {blockers} are not the slots {sorted(expected)}")
        elif reason == "busy":
            named = []
            for b in blockers:
                if b not in meetings:
                    problems.append(f"blocker {b!r} is no meeting of {r} or {t}")
                else:
                    named.append(meetings[b])
            for s in self.common(r, t):
                if not any(m.slot == s for m in named):
                    problems.append(f"no blocker occupies their common slot {slot_text(ev, s)}")
        elif reason == "hole_cap":
            if not blockers or not set(blockers) <= {r, t}:
                problems.append(f"blockers {blockers} are not people of the pair")
        elif blockers:
            problems.append(f"{reason} names blockers {blockers}")
        return problems

    def unmet_wishes(self) -> list[Wish]:
        return [w for w in self.event.wishes if frozenset((w.requester, w.target)) not in self.met]


def parse_meeting(text: str) -> tuple[str, str, str, int]:
    """(a, b, date, slot number) of a meeting blocker."""
    found = _MEETING.match(text)
    assert found is not None, text
    return found.group(1), found.group(2), found.group(3), int(found.group(4))
