"""[fairness] min_meetings: read from event.toml, pursued before points by both solver paths, and
reported (who is short, and why); plus the distribution figures of the report."""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
from factories import DaySpec, EventSpec, event_files, make_event, pairs_met, person, quick_solve, wish
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import Case, cases

from scheduler.candidates import candidate_pairs
from scheduler.check.checker import check_schedule
from scheduler.cli import main
from scheduler.domain import Event, Meeting, Schedule
from scheduler.heuristics.cover import raise_to_minimum
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.state import Placement
from scheduler.heuristics.tables import assign_tables
from scheduler.io.event_file import EVENT_FILE
from scheduler.io.loading import load_event_bytes
from scheduler.minimum import SHORT_REASONS, shortfall, targets
from scheduler.problems import EventError
from scheduler.report import distribution, gini, schedule_stats

# --- event.toml ------------------------------------------------------------------------------------


def _load(fairness: str) -> Event:
    toml, people, wishes = event_files(["a", "b"], [wish("a", "b")], EventSpec())
    return load_event_bytes(toml + f"\n[fairness]\n{fairness}\n".encode(), people, wishes).event


def test_min_meetings_defaults_to_one_and_is_read() -> None:
    toml, people, wishes = event_files(["a", "b"], [wish("a", "b")], EventSpec())
    assert load_event_bytes(toml, people, wishes).event.min_meetings == 1  # no [fairness] table at all
    assert _load("max_holes = 1").min_meetings == 1
    assert _load("min_meetings = 3").min_meetings == 3
    assert _load("min_meetings = 0").min_meetings == 0


@pytest.mark.parametrize("value", ["-1", '"two"', "1.5", "true", "1001"])
def test_a_bad_min_meetings_names_the_setting_and_line(value: str) -> None:
    with pytest.raises(EventError) as caught:
        _load(f"max_holes = 1\nmin_meetings = {value}")
    [problem] = caught.value.problems
    assert (problem.code, problem.file, problem.column) == ("bad_setting", EVENT_FILE, "fairness.min_meetings")
    toml = EventSpec().toml() + "\n[fairness]\nmax_holes = 1\nmin_meetings = 0\n"
    assert problem.row == toml.splitlines().index("min_meetings = 0") + 1
    assert "'fairness.min_meetings' must be a whole number from 0 to 1000" in problem.message


# --- the solvers pursue it ----------------------------------------------------------------------------

# x and a, x and b want each other most (12 points each); a can only meet in the first slot, b in
# the second. z wishes only x (1 point), c and a want each other a little (4 points). Points alone:
# x meets a and b (24), c and z have nothing. A minimum of 1: a meets c, x meets z then (17).


def _trade_event(min_meetings: int | None) -> Event:
    """The event above; None leaves event.toml's default minimum."""
    people = [
        person("x"),
        person("z"),
        person("a", available="09:00-09:20"),
        person("b", available="09:20-09:40"),
        person("c", available="09:00-09:20"),
    ]
    wishes = [
        wish("x", "a", 1),
        wish("a", "x", 1),
        wish("x", "b", 1),
        wish("b", "x", 1),
        wish("z", "x", 3),
        wish("a", "c", 3),
        wish("c", "a", 3),
    ]
    event = make_event(people, wishes, days=(DaySpec(end="09:40"),))
    return event if min_meetings is None else dataclasses.replace(event, min_meetings=min_meetings)


@pytest.mark.parametrize("cp_sat", [True, False])
def test_the_minimum_changes_who_meets_at_the_cost_of_points(cp_sat: bool) -> None:
    plain = quick_solve(_trade_event(0), cp_sat=cp_sat)
    assert pairs_met(plain.schedule) == {frozenset("xa"), frozenset("xb")}
    assert plain.stats.points == 24 and plain.stats.below_minimum == ()

    fair = quick_solve(_trade_event(1), cp_sat=cp_sat)
    assert pairs_met(fair.schedule) == {frozenset("ac"), frozenset("xz"), frozenset("xb")}
    assert fair.stats.points == 17
    assert fair.stats.below_minimum == () and fair.stats.min_meetings == 1
    assert check_schedule(_trade_event(1), fair.schedule) == []


@pytest.mark.parametrize("cp_sat", [True, False])
def test_by_default_nobody_who_could_meet_is_left_out(cp_sat: bool) -> None:
    event = _trade_event(None)  # no [fairness] table: the default minimum of one meeting
    assert event.min_meetings == 1
    result = quick_solve(event, cp_sat=cp_sat)
    assert pairs_met(result.schedule) == {frozenset("ac"), frozenset("xz"), frozenset("xb")}
    assert result.stats.people_without_meeting == () and result.stats.below_minimum == ()


@pytest.mark.parametrize("cp_sat", [True, False])
def test_who_is_left_out_for_want_of_a_table_is_reported_by_default(cp_sat: bool) -> None:
    # One slot and one shared table: of the mutual pairs a-b (priority 1) and c-d (priority 2)
    # only one can meet, whatever the minimum; the report says who could not, and why.
    wishes = [wish("a", "b", 1), wish("b", "a", 1), wish("c", "d", 2), wish("d", "c", 2)]
    event = make_event(["a", "b", "c", "d"], wishes, days=(DaySpec(end="09:20"),), tables=1)
    result = quick_solve(event, cp_sat=cp_sat)
    assert pairs_met(result.schedule) == {frozenset("ab")}
    assert set(result.stats.people_without_meeting) == {"c", "d"}
    short = {s.person: (s.meetings, s.reason) for s in result.stats.below_minimum}
    assert short == {"c": (0, "no_table"), "d": (0, "no_table")}
    assert all("every table is taken" in s.detail for s in result.stats.below_minimum)


@pytest.mark.parametrize("cp_sat", [True, False])
def test_who_cannot_reach_the_minimum_is_reported_with_a_reason(cp_sat: bool) -> None:
    result = quick_solve(_trade_event(2), cp_sat=cp_sat)
    short = {s.person: s for s in result.stats.below_minimum}
    # z, b and c have one wished partner each; a and x have two and could meet twice only if
    # the one slot a is free in held both of a's meetings
    assert short["z"].reason == "few_partners" and "only 1 wished partner" in short["z"].detail
    assert {"z", "b", "c"} <= set(short)
    assert short["a"].reason == "own_limit" and "share only 1 slot" in short["a"].detail
    assert all(s.meetings < 2 for s in short.values())
    assert result.stats.as_dict()["below_minimum"][0]["person"] == sorted(short)[0]


def test_full_partners_are_the_reason_when_time_is_taken() -> None:
    # p meets q; r wishes q only, but q is at max_meetings = 1 and p-q is worth more.
    people = ["p", person("q", max_meetings=1), "r"]
    event = make_event(people, [wish("p", "q", 1), wish("q", "p", 1), wish("r", "q", 3)], days=(DaySpec(end="09:40"),))
    event = dataclasses.replace(event, min_meetings=1)
    schedule = Schedule.of([Meeting(0, "1", "p", "q")])
    [short] = schedule_stats(event, schedule).below_minimum
    assert (short.person, short.reason, short.meetings) == ("r", "partners_full", 0)
    assert "1 at their max_meetings" in short.detail


# --- the distribution ----------------------------------------------------------------------------


def _gini_by_definition(values: list[int]) -> float:
    """Mean absolute difference over all ordered pairs, over twice the mean."""
    n = len(values)
    mean = sum(values) / n
    if mean == 0:
        return 0.0
    return sum(abs(x - y) for x, y in itertools.product(values, repeat=2)) / (n * n) / (2 * mean)


def test_the_distribution_of_a_hand_made_schedule() -> None:
    people = ["a", "b", "c", "d", person("e", status="cancelled"), "f"]
    wishes = [wish("a", "b", 1), wish("b", "a", 1), wish("a", "c", 3), wish("a", "d", 2), wish("c", "d", 3)]
    event = make_event(people, wishes, days=(DaySpec(end="10:20"),))
    schedule = Schedule.of(
        [Meeting(0, "1", "a", "b"), Meeting(1, "1", "a", "c"), Meeting(2, "1", "a", "d"), Meeting(3, "1", "c", "d")]
    )
    d = distribution(event, schedule)
    # active: a 3 meetings, b 1, c 2, d 2, f 0 (e is cancelled)
    assert (d.people, d.min_meetings, d.median_meetings, d.max_meetings) == (5, 0, 2.0, 3)
    assert d.share_below_3 == pytest.approx(4 / 5)
    # points per person: a-b 12, a-c 1, a-d 2, c-d 1 -> a 15, b 12, c 2, d 3, f 0
    assert d.gini_points == pytest.approx(_gini_by_definition([15, 12, 2, 3, 0]))
    assert schedule_stats(event, schedule).distribution == d


@pytest.mark.parametrize("values", [[0, 0, 0], [5], [1, 2, 3, 4], [0, 0, 0, 9], [7, 7, 7, 7]])
def test_gini_matches_its_definition(values: list[int]) -> None:
    assert gini(values) == pytest.approx(_gini_by_definition(values))


# --- the CLI report and the page ----------------------------------------------------------------------


def test_every_reason_is_documented() -> None:
    from test_docs_formats import section

    documented = section("`[fairness]`")
    assert [r for r in SHORT_REASONS if f"| `{r}` |" not in documented] == []


def test_the_cli_report_shows_the_distribution_and_who_is_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml, people, wishes = event_files(["a", "b", "c"], [wish("a", "b"), wish("b", "c", 1)], EventSpec())
    folder = tmp_path / "event"
    folder.mkdir()
    (folder / "event.toml").write_bytes(toml + b"\n[fairness]\nmin_meetings = 2\n")
    (folder / "participants.csv").write_bytes(people)
    (folder / "wishes.csv").write_bytes(wishes)
    report = tmp_path / "report.json"
    out = tmp_path / "schedule.csv"
    code = main(["solve", str(folder), "--out", str(out), "--time-limit", "5", "--report-json", str(report)])
    assert code == 0
    text = capsys.readouterr().out
    assert "meetings per person  min 1, median 1, max 2 (3 active people; 100.0% below 3); Gini of points" in text
    assert "below min_meetings   2 below 2: 2 few_partners" in text
    assert "A (a), 1: only 1 wished partner they can meet" in text
    figures = json.loads(report.read_text())
    assert figures["min_meetings"] == 2 and [s["person"] for s in figures["below_minimum"]] == ["a", "c"]
    assert figures["distribution"]["max_meetings"] == 2


# --- a property of the heuristic ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(objective="maximise", fairness="never"), minimum=st.integers(1, 3))
def test_raising_to_the_minimum_keeps_the_rules_and_never_takes_anyone_below_it(case: Case, minimum: int) -> None:
    event = dataclasses.replace(case.event(), min_meetings=minimum)
    pairs = candidate_pairs(event)
    owed = targets(event, pairs)
    before = mutual_first(event, pairs)
    after = raise_to_minimum(event, before, pairs, owed, seconds=5.0)
    assert check_schedule(event, assign_tables(event, after)) == []

    def counts(placements: list[Placement]) -> Counter[str]:
        return Counter(pid for p in placements for pid in p.pair.people)

    old, new = counts(before), counts(after)
    assert shortfall(new, owed) <= shortfall(old, owed)
    assert [pid for pid, t in owed.items() if old[pid] >= t and new[pid] < t] == []
    # a target is never more than the minimum nor more than the person's distinct partners
    partners = Counter(pid for p in pairs for pid in p.people)
    assert all(0 < t <= min(minimum, partners[pid]) for pid, t in owed.items())
