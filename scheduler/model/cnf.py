"""The model as clauses, for a SAT solver: the same cells, hard rules and hole counts as the CP-SAT
model, stated by the same units (`rules`, `occupancy`, `breaks`), for "all" mode's questions "is
there a schedule with at most k holes?" (`pipelines.sat_ladder`).

Why a second solver: a CDCL solver answers those questions far sooner than CP-SAT on the same
encoding. Measured on the published B2B days (benchmarks/README.md): CaDiCaL 1.5.3 finds
ticf-14crafa's hole-free day in 2.8 s on one core (3-13 s as the order of the variables varies),
where CP-SAT found none in 15 s under any setting, and CP-SAT given these very clauses took 11 s.

Variables are positive integers and literals signed integers (the DIMACS convention PySAT uses).
Cardinalities are PySAT's encodings: a sequential counter for "at most k", a totalizer where the
count itself is needed (`counter`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pysat.card import CardEnc, EncType, ITotalizer

from scheduler.candidates import Pair
from scheduler.domain import Event
from scheduler.model.variables import Cells

# Up to this many literals an "at most one" is stated pairwise (no auxiliary variables).
PAIRWISE_AT_MOST = 6


class NotInClauses(Exception):
    """The event uses a feature the clauses do not state; the caller asks CP-SAT instead."""


class Cnf:
    """A growing set of clauses over numbered variables."""

    def __init__(self) -> None:
        self.top = 0  # the highest variable number in use
        self.clauses: list[list[int]] = []

    def new_bool_var(self) -> int:
        self.top += 1
        return self.top

    def add_clause(self, lits: Sequence[int]) -> None:
        self.clauses.append(list(lits))

    def add_at_most_one(self, lits: Sequence[int]) -> None:
        if len(lits) <= PAIRWISE_AT_MOST:
            self.clauses.extend([-a, -b] for n, a in enumerate(lits) for b in lits[n + 1 :])
        else:
            self.add_at_most(lits, 1)

    def add_exactly_one(self, lits: Sequence[int]) -> None:
        self.add_clause(lits)
        self.add_at_most_one(lits)

    def add_at_most(self, lits: Sequence[int], bound: int) -> None:
        if bound >= len(lits):
            return
        if bound <= 0:
            self.clauses.extend([-lit] for lit in lits)
            return
        enc = CardEnc.atmost(lits=list(lits), bound=bound, top_id=self.top, encoding=EncType.seqcounter)
        self._take(enc.clauses, enc.nv)

    def add_exactly(self, lits: Sequence[int], bound: int) -> None:
        if bound > len(lits):
            self.clauses.append([])  # cannot hold: the empty clause
            return
        if bound == len(lits):
            self.clauses.extend([lit] for lit in lits)
            return
        enc = CardEnc.equals(lits=list(lits), bound=bound, top_id=self.top, encoding=EncType.totalizer)
        self._take(enc.clauses, enc.nv)

    def counter(self, lits: Sequence[int], up_to: int) -> list[int]:
        """Unary count of `lits`: the k-th literal (from 0) is true when at least k + 1 of them are,
        for k < `up_to`."""
        tot = ITotalizer(lits=list(lits), ubound=up_to, top_id=self.top)
        self._take(tot.cnf.clauses, tot.top_id)
        return list(tot.rhs[:up_to])

    def _take(self, clauses: list[list[int]], top: int) -> None:
        self.clauses.extend(clauses)
        self.top = max(self.top, top)


class CnfVars(Cells[int]):
    """The cells of `MeetingVars` as variables of `cnf`."""

    def __init__(self, cnf: Cnf, event: Event, pairs: list[Pair], required: bool = False):
        super().__init__(event, pairs, required, cnf.new_bool_var)
