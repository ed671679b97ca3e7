"""The time-indexed CP-SAT model: one Boolean per (pair, slot) the pair could meet in.

Variables are created sparsely from `candidates.candidate_pairs`, so availability, wish
windows, colleagues and statuses (rules 1 and 3) hold by construction. The remaining hard
rules are the units listed in `rules.HARD_RULES`; objective terms live in `objective`.
Shared tables are interchangeable, so the model only counts them and `heuristics.tables.assign_tables`
labels them afterwards (which also breaks the table symmetry for free).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Generic, TypeVar

from ortools.sat.python import cp_model

from scheduler.candidates import Pair
from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.heuristics.state import Placement

Lit = TypeVar("Lit")


class Cells(Generic[Lit]):
    """One literal per (pair, slot) the pair could meet in, indexed by pair, by person and slot,
    and by person; the literals are CP-SAT Booleans (`MeetingVars`) or a SAT solver's variable
    numbers (`cnf.CnfVars`), so both solvers state the rules on the same cells."""

    def __init__(self, event: Event, pairs: list[Pair], required: bool, new_literal: Callable[[], Lit]):
        self.event = event
        self.pairs = pairs
        self.required = required  # every pair must be placed ("all" mode)
        self.x: dict[tuple[int, SlotIndex], Lit] = {}
        self.by_pair: list[list[tuple[SlotIndex, Lit]]] = []
        self.by_person_slot: dict[tuple[ParticipantId, SlotIndex], list[Lit]] = defaultdict(list)
        self.by_person: dict[ParticipantId, list[Lit]] = defaultdict(list)
        for i, pair in enumerate(pairs):
            row = []
            for slot in sorted(pair.slots):
                var = new_literal()
                self.x[(i, slot)] = var
                row.append((slot, var))
                for pid in pair.people:
                    self.by_person_slot[(pid, slot)].append(var)
                    self.by_person[pid].append(var)
            self.by_pair.append(row)

    def people(self) -> list[ParticipantId]:
        """Everyone with a variable, in a fixed order (never a set: that order is hash-seeded)."""
        return list(self.by_person)


class MeetingVars(Cells[cp_model.IntVar]):
    """Owns the decision variables; nothing else indexes them directly."""

    def __init__(self, model: cp_model.CpModel, event: Event, pairs: list[Pair], required: bool = False):
        # unnamed: names cost a third of the model's building
        super().__init__(event, pairs, required, lambda: model.new_bool_var(""))
        self.model = model
        # (pair index, slot, label) -> literal, only where two fixed tables compete for a meeting
        self.location: dict[tuple[int, SlotIndex, str], cp_model.IntVar] = {}

    def fix(self, pair_index: int, slot: SlotIndex, value: bool = True) -> None:
        var = self.x[(pair_index, slot)]
        self.model.add(var == int(value))

    def hint(self, placements: list[Placement], index_of: dict[tuple[str, str], int]) -> None:
        """Hint every variable: 1 where `placements` meet, else 0 (one bulk write into the proto;
        `add_hint` per variable took 0.6 s on a 300-person day, measured)."""
        chosen = {(index_of[p.pair.key], p.slot) for p in placements if p.pair.key in index_of}
        self.model.clear_hints()
        hints = self.model.proto.solution_hint
        hints.vars.extend([var.index for var in self.x.values()])
        hints.values.extend([int(key in chosen) for key in self.x])

    def extract(self, solver: cp_model.CpSolver) -> list[tuple[int, SlotIndex]]:
        return [key for key, var in self.x.items() if solver.boolean_value(var)]

    def location_of(self, solver: cp_model.CpSolver, pair_index: int, slot: SlotIndex) -> str | None:
        """Where a placed meeting happens: the shared pool, its only fixed table, or the chosen one.

        Without a choice literal (no contested booth) either booth is free, since only its owner
        meets there; locked rows have their choice pinned by the caller.
        """
        pair = self.pairs[pair_index]
        for label in pair.locations[1:]:
            lit = self.location.get((pair_index, slot, str(label)))
            if lit is not None and solver.boolean_value(lit):
                return label
        return pair.locations[0]
