"""A reason for every unmet wish (scheduler.unmet): each reason on a hand-made event, then on random
events, where `unmet_oracle` (a separate writing from the event and the schedule alone) confirms
that every unmet wish gets exactly one row with the first true reason and the right blockers, and
that the change offered for a busy wish, once made, passes the checker and earns what it says."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from factories import DaySpec, PersonRow, event_files, make_event, pair_points_of, person, wish
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from test_properties import Case, cases

from benchmarks.unmet_oracle import ORDER, Oracle, meeting_text, slot_text
from scheduler.check.checker import check_schedule
from scheduler.cli import main
from scheduler.domain import Event, Meeting, Schedule
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.tables import assign_tables
from scheduler.pipelines.solve import solve
from scheduler.problems import NoScheduleError
from scheduler.results import SolveOptions
from scheduler.unmet import (
    BLOCKER_SEPARATOR,
    REASONS,
    UNMET_COLUMNS,
    ChangeSearch,
    UnmetWish,
    describe_change,
    explain_unmet,
    reason_counts,
    write_unmet_csv,
)
from scheduler.unmet.scene import Scene

ENOUGH = 30.0  # search seconds no small event comes near: the search is bounded by its work


def only(unmet: list[UnmetWish], requester: str, target: str) -> UnmetWish:
    rows = [u for u in unmet if (u.requester, u.target) == (requester, target)]
    assert len(rows) == 1, unmet
    return rows[0]


def one_day(slots: int) -> tuple[DaySpec, ...]:
    end = 9 * 60 + 20 * slots
    return (DaySpec(end=f"{end // 60:02d}:{end % 60:02d}"),)


def test_the_reasons_are_the_documented_order() -> None:
    assert REASONS == ORDER


# --- one hand-made event per reason ----------------------------------------------------------


def test_a_declined_request_and_a_cancelled_person_are_not_both_present() -> None:
    people: list[PersonRow | str] = ["p1", person("p2", status="cancelled"), "p3"]
    declined = {"requester": "p1", "target": "p3", "status": "declined"}
    event = make_event(people, [wish("p1", "p2"), declined])
    unmet = explain_unmet(event, Schedule.of([]))
    gone = only(unmet, "p1", "p2")
    assert (gone.reason, gone.blockers) == ("not_both_present", ("p2",))
    assert "P2 is cancelled" in gone.detail
    refused = only(unmet, "p1", "p3")
    assert (refused.reason, refused.blockers) == ("not_both_present", ())
    assert "declined" in refused.detail


def test_colleagues_are_not_allowed_unless_the_event_lets_them_meet() -> None:
    people: list[PersonRow | str] = [person("p1", organisation="Acme"), person("p2", organisation=" acme ")]
    assert only(explain_unmet(make_event(people, [wish("p1", "p2")]), Schedule.of([])), "p1", "p2").reason == (
        "not_allowed"
    )
    allowed = make_event(people, [wish("p1", "p2")], same_organisation_meetings=True)
    assert only(explain_unmet(allowed, Schedule.of([])), "p1", "p2").reason == "still_possible"


def test_no_common_time_counts_the_wish_window() -> None:
    people: list[PersonRow | str] = [person("p1", available="09:00-09:40"), person("p2", available="09:40-10:20"), "p3"]
    wishes = [wish("p1", "p2"), wish("p1", "p3", window="09:40-10:20"), wish("p3", "p1", window="09:00-09:40")]
    event = make_event(people, wishes)
    unmet = explain_unmet(event, Schedule.of([]))
    apart = only(unmet, "p1", "p2")
    assert (apart.reason, apart.blockers) == ("no_common_time", ())
    assert "never available at the same time" in apart.detail
    windowed = only(unmet, "p1", "p3")
    assert windowed.reason == "no_common_time" and windowed.mutual
    assert "within the time asked for" in windowed.detail


def test_a_cap_used_by_worthier_meetings_names_them() -> None:
    people: list[PersonRow | str] = [person("p1", max_meetings=1), "p2", "p3", person("p4", max_meetings=0)]
    event = make_event(people, [wish("p1", "p2", 3), wish("p1", "p3", 1), wish("p2", "p4")])
    schedule = Schedule.of([Meeting(0, "1", "p1", "p3")])
    unmet = explain_unmet(event, schedule)
    capped = only(unmet, "p1", "p2")
    assert capped.reason == "cap_reached"
    assert capped.blockers == (meeting_text(event, schedule.meetings[0]),)
    assert "at most 1 meeting and has 1 (all worth at least as much as this one: 3 points against 1)" in capped.detail
    zero = only(unmet, "p2", "p4")
    assert zero.reason == "cap_reached" and zero.blockers == () and "takes no meetings" in zero.detail


def test_no_table_names_the_free_slots_where_every_table_is_taken() -> None:
    event = make_event(["p1", "p2", "p3", "p4"], [wish("p1", "p2"), wish("p3", "p4")], tables=1, days=one_day(2))
    schedule = Schedule.of([Meeting(0, "1", "p3", "p4"), Meeting(1, "1", "p1", "p3")])
    unmet = explain_unmet(event, schedule)
    # p1 is busy at slot 1; at slot 0 both are free, but the one table is taken
    full = only(unmet, "p1", "p2")
    assert (full.reason, full.blockers) == ("no_table", (slot_text(event, 0),))


def test_a_booth_taken_by_someone_else_is_no_table() -> None:
    people: list[PersonRow | str] = [person("p1", table="Stand A"), "p2", person("p3", table="Stand A"), "p4"]
    event = make_event(people, [wish("p1", "p2"), wish("p3", "p4")], days=one_day(1))
    schedule = Schedule.of([Meeting(0, "Stand A", "p3", "p4")])
    assert only(explain_unmet(event, schedule), "p1", "p2").reason == "no_table"


def test_busy_names_the_meetings_in_the_way_and_the_cheapest_change() -> None:
    # one slot: p1's meeting with p3 (3 points) can only be cancelled for p1-p2 (1 point)
    event = make_event(["p1", "p2", "p3"], [wish("p1", "p2", 3), wish("p1", "p3", 1)], days=one_day(1))
    schedule = Schedule.of([Meeting(0, "1", "p1", "p3")])
    busy = only(explain_unmet(event, schedule, search_seconds=ENOUGH), "p1", "p2")
    assert busy.reason == "busy"
    assert busy.blockers == (meeting_text(event, schedule.meetings[0]),)
    assert busy.detail.endswith(
        "Cheapest change found: cancel P1's meeting with P3 at 09:00 (3 points); then they can meet at 09:00 "
        "(1 point): 2 points fewer in all."
    )


def test_busy_prefers_moving_a_meeting_to_cancelling_it() -> None:
    # p3 is free at 09:20 too, p2 only at 09:00: moving p1-p3 lets p1-p2 meet without a loss
    people: list[PersonRow | str] = ["p1", person("p2", available="09:00-09:20"), "p3", "p4"]
    event = make_event(people, [wish("p1", "p2", 1), wish("p1", "p3", 1)], days=one_day(2))
    schedule = Schedule.of([Meeting(0, "1", "p1", "p3")])
    busy = only(explain_unmet(event, schedule, search_seconds=ENOUGH), "p1", "p2")
    assert busy.reason == "busy"
    assert "move P1's meeting with P3 from 09:00 to 09:20; then they can meet at 09:00 (3 points)" in busy.detail
    assert busy.detail.endswith("3 points more in all.")


def test_busy_behind_a_locked_meeting_finds_no_change() -> None:
    event = make_event(["p1", "p2", "p3"], [wish("p1", "p2"), wish("p1", "p3")], days=one_day(1))
    schedule = Schedule.of([Meeting(0, "1", "p1", "p3", locked=True)])
    busy = only(explain_unmet(event, schedule, search_seconds=ENOUGH), "p1", "p2")
    assert busy.reason == "busy" and "found no change" in busy.detail


def test_no_search_time_says_so_without_guessing() -> None:
    event = make_event(["p1", "p2", "p3"], [wish("p1", "p2"), wish("p1", "p3")], days=one_day(1))
    busy = only(explain_unmet(event, Schedule.of([Meeting(0, "1", "p1", "p3")]), search_seconds=0), "p1", "p2")
    assert busy.reason == "busy" and "ran out of time" in busy.detail


def test_a_hole_cap_keeps_them_apart() -> None:
    # p1 meets p3 at 09:00; p2 is free at 09:40 only: meeting then gives p1 an idle gap, and max_holes is 0
    people: list[PersonRow | str] = ["p1", person("p2", available="09:40-10:00"), "p3"]
    event = make_event(people, [wish("p1", "p2"), wish("p1", "p3")], days=one_day(3), max_holes=0)
    unmet = explain_unmet(event, Schedule.of([Meeting(0, "1", "p1", "p3")]))
    capped = only(unmet, "p1", "p2")
    assert (capped.reason, capped.blockers) == ("hole_cap", ("p1",))
    assert "at most 0 idle gaps per person" in capped.detail


def test_a_meeting_that_fits_as_things_stand_is_still_possible() -> None:
    event = make_event(["p1", "p2"], [wish("p1", "p2"), wish("p2", "p1")], days=one_day(2))
    u = only(explain_unmet(event, Schedule.of([])), "p2", "p1")
    assert (u.reason, u.mutual, u.priority) == ("still_possible", True, 2)
    assert u.blockers == (slot_text(event, 0), slot_text(event, 1))


def test_met_pairs_are_not_listed_in_either_direction() -> None:
    event = make_event(["p1", "p2", "p3"], [wish("p1", "p2"), wish("p2", "p1"), wish("p3", "p1")])
    unmet = explain_unmet(event, Schedule.of([Meeting(0, "1", "p2", "p1")]))
    assert [(u.requester, u.target) for u in unmet] == [("p3", "p1")]


def test_after_a_cutoff_only_the_future_counts() -> None:
    """A repair's cut-off: slots before it are past; a meeting then is history and cannot change."""
    people: list[PersonRow | str] = ["p1", person("p2", available="09:00-09:20"), "p3", "p4"]
    event = make_event(people, [wish("p1", "p2"), wish("p3", "p4"), wish("p3", "p1")], days=one_day(3))
    cutoff = dt.datetime(2027, 3, 10, 9, 20)
    schedule = Schedule.of([Meeting(0, "1", "p3", "p4"), Meeting(1, "1", "p1", "p3")])
    assert check_schedule(event, schedule, history_before=cutoff) == []
    unmet = explain_unmet(event, schedule, history_before=cutoff)
    late = only(unmet, "p1", "p2")
    assert late.reason == "no_common_time" and "before the re-plan" in late.detail
    # without the cut-off the same pair could still meet at 09:00
    assert only(explain_unmet(event, schedule), "p1", "p2").reason == "still_possible"


def test_the_csv_has_the_documented_columns_and_joins_blockers() -> None:
    event = make_event(["p1", "p2", "p3"], [wish("p1", "p2", 1), wish("p3", "p2")], days=one_day(1))
    unmet = explain_unmet(event, Schedule.of([Meeting(0, "1", "p2", "p3")]), search_seconds=ENOUGH)
    rows = list(csv.DictReader(io.StringIO(write_unmet_csv(unmet))))
    assert tuple(rows[0]) == UNMET_COLUMNS
    assert rows == [
        {
            "requester": "p1",
            "target": "p2",
            "priority": "1",
            "mutual": "no",
            "reason": "busy",
            "detail": unmet[0].detail,
            "blockers": "p2 with p3 at 2027-03-10 #1 09:00",
        }
    ]
    assert reason_counts(unmet) == {r: int(r == "busy") for r in REASONS}


# --- random events, checked by the oracle ----------------------------------------------------


def assert_explained(event: Event, schedule: Schedule, history_before: dt.datetime | None = None) -> list[UnmetWish]:
    """Every unmet wish once, with the first true reason, right blockers and, for busy, a change
    that works and earns what it says."""
    unmet = explain_unmet(event, schedule, search_seconds=ENOUGH, history_before=history_before)
    oracle = Oracle(event, schedule, history_before)
    expected = [(w.requester, w.target) for w in oracle.unmet_wishes()]
    assert [(u.requester, u.target) for u in unmet] == expected
    wishes = {(w.requester, w.target): w for w in event.wishes}
    scene = Scene(event, schedule, history_before)
    search = ChangeSearch(scene)
    before = check_schedule(event, schedule, history_before=history_before)
    for u in unmet:
        w = wishes[(u.requester, u.target)]
        true = oracle.true_reasons(w)
        note(f"{u} true: {true}")
        assert true and u.reason == true[0], f"{u.requester}->{u.target}: {u.reason}, but true are {true}"
        assert oracle.blocker_problems(w, u.reason, u.blockers) == []
        assert u.priority == w.priority
        assert u.mutual == any(
            (o.requester, o.target) == (w.target, w.requester) and not o.declined for o in event.wishes
        )
        if u.reason == "busy":
            key = (min(w.requester, w.target), max(w.requester, w.target))
            change = search.cheapest(scene.pair(key))
            if change is None:
                assert "found no change" in u.detail
                continue
            assert describe_change(scene, change) in u.detail
            changed = change.apply(schedule)
            after = check_schedule(event, changed, history_before=history_before)
            assert [v for v in after if v.rule != 7] == [], after  # rules 1-6 hold, tables included
            if not any(v.rule == 7 for v in before):
                assert after == [], after  # and the [fairness] caps, when they held before
            assert frozenset((w.requester, w.target)) in {m.pair for m in changed.meetings}
            gain = sum(pair_points_of(event, m.a, m.b) for m in changed.meetings) - sum(
                pair_points_of(event, m.a, m.b) for m in schedule.meetings
            )
            assert gain == change.net
    return unmet


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(case=cases(objective="maximise"), data=st.data())
def test_every_unmet_wish_of_a_hand_edited_schedule_has_one_true_reason(case: Case, data: st.DataObject) -> None:
    """The greedy's schedule with some meetings removed by hand (so some wishes still fit)."""
    event = case.event()
    greedy = assign_tables(event, mutual_first(event))
    kept = [m for m in greedy.meetings if data.draw(st.integers(0, 3), label="keep") > 0]
    assert_explained(event, Schedule.of(kept))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(objective="maximise"), data=st.data())
def test_every_unmet_wish_after_a_solve_and_a_repair_has_one_true_reason(case: Case, data: st.DataObject) -> None:
    """A solved schedule, then a repair after some people cancel, with locked rows and a cut-off."""
    event = case.event()
    options = SolveOptions(time_limit=1.0, deterministic=True, seed=3, workers=1)
    try:
        first = solve(event, options).schedule
    except NoScheduleError:
        return
    assert_explained(event, first)
    gone = set(data.draw(st.lists(st.sampled_from(sorted(event.participants)), max_size=2), label="cancel"))
    people = tuple(p | {"status": "cancelled"} if p["id"] in gone else p for p in case.people)
    later = dataclasses.replace(case, people=people).event()
    cut = data.draw(st.integers(0, len(event.slots) - 1), label="cutoff slot")
    cutoff = dt.datetime.combine(event.slots[cut].date, event.slots[cut].start)
    locked = Schedule.of(
        [dataclasses.replace(m, locked=data.draw(st.booleans(), label="lock")) for m in first.meetings]
    )
    try:
        repaired = solve(later, dataclasses.replace(options, previous=locked, cutoff=cutoff)).schedule
    except NoScheduleError:
        return
    assert_explained(later, repaired, history_before=cutoff)


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def small_event(tmp_path: Path) -> Path:
    people: list[PersonRow | str] = ["p1", person("p2", max_meetings=1), "p3", person("p4", status="cancelled"), "p5"]
    wishes = [wish("p1", "p2", 3), wish("p3", "p2", 1), wish("p1", "p4"), wish("p5", "p1"), wish("p1", "p5")]
    folder = tmp_path / "event"
    folder.mkdir()
    for name, data in zip(("event.toml", "participants.csv", "wishes.csv"), event_files(people, wishes), strict=True):
        (folder / name).write_bytes(data)
    return folder


def test_solve_writes_unmet_csv_and_reports_the_reasons(
    small_event: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, unmet_csv = tmp_path / "schedule.csv", tmp_path / "unmet.csv"
    code = main(["solve", str(small_event), "--out", str(out), "--unmet", str(unmet_csv), "--time-limit", "5"])
    assert code == 0
    report = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(unmet_csv.read_text(encoding="utf-8"))))
    assert [(r["requester"], r["target"], r["reason"]) for r in rows] == [
        ("p1", "p2", "cap_reached"),
        ("p1", "p4", "not_both_present"),
    ]
    assert rows[1]["blockers"] == "p4"
    assert "unmet wishes         2: not_both_present 1, cap_reached 1" in report
    assert "p1 -> p4 (not_both_present): P4 is cancelled." in report
    assert not list(tmp_path.glob(".unmet.csv.*"))  # written through a temporary file


def test_the_report_counts_reasons_without_unmet_csv(
    small_event: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["solve", str(small_event), "--out", str(tmp_path / "s.csv"), "--time-limit", "5"]) == 0
    assert "unmet wishes         2: not_both_present 1, cap_reached 1" in capsys.readouterr().out


def test_an_unwritable_unmet_path_is_bad_input_before_solving(
    small_event: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["solve", str(small_event), "--out", str(tmp_path / "s.csv"), "--unmet", str(tmp_path / "no" / "u.csv")]
    )
    assert code == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "s.csv").exists()


def test_the_columns_and_every_reason_are_documented() -> None:
    from test_docs_formats import code_block, missing, row_of, section

    text = section("Unmet wishes")
    assert code_block(text, "csv").splitlines()[0] == ",".join(UNMET_COLUMNS)
    assert missing(text, UNMET_COLUMNS) == []
    for reason in REASONS:
        assert row_of(text, reason)[1], f"`{reason}` is not explained"
    assert f"separated by `{BLOCKER_SEPARATOR}`" in row_of(text, "blockers")[1]


def test_the_benchmark_bar_passes_on_the_quick_event(tmp_path: Path) -> None:
    """`python -m benchmarks.unmet` on the 40-person quick case: the real command, then the oracle."""
    from benchmarks.unmet import measure, outcome_bars, outcome_table

    outcome = measure(40, tmp_path)
    assert outcome.unmet > 0 and outcome.failures == ()
    assert [b.name for b in outcome_bars(outcome) if not b.passed] == []
    assert outcome_table([outcome]).row(40)["confirmed"] == outcome.unmet
