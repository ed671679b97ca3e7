"""Holes counted the way the MaxSAT encoding of Bofill et al. (JAIR 74, 2022, §4.2) counts breaks:
a chain of "has met by slot t" Booleans per person and day, and one "a hole ends here" Boolean per
slot, each defined exactly by clauses on the `occupancy.Occupancy` busy cells.

Why a second count beside `Occupancy.holes` (block starts minus one): under a cap on the total it
lets CP-SAT prove lower bounds within a second or two (forum-14: no schedule with at most 1 hole)
and find hole-free days the block-start count never reached (forum-13, ticf-13crafa;
benchmarks/README.md). The count is exact, so the [fairness] spread may use it. A mirrored "still
meets at or after t" chain is implied (it pins a person's span from both ends) and is stated for
propagation.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.domain import Event, ParticipantId
from scheduler.model.occupancy import Occupancy


def hole_ends(
    event: Event, model: cp_model.CpModel, occupancy: Occupancy, people: Sequence[ParticipantId]
) -> dict[ParticipantId, list[cp_model.IntVar]]:
    """Per person, one Boolean per slot that ends a hole (idle here, met earlier that day, busy in
    the next slot): their sum is exactly the person's holes."""
    out: dict[ParticipantId, list[cp_model.IntVar]] = {}
    for pid in people:
        ends: list[cp_model.IntVar] = []
        for day in event.days:
            cells = [occupancy.busy.get((pid, s)) for s in day.slots]
            if sum(c is not None for c in cells) < 2:
                continue
            met = _chain(model, cells)  # met[k]: busy in one of the day's slots 0..k
            _chain(model, cells[::-1])  # implied: busy in one of the slots k.. (the span's far end)
            for k in range(len(cells) - 1):
                after, now, held = cells[k + 1], cells[k], met[k]
                if after is None or held is None:
                    continue
                end = model.new_bool_var("")
                model.add_implication(end, held)
                model.add_implication(end, after)
                if now is not None:
                    model.add_implication(end, now.negated())
                model.add_bool_or([held.negated(), after.negated(), end] + ([] if now is None else [now]))
                ends.append(end)
        if ends:
            out[pid] = ends
    return out


def _chain(model: cp_model.CpModel, cells: list[cp_model.IntVar | None]) -> list[cp_model.IntVar | None]:
    """held[k] exactly "one of cells[0..k] is true" (None until the first cell that exists)."""
    held: list[cp_model.IntVar | None] = []
    before: cp_model.IntVar | None = None
    for cell in cells:
        parts = [lit for lit in (before, cell) if lit is not None]
        if not parts:
            held.append(None)
            continue
        if len(parts) == 1:
            now = parts[0]
        else:
            now = model.new_bool_var("")
            model.add_bool_or(parts).only_enforce_if(now)
            for lit in parts:
                model.add_implication(lit, now)
        held.append(now)
        before = now
    return held
