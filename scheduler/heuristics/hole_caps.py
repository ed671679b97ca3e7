"""The [fairness] hole caps on the heuristic side: how the search weighs holes above a cap, and
`enforce_hole_caps`, which drops meetings until the caps hold.

"maximise" mode does not model the caps (CP-SAT maximises points only), so its schedule is
brought under them here; "all" mode models them and only needs the weights for its polish.
"""

from __future__ import annotations

from scheduler.domain import Event
from scheduler.heuristics.state import Placement, ScheduleState

OVER_CAP_WEIGHT = 1_000  # a hole above [fairness] max_holes, against one below it


def weighted_holes(event: Event, holes: int) -> int:
    """What a person's holes cost the local search: holes above the cap weigh far more."""
    cap = event.max_holes
    return holes if cap is None or holes <= cap else holes + OVER_CAP_WEIGHT * (holes - cap)


def enforce_hole_caps(event: Event, placements: list[Placement]) -> list[Placement]:
    """Drop the least valuable meetings until `max_holes` and the spread cap hold.

    Only a meeting at the end of a block (or alone) is dropped for the person over the cap, which
    never adds a hole for them. Among those, one that takes a hole away from them comes first,
    one that would push the partner over the cap last, and the least valuable before the others.
    Used when the organiser sets [fairness] caps in "maximise" mode; "all" mode models them.
    """
    if event.max_holes is None and event.max_hole_spread is None:
        return placements
    state = ScheduleState(event, placements, track_holes=True)
    while True:
        present = [h for pid, h in state.holes.items() if state.busy[pid]]
        if not present:
            break
        cap = min(
            event.max_holes if event.max_holes is not None else len(event.slots),
            min(present) + (event.max_hole_spread if event.max_hole_spread is not None else len(event.slots)),
        )
        over = sorted(pid for pid, h in state.holes.items() if h > cap)
        if not over:
            break
        pid = over[0]
        options = []
        for slot in state.busy[pid]:
            i = state.at[(pid, slot)]
            if state.meetings[i].locked:
                continue
            after = {p: state.count_holes(state.busy[p] - {slot}) for p in state.meetings[i].pair.people}
            if after[pid] <= state.holes[pid]:
                no_progress = after[pid] == state.holes[pid]
                worse = any(h > max(cap, state.holes[p]) for p, h in after.items())
                options.append((no_progress, worse, state.meetings[i].pair.points, slot, i, after))
        if not options:
            break  # only locked meetings left to drop: nothing more this step can do
        *_, i, after = min(options)
        state.drop(i)
        for p, h in after.items():
            state.set_holes(p, h)
    return state.placements()
