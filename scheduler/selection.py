""""Who meets": choose pairs ignoring *when*, under every per-person counting limit.

This relaxation of the time-indexed model is small (one Boolean per pair), so CP-SAT solves
it to (near) optimality in seconds. It serves twice:
- its LP and its integer bound are proven upper bounds on the points of any valid schedule;
- its chosen pairs are what the time-indexed model then tries to place (decomposition).

Per person, beyond the cap and the number of available slots, every group of pairs whose
allowed slots fit inside a set S can take at most |S| meetings (a Hall-type cut; this is what
makes morning-only requests compete for morning slots).
"""

from __future__ import annotations

import math
from collections import defaultdict

import highspy
import numpy as np
from ortools.sat.python import cp_model

from .candidates import SHARED, Pair
from .domain import Event, ParticipantId, SlotIndex


def counting_limits(event: Event, pairs: list[Pair], fixed: set[int] | None = None
                    ) -> list[tuple[list[int], int]]:
    """(pair indices, limit) rows: caps, availability and window cuts per person, tables per event."""
    by_person: dict[ParticipantId, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        for pid in p.people:
            by_person[pid].append(i)
    rows: list[tuple[list[int], int]] = []
    for pid, idx in by_person.items():
        person = event.participants[pid]
        patterns: dict[frozenset[SlotIndex], list[int]] = defaultdict(list)
        for i in idx:
            patterns[pairs[i].slots].append(i)
        union = frozenset().union(*patterns)
        limit = len(union) if person.max_meetings is None else min(person.max_meetings, len(union))
        if limit < len(idx):
            rows.append((idx, limit))
        for pattern in patterns:
            if pattern == union:
                continue
            inside = [i for s, members in patterns.items() if s <= pattern for i in members]
            if len(pattern) < len(inside) and len(pattern) < limit:
                rows.append((inside, len(pattern)))
    shared = [i for i, p in enumerate(pairs) if p.locations == (SHARED,)]
    capacity = event.tables * len({s for i in shared for s in pairs[i].slots})
    if len(shared) > capacity:
        rows.append((shared, capacity))
    return rows


def selection_lp_bound(pairs: list[Pair], rows: list[tuple[list[int], int]], fixed: set[int]) -> int:
    """Floor of the LP optimum of the selection relaxation (dual simplex, exact enough to floor)."""
    n = len(pairs)
    if n == 0:
        return 0
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    lower = np.zeros(n)
    lower[list(fixed)] = 1.0
    h.addVars(n, lower, np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array([-p.points for p in pairs], float))
    for idx, limit in rows:
        h.addRow(-np.inf, float(limit), len(idx), np.array(idx, dtype=np.int32), np.ones(len(idx)))
    h.run()
    return math.floor(-h.getInfo().objective_function_value + 1e-6)


def select_pairs(pairs: list[Pair], rows: list[tuple[list[int], int]], fixed: set[int], seconds: float,
                 workers: int, seed: int, deterministic: bool, hint: set[int] | None = None
                 ) -> tuple[set[int], int]:
    """The best selection found and CP-SAT's proven bound on its points.

    Ties in points are broken towards covering more people (nobody left without a meeting).
    """
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"select[{p.a}|{p.b}]") for p in pairs]
    for idx, limit in rows:
        model.add(sum(y[i] for i in idx) <= limit)
    for i in fixed:
        model.add(y[i] == 1)
    for i, var in enumerate(y):
        if hint is not None:
            model.add_hint(var, i in hint)
    by_person: dict[ParticipantId, list[cp_model.IntVar]] = defaultdict(list)
    for i, p in enumerate(pairs):
        for pid in p.people:
            by_person[pid].append(y[i])
    covered = []
    for pid, lits in by_person.items():
        c = model.new_bool_var(f"covered[{pid}]")
        model.add_bool_or(lits).only_enforce_if(c)
        covered.append(c)
    weight = len(covered) + 1
    model.maximize(weight * sum(p.points * y[i] for i, p in enumerate(pairs)) + sum(covered))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if deterministic:
        solver.parameters.max_deterministic_time = max(0.1, seconds)
    else:
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return set(hint or ()), sum(p.points for p in pairs)
    chosen = {i for i, var in enumerate(y) if solver.boolean_value(var)}
    return chosen, int(solver.best_objective_bound + 1e-6) // weight
