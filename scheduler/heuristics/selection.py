""" "Who meets": choose pairs ignoring *when*, under every per-person counting limit.

This relaxation of the time-indexed model is small (one variable per pair), and HiGHS solves
its LP in well under a second even at 1,500 people. It serves twice:
- its LP optimum is a proven upper bound on the points of any valid schedule (measured equal to
  the LP of the whole time-indexed model on generated events, at a hundredth of the cost);
- its rounded LP solution is the set of pairs the placement then tries to put in time.

Per person, beyond the cap and the number of available slots, every group of pairs whose
allowed slots fit inside a set S can take at most |S| meetings (a Hall-type cut; this is what
makes morning-only requests compete for morning slots).
"""

from __future__ import annotations

import math
import os
import sys
from collections import defaultdict

import highspy
import numpy as np

from scheduler.candidates import SHARED, Pair
from scheduler.domain import Event, ParticipantId, SlotIndex


def _quiet_highs() -> highspy.Highs:
    """A HiGHS instance that prints nothing: its banner is written by the C++ constructor
    straight to file descriptor 1, before any option can be set."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


def counting_limits(event: Event, pairs: list[Pair]) -> list[tuple[list[int], int]]:
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


def selection_lp(pairs: list[Pair], rows: list[tuple[list[int], int]], fixed: set[int]) -> tuple[int, set[int]]:
    """Floor of the LP optimum of the selection relaxation, and a rounded integral selection.

    The rounding keeps the pairs the LP takes whole, then adds fractional ones by LP value while
    every counting limit still holds, so it is always a feasible selection.
    """
    n = len(pairs)
    if n == 0:
        return 0, set()
    h = _quiet_highs()
    lower = np.zeros(n)
    lower[list(fixed)] = 1.0
    h.addVars(n, lower, np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array([-p.points for p in pairs], float))
    for idx, limit in rows:
        h.addRow(-np.inf, float(limit), len(idx), np.array(idx, dtype=np.int32), np.ones(len(idx)))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # never seen; a bound must be proven
        return sum(p.points for p in pairs), set(fixed)
    bound = math.floor(-h.getInfo().objective_function_value + 1e-6)
    values = list(h.getSolution().col_value)
    room = [limit for _, limit in rows]
    rows_of: list[list[int]] = [[] for _ in pairs]
    for r, (idx, _limit) in enumerate(rows):
        for i in idx:
            rows_of[i].append(r)
    chosen: set[int] = set()
    for i in sorted(range(n), key=lambda i: (-round(values[i], 6), -pairs[i].points, pairs[i].key)):
        if values[i] > 1e-6 and all(room[r] > 0 for r in rows_of[i]):
            chosen.add(i)
            for r in rows_of[i]:
                room[r] -= 1
    return bound, chosen
