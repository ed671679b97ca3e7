"""Objective terms for CP-SAT: wish points ("maximise" mode), the [fairness] minimum's shortfall,
holes ("all" mode), hole caps.

Holes are counted as "meeting blocks minus one" per person and day: a block starts in a slot
where the person is busy and was not busy in the slot before (slot numbers are gap-free across
breaks, so lunch alone never makes a hole).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from ortools.sat.python import cp_model

from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.model.variables import MeetingVars


def wish_points(v: MeetingVars) -> cp_model.LinearExprT:
    """Primary objective of "maximise" mode: formats.md's points of every scheduled pair."""
    return cp_model.LinearExpr.weighted_sum([var for (i, _), var in v.x.items()], [v.pairs[i].points for (i, _) in v.x])


def minimum_shortfall(
    model: cp_model.CpModel, v: MeetingVars, owed: Mapping[ParticipantId, int]
) -> cp_model.LinearExpr:
    """Meetings missing below each person's [fairness] min_meetings target, summed (see `minimum`).

    One integer per person below which the model might fall; minimised, it equals the shortfall."""
    terms, missing = shortfall_terms(model, v, owed)
    return cp_model.LinearExpr.sum(terms) + missing


def shortfall_terms(
    model: cp_model.CpModel, v: MeetingVars, owed: Mapping[ParticipantId, int]
) -> tuple[list[cp_model.IntVar], int]:
    """`minimum_shortfall` as its variables and a constant: the targets of people with no pair in
    this (restricted) model, who miss their whole target."""
    terms: list[cp_model.IntVar] = []
    for pid in v.people():
        target = owed.get(pid, 0)
        if target <= 0:
            continue
        short = model.new_int_var(0, target, f"short[{pid}]")
        model.add(short >= target - sum(v.by_person[pid]))
        terms.append(short)
    return terms, sum(t for pid, t in owed.items() if pid not in v.by_person)


def maximise_sum(
    model: cp_model.CpModel, variables: Sequence[cp_model.IntVar], coeffs: Sequence[int], offset: int = 0
) -> None:
    """`model.maximize(sum(coeffs * variables) + offset)`, written straight into the proto:
    `maximize` appends the terms one by one in Python (0.8 s for the 36,000 of a 300-person day,
    measured), while `extend` is one call. The variables must be plain (not negated) ones."""
    model.clear_objective()
    objective = model.proto.objective
    objective.vars.extend([var.index for var in variables])
    objective.coeffs.extend([-c for c in coeffs])  # CP-SAT minimises: maximising is scaling by -1
    objective.offset = -offset
    objective.scaling_factor = -1.0


def holes_per_person(
    event: Event,
    model: cp_model.CpModel,
    v: MeetingVars,
    exact: bool,
    busy_before: Mapping[ParticipantId, set[SlotIndex]] | None = None,
) -> dict[ParticipantId, cp_model.LinearExprT]:
    """Holes of each person, as an expression.

    With `exact=False` the expression is only bounded from below by the true count, which is
    enough when holes are minimised or capped; `exact=True` pins it (needed for a spread
    constraint, where a minimum over people is involved). `busy_before` lists slots in which a
    person already has a meeting that cannot change (history before a re-solve's cut-off).
    """
    busy_before = busy_before or {}
    out: dict[ParticipantId, cp_model.LinearExprT] = {}
    for pid in v.people():
        terms: list[cp_model.LinearExprT] = []
        fixed = busy_before.get(pid, set())
        for day in event.days:
            cells = [(v.by_person_slot.get((pid, s), []), s in fixed) for s in day.slots]
            if sum(1 for lits, done in cells if lits or done) < 2:
                continue
            starts: list[cp_model.LinearExpr | int] = []
            before: cp_model.LinearExpr | int = 0  # how busy the previous slot is (0 or 1)
            for k, (lits, done) in enumerate(cells):
                if done:  # a fixed meeting starts a block unless the slot before is busy
                    starts.append(1 - before)
                elif lits:
                    start = model.new_bool_var(f"block_start[{pid}@{day.slots[k]}]")
                    model.add(start >= sum(lits) - before)
                    if exact:
                        model.add(start <= sum(lits))
                        model.add(start <= 1 - before)
                    starts.append(start)
                before = 1 if done else sum(lits)
            all_lits = [lit for lits, _ in cells for lit in lits]
            if any(done for _, done in cells):
                has_any: cp_model.LinearExpr | int = 1
            else:
                has_any = model.new_bool_var(f"meets_on[{pid}@{day.date}]")
                model.add_bool_or(all_lits).only_enforce_if(has_any)
                if exact:
                    for lit in all_lits:
                        model.add_implication(lit, has_any)
            terms.append(sum(starts) - has_any)
            model.add(terms[-1] >= 0)  # implied, but it lets CP-SAT prove a hole-free day optimal
        if terms:
            out[pid] = sum(terms)
    return out


def cap_holes(
    event: Event,
    model: cp_model.CpModel,
    holes: dict[ParticipantId, cp_model.LinearExprT],
    people: Collection[ParticipantId],
) -> None:
    """Rule 7: nobody above max_holes, and the spread max - min over people bounded when set."""
    if event.max_holes is not None:
        for expr in holes.values():
            model.add(expr <= event.max_holes)
    if event.max_hole_spread is not None and holes:
        horizon = len(event.slots)
        low = model.new_int_var(0, horizon, "fewest_holes")
        for pid in people:
            expr = holes.get(pid, 0)
            model.add(expr >= low)
            model.add(expr <= low + event.max_hole_spread)
