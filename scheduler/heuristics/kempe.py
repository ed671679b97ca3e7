"""Kempe-chain slot swaps: move meetings between two slots without changing who meets.

The meetings held in two slots s1 and s2 form paths and cycles (nobody is in two meetings of
one slot). Swapping s1 and s2 along one such chain keeps everyone conflict-free (rule 2), so
only the other rules are checked: the pairs' own slots (rule 3), shared-table capacity (5),
booths (6) and the hole caps (7). Only the chain's two ends change when they are busy, so a move
is cheap to evaluate. The local search (`local_search`) uses it to remove holes, the insertion
(`insertion`) to make room for a pair whose two people have no common free slot.
"""

from __future__ import annotations

from scheduler.candidates import SHARED
from scheduler.domain import ParticipantId, SlotIndex
from scheduler.heuristics.hole_caps import weighted_holes
from scheduler.heuristics.rules import Availability, FixedTableCapacity, HoleCaps, SharedTableCapacity
from scheduler.heuristics.state import ScheduleState

MAX_CHAIN = 60  # meetings in a chain beyond which a swap is not tried (it would rarely pay)


def kempe_chain(state: ScheduleState, start: int, s1: SlotIndex, s2: SlotIndex) -> list[int] | None:
    """Meetings swapped with `start` (which is in s1) between s1 and s2; None if too long."""
    meetings, at = state.meetings, state.at
    seen = {start}
    todo = [start]
    while todo:
        i = todo.pop()
        here = meetings[i].slot
        other = s2 if here == s1 else s1
        for pid in meetings[i].pair.people:
            j = at.get((pid, other))
            if j is not None and j not in seen:
                seen.add(j)
                todo.append(j)
        if len(seen) > MAX_CHAIN:
            return None
    return list(seen)


def try_swap(
    state: ScheduleState, chain: list[int], s1: SlotIndex, s2: SlotIndex, holes: bool = True
) -> tuple[int, dict[ParticipantId, int], int] | None:
    """(change in weighted holes, new holes per changed person, change in the empty slots inside
    their holes), or None if the swap breaks a rule.

    With `holes=False` hole caps are ignored and no change is reported (placing, not polishing).
    """
    # plain dicts, not Counters: this runs for every move of the local search
    moved_shared: dict[SlotIndex, int] = {}
    meetings = [state.meetings[i] for i in chain]
    for p in meetings:
        new = s2 if p.slot == s1 else s1
        if not Availability.allows(p.pair, new):
            return None
        if p.location is SHARED:
            moved_shared[p.slot] = moved_shared.get(p.slot, 0) - 1
            moved_shared[new] = moved_shared.get(new, 0) + 1
        elif not FixedTableCapacity.free(state, str(p.location), new, moving=chain):
            return None
    for s, d in moved_shared.items():
        if not SharedTableCapacity.room(state, s, d):
            return None
    changed: dict[ParticipantId, int] = {}
    if not holes:
        return 0, changed, 0
    people: dict[ParticipantId, int] = {}
    for p in meetings:
        people[p.pair.a] = people.get(p.pair.a, 0) + 1
        people[p.pair.b] = people.get(p.pair.b, 0) + 1
    empty = 0
    for pid, n in people.items():
        if n == 2:
            continue  # busy in both slots before and after
        before = state.busy[pid]
        slots = set(before)
        if s1 in slots:
            slots.discard(s1)
            slots.add(s2)
        else:
            slots.discard(s2)
            slots.add(s1)
        changed[pid], after = state.count_gaps(slots)
        empty += after - state.count_gaps(before)[1]
    if not HoleCaps.allows_change(state, changed):
        return None
    event = state.event
    delta = sum(weighted_holes(event, h) - weighted_holes(event, state.holes[pid]) for pid, h in changed.items())
    return delta, changed, empty
