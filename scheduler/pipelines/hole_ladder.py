"""Incremental hole bounds for "all" mode: is there a schedule with at most k holes, for k = the
proven lower bound, then one more, up to one less than the best schedule in hand?

Each step is a feasibility question on the hard rules, the [fairness] caps and a cap on the total
holes counted as in the MaxSAT encoding of JAIR 74 (`model.breaks`). A "no" raises the proven
lower bound by one (reported as a "bound" snapshot) and the next step asks for one hole more; a
"yes" is a schedule with fewer holes than the one in hand, optimal when k is the lower bound. The
first step that CP-SAT answers neither way by the ladder's deadline ends the climb.

Why feasibility rather than CP-SAT's own minimisation: on the published B2B days, minimising the
holes from scratch stalled at 36-110 holes in 10 s, while the capped questions answer "no" within
a second or two where they do (forum-14 at 0 and 1 hole, forumt-14crafc at 4) and find hole-free
schedules the minimisation never reaches (forum-13, ticf-13crafa); measured in benchmarks/README.md.

It runs after the hole local search, not beside it: on two cores its eight CP-SAT threads starve
the local search (run side by side at load 11, the local search's schedules came out 1-11 holes
worse and 7 of 18 instances were proven, against 11 of 18 one after the other at load 4-7).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.domain import ParticipantId
from scheduler.heuristics.state import Placement
from scheduler.model.breaks import hole_ends
from scheduler.model.objective import cap_holes
from scheduler.model.occupancy import Occupancy
from scheduler.pipelines.cp_sat import build, extract, run_solver, solver
from scheduler.pipelines.run import Run

# CP-SAT workers for each step when the options leave the number open: more than the cores, for a
# wider portfolio (the hole-free days were found by the no-LP and random fixed-search workers,
# which two workers leave out; 2 workers found forum-13's 0 in none of the runs measured).
LADDER_WORKERS = 8


@dataclass(frozen=True)
class Climb:
    """Where the climb stopped: the proven least number of holes, and the best schedule found
    (None when no step found one)."""

    lower: int
    found: list[Placement] | None


def climb(run: Run, lower: int, upper: int, share: float) -> Climb:
    """Ask "at most k holes?" for k = lower, lower + 1, … below `upper` (the holes of the schedule
    in hand), within `share` of the time left (in deterministic mode: `share` of the
    limit in CP-SAT's deterministic time, over all the steps). Only for a fresh solve of every pair (no
    history before a cut-off)."""
    deadline = None if run.options.deterministic else time.monotonic() + share * run.clock.remaining()
    model, v = build(run, run.pairs, run.index_of, required=True)
    people = v.people()
    ends = hole_ends(run.event, model, Occupancy(run.event, model, v), people, spans=True)
    event = run.event
    holes: dict[ParticipantId, cp_model.LinearExprT] = {
        pid: cp_model.LinearExpr.sum(lits) for pid, lits in ends.items()
    }
    if event.max_holes is not None and event.max_hole_spread is not None:
        if event.max_hole_spread >= event.max_holes:  # implied by the cap, as counts are never negative
            event = replace(event, max_hole_spread=None)
    cap_holes(event, model, holes, people)
    every = [lit for lits in ends.values() for lit in lits]
    total = model.add_linear_constraint(cp_model.LinearExpr.sum(every), 0, len(every))
    k = lower
    work = share * run.options.time_limit  # deterministic mode: the whole climb's deterministic seconds
    while k < upper and not run.stopped():
        s = solver(run, share)
        if deadline is not None:
            left = deadline - time.monotonic()
            if left < run.budget.cp_sat_min_seconds:
                break
            s.parameters.max_time_in_seconds = left
        else:
            if work < run.budget.cp_sat_min_seconds:
                break
            s.parameters.max_deterministic_time = work
        if not run.options.deterministic and not run.options.workers:
            s.parameters.num_workers = max(LADDER_WORKERS, os.cpu_count() or 1)
        total.proto.linear.domain[1] = k  # the domain is [0, k]: one interval
        status = run_solver(run, s, model, lambda _value, _bound: False)
        work -= s.deterministic_time
        if status == cp_model.INFEASIBLE:
            k += 1
            run.report("bound", holes=k)
            continue
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Climb(k, extract(run, s, v))
        break
    return Climb(k, None)
