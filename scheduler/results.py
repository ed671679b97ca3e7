"""What a solve takes and what it gives back: options, live progress and a self-describing result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scheduler.domain import ParticipantId, Schedule
from scheduler.problems import Problem


@dataclass(frozen=True)
class MoveCosts:
    """What a repair pays, in points, to change a meeting of the previous schedule.

    A meeting moves only when that lets more than `move_slot` points of other meetings happen;
    tables are relabelled only where the old table is gone or taken in that slot.
    """

    move_slot: int = 4  # the meeting changes slot
    drop: int = 6  # a still-possible meeting is not kept, on top of the points it loses


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 30.0  # seconds for the whole solve, bound and greedy included
    workers: int = 0  # CP-SAT workers; 0 means every core
    seed: int = 0
    deterministic: bool = False  # one worker and a deterministic time limit: same input, same output
    previous: Schedule | None = None  # previous schedule: locked rows are fixed, the rest kept if cheap
    cutoff: dt.datetime | None = None  # re-plan only meetings starting at or after this local time
    move_costs: MoveCosts = field(default_factory=MoveCosts)
    cp_sat: bool = True  # False: no CP-SAT step in "maximise" mode (heuristics only); "all" mode needs it


@dataclass(frozen=True)
class Progress:
    """A snapshot sent while solving, for progress bars and job status."""

    phase: str  # "greedy", "bound", "search", "polish"
    elapsed: float
    points: int | None = None
    bound: int | None = None
    holes: int | None = None
    meetings: int | None = None

    @property
    def gap(self) -> float | None:
        return relative_gap(self.points, self.bound)


ProgressCallback = Callable[[Progress], None]
StopCheck = Callable[[], bool]


def relative_gap(points: int | None, bound: int | None) -> float | None:
    if points is None or bound is None:
        return None
    if bound <= 0:
        return 0.0
    return max(0.0, (bound - points) / bound)


@dataclass(frozen=True)
class MetOf:
    """How many of some wishes the schedule meets."""

    met: int
    wished: int

    def __str__(self) -> str:
        return f"{self.met} of {self.wished}"

    def as_dict(self) -> dict[str, int]:
        return {"met": self.met, "wished": self.wished}


@dataclass(frozen=True)
class WishesMet:
    """Wishes (rows of wishes.csv, one per requester and target) that the schedule meets.

    A wish counts as wished unless it is declined or one of its two people is cancelled or absent;
    it is met when its two people meet. A wish is mutual when the target wished the requester too,
    so a mutual meeting meets two wishes: `mutual` and `one_sided` add up to `total`, and so do the
    priorities.
    """

    total: MetOf
    mutual: MetOf
    one_sided: MetOf
    by_priority: dict[int, MetOf]  # by the requester's priority, 1 highest

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.total.as_dict(),
            "mutual": self.mutual.as_dict(),
            "one_sided": self.one_sided.as_dict(),
            "by_priority": {str(p): m.as_dict() for p, m in sorted(self.by_priority.items())},
        }


@dataclass(frozen=True)
class Distribution:
    """How evenly meetings and points fall on the active people (see `report.distribution`)."""

    people: int  # active people counted
    min_meetings: int
    median_meetings: float
    max_meetings: int
    share_below_3: float  # fraction of them with fewer than 3 meetings
    gini_points: float  # Gini coefficient of points per person: 0 all equal, towards 1 all to one person

    def as_dict(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "min_meetings": self.min_meetings,
            "median_meetings": self.median_meetings,
            "max_meetings": self.max_meetings,
            "share_below_3": round(self.share_below_3, 6),
            "gini_points": round(self.gini_points, 6),
        }


@dataclass(frozen=True)
class TableChanges:
    """How often people change table between two consecutive meetings of theirs on one day
    (booths count as tables), and which hosts (event.toml `hosts`) could not keep one table."""

    changes: int = 0  # over everybody
    consecutive: int = 0  # pairs of consecutive meetings, over everybody
    mean_per_person: float = 0.0  # over the people who meet
    max_per_person: int = 0
    hosts: int = 0  # people the `hosts` setting names who meet
    hosts_moving: dict[ParticipantId, int] = field(default_factory=dict)  # host -> changes, hosts who change
    hosts_forced: int = 0  # of the hosts' changes, those to or from a booth or a meeting with another host

    @property
    def share(self) -> float:
        """The share of consecutive meetings with a change of table (0 when nobody has two)."""
        return self.changes / self.consecutive if self.consecutive else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "changes": self.changes,
            "consecutive": self.consecutive,
            "share": round(self.share, 4),
            "mean_per_person": round(self.mean_per_person, 3),
            "max_per_person": self.max_per_person,
            "hosts": self.hosts,
            "hosts_moving": dict(self.hosts_moving),
            "hosts_forced": self.hosts_forced,
        }


@dataclass(frozen=True)
class ShortOfMinimum:
    """A person who could meet somebody but has fewer meetings than [fairness] min_meetings, and why."""

    person: ParticipantId
    meetings: int
    reason: str  # one of `minimum.SHORT_REASONS`
    detail: str  # the reason in words, naming counts (no other person's meetings)

    def as_dict(self) -> dict[str, Any]:
        return {"person": self.person, "meetings": self.meetings, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class ScheduleStats:
    meetings: int
    mutual_meetings: int
    points: int
    holes: int
    max_holes_per_person: int
    people_without_meeting: tuple[ParticipantId, ...]  # active people who could have had one
    wished_pairs: int  # allowed pairs somebody asked for
    table_use: dict[str, int]  # meetings per table label over the event
    wishes: WishesMet
    distribution: Distribution
    min_meetings: int = 0  # the event's [fairness] min_meetings
    below_minimum: tuple[ShortOfMinimum, ...] = ()  # people short of it who could meet somebody
    table_changes: TableChanges = field(default_factory=TableChanges)

    def as_dict(self) -> dict[str, Any]:
        return {
            "meetings": self.meetings,
            "mutual_meetings": self.mutual_meetings,
            "points": self.points,
            "holes": self.holes,
            "max_holes_per_person": self.max_holes_per_person,
            "people_without_meeting": list(self.people_without_meeting),
            "wished_pairs": self.wished_pairs,
            "table_use": dict(self.table_use),
            "wishes": self.wishes.as_dict(),
            "distribution": self.distribution.as_dict(),
            "min_meetings": self.min_meetings,
            "below_minimum": [s.as_dict() for s in self.below_minimum],
            "table_changes": self.table_changes.as_dict(),
        }


@dataclass(frozen=True)
class SolveResult:
    schedule: Schedule
    stats: ScheduleStats
    bound: int | None  # proven upper bound on points ("maximise" mode); None when not computed
    optimal: bool  # the solver proved its objective optimal
    seconds: float
    objective: str  # "maximise" or "all"
    parameters: dict[str, Any]
    version: str
    finished_at: str  # ISO timestamp, UTC
    warnings: tuple[Problem, ...] = ()
    repair: dict[str, Any] | None = None  # what a re-solve kept, moved, lost and added

    @property
    def gap(self) -> float | None:
        return relative_gap(self.stats.points, self.bound)
