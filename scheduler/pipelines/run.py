"""What every step of one solve shares: the event and its candidate pairs, the locked rows and the
history, the clock, and the progress and stop callbacks; plus the few measures of a list of
placements that the steps compare by."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scheduler.candidates import SHARED, Pair, candidate_pairs, pair_key
from scheduler.domain import Event, Meeting, SlotIndex
from scheduler.heuristics.state import Placement, points
from scheduler.minimum import shortfall, targets
from scheduler.pipelines.budget import BUDGET, Budget, Clock
from scheduler.pipelines.locked import locked_rows
from scheduler.pipelines.repair_plan import RepairPlan
from scheduler.problems import Problem
from scheduler.report import hole_counts
from scheduler.results import Progress, ProgressCallback, SolveOptions, StopCheck


@dataclass(frozen=True)
class Outcome:
    """What a pipeline hands back to `solve`: the placements, whether they are proven optimal, the
    bound on points (None when not computed), and what a fresh solve of the same event reaches
    (for a repair's report; None when unknown)."""

    placements: list[Placement]
    optimal: bool
    bound: int | None
    fresh_points: int | None = None


class Run:
    """One solve: the event's pairs, the locked rows, the history, the clock and the callbacks."""

    def __init__(
        self,
        event: Event,
        options: SolveOptions,
        progress: ProgressCallback | None,
        should_stop: StopCheck | None,
        plan: RepairPlan | None = None,
        pairs: list[Pair] | None = None,
        budget: Budget = BUDGET,
    ):
        self.clock = Clock(options, budget, should_stop)  # first: the pairs' computation counts too
        self.budget = budget
        self.event = event
        self.options = options
        self.notify: ProgressCallback = progress or (lambda _p: None)
        self.should_stop = should_stop
        self.report("candidates")
        self.pairs = candidate_pairs(event) if pairs is None else pairs
        self.index_of = {p.key: i for i, p in enumerate(self.pairs)}
        self.plan = plan
        self.locked, self.locked_labels = locked_rows(event, plan.locked if plan else (), self.pairs, self.index_of)
        self.warnings: list[Problem] = list(plan.warnings) if plan else []
        # Meetings before a cut-off: never moved, but they make holes with later meetings that day.
        self.background = [history_placement(event, m) for m in (plan.history if plan else ())]
        # [fairness] min_meetings: meetings each person is owed, pursued before points; meetings
        # before a re-solve's cut-off count towards it
        done = Counter(pid for m in (plan.history if plan else ()) for pid in (m.a, m.b))
        self.owed = {pid: t - done[pid] for pid, t in targets(event, self.pairs).items() if t > done[pid]}

    def short(self, placements: list[Placement]) -> int:
        """Meetings missing below the people's targets (0 when the event sets no minimum)."""
        return shortfall(Counter(pid for p in placements for pid in p.pair.people), self.owed) if self.owed else 0

    def value(self, placements: list[Placement]) -> tuple[int, int]:
        """What the steps compare schedules by: the minimum first, then points."""
        return (-self.short(placements), points(placements))

    def improvable(self, placements: list[Placement], bound: int) -> bool:
        """Whether the search may still gain: points below the bound, or someone below their target."""
        return points(placements) < bound or self.short(placements) > 0

    def elapsed(self) -> float:
        return self.clock.elapsed()

    def stopped(self) -> bool:
        return self.clock.stopped()

    def report(
        self,
        phase: str,
        points: int | None = None,
        bound: int | None = None,
        holes: int | None = None,
        meetings: int | None = None,
    ) -> None:
        """Send a progress snapshot, stamped with the time used so far."""
        self.notify(Progress(phase, self.elapsed(), points=points, bound=bound, holes=holes, meetings=meetings))

    def reporter(self, phase: str, bound: int | None = None) -> Callable[[int], None]:
        """A callback for a long placement loop: the meetings placed so far, as `phase`."""
        return lambda meetings: self.report(phase, bound=bound, meetings=meetings)

    def without_background(self, placements: list[Placement]) -> list[Placement]:
        """`placements` without the history (which the local search sees but never returns)."""
        history = {p.pair.key for p in self.background}
        return [p for p in placements if p.pair.key not in history]


def history_placement(event: Event, m: Meeting) -> Placement:
    """A meeting before the cut-off as a locked placement of its own (its pair may no longer be
    allowed, so it is not one of the candidate pairs)."""
    a, b = pair_key(m.a, m.b)
    location = SHARED if m.table in event.table_labels else m.table
    return Placement(Pair(a, b, {}, 0, frozenset({m.slot}), (location,)), m.slot, location, locked=True)


# --- measures of a list of placements -------------------------------------------------------


def by_value(pairs: Iterable[Pair]) -> list[Pair]:
    """Mutual pairs first, then by points: the order in which to try adding pairs."""
    return sorted(pairs, key=lambda p: (-p.mutual, -p.points, p.key))


def holes(event: Event, placements: list[Placement]) -> dict[str, int]:
    return hole_counts(event, ((p.slot, p.pair.people) for p in placements))


def placements_of(
    run: Run,
    pairs: list[Pair],
    cells: Iterable[tuple[int, SlotIndex]],
    location: Callable[[int, SlotIndex], str | None],
) -> list[Placement]:
    """A solver's (pair index, slot) cells as placements at `location`; locked rows come back as
    the locked placements."""
    locked_at = {(p.pair.key, p.slot): p for p in run.locked}
    out = []
    for i, slot in cells:
        pair = pairs[i]
        out.append(locked_at.get((pair.key, slot)) or Placement(pair, slot, location(i, slot)))
    return out


def slots_by_pair(meetings: Iterable[Meeting]) -> dict[tuple[str, str], SlotIndex]:
    """The slot of each meeting, by pair: where a re-solve prefers to keep it."""
    return {pair_key(m.a, m.b): m.slot for m in meetings}
