"""Property tests: on random small events the solver's schedules pass the independent checker.

The oracle is `scheduler.check.checker.check_schedule`, which shares no code with the solver. Beyond
validity, each solve must report points no higher than its proven bound and no lower than the
mutual-first greedy, its warm start. "all" mode is tested twice: on random events, where an
infeasible request must be reported as such with a reason, and on events feasible by
construction (the wishes are exactly the meetings of a valid schedule), where it must succeed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from factories import DaySpec, EventSpec, make_event, pair_points_of
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st

from scheduler.candidates import candidate_pairs
from scheduler.check.checker import check_schedule, format_violation, holes
from scheduler.diff import apply_diff, diff_schedules
from scheduler.domain import Event, Meeting, Schedule
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.tables import assign_tables
from scheduler.minimum import shortfall, targets
from scheduler.pipelines.solve import solve
from scheduler.problems import NoScheduleError
from scheduler.report import schedule_stats
from scheduler.results import SolveOptions, SolveResult

DATES = ("2027-03-10", "2027-03-11")
START = 9 * 60
ORGS = ("", "", "Org A", "Org B", " org a", "Søren & Co")  # " org a" is a colleague of "Org A"
STATUSES = ("cancelled", "absent", "registered") + ("",) * 9  # mostly taking part
CAPS = (0, 1, 2, 3) + (None,) * 4
OPTIONS = SolveOptions(time_limit=1.0, deterministic=True, seed=3, workers=1)
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Case:
    """The rows of a random event, kept so that variants of it can be built."""

    people: tuple[dict[str, Any], ...]
    wishes: tuple[dict[str, Any], ...]
    spec: EventSpec

    def event(self, **changes: Any) -> Event:
        spec = dataclasses.replace(self.spec, **{k: v for k, v in changes.items() if k != "wishes"})
        return make_event(self.people, changes.get("wishes", self.wishes), spec)


@st.composite
def day_specs(draw: st.DrawFn, date: str, slot_minutes: int, most: int = 8) -> tuple[DaySpec, int]:
    """A day of 3 to about `most` slots, maybe with a break that need not lie on the grid; also
    its end (minutes)."""
    slots = draw(st.integers(3, most))
    breaks: tuple[str, ...] = ()
    extra = 0
    if draw(st.booleans()):
        at = START + draw(st.integers(1, slots - 1)) * slot_minutes + draw(st.sampled_from((0, 5, 10)))
        length = draw(st.sampled_from((10, slot_minutes, 2 * slot_minutes, 60)))
        breaks = (f"{hhmm(at)}-{hhmm(at + length)}",)
        extra = -(-length // slot_minutes) + 1  # slots the break may remove
    end = START + (slots + extra) * slot_minutes
    return DaySpec(date, hhmm(START), hhmm(end), breaks), end


@st.composite
def windows(draw: st.DrawFn, days: list[tuple[str, int]]) -> str:
    """'' (no restriction, most often) or one or two windows, undated or dated, each touching a day."""
    if draw(st.integers(0, 3)) > 0:
        return ""
    parts = []
    for _ in range(draw(st.integers(1, 2))):
        date, end = draw(st.sampled_from(days))
        dated = len(days) > 1 and draw(st.booleans())
        start = draw(st.integers((START - 30) // 10, (end - 10) // 10)) * 10
        stop = max(start + draw(st.integers(3, 30)) * 10, START + 10)  # overlaps the day
        text = f"{hhmm(start)}-{hhmm(min(stop, 23 * 60 + 50))}"
        parts.append(f"{date} {text}" if dated else text)
    return ";".join(parts)


@st.composite
def cases(draw: st.DrawFn, objective: str | None = None, fairness: str = "random", small: bool = False) -> Case:
    """A random event.

    `fairness`: "random" caps, "never" (only the "all" mode defaults) or "tight" (a cap that
    binds often). `small`: 3-6 people on one short day with many wishes, where caps bind.
    """
    n_days = 1 if small else draw(st.integers(1, 2))
    slot_minutes = draw(st.sampled_from((15, 20, 30)))
    days, ends = [], []
    for date in DATES[:n_days]:
        spec, end = draw(day_specs(date, slot_minutes, 5 if small else 8))
        days.append(spec)
        ends.append((date, end))
    ids = [f"p{i}" for i in range(draw(st.integers(3, 6) if small else st.integers(2, 12)))]
    people = []
    for pid in ids:
        org = draw(st.sampled_from(ORGS))
        table = ""
        if draw(st.integers(0, 4)) == 0:  # a booth; colleagues may share theirs
            table = f"Booth {org.strip().casefold() or pid}" if draw(st.booleans()) else f"Stand {pid}"
        people.append(
            {
                "id": pid,
                "name": f"Jānis {pid}",
                "organisation": org,
                "available": draw(windows(ends)),
                "max_meetings": CAPS[draw(st.integers(0, len(CAPS) - 1))],
                "status": STATUSES[draw(st.integers(0, len(STATUSES) - 1))],
                "table": table,
            }
        )
    ordered = [(a, b) for a in ids for b in ids if a != b]
    chosen = draw(
        st.lists(
            st.sampled_from(ordered),
            min_size=len(ids) if small else max(1, len(ids) // 2),
            max_size=min(len(ordered), 3 * len(ids)),
            unique=True,
        )
    )
    wishes = tuple(
        {
            "requester": a,
            "target": b,
            "priority": draw(st.sampled_from(("", 1, 2, 3))),
            "window": draw(windows(ends)) if draw(st.integers(0, 4)) == 0 else "",
        }
        for a, b in chosen
    )
    objective = objective or draw(st.sampled_from(("maximise", "all")))
    max_holes = max_spread = None
    if fairness == "tight":
        max_holes, max_spread = draw(st.sampled_from(((0, None), (1, None), (None, 0), (1, 0), (None, 1))))
    elif fairness == "random":
        max_holes = draw(st.one_of(st.none(), st.integers(0, 3)))
        max_spread = draw(st.one_of(st.none(), st.integers(0, 3)))
    weights: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        weights = {
            "priority_points": {1: draw(st.integers(1, 9)), 2: draw(st.integers(0, 5)), 3: 1},
            "mutual_multiplier": draw(st.integers(1, 3)),
        }
    spec = EventSpec(
        tables=draw(st.sampled_from((0, 1, 2, 2, 3, 4))),
        slot_minutes=slot_minutes,
        days=tuple(days),
        objective=objective,
        same_organisation_meetings=draw(st.booleans()),
        max_holes=max_holes,
        max_spread=max_spread,
        weights=weights,
    )
    return Case(tuple(people), wishes, spec)


# --- oracles -------------------------------------------------------------------------------


def independent_points(event: Event, schedule: Schedule) -> int:
    """formats.md's points of a schedule, computed from the wishes alone (first wish counts)."""
    return sum(pair_points_of(event, m.a, m.b) for m in schedule.meetings)


def greedy_points(event: Event) -> int:
    """Points of the mutual-first greedy baseline, the bar the solver must never fall below."""
    return schedule_stats(event, assign_tables(event, mutual_first(event))).points


def minimum_then_points(event: Event, schedule: Schedule) -> tuple[int, int]:
    """What the solver compares by: meetings missing below the [fairness] minimum (fewer is
    better, hence negated), then points."""
    owed = targets(event, candidate_pairs(event))
    counts = Counter(pid for m in schedule.meetings for pid in (m.a, m.b))
    return (-shortfall(counts, owed), schedule_stats(event, schedule).points)


def assert_sound(event: Event, result: SolveResult) -> None:
    violations = check_schedule(event, result.schedule)
    assert not violations, "\n".join(format_violation(v) for v in violations)
    assert result.stats.points == independent_points(event, result.schedule)
    assert result.stats.meetings == len(result.schedule)
    if result.bound is not None:
        assert result.stats.points <= result.bound
        if result.optimal:
            assert result.stats.points == result.bound
    assert result.stats.holes == sum(holes(event, result.schedule.meetings).values())


# --- properties ----------------------------------------------------------------------------

NO_SCHEDULE: Counter[str] = Counter()  # how often "all" mode said no, by reason (shown with -s)


@PROPERTY
@given(case=cases(fairness="never"), points_alone=st.booleans())
def test_every_solve_passes_the_checker_and_beats_the_greedy(case: Case, points_alone: bool) -> None:
    event = case.event()  # the default minimum of one meeting, or none (points alone)
    event = dataclasses.replace(event, min_meetings=0) if points_alone else event
    note(case.spec.toml())
    try:
        result = solve(event, OPTIONS)
    except NoScheduleError as exc:
        # Only "all" mode may refuse: it must say why, and it must be a proof, not a timeout.
        assert event.objective == "all", f"maximise mode raised {exc!r}"
        assert exc.reason
        assert exc.infeasible, f"'all' mode gave up on a tiny event without proving it infeasible: {exc}"
        assert exc.details and all(d.strip() for d in exc.details)
        NO_SCHEDULE[exc.reason] += 1
        return
    assert_sound(event, result)
    # The default minimum of one meeting comes before points: a solve may give up points the
    # greedy has, but only to leave fewer people below the minimum.
    greedy = assign_tables(event, mutual_first(event))
    assert minimum_then_points(event, result.schedule) >= minimum_then_points(event, greedy)
    if event.min_meetings == 0:
        assert result.stats.points >= greedy_points(event)


TRIANGLE = Case(  # three slots, three pairs: all three meetings give one person a hole, spread 1
    people=tuple({"id": p, "name": p} for p in ("p0", "p1", "p2")),
    wishes=(
        {"requester": "p0", "target": "p1"},
        {"requester": "p1", "target": "p2"},
        {"requester": "p2", "target": "p0"},
    ),
    spec=EventSpec(days=(DaySpec(end="10:00"),), max_spread=0),
)


@PROPERTY
@example(case=TRIANGLE)
@given(case=cases(fairness="tight", small=True))
def test_fairness_caps_hold_when_set(case: Case) -> None:
    # [fairness] max_holes / max_spread bind in "maximise" mode too when the organiser sets them
    # (the checker enforces them in every mode); "all" mode may prove them impossible.
    event = case.event()
    note(case.spec.toml())
    try:
        result = solve(event, OPTIONS)
    except NoScheduleError as exc:
        assert event.objective == "all" and exc.infeasible and exc.details, f"unexpected {exc!r}"
        return
    assert_sound(event, result)


@PROPERTY
@given(case=cases(objective="maximise", fairness="never"))
def test_all_mode_succeeds_when_a_valid_schedule_exists(case: Case) -> None:
    # Solve in "maximise" mode, then ask "all" mode for exactly the pairs that met: the first
    # schedule proves the request feasible (hole caps are lifted so that they cannot bind).
    base = case.event()
    witness = solve(base, OPTIONS).schedule
    met = {m.pair for m in witness.meetings}
    wishes = tuple(w for w in case.wishes if frozenset((w["requester"], w["target"])) in met)
    event = case.event(objective="all", wishes=wishes, max_holes=99, max_spread=99)
    assert check_schedule(event, witness) == []
    result = solve(event, OPTIONS)
    assert_sound(event, result)
    assert {m.pair for m in result.schedule.meetings} == met
    if result.optimal:
        assert result.stats.holes <= sum(holes(event, witness.meetings).values())


@PROPERTY
@given(case=cases(objective="maximise", fairness="never"), data=st.data())
def test_locked_rows_stay_exactly_where_they_are(case: Case, data: st.DataObject) -> None:
    event = case.event()
    first = solve(event, OPTIONS).schedule
    assume(len(first) > 0)
    keep = data.draw(st.lists(st.sampled_from(first.meetings), min_size=1, unique=True), label="locked")
    locked = [dataclasses.replace(m, locked=True) for m in keep]
    previous = Schedule.of(locked + [m for m in first.meetings if m not in keep])
    result = solve(event, dataclasses.replace(OPTIONS, previous=previous))
    assert_sound(event, result)
    for m in locked:
        assert m in result.schedule.meetings
    assert result.stats.points >= sum(pair_points_of(event, m.a, m.b) for m in locked)


@PROPERTY
@given(case=cases(objective="maximise", fairness="never"), data=st.data())
def test_repair_after_random_changes_is_valid_keeps_locked_and_past_rows_and_the_diff_explains_it(
    case: Case, data: st.DataObject
) -> None:
    event = case.event()
    previous_plan = solve(event, OPTIONS).schedule
    assume(len(previous_plan) > 0)
    locked = set(data.draw(st.lists(st.sampled_from(previous_plan.meetings), unique=True, max_size=3), label="locked"))
    previous = Schedule.of([dataclasses.replace(m, locked=m in locked) for m in previous_plan.meetings])
    in_locked = {pid for m in locked for pid in (m.a, m.b)}

    # Random changes of the day: people cancel, requests are declined or added, availability moves.
    people = [dict(p) for p in case.people]
    for p in people:
        change = data.draw(st.sampled_from(["none"] * 4 + ["cancel", "available"]), label=f"change {p['id']}")
        if change == "cancel":
            p["status"] = "cancelled"
        elif change == "available" and p["id"] not in in_locked:
            p["available"] = data.draw(st.sampled_from(["", "09:00-09:40", "09:20-11:00"]), label="window")
    locked_pairs = {frozenset((m.a, m.b)) for m in locked}
    wishes = [dict(w) if isinstance(w, dict) else w for w in case.wishes]
    for w in wishes:
        if frozenset((w["requester"], w["target"])) not in locked_pairs and data.draw(st.booleans(), label="decline"):
            w["status"] = "declined"
    ids = [p["id"] for p in people]
    extra = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=3), label="new")
    asked = {(w["requester"], w["target"]) for w in wishes}
    wishes += [{"requester": a, "target": b} for a, b in extra if a != b and (a, b) not in asked]
    updated = make_event(people, wishes, case.spec)

    cutoff = None
    if data.draw(st.booleans(), label="cut-off"):
        slot = updated.slots[data.draw(st.integers(0, len(updated.slots) - 1), label="cut-off slot")]
        cutoff = dt.datetime.combine(slot.date, slot.start)
    result = solve(updated, dataclasses.replace(OPTIONS, previous=previous, cutoff=cutoff))
    new = result.schedule
    note(f"cutoff={cutoff} previous={previous.meetings} new={new.meetings}")

    assert check_schedule(updated, new, history_before=cutoff) == []

    def started(m: Meeting) -> bool:
        slot = updated.slots[m.slot]
        return cutoff is not None and dt.datetime.combine(slot.date, slot.start) < cutoff

    for m in previous.meetings:  # the past is kept as it was, whatever the statuses say now
        if started(m):
            assert m in new.meetings
    for m in locked:  # locked rows stay exactly, unless a person in them is now cancelled
        if not started(m) and all(updated.participants[pid].active for pid in (m.a, m.b)):
            assert dataclasses.replace(m, locked=True) in new.meetings
    assert not any(started(m) for m in new.meetings if m not in previous.meetings)
    diff = diff_schedules(updated, previous, new)
    replayed = apply_diff(previous, diff)
    assert Counter((m.pair, m.slot, m.table) for m in replayed.meetings) == Counter(
        (m.pair, m.slot, m.table) for m in new.meetings
    )
