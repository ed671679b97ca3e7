"""Objective terms for CP-SAT: wish points ("maximise" mode), holes ("all" mode), hole caps.

Holes are counted as "meeting blocks minus one" per person and day: a block starts in a slot
where the person is busy and was not busy in the slot before (slot numbers are gap-free across
breaks, so lunch alone never makes a hole).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from .domain import Event, ParticipantId
from .model import MeetingVars


def wish_points(v: MeetingVars) -> cp_model.LinearExprT:
    """Primary objective of "maximise" mode: formats.md's points of every scheduled pair."""
    return cp_model.LinearExpr.weighted_sum(
        [var for (i, _), var in v.x.items()], [v.pairs[i].points for (i, _) in v.x])


def holes_per_person(event: Event, model: cp_model.CpModel, v: MeetingVars,
                     exact: bool) -> dict[ParticipantId, cp_model.LinearExprT]:
    """Holes of each person, as an expression.

    With `exact=False` the expression is only bounded from below by the true count, which is
    enough when holes are minimised or capped; `exact=True` pins it (needed for a spread
    constraint, where a minimum over people is involved).
    """
    out: dict[ParticipantId, cp_model.LinearExprT] = {}
    for pid in v.people():
        terms: list[cp_model.LinearExprT] = []
        for day in event.days:
            busy = [v.by_person_slot.get((pid, s), []) for s in day.slots]
            if sum(1 for b in busy if b) < 2:
                continue
            starts = []
            for k, lits in enumerate(busy):
                if not lits:
                    continue
                start = model.new_bool_var(f"block_start[{pid}@{day.slots[k]}]")
                before = busy[k - 1] if k > 0 else []
                model.add(start >= sum(lits) - sum(before))
                if exact:
                    model.add(start <= sum(lits))
                    if before:
                        model.add(start <= 1 - sum(before))
                starts.append(start)
            has_any = model.new_bool_var(f"meets_on[{pid}@{day.date}]")
            all_lits = [lit for lits in busy for lit in lits]
            model.add_bool_or(all_lits).only_enforce_if(has_any)
            if exact:
                for lit in all_lits:
                    model.add_implication(lit, has_any)
            terms.append(sum(starts) - has_any)
            model.add(terms[-1] >= 0)  # implied, but it lets CP-SAT prove a hole-free day optimal
        if terms:
            out[pid] = sum(terms)
    return out


def cap_holes(event: Event, model: cp_model.CpModel, holes: dict[ParticipantId, cp_model.LinearExprT],
              people: set[ParticipantId]) -> None:
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
