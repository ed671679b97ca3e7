"""A proven upper bound on points: the LP relaxation of the time-indexed model, solved by HiGHS.

Every constraint of the LP is implied by a hard rule, so its optimum bounds every valid
schedule; only the choice of booth for two booth holders with a contested label is left out,
which can only loosen (never invalidate) the bound.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import highspy
import numpy as np

from .candidates import SHARED, Pair
from .domain import Event, ParticipantId, SlotIndex


def lp_upper_bound(event: Event, pairs: list[Pair], time_limit: float = 30.0,
                   fixed: set[tuple[int, SlotIndex]] | None = None) -> int | None:
    """Floor of the LP optimum, or None if HiGHS could not finish within `time_limit`.

    `fixed` lists (pair index, slot) meetings that must happen (locked rows).
    """
    columns: list[tuple[int, SlotIndex]] = [(i, s) for i, p in enumerate(pairs) for s in sorted(p.slots)]
    if not columns:
        return 0
    col_of = {key: j for j, key in enumerate(columns)}
    rows: list[list[int]] = []
    upper: list[float] = []

    def row(cols: list[int], ub: float) -> None:
        if cols:
            rows.append(cols)
            upper.append(ub)

    by_person_slot: dict[tuple[ParticipantId, SlotIndex], list[int]] = defaultdict(list)
    by_person: dict[ParticipantId, list[int]] = defaultdict(list)
    shared: dict[SlotIndex, list[int]] = defaultdict(list)
    owners = Counter(p.table for p in event.participants.values() if p.table and p.active)
    at_label: dict[tuple[str, SlotIndex], list[int]] = defaultdict(list)
    for j, (i, s) in enumerate(columns):
        pair = pairs[i]
        for pid in pair.people:
            by_person_slot[(pid, s)].append(j)
            by_person[pid].append(j)
        if pair.locations == (SHARED,):
            shared[s].append(j)
        elif len(pair.locations) == 1 and owners[pair.locations[0]] > 1:
            at_label[(str(pair.locations[0]), s)].append(j)
    for i, pair in enumerate(pairs):
        row([col_of[(i, s)] for s in sorted(pair.slots)], 1)
    for cols in by_person_slot.values():
        if len(cols) > 1:
            row(cols, 1)
    for pid, cols in by_person.items():
        cap = event.participants[pid].max_meetings
        if cap is not None and cap < len(cols):
            row(cols, cap)
    for cols in shared.values():
        if len(cols) > event.tables:
            row(cols, event.tables)
    for cols in at_label.values():
        if len(cols) > 1:
            row(cols, 1)

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.1, time_limit))
    h.setOptionValue("threads", 1)
    n = len(columns)
    lower = np.zeros(n)
    for key in fixed or ():
        if key in col_of:
            lower[col_of[key]] = 1.0
    h.addVars(n, lower, np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array([-pairs[i].points for i, _ in columns], float))
    starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int32)
    index = np.array([c for r in rows for c in r], dtype=np.int32)
    h.addRows(len(rows), np.full(len(rows), -np.inf), np.array(upper, float), len(index), starts, index,
              np.ones(len(index)))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return math.floor(-h.getInfo().objective_function_value + 1e-6)
