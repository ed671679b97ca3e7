"""The hole ladder on a SAT solver: "is there a schedule with at most k holes?" for k = the proven
lower bound, then one more, below the holes of the schedule in hand, as in `hole_ladder` but asked
of SAT solvers (through PySAT) on the clauses of `model.cnf`.

Two solvers climb side by side, each in a forked process on its own core, and share the bounds
they prove: CaDiCaL 1.5.3 keeps its learnt clauses from step to step (the cap on the total is an
assumption on a unary counter of the holes, so a "no" at k leaves it ready for k + 1), Kissat is
asked afresh each step. Their run times scatter with the order of the variables, and rarely both
at once. The first "yes" ends both, as do the deadline and a cancellation (the processes are
killed: CaDiCaL cannot be interrupted through PySAT, and slicing its search into budgets of
conflicts doubled its time, measured).

Why: on the 18 comparable published B2B days CaDiCaL alone answers every ladder, up to the
published optimum, in at most 3.2 s on one core, where the CP-SAT ladder reached 12 of 18 within
the whole 10 s solve; the pair reaches all 18 within 10 s, the slowest in 3.5-6.7 s over seven full
runs (benchmarks/README.md).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.sharedctypes import Synchronized

from pysat.solvers import Solver

from scheduler.domain import SlotIndex
from scheduler.heuristics.state import Placement
from scheduler.lifetime import die_with_parent
from scheduler.model.breaks import hole_end_clauses
from scheduler.model.cnf import Cnf, CnfVars, NotInClauses
from scheduler.model.occupancy import busy_clauses
from scheduler.model.rules import HARD_RULES
from scheduler.pipelines.hole_ladder import Climb
from scheduler.pipelines.run import Run, placements_of

# The solvers of the portfolio, in the order a single thread (deterministic mode) takes them.
SOLVERS = ("cadical153", "kissat404")
# Solvers without assumptions, asked each step afresh with the cap as a clause.
FRESH_EACH_STEP = frozenset({"kissat404"})
# The clauses are written in Python: 0.3 s for the largest published day (6,644 cells of pair and
# slot), 1.8 s for a 300-person day (40,501) and 30 s for a 1,500-person day (229,731), measured.
# Above this many cells the CP-SAT ladder (`hole_ladder`) asks instead.
MAX_CELLS = 20_000
# How often this process looks for the solvers' answers, the deadline and a cancellation.
POLL_SECONDS = 0.05
# Deterministic mode counts its budget in conflicts: this many for each second of its share
# (CaDiCaL 1.5.3 ran 4,600-10,000 a second on the published days, measured).
CONFLICTS_PER_SECOND = 5_000


@dataclass
class HoleQuestion:
    """The clauses of every hard rule and [fairness] cap over the cells `v`, and `counted`: the
    holes in unary per person (a total over these counts every hole). `at_least[k]`, once
    `count_up_to` has run, is true when the schedule has more than k holes."""

    cnf: Cnf
    v: CnfVars
    counted: list[int]
    at_least: list[int] = field(default_factory=list)

    def count_up_to(self, upper: int) -> None:
        self.at_least = self.cnf.counter(self.counted, min(upper, len(self.counted)))


def hole_question(run: Run) -> HoleQuestion | None:
    """The clauses of `run`'s fresh "all" solve; None when they are not asked here: more cells than
    `MAX_CELLS`, a feature they do not state (booths shared by several people, a hole spread
    narrower than the cap), or no way to fork the solvers' processes outside deterministic mode
    (a platform without fork, or a daemonic process, which may have no children)."""
    event = run.event
    if not run.options.deterministic and (
        "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon
    ):
        return None
    if sum(len(pair.slots) for pair in run.pairs) > MAX_CELLS:
        return None
    if event.max_hole_spread is not None and (event.max_holes is None or event.max_hole_spread < event.max_holes):
        return None
    cnf = Cnf()
    v = CnfVars(cnf, event, run.pairs, required=True)
    try:
        for rule in HARD_RULES:
            rule.clauses(event, cnf, v)
    except NotInClauses:
        return None
    for p in run.locked:
        cnf.add_clause([v.x[(run.index_of[p.pair.key], p.slot)]])
    ends = hole_end_clauses(event, cnf, busy_clauses(event, cnf, v), v.people())
    counted: list[int] = []
    cap = event.max_holes
    for lits in ends.values():
        if cap is None or len(lits) <= cap:
            counted += lits
            continue
        at_least = cnf.counter(lits, cap + 1)  # rule 7: nobody above the cap
        cnf.add_clause([-at_least[cap]])
        counted += at_least[:cap]
    return HoleQuestion(cnf, v, counted)


def climb_sat(run: Run, q: HoleQuestion, lower: int, upper: int, share: float) -> Climb:
    """`hole_ladder.climb` on the SAT solvers, within `share` of the time left (deterministic
    mode: one solver, `share` of the limit in conflicts)."""
    q.count_up_to(upper)
    if run.options.deterministic:
        conflicts = int(share * run.options.time_limit * CONFLICTS_PER_SECOND)
        proven, found = _climb_here(run, q, lower, upper, conflicts)
    else:
        proven, found = _climb_forked(run, q, lower, upper, time.monotonic() + share * run.clock.remaining())
    return Climb(proven, None if found is None else _placements(run, q.v, found))


def _climb_forked(
    run: Run, q: HoleQuestion, lower: int, upper: int, deadline: float
) -> tuple[int, list[tuple[int, SlotIndex]] | None]:
    """Each solver of the portfolio climbs in a forked process (the solvers hold the interpreter
    lock while they search, so threads would take turns); this process reports each bound as it
    comes and stops them all at the first schedule (optimal: every k below it was refuted), at the
    deadline or on a cancellation. Returns the proven bound and the schedule's cells, if any."""
    context = multiprocessing.get_context("fork")
    shared_lower = context.Value("i", lower, lock=False)
    ends: list[Connection] = []
    processes = []
    for name in SOLVERS:
        reader, writer = context.Pipe(duplex=False)  # a pipe writes at once; a Queue's feeder
        process = context.Process(  # thread would wait for the solver to let go of the GIL
            target=_climb_process, args=(name, q, shared_lower, upper, writer, os.getpid()), daemon=True
        )
        process.start()
        writer.close()
        ends.append(reader)
        processes.append(process)
    proven: int = lower
    found: list[tuple[int, SlotIndex]] | None = None
    try:
        while ends and found is None and not run.stopped():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for end in _ready(ends, min(left, POLL_SECONDS)):
                try:
                    kind, k, cells = end.recv()
                except EOFError:  # the solver reached `upper`, or is gone
                    ends.remove(end)
                    continue
                if kind == "yes" and found is None:
                    found = cells
                    if k > proven:  # a solver asks only above what was refuted: k is the optimum
                        proven = k  # even if the other's last "no" is still in its pipe
                        run.report("bound", holes=proven)
                elif kind == "no" and k + 1 > proven:
                    proven = k + 1
                    run.report("bound", holes=proven)
    finally:
        for process in processes:
            process.kill()
            process.join()
        for end in ends:
            end.close()
    return proven, found


def _ready(ends: list[Connection], timeout: float) -> list[Connection]:
    """The pipes with something to read (or closed), waiting at most `timeout` seconds."""
    ready = set(map(id, wait(ends, timeout=timeout)))
    return [end for end in ends if id(end) in ready]


def _climb_process(
    name: str, q: HoleQuestion, shared_lower: Synchronized[int], upper: int, answers: Connection, parent: int
) -> None:
    """One solver's climb: ("no", k, []) for each k it refutes, then ("yes", k, cells) with the
    meetings' cells of the schedule it finds. Each step asks the least k no solver has refuted."""
    die_with_parent(parent)
    ask = _Asker(name, q)
    while (k := shared_lower.value) < upper:
        cells = ask(k)
        if cells is not None:
            answers.send(("yes", k, cells))
            return
        answers.send(("no", k, []))
        shared_lower.value = max(shared_lower.value, k + 1)


class _Asker:
    """ "At most k holes?" of one solver: incremental solvers keep their learnt clauses and take the
    cap as an assumption; the others get a fresh solver each time, with the cap as a clause."""

    def __init__(self, name: str, q: HoleQuestion):
        self.name, self.q = name, q
        self.solver = None if name in FRESH_EACH_STEP else Solver(name=name, bootstrap_with=q.cnf.clauses)

    def __call__(self, k: int) -> list[tuple[int, SlotIndex]] | None:
        if self.solver is not None:
            return (
                _cells(self.q, self.solver.get_model()) if self.solver.solve(assumptions=_at_most(self.q, k)) else None
            )
        cap = [[lit] for lit in _at_most(self.q, k)]
        with Solver(name=self.name, bootstrap_with=self.q.cnf.clauses + cap) as fresh:
            return _cells(self.q, fresh.get_model()) if fresh.solve() else None


def _climb_here(
    run: Run, q: HoleQuestion, lower: int, upper: int, conflicts: int
) -> tuple[int, list[tuple[int, SlotIndex]] | None]:
    """The first solver alone in this process, its budget counted in conflicts (deterministic mode:
    the same input gives the same answer)."""
    with Solver(name=SOLVERS[0], bootstrap_with=q.cnf.clauses) as solver:
        k = lower
        while k < upper and conflicts > 0 and not run.stopped():
            solver.conf_budget(conflicts)
            before = solver.accum_stats().get("conflicts", 0)
            answer = solver.solve_limited(assumptions=_at_most(q, k))
            conflicts -= max(1, solver.accum_stats().get("conflicts", 0) - before)
            if answer is None:
                break
            if answer:
                return k, _cells(q, solver.get_model())
            k += 1
            run.report("bound", holes=k)
    return k, None


def _at_most(q: HoleQuestion, k: int) -> list[int]:
    """The assumption "at most k holes" (none needed where the counter stops below k)."""
    return [-q.at_least[k]] if k < len(q.at_least) else []


def _cells(q: HoleQuestion, model: list[int]) -> list[tuple[int, SlotIndex]]:
    """The (pair, slot) cells a model meets in."""
    true = {var for var in model if var > 0}
    return [cell for cell, var in q.v.x.items() if var in true]


def _placements(run: Run, v: CnfVars, cells: list[tuple[int, SlotIndex]]) -> list[Placement]:
    """The schedule of the cells found, each at its pair's first location (a booth is never
    contested here: such events are left to CP-SAT)."""
    return placements_of(run, v.pairs, cells, lambda i, _slot: v.pairs[i].locations[0])
