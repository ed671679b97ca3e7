"""How many shared tables does an event need? Points, meetings and people with none for a range of
table counts (and for one slot more or fewer a day), and the smallest count that reaches 99 % of
the points of unlimited tables.

Two kinds of figures, both cheap:
- the selection LP (`heuristics.selection`), whose table row caps the shared-table meetings at
  tables x slots: a proven upper bound on points for a table count, in hundredths of a second. It
  only grows with the count, so it rules out, by binary search, every count that cannot reach the
  target;
- short heuristic solves (`scheduler.solve`, CP-SAT off, a couple of seconds each): real schedules,
  so real points, meetings and people without a meeting. A schedule found with t tables is valid
  with more, so the figure shown for a count is the best schedule found for it or any smaller count.

"Unlimited" is the most tables that could ever be used at once: half the people who could meet
at a shared table in the busiest slot. The reference is the best points found for it, and the
recommendation the smallest count whose schedule reaches the target share of the *proven bound*
of unlimited tables (capped at the reference, when the short solves stay further from the bound):
so the recommended count, solved, holds its share against any schedule with unlimited tables, and
not only against the short solve's. A binary search between the LP's threshold and unlimited
finds it in a few solves.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scheduler.candidates import Pair, candidate_pairs
from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.heuristics.selection import counting_limits, selection_lp
from scheduler.planning.variants import with_slot_change, with_tables
from scheduler.problems import MatchdayError, NoScheduleError
from scheduler.results import SolveOptions, StopCheck

PlanProgress = Callable[[str, int, int], None]
"""(phase, done, total): phase is "bounds", "tables" or "slots"; done and total count steps
(an LP search, a short solve); the total may shrink or grow as the search narrows."""


class PlanStopped(MatchdayError):
    """The planning was asked to stop (`should_stop`) before it finished."""


@dataclass(frozen=True)
class PlanOptions:
    """How much the planning spends; the defaults finish 300 people in about half a minute."""

    seconds_per_solve: float = 2.0  # each short solve's time limit (heuristics only)
    target: float = 0.99  # the share of unlimited tables' points the recommendation must reach
    curve_points: int = 2  # counts below the recommendation solved to show how points fall
    slot_variants: bool = True  # also plan one slot fewer and one more a day
    workers: int = 1  # the short solves run no CP-SAT; one worker leaves the other cores alone

    def __post_init__(self) -> None:
        if not self.seconds_per_solve > 0:
            raise ValueError("seconds_per_solve must be positive")
        if not 0 < self.target <= 1:
            raise ValueError("target must be a share between 0 and 1")


@dataclass(frozen=True)
class CapacityRow:
    """The figures for one table count on one slot grid."""

    tables: int
    slot_change: int  # 0: the event's slots; -1 / +1: one slot fewer / more a day
    slots: int  # slots of the whole event on this grid
    bound: int  # proven upper bound on points (the selection LP)
    points: int | None  # the best schedule found; None when only the bound was computed
    meetings: int | None
    people_without_meeting: int | None  # people with a wished, possible pair who got no meeting
    share: float | None  # points / the reference points of unlimited tables (on the event's slots)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tables": self.tables,
            "slot_change": self.slot_change,
            "slots": self.slots,
            "bound": self.bound,
            "points": self.points,
            "meetings": self.meetings,
            "people_without_meeting": self.people_without_meeting,
            "share": self.share,
        }


@dataclass(frozen=True)
class CapacityPlan:
    """The answer to "how many tables do I need?"."""

    current: int  # the event's shared tables now
    unlimited: int  # more tables than this can never be used at once
    reference_points: int  # the best points found with unlimited tables
    target: float
    recommended: int  # the smallest count reaching min(target x the bound of unlimited, reference_points)
    goal_points: float  # that goal
    rows: tuple[CapacityRow, ...]  # the event's slots, by table count
    slot_rows: tuple[CapacityRow, ...]  # one slot fewer / more a day (recommended and unlimited tables)
    seconds: float

    @property
    def recommended_row(self) -> CapacityRow:
        return next(r for r in self.rows if r.tables == self.recommended)

    def as_dict(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "unlimited": self.unlimited,
            "reference_points": self.reference_points,
            "target": self.target,
            "recommended": self.recommended,
            "goal_points": self.goal_points,
            "rows": [r.as_dict() for r in self.rows],
            "slot_rows": [r.as_dict() for r in self.slot_rows],
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class _Found:
    """A short solve's schedule, in figures."""

    tables: int
    points: int
    meetings: int
    without: int


def max_useful_tables(event: Event, pairs: list[Pair] | None = None) -> int:
    """The most shared tables ever usable at once: in the busiest slot, half the people who have a
    wished pair at a shared table there (at most the number of such pairs)."""
    pairs = candidate_pairs(event) if pairs is None else pairs
    people: dict[SlotIndex, set[ParticipantId]] = defaultdict(set)
    pairs_at: dict[SlotIndex, int] = defaultdict(int)
    for p in pairs:
        if p.uses_shared_table:
            for s in p.slots:
                people[s].update(p.people)
                pairs_at[s] += 1
    return max((min(len(people[s]) // 2, pairs_at[s]) for s in people), default=0)


class _Planner:
    """One planning run: the LP bounds and short solves of one slot grid, cached by table count."""

    def __init__(self, event: Event, options: PlanOptions, should_stop: StopCheck | None):
        self.event = event
        self.options = options
        self.should_stop = should_stop
        # Pairs at an unlimited count: with 0 tables, shared pairs are left out of the candidates.
        self.pairs = candidate_pairs(with_tables(event, max(1, event.tables)))
        self.unlimited = max_useful_tables(event, self.pairs)
        self._bounds: dict[int, int] = {}
        self.found: dict[int, _Found] = {}

    def stop_if_asked(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise PlanStopped("the planning was stopped before it finished")

    def bound(self, tables: int) -> int:
        if tables not in self._bounds:
            variant = with_tables(self.event, tables)
            pairs = self.pairs if tables > 0 else [p for p in self.pairs if not p.uses_shared_table]
            self._bounds[tables] = selection_lp(pairs, counting_limits(variant, pairs), set())[0]
        return self._bounds[tables]

    def solve(self, tables: int) -> _Found:
        if tables not in self.found:
            self.stop_if_asked()
            self.found[tables] = short_solve(with_tables(self.event, tables), self.options, self.should_stop)
            self.stop_if_asked()
        return self.found[tables]

    def best_at(self, tables: int) -> _Found | None:
        """The best schedule found for `tables` or fewer: valid with `tables` too."""
        return max((f for t, f in self.found.items() if t <= tables), key=lambda f: (f.points, f.tables), default=None)

    def row(self, tables: int, slot_change: int, reference: int | None) -> CapacityRow:
        best = self.best_at(tables) if tables in self.found else None
        return CapacityRow(
            tables=tables,
            slot_change=slot_change,
            slots=len(self.event.slots),
            bound=self.bound(tables),
            points=None if best is None else best.points,
            meetings=None if best is None else best.meetings,
            people_without_meeting=None if best is None else best.without,
            share=None if best is None or not reference else best.points / reference,
        )


def short_solve(event: Event, options: PlanOptions, should_stop: StopCheck | None = None) -> _Found:
    """A heuristic schedule of `event` within `options.seconds_per_solve`, in figures."""
    from scheduler.pipelines.solve import solve  # pulls in OR-Tools: only when planning runs

    solve_options = SolveOptions(time_limit=options.seconds_per_solve, cp_sat=False, workers=options.workers)
    try:
        result = solve(event, solve_options, should_stop=should_stop)
    except NoScheduleError:  # nothing at all could be placed in time: no meetings
        if should_stop is not None and should_stop():
            raise PlanStopped("the planning was stopped before it finished") from None
        could = {pid for p in candidate_pairs(event) for pid in p.people}
        return _Found(event.tables, 0, 0, len(could))
    stats = result.stats
    return _Found(event.tables, stats.points, stats.meetings, len(stats.people_without_meeting))


def plan_capacity(
    event: Event,
    options: PlanOptions | None = None,
    progress: PlanProgress | None = None,
    should_stop: StopCheck | None = None,
) -> CapacityPlan:
    """Points, meetings and people with none for a range of shared-table counts, and the smallest
    count that reaches `options.target` of the points of unlimited tables.

    Raises:
        PlanStopped: `should_stop` said so.
        MatchdayError: the event is planned in "all" mode, where every pair must meet and points
            do not vary with tables (plan it as "maximise").
    """
    options = options or PlanOptions()
    if event.objective != "maximise":
        raise MatchdayError(
            'table planning compares points, which only "maximise" events have; '
            'set objective = "maximise" in event.toml to plan tables'
        )
    started = time.monotonic()
    planner = _Planner(event, options, should_stop)
    unlimited = planner.unlimited
    done = 0
    slot_steps = 4 if options.slot_variants else 0
    fixed_steps = options.curve_points + slot_steps + (event.tables < unlimited)

    def report(phase: str, left: int) -> None:
        if progress is not None:
            progress(phase, done, done + left)

    report("bounds", 1 + fixed_steps + _search_steps(0, unlimited))
    planner.solve(unlimited)
    done += 1

    def reference() -> int:
        best = planner.best_at(unlimited)
        assert best is not None  # unlimited is solved first
        return best.points

    def goal() -> float:
        """`target` of the proven bound of unlimited tables, so that the recommendation holds against
        any schedule with unlimited tables; but never more than the short solves reached with them
        (where they stay further from the bound, the recommendation must match unlimited tables)."""
        return min(options.target * planner.bound(unlimited), float(reference()))

    def reaches(points: int) -> bool:
        return points >= goal() - 1e-9

    # The LP's threshold: no count below it can reach the target, whatever the schedule.
    threshold = _first(0, unlimited, lambda t: reaches(planner.bound(t)))
    report("tables", fixed_steps + _search_steps(threshold - 1, unlimited))
    while True:
        good = [t for t in planner.found if reaches(planner.best_at(t).points)]  # type: ignore[union-attr]
        high = min(good)
        known_bad = [t for t in planner.found if t < high] + ([threshold - 1] if threshold > 0 else [-1])
        low = max(known_bad)
        if high - low <= 1:
            break
        probe = threshold if low < threshold < high and threshold not in planner.found else (low + high) // 2
        if not reaches(planner.bound(probe)):  # the target rose: the LP rules it out at once
            threshold = probe + 1
            continue
        planner.solve(probe)
        done += 1
        report("tables", fixed_steps + _search_steps(low, high))
    recommended = high

    # The event's own count and a few counts below the recommendation, to show the curve.
    extra = [event.tables] if event.tables < unlimited else []
    extra += [recommended * k // (options.curve_points + 1) for k in range(options.curve_points, 0, -1)]
    extra = [t for t in dict.fromkeys(extra) if t not in planner.found]
    for i, tables in enumerate(extra):
        report("tables", len(extra) - i + slot_steps)
        planner.solve(tables)
        done += 1
    ref = reference()
    rows = tuple(planner.row(t, 0, ref) for t in sorted(planner.found))

    # One slot fewer and one more a day: with the recommended count, and with unlimited tables.
    jobs: list[tuple[_Planner, int, int]] = []
    for change in (-1, 1) if options.slot_variants else ():
        variant = with_slot_change(event, change)
        if variant is not None:
            other = _Planner(variant, options, should_stop)
            jobs += [(other, t, change) for t in sorted({min(recommended, other.unlimited), other.unlimited})]
    slot_rows: list[CapacityRow] = []
    for i, (other, tables, change) in enumerate(jobs):
        report("slots", len(jobs) - i)
        other.solve(tables)
        done += 1
        slot_rows.append(other.row(tables, change, ref))
    if progress is not None:
        progress("done", done, done)
    return CapacityPlan(
        current=event.tables,
        unlimited=unlimited,
        reference_points=ref,
        target=options.target,
        recommended=recommended,
        goal_points=round(goal(), 2),
        rows=rows,
        slot_rows=tuple(slot_rows),
        seconds=round(time.monotonic() - started, 2),
    )


def _first(low: int, high: int, holds: Callable[[int], bool]) -> int:
    """The smallest t in [low, high] for which the monotone `holds` is true (`high` if none is)."""
    while low < high:
        mid = (low + high) // 2
        if holds(mid):
            high = mid
        else:
            low = mid + 1
    return low


def _search_steps(low: int, high: int) -> int:
    """Solves a binary search between a known-bad `low` and a known-good `high` may still need."""
    return max(0, math.ceil(math.log2(high - low))) if high - low > 1 else 0
