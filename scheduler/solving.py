"""Solve an event: greedy warm start, LP bound, then CP-SAT in lexicographic phases.

"maximise" mode: phase 1 maximises points from the greedy hint; phase 2 keeps those points
and maximises the people covered minus holes. "all" mode: every allowed wished pair is placed
and holes are minimised under the fairness caps; an infeasible request is explained.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from ortools.sat.python import cp_model

from . import __version__
from .candidates import Pair, candidate_pairs, pair_key
from .constraints import HARD_RULES
from .diagnose import core_of_infeasibility, explain_infeasible_all
from .domain import Event, Schedule, SlotIndex
from .greedy import mutual_first
from .model import MeetingVars
from .objective import cap_holes, holes_per_person, wish_points
from .placement import Occupancy, Placement, assign_tables
from .problems import MatchdayError, NoScheduleError, Problem
from .report import holes_by_person, schedule_stats
from .retiming import reduce_holes
from .selection import counting_limits, select_pairs, selection_lp_bound
from .results import Progress, ProgressCallback, SolveOptions, SolveResult, StopCheck


DETERMINISTIC_MOVES_PER_SECOND = 20_000  # local-search moves standing in for a second in deterministic mode


class _Budget:
    """Wall-clock budget of the whole solve; deterministic mode converts shares to solver time."""

    def __init__(self, options: SolveOptions):
        self.start = time.monotonic()
        self.deadline = self.start + options.time_limit
        self.deterministic = options.deterministic

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


class _Listener(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to `report` (which returns True when good enough) and
    honours cancellation."""

    def __init__(self, report: Callable[[float, float], bool], should_stop: StopCheck | None):
        super().__init__()
        self._report = report
        self._should_stop = should_stop

    def on_solution_callback(self) -> None:
        done = self._report(self.objective_value, self.best_objective_bound)
        if done or (self._should_stop is not None and self._should_stop()):
            self.stop_search()


def solve(event: Event, options: SolveOptions | None = None, progress: ProgressCallback | None = None,
          should_stop: StopCheck | None = None) -> SolveResult:
    """Build and solve the model for `event`.

    Raises:
        NoScheduleError: infeasible ("all" mode, locked rows), or nothing found in time.
        MatchdayError: a locked row of `options.previous` breaks a hard rule.
    """
    options = options or SolveOptions()
    budget = _Budget(options)
    notify = progress or (lambda _p: None)
    pairs = candidate_pairs(event)
    index_of = {p.key: i for i, p in enumerate(pairs)}
    locked, locked_labels, warnings = _locked_rows(event, options, pairs, index_of)
    occupancy = _occupancy(event, locked)
    greedy = locked + mutual_first(event, [p for p in pairs if p.key not in occupancy.met], occupancy)
    greedy_points = sum(p.pair.points for p in greedy)
    notify(Progress("greedy", budget.elapsed(), points=greedy_points))

    if event.objective == "all":
        chosen, optimal, bound = _solve_all(event, pairs, index_of, locked, greedy, options, budget, notify,
                                            should_stop)
    else:
        chosen, optimal, bound = _solve_maximise(event, pairs, index_of, locked, greedy, options, budget,
                                                 notify, should_stop)
    previous = options.previous.meetings if options.previous else ()
    labels = {pair_key(m.a, m.b) + (m.slot,): m.table for m in previous}
    schedule = assign_tables(event, chosen, {**labels, **locked_labels})
    stats = schedule_stats(event, schedule)
    return SolveResult(
        schedule=schedule, stats=stats, bound=bound, optimal=optimal, seconds=round(budget.elapsed(), 3),
        objective=event.objective, parameters=_describe(options), version=__version__,
        finished_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        warnings=tuple(warnings))


def _describe(options: SolveOptions) -> dict[str, Any]:
    params = asdict(options)
    params.pop("previous", None)
    params["cutoff"] = options.cutoff.isoformat() if options.cutoff else None
    params["workers"] = _workers(options)
    return params


def _workers(options: SolveOptions) -> int:
    if options.deterministic:
        return 1
    return options.workers or max(1, os.cpu_count() or 1)


def _locked_rows(event: Event, options: SolveOptions, pairs: list[Pair], index_of: dict[tuple[str, str], int]
                 ) -> tuple[list[Placement], dict[tuple[str, str, SlotIndex], str], list[Problem]]:
    """Locked rows of the previous schedule become fixed placements (a cancelled person's are dropped)."""
    placed: list[Placement] = []
    labels: dict[tuple[str, str, SlotIndex], str] = {}
    warnings: list[Problem] = []
    if options.previous is None:
        return placed, labels, warnings
    errors: list[str] = []
    occupancy = Occupancy(event)
    for m in options.previous.meetings:
        if not m.locked:
            continue
        people = (event.participants.get(m.a), event.participants.get(m.b))
        if any(p is not None and not p.active for p in people):
            warnings.append(Problem("warning", "locked_dropped", f"locked meeting {m.a}–{m.b} at "
                                    f"{event.slots[m.slot].label} dropped: a participant is cancelled or absent"))
            continue
        key = pair_key(m.a, m.b)
        pair = pairs[index_of[key]] if key in index_of else None
        if pair is None or not occupancy.can_place(pair, m.slot):
            errors.append(f"locked meeting {m.a}–{m.b} at {event.slots[m.slot].label} table {m.table} "
                          "breaks a hard rule (not wished, not allowed, unavailable, or clashing with "
                          "another locked meeting); run 'check' for details")
            continue
        location = m.table if m.table in pair.locations else occupancy.free_location(pair, m.slot)
        placed.append(occupancy.place(pair, m.slot, location))  # type: ignore[arg-type]
        placed[-1] = Placement(pair, m.slot, placed[-1].location, locked=True)
        labels[(pair.a, pair.b, m.slot)] = m.table
    if errors:
        raise MatchdayError("the previous schedule's locked rows cannot all be kept:\n  - " + "\n  - ".join(errors))
    return placed, labels, warnings


def _new_solver(options: SolveOptions, seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = _workers(options)
    solver.parameters.random_seed = options.seed
    solver.parameters.log_search_progress = False
    if options.deterministic:
        solver.parameters.max_deterministic_time = max(0.1, seconds)
        solver.parameters.max_time_in_seconds = max(1.0, seconds * 20)
    else:
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
    return solver


def _build(event: Event, pairs: list[Pair], locked: list[Placement], index_of: dict[tuple[str, str], int]
           ) -> tuple[cp_model.CpModel, MeetingVars]:
    model = cp_model.CpModel()
    v = MeetingVars(model, event, pairs, required=event.objective == "all")
    for rule in HARD_RULES:
        rule.apply(event, model, v)
    for p in locked:
        v.fix(index_of[p.pair.key], p.slot)
    return model, v


def _placements(solver: cp_model.CpSolver, v: MeetingVars, locked: list[Placement]) -> list[Placement]:
    locked_at = {(p.pair.key, p.slot): p for p in locked}
    out = []
    for i, slot in v.extract(solver):
        pair = v.pairs[i]
        out.append(locked_at.get((pair.key, slot)) or Placement(pair, slot, v.location_of(solver, i, slot)))
    return out


def _solve_maximise(event: Event, pairs: list[Pair], index_of: dict[tuple[str, str], int],
                    locked: list[Placement], greedy: list[Placement], options: SolveOptions, budget: _Budget,
                    notify: ProgressCallback, should_stop: StopCheck | None
                    ) -> tuple[list[Placement], bool, int | None]:
    """Decompose: choose who meets (with a proven bound), place them in time, fill, then re-time.

    Returns the placements, whether they are proven optimal in points, and the bound.
    """
    fixed = {index_of[p.pair.key] for p in locked}
    greedy_points = _points(greedy)
    bound: int | None = None
    chosen: set[int] = {index_of[p.pair.key] for p in greedy}
    if options.compute_bound:
        rows = counting_limits(event, pairs)
        bound = selection_lp_bound(pairs, rows, fixed)
        notify(Progress("bound", budget.elapsed(), points=greedy_points, bound=bound))
        chosen, integer_bound = select_pairs(pairs, rows, fixed, 0.15 * budget.remaining(), _workers(options),
                                             options.seed, options.deterministic, hint=chosen)
        bound = min(bound, integer_bound)
        notify(Progress("bound", budget.elapsed(), points=greedy_points, bound=bound))
    best = greedy
    if greedy_points < (bound if bound is not None else greedy_points + 1):
        # Place the chosen pairs: a colouring heuristic, then CP-SAT's LNS on the restricted model.
        occupancy = _occupancy(event, locked)
        order = sorted((pairs[i] for i in chosen - fixed), key=lambda p: (len(p.slots), -p.points, p.key))
        colouring = locked + mutual_first(event, pairs, occupancy, order=order)
        hint = colouring if _points(colouring) >= greedy_points else greedy
        sub = sorted({index_of[p.pair.key] for p in hint} | chosen)
        placed = _place(event, [pairs[i] for i in sub], locked, hint, options, 0.6 * budget.remaining(),
                        budget, notify, should_stop, bound)
        # Fill what the chosen set left free with any other pair, greedily.
        occupancy = _occupancy(event, placed)
        placed = placed + mutual_first(event, [p for p in pairs if p.key not in occupancy.met], occupancy)
        if _points(placed) > _points(best):
            best = placed
    optimal = bound is not None and _points(best) >= bound
    if budget.remaining() > 0.5 and not (should_stop and should_stop()):
        best = _retime(event, best, options, budget, notify, bound)
    return best, optimal, bound


def _points(placements: list[Placement]) -> int:
    return sum(p.pair.points for p in placements)


def _occupancy(event: Event, placements: list[Placement]) -> Occupancy:
    occupancy = Occupancy(event)
    for p in placements:
        occupancy.place(p.pair, p.slot, p.location)
    return occupancy


def _place(event: Event, sub: list[Pair], locked: list[Placement], hint: list[Placement], options: SolveOptions,
           seconds: float, budget: _Budget, notify: ProgressCallback, should_stop: StopCheck | None,
           bound: int | None) -> list[Placement]:
    """Maximise the points of `sub` placed in time; stops early once the bound is reached."""
    index_of = {p.key: i for i, p in enumerate(sub)}
    model, v = _build(event, sub, locked, index_of)
    model.maximize(wish_points(v))
    v.hint(hint, index_of)

    def on_points(value: float, cp_bound: float) -> bool:
        notify(Progress("search", budget.elapsed(), points=int(round(value)), bound=bound))
        return bound is not None and value >= bound

    solver = _new_solver(options, seconds)
    solver.parameters.use_lns_only = not options.deterministic or _workers(options) > 1
    status = solver.solve(model, _Listener(on_points, should_stop))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status == cp_model.INFEASIBLE:
            raise NoScheduleError("the locked meetings and the hard rules contradict each other", infeasible=True)
        return hint
    placed = _placements(solver, v, locked)
    return placed if _points(placed) >= _points(hint) else hint


def _retime(event: Event, placed: list[Placement], options: SolveOptions, budget: _Budget,
            notify: ProgressCallback, bound: int | None) -> list[Placement]:
    """Keep exactly the placed meetings (so points and people covered stay) and remove holes."""
    seconds = max(0.0, budget.remaining() - 0.3)
    moves = int(seconds * DETERMINISTIC_MOVES_PER_SECOND) if options.deterministic else None
    result = reduce_holes(event, placed, seconds, seed=options.seed, max_moves=moves)
    holes = sum(holes_by_person(event, assign_tables(event, result)).values())
    notify(Progress("polish", budget.elapsed(), points=_points(result), bound=bound, holes=holes))
    return result


def _solve_all(event: Event, pairs: list[Pair], index_of: dict[tuple[str, str], int], locked: list[Placement],
               greedy: list[Placement], options: SolveOptions, budget: _Budget, notify: ProgressCallback,
               should_stop: StopCheck | None) -> tuple[list[Placement], bool, int | None]:
    reasons = explain_infeasible_all(event, pairs)
    if reasons:
        raise NoScheduleError("not every wished meeting can be placed", reasons, infeasible=True)
    model, v = _build(event, pairs, locked, index_of)
    holes = holes_per_person(event, model, v, exact=True)
    cap_holes(event, model, holes, v.people())
    model.minimize(sum(holes.values()))
    v.hint(greedy, index_of)

    def on_holes(value: float, _bound: float) -> bool:
        notify(Progress("search", budget.elapsed(), holes=int(round(value))))
        return False

    solver = _new_solver(options, 0.4 * budget.remaining())
    status = solver.solve(model, _Listener(on_holes, should_stop))
    if status == cp_model.INFEASIBLE:
        raise NoScheduleError("not every wished meeting can be placed under the rules",
                              core_of_infeasibility(event, pairs, options, budget.remaining()), infeasible=True)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise NoScheduleError(f"no schedule placing every wished meeting was found within "
                              f"{options.time_limit:g} s; allow more time with --time-limit")
    placed = _placements(solver, v, locked)
    if status == cp_model.OPTIMAL or (should_stop and should_stop()):
        return placed, status == cp_model.OPTIMAL, None
    return _retime(event, placed, options, budget, notify, None), False, None
