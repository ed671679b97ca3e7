"""The pipelines' use of CP-SAT: build the time-indexed model with the locked rows fixed, run it
within its share of the budget (stopping at once on cancellation), read the placements back, and
the restricted large-neighbourhood search that maximise and repair both run."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from scheduler.candidates import Pair
from scheduler.domain import SlotIndex
from scheduler.heuristics.state import Placement
from scheduler.model.objective import maximise_sum, shortfall_terms
from scheduler.model.rules import HARD_RULES
from scheduler.model.variables import MeetingVars
from scheduler.pipelines.run import Run, placements_of
from scheduler.problems import NoScheduleError
from scheduler.results import SolveOptions, StopCheck

Report = Callable[[float, float], bool]  # (objective, bound) of a new solution -> stop now?


def workers(options: SolveOptions) -> int:
    """CP-SAT's threads: one in deterministic mode, else the option or every core."""
    if options.deterministic:
        return 1
    return options.workers or max(1, os.cpu_count() or 1)


def build(
    run: Run, pairs: list[Pair], index_of: dict[tuple[str, str], int], required: bool
) -> tuple[cp_model.CpModel, MeetingVars]:
    """The model of every hard rule over `pairs`, with the locked rows fixed at their slot and booth."""
    model = cp_model.CpModel()
    v = MeetingVars(model, run.event, pairs, required=required)
    for rule in HARD_RULES:
        rule.apply(run.event, model, v)
    for p in run.locked:
        i = index_of[p.pair.key]
        v.fix(i, p.slot)
        for label in p.pair.locations[1:]:  # and at its own booth, where two booths compete
            choice = v.location.get((i, p.slot, str(label)))
            if choice is not None:
                model.add(choice == int(label == p.location))
    return model, v


def solver(run: Run, share: float) -> cp_model.CpSolver:
    """A CP-SAT solver allowed `share` of the budget (see `Clock.cp_sat_limits`)."""
    s = cp_model.CpSolver()
    s.parameters.num_workers = workers(run.options)
    s.parameters.random_seed = run.options.seed
    wall, deterministic = run.clock.cp_sat_limits(share)
    if deterministic is not None:
        s.parameters.max_deterministic_time = deterministic
    s.parameters.max_time_in_seconds = wall
    return s


def run_solver(run: Run, solver: cp_model.CpSolver, model: cp_model.CpModel, report: Report) -> cp_model.CpSolverStatus:
    """Solve, stopping at once on cancellation even while no new solution is found."""
    done = threading.Event()
    poll = run.budget.cancel_poll_seconds

    def watch() -> None:
        while not done.wait(poll):
            if run.should_stop is not None and run.should_stop():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return solver.solve(model, _Listener(report, run.should_stop))
    finally:
        done.set()
        watcher.join()


def extract(run: Run, solver: cp_model.CpSolver, v: MeetingVars) -> list[Placement]:
    """The placements of the solver's solution; locked rows come back as the locked placements."""
    return placements_of(run, v.pairs, v.extract(solver), lambda i, slot: v.location_of(solver, i, slot))


def restricted_search(
    run: Run,
    sub: list[Pair],
    hint: list[Placement],
    bound: int,
    preferred: dict[tuple[str, str], SlotIndex] | None = None,
    fixed: Sequence[Placement] = (),
    lns_only: bool = True,
) -> list[Placement]:
    """CP-SAT LNS maximising the points of `sub` placed in time, hinted with `hint`; stops at the bound.

    With `preferred` (repair), keeping a previous meeting in its slot is worth its points plus the
    drop cost, and moving it costs the move cost. `fixed` placements (of pairs in `sub`) are pinned
    where they are, like locked rows. `lns_only` off lets CP-SAT's full portfolio prove a small
    model optimal and stop, instead of searching neighbourhoods until the time is up.

    Raises:
        NoScheduleError: the locked rows and the hard rules contradict each other.
    """
    index_of = {p.key: i for i, p in enumerate(sub)}
    model, v = build(run, sub, index_of, required=False)
    for p in fixed:
        v.fix(index_of[p.pair.key], p.slot)
    xs = list(v.x.values())
    weights = [sub[i].points for i, _ in v.x]
    if preferred:  # keeping a previous meeting is worth the drop cost; moving it costs the move cost
        costs = run.options.move_costs
        for k, (i, slot) in enumerate(v.x):
            old = preferred.get(sub[i].key)
            if old is not None:
                weights[k] += costs.drop - (costs.move_slot if slot != old else 0)
    weight = 0
    if run.owed:  # [fairness] min_meetings first: a missing meeting outweighs every point and cost
        top: dict[int, int] = {}  # a pair meets once: its best slot is the most it can add
        for k, (i, _) in enumerate(v.x):
            top[i] = max(top.get(i, 0), weights[k])
        weight = 1 + sum(top.values())
        shorts, missing = shortfall_terms(model, v, run.owed)
        maximise_sum(model, xs + shorts, weights + [-weight] * len(shorts), offset=-weight * missing)
    else:
        maximise_sum(model, xs, weights)
    v.hint(hint, index_of)

    def on_points(value: float, _cp_bound: float) -> bool:
        if preferred:  # the objective mixes points and move costs: nothing to show or stop on
            return False
        found = int(round(value))
        if run.owed:  # points lie in [0, weight): the shortfall is what lifts the value to them
            found += weight * max(0, -(found // weight))
        run.report("search", points=found, bound=bound)
        return found >= bound and found == int(round(value))

    s = solver(run, run.budget.cp_sat_share)
    s.parameters.use_lns_only = lns_only
    status = run_solver(run, s, model, on_points)
    if status == cp_model.INFEASIBLE:
        raise NoScheduleError("the locked meetings and the hard rules contradict each other", infeasible=True)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint
    found = extract(run, s, v)
    return found if preferred else max(hint, found, key=run.value)


class _Listener(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to `report` (True: good enough, stop) and honours cancellation."""

    def __init__(self, report: Report, should_stop: StopCheck | None):
        super().__init__()
        self._report = report
        self._should_stop = should_stop

    def on_solution_callback(self) -> None:
        done = self._report(self.objective_value, self.best_objective_bound)
        if done or (self._should_stop is not None and self._should_stop()):
            self.stop_search()
