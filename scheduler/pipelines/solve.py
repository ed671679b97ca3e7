"""Solve an event: decide who meets, then when, then polish; always within the time budget; and
let nothing out that the independent checker rejects.

"maximise" mode (`maximise`), in order (each step keeps the best schedule so far, so stopping
early is safe):
1. the mutual-first greedy: the floor matchday never falls below;
2. "who meets": the LP of the selection relaxation gives a proven bound and, rounded, the
   pairs to place (`selection`);
3. "when": colour those pairs greedily, make room with Kempe-chain swaps, fill with any other
   pair that fits (`heuristics.greedy`, `kempe`, `insertion`);
4. while a gap to the bound remains and the model is small enough (`Budget.cp_sat_max_variables`),
   CP-SAT's large-neighbourhood search on the time-indexed model restricted to those pairs,
   hinted with step 3 (skipped when `SolveOptions.cp_sat` is off);
5. give a meeting to people left without one, never lowering points;
6. remove holes with Kempe-chain local search, keeping exactly who meets (holes above a
   [fairness] cap weigh most); halfway, add the pairs still out that fit the common free slots
   the search opened;
7. where [fairness] caps still do not hold, drop meetings that bring their person under the cap,
   then refill with pairs that fit within the caps.
"all" mode (`all_mode`): CP-SAT places every pair and minimises holes under the fairness caps,
then step 6; an infeasible request is explained (`diagnose`).
Re-solving from a previous schedule (`repair_plan` plans, `repair` runs it): history before a
cut-off and locked rows (`locked`) stay; the other still-valid rows are kept in place first, the
freed time is refilled, CP-SAT weighs moves against `MoveCosts`, and only new meetings are
re-timed to remove holes.
Every time share and rate lives in one `Budget` (`budget`); the result passes the independent
checker (`gate`) or is never returned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import asdict
from typing import Any

from scheduler import __version__
from scheduler.candidates import candidate_pairs, pair_key
from scheduler.domain import Event, Schedule
from scheduler.heuristics.state import points
from scheduler.heuristics.tables import assign_tables
from scheduler.pipelines.all_mode import place_all
from scheduler.pipelines.budget import BUDGET, Budget
from scheduler.pipelines.cp_sat import workers
from scheduler.pipelines.gate import gate
from scheduler.pipelines.maximise import maximise
from scheduler.pipelines.repair import repair
from scheduler.pipelines.repair_plan import plan_repair, repair_report
from scheduler.pipelines.run import Run
from scheduler.report import schedule_points, schedule_stats
from scheduler.results import ProgressCallback, SolveOptions, SolveResult, StopCheck


def solve(
    event: Event,
    options: SolveOptions | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
    budget: Budget = BUDGET,
) -> SolveResult:
    """Schedule `event`; the result's schedule obeys every hard rule (the independent checker says so).

    Raises:
        NoScheduleError: infeasible ("all" mode, locked rows), or nothing found in time.
        MatchdayError: a locked row of `options.previous` breaks a hard rule, or "all" mode
            without CP-SAT.
        InvalidScheduleError: a bug: the schedule found breaks a hard rule; it is not returned.
    """
    options = options or SolveOptions()
    plan = plan_repair(event, options.previous, options.cutoff) if options.previous is not None else None
    run = Run(
        plan.future if plan else event,
        options,
        progress,
        should_stop,
        plan,
        pairs=list(plan.pairs) if plan else None,
        budget=budget,
    )
    if event.objective == "all":
        outcome = place_all(run)
    elif plan is not None and plan.preferred:
        outcome = repair(run)
    else:  # a fresh solve; with a plan, only history and locked rows are kept (nothing to prefer)
        outcome = maximise(run)
        outcome = dataclasses.replace(outcome, fresh_points=points(outcome.placements))
    bound = outcome.bound
    previous = options.previous.meetings if options.previous else ()
    labels = {pair_key(m.a, m.b) + (m.slot,): m.table for m in previous}
    history = plan.history if plan else ()
    run.report("tables", points=points(outcome.placements), bound=bound, meetings=len(outcome.placements))
    schedule = assign_tables(event, outcome.placements, {**labels, **run.locked_labels}, before=history)
    repair_figures = None
    if plan is not None:
        assert options.previous is not None  # a plan is made from it
        history_points = schedule_points(event, Schedule.of(list(plan.history)))
        bound = None if bound is None else bound + history_points
        schedule = Schedule.of(list(schedule.meetings) + list(plan.history))
        fresh = None if outcome.fresh_points is None else outcome.fresh_points + history_points
        repair_figures = repair_report(event, options.previous, schedule, fresh)
    result = SolveResult(
        schedule=schedule,
        stats=schedule_stats(event, schedule, candidate_pairs(event) if plan else run.pairs),
        bound=bound,
        optimal=outcome.optimal,
        seconds=round(run.elapsed(), 3),
        objective=event.objective,
        parameters=_describe(options),
        version=__version__,
        finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        warnings=tuple(run.warnings),
        repair=repair_figures,
    )
    run.report("check", points=result.stats.points, bound=result.bound, meetings=result.stats.meetings)
    return gate(event, result, history_before=options.cutoff)


def _describe(options: SolveOptions) -> dict[str, Any]:
    """The options as JSON-ready parameters of the result (the previous schedule left out)."""
    params = asdict(dataclasses.replace(options, previous=None))  # not a deep copy of every previous row
    params.pop("previous")
    params["cutoff"] = options.cutoff.isoformat() if options.cutoff else None
    params["workers"] = workers(options)
    return params
