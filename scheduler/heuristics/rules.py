"""The hard rules of formats.md as small units over a `ScheduleState`, one class per rule.

They mirror the CP-SAT units of `scheduler.model.rules` (same names where the rule is the same)
and are the only place the heuristics and pipelines say what a valid schedule is: greedy
placement, insertion, Kempe moves, `cover_people` and the hole caps call these checks, `why_not`
turns the first broken one into words, and `why_not_at` does so for a meeting that names its
table (the pipelines' locked rows). The independent checker (`scheduler.check`) is the third,
separate writing of the same rules.

Each unit's `allows`/`room`/`free` is the fast check the heuristics call in their loops (plain
static methods: no objects are made per call); `why_not` explains a refusal, and the table units'
`why_not_at` a refusal of the table a meeting names. Rule 1's "wished
and allowed" half and rule 3 hold by construction for candidate pairs (`candidates`), except
that a pair may only use its own slots (`Availability`). Rule 7's hole caps (`HoleCaps`) are
kept by the moves and by `hole_caps.enforce_hole_caps`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container
from typing import TYPE_CHECKING, Literal, Protocol

from scheduler.candidates import SHARED, Pair
from scheduler.domain import ParticipantId, SlotIndex

if TYPE_CHECKING:
    from scheduler.heuristics.state import ScheduleState


class HardRule(Protocol):
    def why_not(self, state: ScheduleState, pair: Pair, slot: SlotIndex) -> str | None:
        """Why `pair` may not meet in `slot` next to `state`'s meetings; None when this rule allows it."""
        ...


class Availability:
    """Rule 3: both people are available, inside every wish window of the pair (the pair's slots)."""

    @staticmethod
    def allows(pair: Pair, slot: SlotIndex) -> bool:
        return slot in pair.slots

    @staticmethod
    def why_not(state: ScheduleState, pair: Pair, slot: SlotIndex) -> str | None:
        if slot in pair.slots:
            return None
        return "one of them is not available then, or it is outside the wish's time window"


class EachPairAtMostOnce:
    """Rule 1: a pair meets at most once."""

    @staticmethod
    def allows(state: ScheduleState, pair: Pair) -> bool:
        return pair.key not in state.met

    @staticmethod
    def why_not(state: ScheduleState, pair: Pair, slot: SlotIndex) -> str | None:
        return "the pair is locked twice" if pair.key in state.met else None


class OneMeetingPerSlot:
    """Rule 2: nobody is in two meetings in one slot."""

    @staticmethod
    def allows(state: ScheduleState, pair: Pair, slot: SlotIndex) -> bool:
        return (pair.a, slot) not in state.at and (pair.b, slot) not in state.at

    @staticmethod
    def why_not(state: ScheduleState, pair: Pair, slot: SlotIndex) -> str | None:
        for pid in pair.people:
            if (pid, slot) in state.at:
                return f"{state.event.participants[pid].name} ({pid}) is in another locked meeting then"
        return None


class PersonalCaps:
    """Rule 4: nobody meets more often than their max_meetings."""

    @staticmethod
    def full(state: ScheduleState, pid: ParticipantId) -> bool:
        cap = state.event.participants[pid].max_meetings
        return cap is not None and state.count[pid] >= cap

    @staticmethod
    def allows(state: ScheduleState, pair: Pair) -> bool:
        return not (PersonalCaps.full(state, pair.a) or PersonalCaps.full(state, pair.b))

    @staticmethod
    def why_not(state: ScheduleState, pair: Pair, slot: SlotIndex) -> str | None:
        for pid in pair.people:
            if PersonalCaps.full(state, pid):
                person = state.event.participants[pid]
                return f"{person.name} ({pid}) would exceed max_meetings = {person.max_meetings}"
        return None


class SharedTableCapacity:
    """Rule 5: at most `tables` meetings use the shared tables in any slot."""

    @staticmethod
    def room(state: ScheduleState, slot: SlotIndex, extra: int = 1) -> bool:
        """Whether `extra` more meetings (negative: fewer) fit at the shared tables in `slot`."""
        return state.shared[slot] + extra <= state.tables

    @staticmethod
    def why_not(state: ScheduleState, pair: Pair, slot: SlotIndex) -> str | None:
        if pair.uses_shared_table and not SharedTableCapacity.room(state, slot):
            return "no table is free then"
        return None

    @staticmethod
    def why_not_at(
        state: ScheduleState, label: str, slot: SlotIndex, labelled: Container[tuple[str, SlotIndex]]
    ) -> str | None:
        """Why a shared-table meeting may not sit at table `label` in `slot` (a locked row names its
        table): the label must be one of the event's shared tables, and not already in `labelled`,
        the (label, slot)s of the labelled meetings placed before. The state only counts shared
        meetings, so the caller keeps `labelled`."""
        if label not in state.event.table_labels:
            return f"'{label}' is not one of the event's shared tables"
        if (label, slot) in labelled:
            return "another locked meeting is at that table then"
        return None


class FixedTableCapacity:
    """Rule 6 (with 5's one meeting per table): a fixed table (booth) hosts one meeting per slot,
    and a booth holder meets only at their own booth or the other's (the pair's locations)."""

    @staticmethod
    def free(state: ScheduleState, label: str, slot: SlotIndex, moving: list[int] | None = None) -> bool:
        """Whether booth `label` is free in `slot`, or held by one of the meetings `moving` away."""
        holder = state.booths.get((label, slot))
        return holder is None or (moving is not None and holder in moving)

    @staticmethod
    def why_not(state: ScheduleState, pair: Pair, slot: SlotIndex) -> str | None:
        if pair.uses_shared_table or any(FixedTableCapacity.free(state, str(loc), slot) for loc in pair.locations):
            return None
        return "no table is free then"

    @staticmethod
    def why_not_at(state: ScheduleState, pair: Pair, label: str, slot: SlotIndex) -> str | None:
        """Why `pair` may not meet at booth `label` in `slot` (a locked row names its table): the
        booth must be one of the pair's own, and free."""
        if label not in pair.locations:
            return f"it must take place at {' or '.join(map(str, pair.locations))}"
        if not FixedTableCapacity.free(state, label, slot):
            return "another locked meeting is at that table then"
        return None


HARD_RULES: tuple[HardRule, ...] = (
    Availability(),
    EachPairAtMostOnce(),
    OneMeetingPerSlot(),
    PersonalCaps(),
    SharedTableCapacity(),
    FixedTableCapacity(),
)
"""Every hard rule a single placement must obey, in the order `why_not` asks them."""


def free_location(state: ScheduleState, pair: Pair, slot: SlotIndex) -> str | None | Literal[False]:
    """Where `pair` can meet in `slot` under rules 5 and 6: SHARED, the first free booth of its
    own, or False when none is free."""
    for loc in pair.locations:
        if loc is SHARED:
            if SharedTableCapacity.room(state, slot):
                return SHARED
        elif FixedTableCapacity.free(state, loc, slot):
            return loc
    return False


def why_not(state: ScheduleState, pair: Pair | None, slot: SlotIndex) -> str | None:
    """The first hard rule that keeps `pair` out of `slot`, in words; None when it may meet there.

    `pair` None stands for a meeting that is no candidate at all (see `candidates`). The words
    speak of locked meetings: the pipelines explain a locked row that cannot be kept next to the
    locked rows placed before it.
    """
    if pair is None:
        return (
            "nobody asked for this meeting, or it is not allowed (colleagues, a cancelled person, "
            "a declined wish, or no common available slot)"
        )
    for rule in HARD_RULES:
        reason = rule.why_not(state, pair, slot)
        if reason is not None:
            return reason
    return None


def why_not_at(
    state: ScheduleState,
    pair: Pair | None,
    slot: SlotIndex,
    label: str,
    labelled: Container[tuple[str, SlotIndex]] = (),
) -> str | None:
    """`why_not`, then whether the meeting may use the table `label` it names (rules 5 and 6 for a
    labelled meeting: a locked row); `labelled` holds the (label, slot)s of the shared-table
    meetings already labelled. None when it may meet there."""
    reason = why_not(state, pair, slot)
    if reason is not None or pair is None:
        return reason
    if pair.uses_shared_table:
        return SharedTableCapacity.why_not_at(state, label, slot, labelled)
    return FixedTableCapacity.why_not_at(state, pair, label, slot)


class HoleCaps:
    """Rule 7's caps ([fairness] max_holes and max_spread), for the moves that change holes.

    A schedule may start above a cap (before `enforce_hole_caps`); a move may then still improve
    towards it, but never take anybody above it or further above it.
    """

    @staticmethod
    def spread(histogram: Counter[int]) -> int:
        """Most minus fewest holes of any two people, from a histogram of holes per person."""
        present = [h for h, n in histogram.items() if n > 0]
        return max(present) - min(present) if present else 0

    @staticmethod
    def _histogram_after(state: ScheduleState, after: dict[ParticipantId, int]) -> Counter[int]:
        hist = Counter(state.histogram)
        for pid, h in after.items():
            if pid in state.holes:
                hist[state.holes[pid]] -= 1
            hist[h] += 1
        return hist

    @staticmethod
    def allows_change(state: ScheduleState, changed: dict[ParticipantId, int]) -> bool:
        """Whether these new hole counts take nobody above (or further above) a cap."""
        event = state.event
        cap = event.max_holes
        if cap is not None and any(h > cap and h > state.holes[pid] for pid, h in changed.items()):
            return False
        if event.max_hole_spread is not None and changed:
            spread = HoleCaps.spread(HoleCaps._histogram_after(state, changed))
            if spread > event.max_hole_spread and spread > HoleCaps.spread(state.histogram):
                return False
        return True

    @staticmethod
    def within(state: ScheduleState, after: dict[ParticipantId, int]) -> bool:
        """Whether these new hole counts keep everyone within max_holes and the spread cap."""
        cap, spread = state.event.max_holes, state.event.max_hole_spread
        if cap is not None and any(h > cap for h in after.values()):
            return False
        if spread is None:
            return True
        return HoleCaps.spread(HoleCaps._histogram_after(state, after)) <= spread
