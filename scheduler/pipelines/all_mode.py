"""The "all" pipeline: every wished pair placed, fewest holes under the [fairness] caps, and the
fewest proven; an infeasible request is explained (`diagnose`).

A fresh solve: the greedy, completed by Kempe-chain insertion and if need be by CP-SAT on the hard
rules alone (`completion`; hole-free, it is returned at once), polished by the hole local search;
then the hole ladder ("a schedule with at most k holes?" for k = 0, 1, … below the local search's
count: on SAT solvers, `sat_ladder.climb_sat`, where the clauses state the event; else on CP-SAT,
`hole_ladder.climb`) proves lower bounds and finds a better, then optimal, schedule where it can.
Where a gap remains after the SAT ladder, the local search takes the rest of the time; after the
CP-SAT ladder, the full model (`occupancy`: busy cells and the implied counts) improves the
schedule (the core-based search beside it), the local search polishes its result, and CP-SAT tries
once more from there.
Each lower bound proven is sent as a "bound" progress snapshot whose `holes` is the least number of
holes any schedule needs, and each schedule found as "search" with its holes and meetings.
A re-solve keeps every previous row it can in place first, fewer holes second."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import SlotIndex
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.insertion import insert_pairs
from scheduler.heuristics.state import Placement, ScheduleState
from scheduler.model.diagnose import core_of_infeasibility, explain_infeasible_all
from scheduler.model.objective import cap_holes, holes_per_person
from scheduler.model.occupancy import Occupancy
from scheduler.model.variables import MeetingVars
from scheduler.pipelines.completion import place_every_pair
from scheduler.pipelines.cp_sat import build, extract, run_solver, solver
from scheduler.pipelines.hole_ladder import climb
from scheduler.pipelines.polish import polish
from scheduler.pipelines.run import Outcome, Run, by_value, holes, slots_by_pair
from scheduler.pipelines.sat_ladder import climb_sat, hole_question
from scheduler.problems import MatchdayError, NoScheduleError

# Of the time left after the first CP-SAT call: the local search's share; CP-SAT, hinted with
# its result, gets the rest to improve it or prove it optimal.
POLISH_SHARE = 0.5
# A fresh solve starts from the greedy completed by Kempe-chain insertion (this share of the time,
# this many swap attempts a pair) and polished by the hole local search (this share); the hole
# ladder comes after it, not beside it (run side by side on two cores, CP-SAT's threads starved the
# local search: 7 of 18 proven at load 11, see `hole_ladder`).
INSERT_SHARE = 0.05
INSERT_TRIES = 200
FIRST_POLISH_SHARE = 0.25
# Before the SAT ladder (`sat_ladder`), which finds the optimal schedules itself, the first polish
# only makes a fallback and the ladder's ceiling: 0.05 of the time, so that the ladder starts about
# 1 s into a 10 s solve instead of about 3 s (its slowest published days need 3-6 s of it).
FIRST_POLISH_SHARE_BEFORE_SAT = 0.05
# Where that misses a pair, CP-SAT on the hard rules alone places every pair (`completion`),
# within this share of the time left, before the local search.
COMPLETION_SHARE = 0.3
# CP-SAT's share of the time left when it starts from a complete schedule.
CP_SAT_SHARE = 0.6
# CP-SAT's full worker once a schedule is in hand (on two cores or more): the core-based search,
# which proves the hole lower bounds (forumt-14's 5 in about 4 s under load, never with the default
# portfolio); the other thread runs the neighbourhood searches that improve the schedule. Measured
# against ("core", "default_lp"), which leaves no thread to them: forumt-14crafd proven 4 (was 5,
# unproven) and tic-12crafc 0 (was 1) at load 13.
PROOF_SUBSOLVERS = ("core",)
# Of the time left after the first polish: the hole ladder's (all its steps); the full model gets
# what remains. 0.6 proved 11 of 18 published B2B days at load 4-7, 0.8 11 of 18 at load 10 (and
# forumt-14crafc's 5 found by the ladder at 7.3 s, beyond what 0.6 leaves it).
LADDER_SHARE = 0.8


def place_all(run: Run) -> Outcome:
    """Every wished pair placed, fewest holes; `optimal` when proven or hole-free.

    Raises:
        NoScheduleError: the request is infeasible (with the reasons), or nothing was found in time.
        MatchdayError: CP-SAT is switched off (`SolveOptions.cp_sat`); this mode has no other path.
    """
    event, pairs = run.event, run.pairs
    if not run.options.cp_sat:
        raise MatchdayError('"all" mode needs CP-SAT: it has no heuristic-only path')
    reasons = explain_infeasible_all(event, pairs)
    if reasons:
        raise NoScheduleError("not every wished meeting can be placed", reasons, infeasible=True)
    model, v = build(run, pairs, run.index_of, required=True)
    history: dict[str, set[SlotIndex]] = {}
    for p in run.background:
        for pid in p.pair.people:
            history.setdefault(pid, set()).add(p.slot)
    if history:  # meetings before a cut-off make holes with later ones: the general count knows them
        per_person = holes_per_person(event, model, v, exact=True, busy_before=history)
    else:
        per_person = Occupancy(event, model, v).holes(v.people())
    cap_holes(event, model, per_person, v.people())
    total_holes = _total(per_person.values())
    # A re-solve changes as little as possible: every previous row kept in place comes first,
    # fewer holes second (every pair is placed anyway in this mode).
    preferred = slots_by_pair(run.plan.preferred if run.plan else ())
    moved = [var for (i, slot), var in v.x.items() if preferred.get(pairs[i].key, slot) != slot]
    weight = len(event.slots) * max(1, len(v.people())) + 1
    model.minimize(weight * _total(moved) + total_holes if moved else total_holes)
    state = ScheduleState(event, run.locked)
    kept = list(run.locked)
    for pair in by_value(pairs[run.index_of[key]] for key in preferred if key in run.index_of):
        if state.can_place(pair, preferred[pair.key]):
            slot = preferred[pair.key]
            kept.append(state.place(pair, slot, state.free_location(pair, slot)))  # type: ignore[arg-type]
    start = kept + mutual_first(event, [p for p in pairs if p.key not in state.met], state)
    search = _HoleSearch(run, v, model, weight, with_bound=not moved)
    if not moved:  # a fresh start: the local search makes the hint (far faster than CP-SAT at that)
        start = _complete(run, start)
        if not history and search.acceptable(start) and search.count(start) == 0:  # history may make holes
            search.offer(start)
            return Outcome(start, True, None)
        question = None if history else hole_question(run)
        first = FIRST_POLISH_SHARE if question is None else FIRST_POLISH_SHARE_BEFORE_SAT
        start = polish(run, start, None, share=first, work=first)
        if search.acceptable(start):
            search.offer(start)
        if search.best is not None and not history and not run.stopped():
            upper = search.count(search.best)
            if question is not None:
                reached = climb_sat(run, question, 0, upper, LADDER_SHARE)
            else:
                reached = climb(run, 0, upper, LADDER_SHARE)
            search.raise_to(reached.lower)
            if reached.found is not None:
                search.offer(reached.found)
            start = search.best
            if search.proven(start):
                return Outcome(start, True, None)
            if question is not None:  # its bound stands: the rest of the time polishes the schedule
                placed = _polished(run, search, start)
                return Outcome(placed, search.proven(placed), None)
    v.hint(start, run.index_of)

    status = search.solve(CP_SAT_SHARE if search.best is not None else run.budget.all_mode_cp_sat_share)
    if status == cp_model.UNKNOWN and search.best is None and not run.stopped() and not run.options.deterministic:
        status = search.solve(1.0)  # nothing found yet: the rest of the time is its
    if status == cp_model.INFEASIBLE:
        raise NoScheduleError(
            "not every wished meeting can be placed under the rules",
            core_of_infeasibility(event, pairs, run.options, run.clock.remaining(), run.locked),
            infeasible=True,
        )
    if search.best is None:
        raise NoScheduleError(
            f"no schedule placing every wished meeting was found within "
            f"{run.options.time_limit:g} s; allow more time with --time-limit"
        )
    placed = search.best
    if not search.proven(placed) and not run.stopped():
        in_place = {p.pair.key for p in placed if preferred.get(p.pair.key) == p.slot}
        polished = polish(run, placed, None, share=POLISH_SHARE, frozen=in_place)
        if moved:
            return Outcome(polished, False, None)
        if search.count(polished) < search.count(placed):
            placed = polished
            search.offer(placed)
        if not search.proven(placed) and not run.stopped():
            v.hint(placed, run.index_of)  # CP-SAT again from the polished schedule, to improve or prove it
            search.solve(1.0)
            placed = search.best or placed
    return Outcome(placed, search.proven(placed), None)


def _polished(run: Run, search: _HoleSearch, start: list[Placement]) -> list[Placement]:
    """`start` polished for the rest of the time, where that removes holes within the caps.

    After the SAT ladder this beats handing the time to CP-SAT's full model: on the duplicated-pair
    B2B days, where the ladder mostly finds no schedule at its bound, 11-16 holes against 16-21
    (measured, benchmarks/README.md).
    """
    polished = polish(run, start, None, share=1.0)
    if search.acceptable(polished) and search.count(polished) < search.count(start):
        search.offer(polished)
        return polished
    return start


def _complete(run: Run, start: list[Placement]) -> list[Placement]:
    """Every pair placed: Kempe-chain insertion, then CP-SAT on the hard rules if a pair is still out."""
    met = {p.pair.key for p in start}
    missing = by_value(p for p in run.pairs if p.key not in met)
    if missing:
        start = insert_pairs(run.event, start, missing, run.clock.seconds(INSERT_SHARE), max_tries=INSERT_TRIES)
    if len(start) < len(run.pairs) and not run.stopped():
        start = place_every_pair(run, start, COMPLETION_SHARE) or start
    return start


class _HoleSearch:
    """CP-SAT calls on one model, keeping the best schedule and the best proven lower bound on
    holes; both are reported as progress ("search": holes found; "bound": holes proven needed)."""

    def __init__(self, run: Run, v: MeetingVars, model: cp_model.CpModel, weight: int, with_bound: bool):
        self.run, self.v, self.model, self.weight, self.with_bound = run, v, model, weight, with_bound
        self.best: list[Placement] | None = None
        self.lower = 0  # proven least total holes (0 until CP-SAT proves more)

    def acceptable(self, placed: list[Placement]) -> bool:
        """Every pair placed and the [fairness] caps kept: a schedule this mode may return."""
        event = self.run.event
        if len(placed) != len(self.v.pairs):
            return False
        per_person = holes(event, placed)
        counted = [per_person.get(pid, 0) for pid in self.v.people()]
        if event.max_holes is not None and max(counted, default=0) > event.max_holes:
            return False
        spread = event.max_hole_spread
        return spread is None or not counted or max(counted) - min(counted) <= spread

    def count(self, placed: list[Placement]) -> int:
        return sum(holes(self.run.event, placed).values())

    def proven(self, placed: list[Placement]) -> bool:
        return self.with_bound and self.count(placed) <= self.lower

    def offer(self, placed: list[Placement]) -> None:
        self.best = placed
        self.run.report("search", holes=self.count(placed), meetings=len(placed))

    def solve(self, share: float) -> cp_model.CpSolverStatus:
        run = self.run

        def on_holes(value: float, bound: float) -> bool:
            found = int(round(value)) % self.weight
            run.report("search", holes=found, meetings=len(self.v.pairs))
            self._raise(bound)
            return self.with_bound and found <= self.lower

        s = solver(run, share)
        if self.best is not None and self.with_bound and s.parameters.num_workers >= 2:
            s.parameters.subsolvers.extend(PROOF_SUBSOLVERS)
        status = run_solver(run, s, self.model, on_holes)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = extract(run, s, self.v)
            if self.best is None or self.count(found) <= self.count(self.best):
                self.best = found
        if status == cp_model.OPTIMAL and self.best is not None:
            self._raise(self.count(self.best))
        elif status == cp_model.FEASIBLE:
            self._raise(s.best_objective_bound)
        return status

    def raise_to(self, holes: int) -> None:
        """A lower bound proven elsewhere (the hole ladder, which reports it itself)."""
        if self.with_bound:
            self.lower = max(self.lower, holes)

    def _raise(self, bound: float) -> None:
        if not self.with_bound:
            return
        proven = math.ceil(bound - 1e-6)
        if proven > self.lower:
            self.lower = proven
            self.run.report("bound", holes=proven)


def _total(terms: Iterable[Any]) -> Any:
    """Python's `sum` over CP-SAT terms, as the model has always been built (typeshed's `sum` does
    not know CP-SAT's expressions, nor the numpy integers among them)."""
    return sum(terms)
