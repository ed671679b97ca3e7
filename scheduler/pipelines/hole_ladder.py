"""Incremental hole bounds for "all" mode: is there a schedule with at most k holes, for k = the
proven lower bound, then one more, up to one less than the best schedule in hand?

Each step is a feasibility question on the hard rules, the [fairness] caps and a cap on the total
holes counted as in the MaxSAT encoding of JAIR 74 (`model.breaks`). A "no" raises the proven
lower bound by one (reported as a "bound" snapshot) and the next step asks for one hole more; a
"yes" is a schedule with fewer holes than the one in hand, optimal when k is the lower bound. The
first step that CP-SAT answers neither way within its share of the time ends the climb.

Why feasibility rather than CP-SAT's own minimisation: on the published B2B days, minimising the
holes from scratch stalled at 36-110 holes in 10 s, while the capped questions answer "no" within
a second or two where they do (forum-14 at 0 and 1 hole, forumt-14crafc at 4) and find hole-free
schedules the minimisation never reaches (forum-13, ticf-13crafa); measured in benchmarks/README.md.
"""

from __future__ import annotations

import os
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
# which two workers leave out).
LADDER_WORKERS = 8


@dataclass(frozen=True)
class Climb:
    """Where the climb stopped: the proven least number of holes, and the best schedule found
    (None when no step found one)."""

    lower: int
    found: list[Placement] | None


def climb(run: Run, lower: int, upper: int, share: float) -> Climb:
    """Ask "at most k holes?" for k = lower, lower + 1, … < upper; each step may use `share` of
    the time left. Only for a fresh solve of every pair (no history before a cut-off)."""
    model, v = build(run, run.pairs, run.index_of, required=True)
    people = v.people()
    ends = hole_ends(run.event, model, Occupancy(run.event, model, v), people)
    event = run.event
    holes: dict[ParticipantId, cp_model.LinearExprT] = {
        pid: cp_model.LinearExpr.sum(lits) for pid, lits in ends.items()
    }
    if event.max_holes is not None and event.max_hole_spread is not None and event.max_hole_spread >= event.max_holes:
        event = replace(event, max_hole_spread=None)  # implied by the cap (counts are never negative)
    cap_holes(event, model, holes, people)
    every = [lit for lits in ends.values() for lit in lits]
    total = model.add_linear_constraint(sum(every), 0, lower)
    found: list[Placement] | None = None
    for k in range(lower, upper):
        if run.stopped():
            break
        total.proto.linear.domain[1] = k  # the domain is [0, k]: one interval
        s = solver(run, share)
        if not run.options.deterministic and not run.options.workers:
            s.parameters.num_workers = max(LADDER_WORKERS, os.cpu_count() or 1)
        status = run_solver(run, s, model, lambda _value, _bound: False)
        if status == cp_model.INFEASIBLE:
            lower = k + 1
            run.report("bound", holes=lower)
            continue
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = extract(run, s, v)
        break
    return Climb(lower, found)
