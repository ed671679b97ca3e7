"""Say why "all" mode cannot place every wished meeting, in words an organiser can act on.

First cheap counting arguments (no common slot, more meetings than free slots or than the
cap, more meetings than tables); failing those, a small set of requests that CP-SAT proves
cannot be placed together (an infeasible core over one assumption literal per request).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.candidates import SHARED, Pair, colleagues, wished_pairs
from scheduler.domain import Event
from scheduler.heuristics.state import Placement
from scheduler.model.objective import cap_holes, holes_per_person
from scheduler.model.rules import HARD_RULES
from scheduler.model.variables import MeetingVars
from scheduler.results import SolveOptions


def _name(event: Event, pid: str) -> str:
    return f"{event.participants[pid].name} ({pid})"


def explain_infeasible_all(event: Event, pairs: list[Pair]) -> list[str]:
    """Requests that obviously cannot all be placed; empty when nothing obvious is wrong."""
    reasons: list[str] = []
    placeable = {p.key for p in pairs}
    for (a, b), _who in wished_pairs(event).items():
        pa, pb = event.participants[a], event.participants[b]
        if (a, b) in placeable or not (pa.active and pb.active):
            continue
        if colleagues(event, a, b) and not event.same_organisation_meetings:
            continue
        if pa.max_meetings == 0 or pb.max_meetings == 0:
            why = "one of them has max_meetings = 0"
        elif not (pa.table or pb.table) and event.tables == 0:
            why = "the event has no shared tables"
        elif not pa.available & pb.available:
            why = "they share no available slot"
        else:
            why = "no common available slot lies inside the wish's window"
        reasons.append(f"{_name(event, a)} and {_name(event, b)} cannot meet: {why}")
    need = Counter(pid for p in pairs for pid in p.people)
    for pid, n in need.items():
        person = event.participants[pid]
        if n > len(person.available):
            reasons.append(
                f"{_name(event, pid)} is asked for {n} meetings but is available in only {len(person.available)} slots"
            )
        if person.max_meetings is not None and n > person.max_meetings:
            reasons.append(f"{_name(event, pid)} is asked for {n} meetings but max_meetings is {person.max_meetings}")
    shared = sum(1 for p in pairs if p.locations == (SHARED,))
    if shared > event.tables * len(event.slots):
        reasons.append(
            f"{shared} meetings need a shared table but {event.tables} tables x {len(event.slots)} "
            f"slots give only {event.tables * len(event.slots)} places"
        )
    return reasons


def core_of_infeasibility(
    event: Event, pairs: list[Pair], options: SolveOptions, seconds: float, locked: Sequence[Placement] = ()
) -> list[str]:
    """A set of requests that cannot all be placed together, found with assumption literals."""
    model = cp_model.CpModel()
    v = MeetingVars(model, event, pairs)  # not required: the assumptions below ask for each pair
    for rule in HARD_RULES:
        rule.apply(event, model, v)
    index_of = {p.key: i for i, p in enumerate(pairs)}
    for p in locked:
        v.fix(index_of[p.pair.key], p.slot)
    holes = holes_per_person(event, model, v, exact=True)
    cap_holes(event, model, holes, v.people())
    wanted = []
    for i, row in enumerate(v.by_pair):
        lit = model.new_bool_var(f"placed[{pairs[i].key}]")
        model.add(sum(var for _, var in row) == 1).only_enforce_if(lit)
        wanted.append(lit)
    model.add_assumptions(wanted)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = options.seed
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    status = solver.solve(model)
    if status == cp_model.UNKNOWN:
        return ["no explanation was found in the time left; the cheap checks found nothing obvious"]
    if status != cp_model.INFEASIBLE:
        return ["the requests fit one by one, but the hole limits (max_holes, spread) cannot be met together"]
    core = solver.sufficient_assumptions_for_infeasibility()
    index = {lit.index: i for i, lit in enumerate(wanted)}
    out = []
    for literal in core:
        found = index.get(literal)
        if found is not None:
            a, b = pairs[found].people
            out.append(f"{_name(event, a)} with {_name(event, b)}")
    if not out:
        return ["the hole limits (max_holes / spread) cannot be met with every request placed"]
    return ["these requests cannot all be placed together (each fits alone): " + "; ".join(out)]
