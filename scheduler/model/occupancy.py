"""Who is busy when, as Booleans, and the holes of "all" mode counted on them.

In "all" mode every candidate pair must meet, so each person's number of meetings is known before
the search starts. Stating the facts that follow from it, redundant as they are, lets CP-SAT cut
dead ends far earlier (the "implied constraints" of Bofill et al., JAIR 74, 2022, §4.4-4.5):

- `busy[p, t]` is exactly "p meets someone in slot t" (one exactly-one constraint per cell);
- a person's busy slots number exactly their meetings: a slot filled by others, when the person
  has as many meetings left as free slots, fails at once instead of deep in the search;
- the people busy in a slot are exactly twice the meetings in it (so an even number, and at most
  twice the shared tables when every meeting uses them).

Holes are then counted per person and day as block starts minus one, a block start being a busy
slot whose previous slot is not busy, with each start an exact Boolean (so the counts also serve
the [fairness] spread, which needs exact values).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ortools.sat.python import cp_model

from scheduler.candidates import SHARED
from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.heuristics.state import Placement
from scheduler.model.cnf import Cnf, CnfVars
from scheduler.model.variables import Cells, Lit, MeetingVars


class Occupancy:
    """`busy` Booleans for every (person, slot) where a person may meet, tied to the meetings."""

    def __init__(self, event: Event, model: cp_model.CpModel, v: MeetingVars):
        self.event = event
        self.model = model
        self.busy: dict[tuple[ParticipantId, SlotIndex], cp_model.IntVar] = {}
        # block starts (start, its cell, the cell before) and meeting days (literal, cells), to hint
        self.starts: list[tuple[cp_model.IntVar, cp_model.IntVar, cp_model.IntVar]] = []
        self.days: list[tuple[cp_model.IntVar, list[cp_model.IntVar]]] = []
        per_slot: dict[SlotIndex, list[cp_model.IntVar]] = defaultdict(list)
        for (pid, slot), lits in v.by_person_slot.items():
            cell = model.new_bool_var(f"busy[{pid}@{slot}]")
            model.add_exactly_one([*lits, ~cell])  # busy exactly when one of the person's meetings is here
            self.busy[(pid, slot)] = cell
            per_slot[slot].append(cell)
        if v.required:
            for cells, n in _busy_per_person(v, self.busy):
                model.add(sum(cells) == n)
        in_slot: dict[SlotIndex, list[cp_model.IntVar]] = defaultdict(list)
        for (_i, slot), var in v.x.items():
            in_slot[slot].append(var)
        for slot, cells in per_slot.items():
            model.add(sum(cells) == 2 * sum(in_slot[slot]))

    def holes(self, people: list[ParticipantId]) -> dict[ParticipantId, cp_model.LinearExprT]:
        """Each person's holes as an exact expression: block starts minus days with a meeting."""
        model = self.model
        out: dict[ParticipantId, cp_model.LinearExprT] = {}
        for pid in people:
            terms: list[cp_model.LinearExprT] = []
            for day in self.event.days:
                cells = [self.busy.get((pid, s)) for s in day.slots]
                present = [c for c in cells if c is not None]
                if len(present) < 2:
                    continue
                starts: list[cp_model.IntVar] = []
                before: cp_model.IntVar | None = None
                for cell in cells:
                    if cell is None:
                        before = None
                        continue
                    if before is None:
                        starts.append(cell)
                    else:
                        start = model.new_bool_var(f"block_start[{pid}]")
                        model.add_bool_or([~cell, before, start])  # busy after an idle slot starts a block
                        model.add_implication(start, cell)
                        model.add_implication(start, ~before)
                        starts.append(start)
                        self.starts.append((start, cell, before))
                    before = cell
                met = model.new_bool_var(f"meets_on[{pid}@{day.date}]")
                model.add_max_equality(met, present)
                self.days.append((met, present))
                terms.append(sum(starts) - met)
            if terms:
                out[pid] = sum(terms)
        return out

    def hint(self, placements: Iterable[Placement]) -> None:
        """Add to the model's hint the value every Boolean here takes in `placements` (after
        `MeetingVars.hint`): with the whole solution hinted, CP-SAT starts from it at once."""
        busy = {(pid, p.slot) for p in placements for pid in p.pair.people}
        value = {cell.index: int(key in busy) for key, cell in self.busy.items()}
        for start, cell, before in self.starts:
            value[start.index] = int(value[cell.index] and not value[before.index])
        for met, cells in self.days:
            value[met.index] = int(any(value[c.index] for c in cells))
        hints = self.model.proto.solution_hint
        hints.vars.extend(list(value))
        hints.values.extend(list(value.values()))


def busy_clauses(event: Event, cnf: Cnf, v: CnfVars) -> dict[tuple[ParticipantId, SlotIndex], int]:
    """`Occupancy` as clauses: the busy cells, each person's count of them and, where every
    meeting of a slot is at the shared tables, at most twice the tables busy in it, an even number
    (JAIR 74, §4.4-4.5.1). Measured on tic-14crafc's hole-free day: without the count per slot
    CaDiCaL needed more than 30 s instead of half a second; without a person's count where their
    meetings fill every cell they have (a pigeonhole the other clauses do not spell out), 4.2 s."""
    busy: dict[tuple[ParticipantId, SlotIndex], int] = {}
    per_slot: dict[SlotIndex, list[int]] = defaultdict(list)
    for (pid, slot), lits in v.by_person_slot.items():
        cell = cnf.new_bool_var()
        cnf.add_clause([-cell, *lits])
        cnf.clauses.extend([-lit, cell] for lit in lits)
        busy[(pid, slot)] = cell
        per_slot[slot].append(cell)
    if v.required:
        for person_cells, n in _busy_per_person(v, busy):  # also where n fills every cell: they
            cnf.add_exactly(person_cells, n)  # are then busy at once, which no clause above implies
    elsewhere = {slot for (i, slot) in v.x if v.pairs[i].locations != (SHARED,)}
    for slot, cells in per_slot.items():
        if slot in elsewhere or len(cells) <= 2 * event.tables:
            continue
        at_least = cnf.counter(cells, 2 * event.tables + 1)  # at_least[k]: k + 1 or more busy
        cnf.add_clause([-at_least[-1]])
        cnf.clauses.extend([-at_least[k], at_least[k + 1]] for k in range(0, 2 * event.tables, 2))
    return busy


def _busy_per_person(v: Cells[Any], busy: dict[tuple[ParticipantId, SlotIndex], Lit]) -> list[tuple[list[Lit], int]]:
    """Each person's busy cells and their number of meetings: with every pair placed ("all"
    mode), exactly that many of the cells are busy."""
    meetings = {pid: 0 for pid in v.people()}
    for pair in v.pairs:
        for pid in pair.people:
            meetings[pid] += 1
    mine: dict[ParticipantId, list[Lit]] = defaultdict(list)
    for (pid, _slot), cell in busy.items():
        mine[pid].append(cell)
    return [(mine[pid], n) for pid, n in meetings.items()]
