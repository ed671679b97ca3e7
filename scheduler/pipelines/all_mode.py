"""The "all" pipeline: CP-SAT places every wished pair and minimises holes under the [fairness]
caps, then the local search polishes; an infeasible request is explained (`diagnose`). A re-solve
keeps every previous row it can in place first, fewer holes second."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import SlotIndex
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.state import ScheduleState
from scheduler.model.diagnose import core_of_infeasibility, explain_infeasible_all
from scheduler.model.objective import cap_holes, holes_per_person
from scheduler.pipelines.cp_sat import build, extract, run_solver, solver
from scheduler.pipelines.polish import polish
from scheduler.pipelines.run import Outcome, Run, by_value, holes, slots_by_pair
from scheduler.problems import MatchdayError, NoScheduleError


def place_all(run: Run) -> Outcome:
    """Every wished pair placed, fewest holes; `optimal` when proven or hole-free.

    Raises:
        NoScheduleError: the request is infeasible (with the reasons), or nothing was found in time.
        MatchdayError: CP-SAT is switched off (`SolveOptions.cp_sat`); this mode has no other path.
    """
    event, pairs = run.event, run.pairs
    if not run.options.cp_sat:
        raise MatchdayError('"all" mode needs CP-SAT: it has no heuristic-only path')
    reasons = explain_infeasible_all(event, pairs)
    if reasons:
        raise NoScheduleError("not every wished meeting can be placed", reasons, infeasible=True)
    model, v = build(run, pairs, run.index_of, required=True)
    history: dict[str, set[SlotIndex]] = {}
    for p in run.background:
        for pid in p.pair.people:
            history.setdefault(pid, set()).add(p.slot)
    per_person = holes_per_person(event, model, v, exact=True, busy_before=history)
    cap_holes(event, model, per_person, v.people())
    total_holes = _total(per_person.values())
    # A re-solve changes as little as possible: every previous row kept in place comes first,
    # fewer holes second (every pair is placed anyway in this mode).
    preferred = slots_by_pair(run.plan.preferred if run.plan else ())
    moved = [var for (i, slot), var in v.x.items() if preferred.get(pairs[i].key, slot) != slot]
    weight = len(event.slots) * max(1, len(v.people())) + 1
    model.minimize(weight * _total(moved) + total_holes if moved else total_holes)
    state = ScheduleState(event, run.locked)
    kept = list(run.locked)
    for pair in by_value(pairs[run.index_of[key]] for key in preferred if key in run.index_of):
        if state.can_place(pair, preferred[pair.key]):
            slot = preferred[pair.key]
            kept.append(state.place(pair, slot, state.free_location(pair, slot)))  # type: ignore[arg-type]
    v.hint(kept + mutual_first(event, [p for p in pairs if p.key not in state.met], state), run.index_of)

    def on_holes(value: float, _bound: float) -> bool:
        run.report("search", holes=int(round(value)) % weight)
        return False

    s = solver(run, run.budget.all_mode_cp_sat_share)
    status = run_solver(run, s, model, on_holes)
    if status == cp_model.UNKNOWN and not run.stopped() and not run.options.deterministic:
        s = solver(run, 1.0)  # nothing found yet: the rest of the time is its
        status = run_solver(run, s, model, on_holes)
    if status == cp_model.INFEASIBLE:
        raise NoScheduleError(
            "not every wished meeting can be placed under the rules",
            core_of_infeasibility(event, pairs, run.options, run.clock.remaining(), run.locked),
            infeasible=True,
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise NoScheduleError(
            f"no schedule placing every wished meeting was found within "
            f"{run.options.time_limit:g} s; allow more time with --time-limit"
        )
    placed = extract(run, s, v)
    if status != cp_model.OPTIMAL and not run.stopped():
        in_place = {p.pair.key for p in placed if preferred.get(p.pair.key) == p.slot}
        placed = polish(run, placed, None, frozen=in_place)
    hole_free = not any(holes(event, placed).values())
    return Outcome(placed, status == cp_model.OPTIMAL or hole_free, None)


def _total(terms: Iterable[Any]) -> Any:
    """Python's `sum` over CP-SAT terms, as the model has always been built (typeshed's `sum` does
    not know CP-SAT's expressions, nor the numpy integers among them)."""
    return sum(terms)
