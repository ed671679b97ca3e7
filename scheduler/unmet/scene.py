"""What the explanations read: the schedule as a `ScheduleState`, and every wished pair as a `Pair`.

The pairs are built here for *every* wished pair, not only for `candidates.candidate_pairs`'
allowed ones, so that a pair the solver never considered (no shared tables, a cap of 0) is
explained by the same slot-by-slot questions as any other. A pair's slots are its common
available slots inside every wish window of the pair, and after the re-plan cut-off when there is
one: the slots it could meet in at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from scheduler.candidates import SHARED, Pair, colleagues, pair_key, pair_points, wished_pairs
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex
from scheduler.heuristics.rules import HoleCaps
from scheduler.heuristics.state import Placement, ScheduleState
from scheduler.unmet.words import meeting_blocker

PairKey = tuple[ParticipantId, ParticipantId]


class Scene:
    """An event, one schedule of it and the indexes every reason asks.

    `state` holds the schedule's meetings under the same indices as `meetings`; a meeting is
    `locked` in the state when its row is locked or it started before `history_before` (it can
    neither move nor be cancelled). `labels[slot]` are the table labels in use in a slot.
    """

    def __init__(self, event: Event, schedule: Schedule, history_before: dt.datetime | None = None) -> None:
        self.event = event
        self.history_before = history_before
        self.future = frozenset(
            s.index
            for s in event.slots
            if history_before is None or dt.datetime.combine(s.date, s.start) >= history_before
        )
        self.asked = wished_pairs(event)
        self.windows: dict[PairKey, frozenset[SlotIndex]] = {}
        for w in event.wishes:
            if w.window is not None and not w.declined:
                key = pair_key(w.requester, w.target)
                self.windows[key] = self.windows.get(key, w.window) & w.window
        self._pairs: dict[PairKey, Pair] = {}
        self.meetings: list[Meeting] = list(schedule.meetings)
        self.met = {pair_key(m.a, m.b) for m in self.meetings}
        self.labels: dict[SlotIndex, set[str]] = defaultdict(set)
        placements = []
        for m in self.meetings:
            self.labels[m.slot].add(m.table)
            location = SHARED if m.table in event.table_labels else m.table
            frozen = m.locked or m.slot not in self.future
            placements.append(Placement(self.meeting_pair(m), m.slot, location, locked=frozen))
        self.shared_labels = frozenset(event.table_labels)
        self._free_shared: dict[SlotIndex, list[str]] = {}
        self.slot_labels = [s.label for s in event.slots]
        self.blockers = [meeting_blocker(m, self.slot_labels[m.slot]) for m in self.meetings]  # by index
        self.hole_caps = event.max_holes is not None or event.max_hole_spread is not None
        self.state = ScheduleState(event, placements, track_holes=self.hole_caps)

    def free_shared(self, slot: SlotIndex) -> list[str]:
        """The shared tables nobody uses in `slot`, in the event's order."""
        if slot not in self._free_shared:
            used = self.labels.get(slot, set())
            self._free_shared[slot] = [t for t in self.event.table_labels if t not in used]
        return self._free_shared[slot]

    def meetings_of(self, pid: ParticipantId) -> list[int]:
        """The indices of the person's meetings, in time order."""
        return [self.state.at[(pid, s)] for s in sorted(self.state.busy.get(pid, ()))]

    def present(self, pid: ParticipantId) -> bool:
        person = self.event.participants.get(pid)
        return person is not None and person.active

    def live(self, key: PairKey) -> bool:
        """Whether the pair may meet at all: wished (not only declined), both present, not colleagues
        kept apart."""
        a, b = key
        return (
            key in self.asked
            and self.present(a)
            and self.present(b)
            and (self.event.same_organisation_meetings or not colleagues(self.event, a, b))
        )

    def pair(self, key: PairKey) -> Pair:
        """The wished pair `key` (a < b) with its slots and places, whether or not it may meet."""
        found = self._pairs.get(key)
        if found is None:
            a, b = key
            pa, pb = self.event.participants[a], self.event.participants[b]
            slots = pa.available & pb.available & self.future
            if key in self.windows:
                slots &= self.windows[key]
            booths = tuple(dict.fromkeys(t for t in (pa.table, pb.table) if t is not None))
            priorities = self.asked.get(key, {})
            found = Pair(a, b, priorities, pair_points(self.event, priorities), frozenset(slots), booths or (SHARED,))
            self._pairs[key] = found
        return found

    def meeting_pair(self, m: Meeting) -> Pair:
        """The pair of a scheduled meeting; one that was never wished (history, a hand edit) gets a
        pair without slots, worth nothing, at the place the meeting uses."""
        key = pair_key(m.a, m.b)
        if key in self.asked and m.a in self.event.participants and m.b in self.event.participants:
            return self.pair(key)
        place = SHARED if m.table in self.event.table_labels else m.table
        return Pair(key[0], key[1], {}, 0, frozenset(), (place,))

    def holes_after(self, changes: dict[ParticipantId, tuple[set[SlotIndex], set[SlotIndex]]]) -> dict[str, int]:
        """Each changed person's holes once the slots in the first set are left and those in the
        second are taken."""
        busy = self.state.busy
        return {
            pid: self.state.count_holes((busy.get(pid, set()) - gone) | new) for pid, (gone, new) in changes.items()
        }

    def caps_allow(self, changes: dict[ParticipantId, tuple[set[SlotIndex], set[SlotIndex]]]) -> bool:
        """Whether the change takes nobody above (or further above) a [fairness] hole cap."""
        if not self.hole_caps:
            return True
        return HoleCaps.allows_change(self.state, self.holes_after(changes))

    def over_cap(self, changes: dict[ParticipantId, tuple[set[SlotIndex], set[SlotIndex]]]) -> list[ParticipantId]:
        """The changed people whose holes would grow, when the change breaks a hole cap."""
        after = self.holes_after(changes)
        if HoleCaps.allows_change(self.state, after):
            return []
        return [pid for pid, h in after.items() if h > self.state.holes.get(pid, 0)]
