"""Solve an event: decide who meets, then when, then polish; always within the time budget.

"maximise" mode, in order (each step keeps the best schedule so far, so stopping early is safe):
1. the mutual-first greedy: the floor matchday never falls below;
2. "who meets": the LP of the selection relaxation gives a proven bound and, rounded, the
   pairs to place (`selection`);
3. "when": colour those pairs greedily, make room with Kempe-chain swaps, fill with any other
   pair that fits (`retiming`);
4. while a gap to the bound remains and the model is small enough (CP_SAT_MAX_VARIABLES), CP-SAT's
   large-neighbourhood search on the time-indexed model restricted to those pairs, hinted with step 3;
5. give a meeting to people left without one, never lowering points;
6. remove holes with Kempe-chain local search, keeping exactly who meets (holes above a
   [fairness] cap weigh most); halfway, add the pairs still out that fit the common free slots
   the search opened;
7. where [fairness] caps still do not hold, drop meetings that bring their person under the cap,
   then refill with pairs that fit within the caps.
"all" mode: CP-SAT places every pair and minimises holes under the fairness caps, then step 6;
an infeasible request is explained (`diagnose`).
Re-solving from a previous schedule (`repair`): history before a cut-off and locked rows stay;
the other still-valid rows are kept in place first, the freed time is refilled (moving a kept
meeting only where the pair let in is worth more than the move costs), CP-SAT weighs moves
against `MoveCosts`, and only new meetings are re-timed to remove holes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from ortools.sat.python import cp_model

from scheduler import __version__
from scheduler.candidates import SHARED, Pair, candidate_pairs, pair_key
from scheduler.domain import Event, Meeting, Schedule, SlotIndex
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.placement import Occupancy, Placement, assign_tables
from scheduler.heuristics.retiming import MovePrice, cover_people, enforce_hole_caps, insert_pairs, reduce_holes
from scheduler.heuristics.selection import counting_limits, selection_lp
from scheduler.model.diagnose import core_of_infeasibility, explain_infeasible_all
from scheduler.model.objective import cap_holes, holes_per_person, wish_points
from scheduler.model.rules import HARD_RULES
from scheduler.model.variables import MeetingVars
from scheduler.pipelines.repair_plan import RepairPlan, plan_repair, repair_report
from scheduler.problems import MatchdayError, NoScheduleError, Problem
from scheduler.report import hole_counts, schedule_points, schedule_stats
from scheduler.results import Progress, ProgressCallback, SolveOptions, SolveResult, StopCheck

DETERMINISTIC_MOVES_PER_SECOND = 20_000  # local-search moves standing in for a second in deterministic mode
CP_SAT_MAX_VARIABLES = 80_000  # above this, CP-SAT's LNS was measured to add nothing in a minute
CP_SAT_SHARE = 0.6  # of the time left, for the restricted CP-SAT search
ALL_MODE_CP_SAT_SHARE = 0.5  # of the time left, before the local search takes over (0.2 measured worse)


def solve(
    event: Event,
    options: SolveOptions | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> SolveResult:
    """Schedule `event`.

    Raises:
        NoScheduleError: infeasible ("all" mode, locked rows), or nothing found in time.
        MatchdayError: a locked row of `options.previous` breaks a hard rule.
    """
    options = options or SolveOptions()
    plan = plan_repair(event, options.previous, options.cutoff) if options.previous is not None else None
    run = _Run(
        plan.future if plan else event, options, progress, should_stop, plan, pairs=list(plan.pairs) if plan else None
    )
    if event.objective == "all":
        placements, optimal, bound = run.solve_all()
    elif plan is not None and plan.preferred:
        placements, optimal, bound = run.solve_repair()
    else:  # a fresh solve; with a plan, only history and locked rows are kept (nothing to prefer)
        placements, optimal, bound = run.solve_maximise()
        run.fresh_points = _points(placements)
    previous = options.previous.meetings if options.previous else ()
    labels = {pair_key(m.a, m.b) + (m.slot,): m.table for m in previous}
    schedule = assign_tables(event, placements, {**labels, **run.locked_labels})
    repair = None
    if plan is not None:
        history_points = schedule_points(event, Schedule.of(list(plan.history)))
        bound = None if bound is None else bound + history_points
        schedule = Schedule.of(list(schedule.meetings) + list(plan.history))
        fresh = None if run.fresh_points is None else run.fresh_points + history_points
        repair = repair_report(event, options.previous, schedule, fresh)
    return SolveResult(
        schedule=schedule,
        stats=schedule_stats(event, schedule, candidate_pairs(event) if plan else run.pairs),
        bound=bound,
        optimal=optimal,
        seconds=round(run.elapsed(), 3),
        objective=event.objective,
        parameters=_describe(options),
        version=__version__,
        finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        warnings=tuple(run.warnings),
        repair=repair,
    )


class _Run:
    """One solve: the event's pairs, the locked rows, the clock and the callbacks."""

    def __init__(
        self,
        event: Event,
        options: SolveOptions,
        progress: ProgressCallback | None,
        should_stop: StopCheck | None,
        plan: RepairPlan | None = None,
        pairs: list[Pair] | None = None,
    ):
        self.start = time.monotonic()
        self.event = event
        self.options = options
        self.notify = progress or (lambda _p: None)
        self.should_stop = should_stop
        self.pairs = candidate_pairs(event) if pairs is None else pairs
        self.index_of = {p.key: i for i, p in enumerate(self.pairs)}
        self.plan = plan
        self.locked, self.locked_labels = _locked_rows(event, plan.locked if plan else (), self.pairs, self.index_of)
        self.warnings: list[Problem] = list(plan.warnings) if plan else []
        self.fresh_points: int | None = None  # what a fresh solve of the same event reaches (repair report)
        # Meetings before a cut-off: never moved, but they make holes with later meetings that day.
        self.background = [_history_placement(event, m) for m in (plan.history if plan else ())]

    # --- clock -----------------------------------------------------------------------------
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self) -> float:
        return max(0.0, self.options.time_limit - self.elapsed())

    def stopped(self) -> bool:
        if self.should_stop is not None and self.should_stop():
            return True
        return not self.options.deterministic and self.remaining() <= 0.05

    def seconds(self, share: float) -> float:
        """A share of the time left; unbounded in deterministic mode, where work is bounded instead."""
        return float("inf") if self.options.deterministic else share * self.remaining()

    # --- "maximise" ------------------------------------------------------------------------
    def solve_maximise(self, quick: bool = False) -> tuple[list[Placement], bool, int | None]:
        """Steps 1-7 of the module docstring; `quick` stops after step 3 (a second or two)."""
        event, pairs = self.event, self.pairs
        occupancy = _occupancy(event, self.locked)
        best = self.locked + mutual_first(event, [p for p in pairs if p.key not in occupancy.met], occupancy)
        self.notify(Progress("greedy", self.elapsed(), points=_points(best)))
        fixed = {self.index_of[p.pair.key] for p in self.locked}
        bound, chosen = selection_lp(pairs, counting_limits(event, pairs), fixed)
        chosen |= fixed
        self.notify(Progress("bound", self.elapsed(), points=_points(best), bound=bound))

        if _points(best) < bound and not self.stopped():
            order = sorted((pairs[i] for i in chosen - fixed), key=lambda p: (len(p.slots), -p.points, p.key))
            placed = self.locked + mutual_first(event, pairs, _occupancy(event, self.locked), order=order)
            placed = insert_pairs(event, placed, _by_value(pairs[i] for i in chosen), self.seconds(0.1))
            placed = insert_pairs(event, placed, _by_value(pairs), self.seconds(0.05))
            best = max(best, placed, key=_points)
            self.notify(Progress("search", self.elapsed(), points=_points(best), bound=bound))
        if quick:  # a valid schedule all the same: caps hold (the repair report compares with it)
            best = self._enforce_hole_caps(best)
            return best, _points(best) >= bound, bound
        if _points(best) < bound and not self.stopped():
            sub = sorted({self.index_of[p.pair.key] for p in best} | chosen)
            variables = sum(len(pairs[i].slots) for i in sub)
            if variables <= CP_SAT_MAX_VARIABLES:
                placed = self._search([pairs[i] for i in sub], best, bound)
                placed = insert_pairs(event, placed, _by_value(pairs), self.seconds(0.05))
                best = max(best, placed, key=_points)
        optimal = _points(best) >= bound
        if not self.stopped():
            best = cover_people(event, best, pairs)
        if not self.stopped():
            # Polishing frees common slots that the pairs still out can use: refill, then polish on.
            best = self._polish(best, bound, share=0.6, work=0.6)
            refilled = insert_pairs(
                event, best, _by_value(pairs), self.seconds(0.05), max_tries=0, within_hole_caps=True
            )
            if _points(refilled) > _points(best):
                best = refilled
                self.notify(Progress("search", self.elapsed(), points=_points(best), bound=bound))
            best = self._polish(best, bound, work=0.4)
        capped = self._enforce_hole_caps(best)
        if capped != best:
            best, optimal = capped, _points(capped) >= bound
        return best, optimal, bound

    def _search(
        self,
        sub: list[Pair],
        hint: list[Placement],
        bound: int,
        preferred: dict[tuple[str, str], SlotIndex] | None = None,
    ) -> list[Placement]:
        """CP-SAT LNS maximising the points of `sub` placed in time; stops at the bound.

        With `preferred` (repair), keeping a previous meeting in its slot is worth its points
        plus the drop cost, and moving it costs the move cost.
        """
        index_of = {p.key: i for i, p in enumerate(sub)}
        model, v = self._build(sub, index_of, required=False)
        if preferred:
            costs = self.options.move_costs
            weights = []
            for i, slot in v.x:
                pair, old = sub[i], preferred.get(sub[i].key)
                keep_value = 0 if old is None else costs.drop - (costs.move_slot if slot != old else 0)
                weights.append(pair.points + keep_value)
            model.maximize(cp_model.LinearExpr.weighted_sum(list(v.x.values()), weights))
        else:
            model.maximize(wish_points(v))
        v.hint(hint, index_of)

        def on_points(value: float, _cp_bound: float) -> bool:
            if preferred:  # the objective mixes points and move costs: nothing to show or stop on
                return False
            self.notify(Progress("search", self.elapsed(), points=int(round(value)), bound=bound))
            return value >= bound

        solver = self._solver(CP_SAT_SHARE)
        solver.parameters.use_lns_only = True
        status = self._run_solver(solver, model, on_points)
        if status == cp_model.INFEASIBLE:
            raise NoScheduleError("the locked meetings and the hard rules contradict each other", infeasible=True)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return hint
        found = self._extract(solver, v)
        return found if preferred else max(hint, found, key=_points)

    # --- repair ----------------------------------------------------------------------------
    def solve_repair(self) -> tuple[list[Placement], bool, int | None]:
        """Keep previous meetings where they are unless moving them pays; refill the freed time."""
        event, pairs = self.event, self.pairs
        assert self.plan is not None
        preferred = {pair_key(m.a, m.b): m.slot for m in self.plan.preferred}
        booth = {pair_key(m.a, m.b): m.table for m in self.plan.preferred}
        occupancy = _occupancy(event, self.locked)
        kept = list(self.locked)
        for pair in _by_value(pairs[self.index_of[key]] for key in preferred):
            slot = preferred[pair.key]
            if occupancy.can_place(pair, slot):
                location = booth[pair.key]  # the same booth as before, if it is one of theirs and free
                if location not in pair.locations or (location, slot) in occupancy.fixed:
                    location = occupancy.free_location(pair, slot)  # type: ignore[assignment]
                kept.append(occupancy.place(pair, slot, location))
        best = insert_pairs(event, kept, _by_value(pairs), self.seconds(0.1), max_tries=0)
        # Then let Kempe swaps make room by moving only the refill, never a kept meeting.
        best = insert_pairs(event, best, _by_value(pairs), self.seconds(0.1), frozen={p.pair.key for p in kept})
        # Then moving kept meetings too, where the pair let in is worth more than the moves cost.
        best = insert_pairs(
            event, best, _by_value(pairs), self.seconds(0.1), max_tries=400, price=self._move_price(preferred)
        )
        self.notify(Progress("search", self.elapsed(), points=_points(best)))
        fixed = {self.index_of[p.pair.key] for p in self.locked}
        bound, chosen = selection_lp(pairs, counting_limits(event, pairs), fixed)
        self.notify(Progress("bound", self.elapsed(), points=_points(best), bound=bound))
        if _points(best) < bound and not self.stopped():
            # Every pair, not just the LP's choice: the refill has to fit around the kept meetings.
            if sum(len(p.slots) for p in pairs) <= CP_SAT_MAX_VARIABLES:
                best = self._search(pairs, best, bound, preferred)
                best = insert_pairs(event, best, _by_value(pairs), self.seconds(0.05), max_tries=0)
        in_place = {p.pair.key for p in best if preferred.get(p.pair.key) == p.slot}
        if not self.stopped():
            best = self._polish(best, bound, share=0.6, frozen=in_place)
        best = self._enforce_hole_caps(best)
        if not self.stopped():  # what a fresh solve of the same event would reach, for the report
            fresh = _Run(
                event,
                dataclasses.replace(self.options, time_limit=self.remaining(), previous=None),
                None,
                self.should_stop,
                pairs=pairs,
            )
            self.fresh_points = _points(fresh.solve_maximise(quick=True)[0])
        return best, _points(best) >= bound, bound

    def _move_price(self, preferred: dict[tuple[str, str], SlotIndex]) -> MovePrice:
        """Leaving a previous meeting's slot costs the move cost; going back to it earns it back."""
        cost = self.options.move_costs.move_slot

        def price(p: Placement, new: SlotIndex) -> int:
            old = preferred.get(p.pair.key)
            if old is None:
                return 0
            return cost * ((p.slot == old) - (new == old))

        return price

    # --- "all" -----------------------------------------------------------------------------
    def solve_all(self) -> tuple[list[Placement], bool, int | None]:
        event, pairs = self.event, self.pairs
        reasons = explain_infeasible_all(event, pairs)
        if reasons:
            raise NoScheduleError("not every wished meeting can be placed", reasons, infeasible=True)
        model, v = self._build(pairs, self.index_of, required=True)
        history: dict[str, set[SlotIndex]] = {}
        for p in self.background:
            for pid in p.pair.people:
                history.setdefault(pid, set()).add(p.slot)
        holes = holes_per_person(event, model, v, exact=True, busy_before=history)
        cap_holes(event, model, holes, v.people())
        total_holes = sum(holes.values())
        # A re-solve changes as little as possible: every previous row kept in place comes first,
        # fewer holes second (every pair is placed anyway in this mode).
        preferred = {pair_key(m.a, m.b): m.slot for m in (self.plan.preferred if self.plan else ())}
        moved = [var for (i, slot), var in v.x.items() if preferred.get(pairs[i].key, slot) != slot]
        weight = len(event.slots) * max(1, len(v.people())) + 1
        model.minimize(weight * sum(moved) + total_holes if moved else total_holes)
        occupancy = _occupancy(event, self.locked)
        kept = list(self.locked)
        for pair in _by_value(pairs[self.index_of[key]] for key in preferred if key in self.index_of):
            if occupancy.can_place(pair, preferred[pair.key]):
                slot = preferred[pair.key]
                kept.append(occupancy.place(pair, slot, occupancy.free_location(pair, slot)))  # type: ignore[arg-type]
        v.hint(kept + mutual_first(event, [p for p in pairs if p.key not in occupancy.met], occupancy), self.index_of)

        def on_holes(value: float, _bound: float) -> bool:
            self.notify(Progress("search", self.elapsed(), holes=int(round(value)) % weight))
            return False

        solver = self._solver(ALL_MODE_CP_SAT_SHARE)
        status = self._run_solver(solver, model, on_holes)
        if status == cp_model.UNKNOWN and not self.stopped() and not self.options.deterministic:
            solver = self._solver(1.0)  # nothing found yet: the rest of the time is its
            status = self._run_solver(solver, model, on_holes)
        if status == cp_model.INFEASIBLE:
            raise NoScheduleError(
                "not every wished meeting can be placed under the rules",
                core_of_infeasibility(event, pairs, self.options, self.remaining(), self.locked),
                infeasible=True,
            )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise NoScheduleError(
                f"no schedule placing every wished meeting was found within "
                f"{self.options.time_limit:g} s; allow more time with --time-limit"
            )
        placed = self._extract(solver, v)
        if status != cp_model.OPTIMAL and not self.stopped():
            in_place = {p.pair.key for p in placed if preferred.get(p.pair.key) == p.slot}
            placed = self._polish(placed, None, frozen=in_place)
        hole_free = not any(_holes(event, placed).values())
        return placed, status == cp_model.OPTIMAL or hole_free, None

    # --- shared steps ----------------------------------------------------------------------
    def _enforce_hole_caps(self, placed: list[Placement]) -> list[Placement]:
        """Drop meetings until the [fairness] caps hold, then refill where a pair fits within them."""
        everything = placed + self.background
        capped = enforce_hole_caps(self.event, everything)
        if len(capped) < len(everything):
            seconds = self.seconds(1.0) if self.options.deterministic else max(1.0, self.remaining())
            capped = insert_pairs(
                self.event, capped, _by_value(self.pairs), seconds, max_tries=0, within_hole_caps=True
            )
        return self._without_background(capped)

    def _without_background(self, placements: list[Placement]) -> list[Placement]:
        history = {p.pair.key for p in self.background}
        return [p for p in placements if p.pair.key not in history]

    def _polish(
        self,
        placed: list[Placement],
        bound: int | None,
        share: float = 1.0,
        frozen: set[tuple[str, str]] | None = None,
        work: float = 1.0,
    ) -> list[Placement]:
        """Keep exactly who meets (points and people covered stay) and remove holes;
        meetings of `frozen` pairs do not move. `share` of the time left; in deterministic mode
        `work` of the polish's fixed number of moves."""
        seconds = max(0.0, share * self.remaining() - 0.2)
        moves = None
        if self.options.deterministic:  # work, not time, bounds every step
            moves = int(work * 0.3 * self.options.time_limit * DETERMINISTIC_MOVES_PER_SECOND)
        result = self._without_background(
            reduce_holes(
                self.event,
                placed + self.background,
                seconds,
                seed=self.options.seed,
                max_moves=moves,
                should_stop=self.should_stop,
                frozen=frozen,
            )
        )
        holes = sum(_holes(self.event, result).values())
        self.notify(Progress("polish", self.elapsed(), points=_points(result), bound=bound, holes=holes))
        return result

    def _build(
        self, pairs: list[Pair], index_of: dict[tuple[str, str], int], required: bool
    ) -> tuple[cp_model.CpModel, MeetingVars]:
        model = cp_model.CpModel()
        v = MeetingVars(model, self.event, pairs, required=required)
        for rule in HARD_RULES:
            rule.apply(self.event, model, v)
        for p in self.locked:
            i = index_of[p.pair.key]
            v.fix(i, p.slot)
            for label in p.pair.locations[1:]:  # and at its own booth, where two booths compete
                choice = v.location.get((i, p.slot, str(label)))
                if choice is not None:
                    model.add(choice == int(label == p.location))
        return model, v

    def _solver(self, share: float) -> cp_model.CpSolver:
        """A CP-SAT solver allowed `share` of the time left (in deterministic mode: `share` of the
        whole limit in deterministic time; callers such as the CLI still stop it at their deadline)."""
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = _workers(self.options)
        solver.parameters.random_seed = self.options.seed
        if self.options.deterministic:
            solver.parameters.max_deterministic_time = max(0.1, share * self.options.time_limit)
            # only a guard against a runaway: a wall limit that binds would break reproducibility
            solver.parameters.max_time_in_seconds = self.remaining() + self.options.time_limit
        else:
            solver.parameters.max_time_in_seconds = max(0.1, share * self.remaining())
        return solver

    def _run_solver(
        self, solver: cp_model.CpSolver, model: cp_model.CpModel, report: Callable[[float, float], bool]
    ) -> cp_model.CpSolverStatus:
        """Solve, stopping at once on cancellation even while no new solution is found."""
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.2):
                if self.should_stop is not None and self.should_stop():
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            return solver.solve(model, _Listener(report, self.should_stop))
        finally:
            done.set()
            watcher.join()

    def _extract(self, solver: cp_model.CpSolver, v: MeetingVars) -> list[Placement]:
        locked_at = {(p.pair.key, p.slot): p for p in self.locked}
        out = []
        for i, slot in v.extract(solver):
            pair = v.pairs[i]
            out.append(locked_at.get((pair.key, slot)) or Placement(pair, slot, v.location_of(solver, i, slot)))
        return out


class _Listener(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to `report` (True: good enough, stop) and honours cancellation."""

    def __init__(self, report: Callable[[float, float], bool], should_stop: StopCheck | None):
        super().__init__()
        self._report = report
        self._should_stop = should_stop

    def on_solution_callback(self) -> None:
        done = self._report(self.objective_value, self.best_objective_bound)
        if done or (self._should_stop is not None and self._should_stop()):
            self.stop_search()


def _why_not(event: Event, pair: Pair | None, slot: SlotIndex, occupancy: Occupancy) -> str:
    """The hard rule a locked row breaks, in words."""
    if pair is None:
        return (
            "nobody asked for this meeting, or it is not allowed (colleagues, a cancelled person, "
            "a declined wish, or no common available slot)"
        )
    if slot not in pair.slots:
        return "one of them is not available then, or it is outside the wish's time window"
    if pair.key in occupancy.met:
        return "the pair is locked twice"
    for pid in pair.people:
        if slot in occupancy.busy[pid]:
            return f"{event.participants[pid].name} ({pid}) is in another locked meeting then"
        cap = event.participants[pid].max_meetings
        if cap is not None and occupancy.count[pid] >= cap:
            return f"{event.participants[pid].name} ({pid}) would exceed max_meetings = {cap}"
    return "no table is free then"


def _history_placement(event: Event, m: Meeting) -> Placement:
    """A meeting before the cut-off as a locked placement of its own (its pair may no longer be
    allowed, so it is not one of the candidate pairs)."""
    a, b = pair_key(m.a, m.b)
    location = SHARED if m.table in event.table_labels else m.table
    return Placement(Pair(a, b, {}, 0, frozenset({m.slot}), (location,)), m.slot, location, locked=True)


def _by_value(pairs: Iterable[Pair]) -> list[Pair]:
    """Mutual pairs first, then by points: the order in which to try adding pairs."""
    return sorted(pairs, key=lambda p: (-p.mutual, -p.points, p.key))


def _holes(event: Event, placements: list[Placement]) -> dict[str, int]:
    return hole_counts(event, ((p.slot, p.pair.people) for p in placements))


def _points(placements: list[Placement]) -> int:
    return sum(p.pair.points for p in placements)


def _occupancy(event: Event, placements: list[Placement]) -> Occupancy:
    occupancy = Occupancy(event)
    for p in placements:
        occupancy.place(p.pair, p.slot, p.location)
    return occupancy


def _describe(options: SolveOptions) -> dict[str, Any]:
    params = asdict(options)
    params.pop("previous", None)
    params["cutoff"] = options.cutoff.isoformat() if options.cutoff else None
    params["workers"] = _workers(options)
    return params


def _workers(options: SolveOptions) -> int:
    if options.deterministic:
        return 1
    return options.workers or max(1, os.cpu_count() or 1)


def _locked_rows(
    event: Event, rows: Iterable[Meeting], pairs: list[Pair], index_of: dict[tuple[str, str], int]
) -> tuple[list[Placement], dict[tuple[str, str, SlotIndex], str]]:
    """Locked rows (already cleared of cancelled people by `plan_repair`) become fixed placements."""
    placed: list[Placement] = []
    labels: dict[tuple[str, str, SlotIndex], str] = {}
    errors: list[str] = []
    occupancy = Occupancy(event)
    shared_taken: set[tuple[str, SlotIndex]] = set()
    for m in rows:
        key = pair_key(m.a, m.b)
        pair = pairs[index_of[key]] if key in index_of else None
        where = f"locked meeting {m.a}–{m.b} at {event.slots[m.slot].label} table {m.table}"
        if pair is None or not occupancy.can_place(pair, m.slot):
            errors.append(f"{where}: {_why_not(event, pair, m.slot, occupancy)}")
            continue
        if pair.uses_shared_table:
            location: str | None = SHARED
            if m.table not in event.table_labels:
                errors.append(f"{where}: '{m.table}' is not one of the event's shared tables")
                continue
            if (m.table, m.slot) in shared_taken:
                errors.append(f"{where}: another locked meeting is at that table then")
                continue
            shared_taken.add((m.table, m.slot))
        else:
            location = m.table
            if m.table not in pair.locations:
                errors.append(f"{where}: it must take place at {' or '.join(map(str, pair.locations))}")
                continue
            if (m.table, m.slot) in occupancy.fixed:
                errors.append(f"{where}: another locked meeting is at that table then")
                continue
        occupancy.place(pair, m.slot, location)
        placed.append(Placement(pair, m.slot, location, locked=True))
        labels[(pair.a, pair.b, m.slot)] = m.table
    if errors:
        raise MatchdayError("the previous schedule's locked rows cannot all be kept:\n  - " + "\n  - ".join(errors))
    return placed, labels
