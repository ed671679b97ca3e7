"""Give a meeting to people who have none, never lowering points; or, with [fairness] min_meetings,
raise everyone towards their target, at the cost of points where need be."""

from __future__ import annotations

import time
from collections import defaultdict

from scheduler.candidates import Pair
from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.heuristics.insertion import free_slot, make_room
from scheduler.heuristics.rules import Availability, PersonalCaps, free_location
from scheduler.heuristics.state import Placement, ScheduleState


def cover_people(event: Event, placements: list[Placement], pairs: list[Pair]) -> list[Placement]:
    """Give a meeting to people who have none, never lowering points.

    For an uncovered person z and a partner x: add (x, z) in a common free slot, or let it take
    the place of one of x's meetings (x, y) that is worth no more and whose y keeps another
    meeting; so points never drop and nobody else is uncovered.
    """
    state = ScheduleState(event, placements, track_holes=True)
    by_person: dict[ParticipantId, list[Pair]] = defaultdict(list)
    for pair in pairs:
        for pid in pair.people:
            by_person[pid].append(pair)
    for z in sorted(pid for pid in by_person if state.count[pid] == 0):
        for pair in sorted(by_person[z], key=lambda p: (-p.points, p.key)):
            x = pair.b if pair.a == z else pair.a
            if not PersonalCaps.full(state, x):
                slot, location = free_slot(state, pair)
                if slot is not None:
                    state.place(pair, slot, location)
                    break
            if _replace_for(state, pair, x, z):
                break
    return state.placements()


def _replace_for(state: ScheduleState, pair: Pair, x: ParticipantId, z: ParticipantId) -> bool:
    """Let `pair` (x, z) take the slot of one of x's meetings (x, y) worth no more, where y keeps
    another meeting and z is free; x's count stays, y's drops by one."""
    for slot in sorted(state.busy[x]):
        i = state.at[(x, slot)]
        old = state.meetings[i]
        y = old.pair.b if old.pair.a == x else old.pair.a
        if old.locked or old.pair.points > pair.points or state.count[y] < 2:
            continue
        if not Availability.allows(pair, slot) or (z, slot) in state.at:
            continue
        state.drop(i)
        location = free_location(state, pair, slot)
        if location is False:
            state.undrop(i, old)
            continue
        state.place(pair, slot, location)
        return True
    return False


def raise_to_minimum(
    event: Event,
    placements: list[Placement],
    pairs: list[Pair],
    owed: dict[ParticipantId, int],
    seconds: float,
) -> list[Placement]:
    """Meetings up to each person's [fairness] min_meetings target (`owed`), at the cost of points
    where need be: the minimum comes first.

    For a person z below their target, in order: add a wished pair in a common free slot; make room
    with one Kempe swap (both cost nothing); else give the pair the place of the cheapest meeting
    that frees it: one of the partner's meetings (x, y) or a meeting holding the last table in a
    slot both are free, whose other people stay at or above their own targets. Nobody is taken
    below their target, so the total shortfall falls with every step.
    """
    state = ScheduleState(event, placements, track_holes=True)
    by_person: dict[ParticipantId, list[Pair]] = defaultdict(list)
    for pair in pairs:
        for pid in pair.people:
            by_person[pid].append(pair)
    deadline = time.monotonic() + seconds
    progress = True
    while progress and time.monotonic() < deadline:
        progress = False
        for z in sorted(pid for pid, target in owed.items() if state.count[pid] < target):
            while state.count[z] < owed[z] and time.monotonic() < deadline:
                if not _one_more(state, z, by_person[z], owed):
                    break
                progress = True
    return state.placements()


def _one_more(state: ScheduleState, z: ParticipantId, mine: list[Pair], owed: dict[ParticipantId, int]) -> bool:
    """Give z one more meeting, for free if possible, else for the fewest points lost."""
    open_pairs = sorted((p for p in mine if p.key not in state.met), key=lambda p: (-p.points, p.key))
    for pair in open_pairs:  # free: a common free slot, or one Kempe swap
        if not PersonalCaps.allows(state, pair):
            continue
        slot, location = free_slot(state, pair)
        if slot is None:
            slot, location = make_room(state, pair, max_tries=20)
        if slot is not None:
            state.place(pair, slot, location)
            return True
    best: tuple[int, Pair, list[int], SlotIndex] | None = None  # (points lost, pair, dropped, slot)
    by_slot: dict[SlotIndex, list[int]] = defaultdict(list)
    for i, p in enumerate(state.meetings):
        if p is not None:
            by_slot[p.slot].append(i)
    for pair in open_pairs:
        for dropped, slot in _trades(state, pair, z, owed, by_slot):
            lost = sum(state.meetings[i].pair.points for i in dropped) - pair.points
            if best is None or (lost, slot) < (best[0], best[3]):
                best = (lost, pair, dropped, slot)
    if best is None:
        return False
    _, chosen, dropped, at = best
    losers = {pid for i in dropped for pid in state.meetings[i].pair.people}
    for i in dropped:
        state.drop(i)
    where = free_location(state, chosen, at)
    assert where is not False  # `_trades` checked it with these meetings dropped
    state.place(chosen, at, where)
    for pid in sorted(losers):
        state.set_holes(pid, state.count_holes(state.busy[pid]))
    return True


def _trades(
    state: ScheduleState,
    pair: Pair,
    z: ParticipantId,
    owed: dict[ParticipantId, int],
    by_slot: dict[SlotIndex, list[int]],
) -> list[tuple[list[int], SlotIndex]]:
    """Ways to let `pair` (z and a partner x) meet by dropping one meeting: (its index, the slot)."""
    x = pair.b if pair.a == z else pair.a
    out: list[tuple[list[int], SlotIndex]] = []
    x_full = PersonalCaps.full(state, x)

    def spare(i: int, keep: ParticipantId | None) -> bool:
        """Whether meeting i may go: not locked, and its people other than `keep` stay at their target."""
        old = state.meetings[i]
        return not old.locked and all(
            pid == keep or state.count[pid] - 1 >= owed.get(pid, 0) for pid in old.pair.people
        )

    for slot in sorted(pair.slots):
        if (z, slot) in state.at:
            continue
        i = state.at.get((x, slot))
        if i is not None:  # x meets someone else here: that meeting makes way
            if spare(i, x) and _fits_without(state, pair, slot, [i]):
                out.append(([i], slot))
            continue
        if x_full:  # x is free here but at max_meetings: one of x's meetings anywhere makes way
            for j in sorted(state.at[(x, s)] for s in state.busy[x]):
                if spare(j, x) and _fits_without(state, pair, slot, [j]):
                    out.append(([j], slot))
            continue
        if free_location(state, pair, slot) is False:  # both free, no table: a meeting there makes way
            for j in by_slot[slot]:
                if spare(j, None) and _fits_without(state, pair, slot, [j]):
                    out.append(([j], slot))
    return out


def _fits_without(state: ScheduleState, pair: Pair, slot: SlotIndex, dropped: list[int]) -> bool:
    """Whether `pair` could meet in `slot` once the meetings `dropped` are gone (state left as it was)."""
    olds = [(i, state.meetings[i]) for i in dropped]
    for i, _ in olds:
        state.drop(i)
    try:
        return (
            all((pid, slot) not in state.at for pid in pair.people)
            and PersonalCaps.allows(state, pair)
            and free_location(state, pair, slot) is not False
        )
    finally:
        for i, old in reversed(olds):
            state.undrop(i, old)
