"""A first "all"-mode schedule that places every pair, holes aside: CP-SAT on the hard rules alone.

Why: with the hole count and the [fairness] caps in the model, CP-SAT takes seconds to find any
schedule placing every pair of a 300-meeting day, and Kempe-chain insertion often leaves one or
two pairs out; on the hard rules alone CP-SAT finds one in a fraction of a second (measured on
the published B2B instances, benchmarks/README.md). The hole local search then takes the holes
down, and the full model starts from its result.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.heuristics.state import Placement
from scheduler.pipelines.cp_sat import build, extract, run_solver, solver
from scheduler.pipelines.run import Run


def place_every_pair(run: Run, hint: list[Placement], share: float) -> list[Placement] | None:
    """Every pair of `run` placed under the hard rules (locked rows where they are), holes and
    [fairness] caps ignored, starting from `hint`; None when none was found in `share` of the
    time left (or the rules make it impossible: the full model then says why)."""
    model, v = build(run, run.pairs, run.index_of, required=True)
    v.hint(hint, run.index_of)
    s = solver(run, share)
    status = run_solver(run, s, model, lambda _value, _bound: False)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return extract(run, s, v)
