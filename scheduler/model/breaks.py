"""Holes counted the way the MaxSAT encoding of Bofill et al. (JAIR 74, 2022, §4.2) counts breaks:
a chain of "has met by slot t" Booleans per person and day, and one "a hole ends here" Boolean per
slot, each defined exactly by clauses on the `occupancy.Occupancy` busy cells.

Why a second count beside `Occupancy.holes` (block starts minus one): under a cap on the total it
lets CP-SAT prove lower bounds within a second or two (forum-14: no schedule with at most 1 hole)
and find hole-free days the block-start count never reached (forum-13, ticf-13crafa;
benchmarks/README.md). The count is exact, so the [fairness] spread may use it. A mirrored "still
meets at or after t" chain is implied (it pins a person's span from both ends) and is stated for
propagation.

With `spans`, each person's first and last slot of a day are also integers, and the slots between
them are all busy unless the person has a hole that day: under a small cap on the total, most
people then have a span exactly as long as their meetings, which CP-SAT narrows as bounds
(measured on the published days at 10 s: forumt-14crafe's optimum of 5 proven, and tic-13crafc's
bound raised from 1 to 2; benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.model.cnf import Cnf
from scheduler.model.occupancy import Occupancy


def hole_ends(
    event: Event,
    model: cp_model.CpModel,
    occupancy: Occupancy,
    people: Sequence[ParticipantId],
    spans: bool = False,
) -> dict[ParticipantId, list[cp_model.IntVar]]:
    """Per person, one Boolean per slot that ends a hole (idle here, met earlier that day, busy in
    the next slot): their sum is exactly the person's holes. With `spans`, also the implied spans
    (module docstring)."""
    out: dict[ParticipantId, list[cp_model.IntVar]] = {}
    for pid in people:
        ends: list[cp_model.IntVar] = []
        for day in event.days:
            cells = [occupancy.busy.get((pid, s)) for s in day.slots]
            if sum(c is not None for c in cells) < 2:
                continue
            met = _chain(model, cells)  # met[k]: busy in one of the day's slots 0..k
            # implied: busy in one of the slots k.. (the span's far end)
            still = _chain(model, cells[::-1])[::-1]
            first_end = len(ends)
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
            if spans:
                _span(model, cells, met, still, ends[first_end:])
        if ends:
            out[pid] = ends
    return out


def _span(
    model: cp_model.CpModel,
    cells: list[cp_model.IntVar | None],
    met: list[cp_model.IntVar | None],
    still: list[cp_model.IntVar | None],
    day_ends: list[cp_model.IntVar],
) -> None:
    """The day's first and last busy position as integers, tied to the two chains; the span holds
    exactly the day's meetings when no hole ends that day (a hole leaves idle slots inside it)."""
    present = [k for k, c in enumerate(cells) if c is not None]
    lo, hi = present[0], present[-1]
    first = model.new_int_var(lo, hi + 1, "")  # hi + 1 and lo - 1: no meeting that day
    last = model.new_int_var(lo - 1, hi, "")
    for k in range(lo, hi + 1):
        held, later = met[k], still[k]
        if held is not None:
            model.add(first <= k).only_enforce_if(held)
            model.add(first >= k + 1).only_enforce_if(~held)
        if later is not None:
            model.add(last >= k).only_enforce_if(later)
            model.add(last <= k - 1).only_enforce_if(~later)
    meets = met[hi]
    assert meets is not None  # the chain exists from the first cell on
    idle = last - first + 1 - cp_model.LinearExpr.sum([cells[k] for k in present])
    model.add(idle >= 0).only_enforce_if(meets)
    no_hole = model.new_bool_var("")
    model.add_bool_or([*day_ends, no_hole])  # no hole ending today: no_hole is forced
    model.add(idle == 0).only_enforce_if([no_hole, meets])


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


def hole_end_clauses(
    event: Event, cnf: Cnf, busy: dict[tuple[ParticipantId, SlotIndex], int], people: Sequence[ParticipantId]
) -> dict[ParticipantId, list[int]]:
    """`hole_ends` as clauses (JAIR 74, §4.2, constraints 31-35), on `occupancy.busy_clauses`' cells."""
    out: dict[ParticipantId, list[int]] = {}
    for pid in people:
        ends: list[int] = []
        for day in event.days:
            cells = [busy.get((pid, s)) for s in day.slots]
            if sum(c is not None for c in cells) < 2:
                continue
            held: int | None = None  # "met by this slot", from the day's first cell on
            for k, now in enumerate(cells):
                if now is not None:
                    if held is None:
                        held = now
                    else:
                        met = cnf.new_bool_var()
                        cnf.clauses.extend([[-met, held, now], [-held, met], [-now, met]])
                        held = met
                after = cells[k + 1] if k + 1 < len(cells) else None
                if after is None or held is None:
                    continue
                end = cnf.new_bool_var()  # idle now, met before, busy next
                cnf.clauses.extend([[-end, held], [-end, after], [-held, -after, end, *([] if now is None else [now])]])
                if now is not None:
                    cnf.add_clause([-end, -now])
                ends.append(end)
        if ends:
            out[pid] = ends
    return out
