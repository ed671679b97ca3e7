"""Give a meeting to people who have none, never lowering points."""

from __future__ import annotations

from collections import defaultdict

from scheduler.candidates import Pair
from scheduler.domain import Event, ParticipantId
from scheduler.heuristics.insertion import free_slot
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
