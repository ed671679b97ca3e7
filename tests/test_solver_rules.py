"""Each hard rule and feature of formats.md, on a tiny event where it binds.

Every test solves with a short deterministic solve and asserts two things: the schedule obeys
the rule (the independent checker finds nothing, plus a direct look at what the rule is about),
and the solver still finds the best schedule the rule allows (the number of meetings, who
meets, the points). Exact slots are asserted only where the rule leaves a single choice.

Unless a test says otherwise an event has one day of four 20-minute slots, 09:00-10:20:
slot 1 at 09:00, slot 2 at 09:20, slot 3 at 09:40, slot 4 at 10:00, and ten shared tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from factories import (
    DATE,
    DATE2,
    DaySpec,
    EventSpec,
    make_event,
    pair,
    pairs_met,
    person,
    quick_solve,
    slot_number,
    wish,
)

from benchmarks.generator import GeneratorSpec, build_event
from scheduler.candidates import SHARED, candidate_pairs, pair_key
from scheduler.check.checker import check_schedule, holes
from scheduler.domain import Event, Meeting, Schedule
from scheduler.heuristics.insertion import insert_pairs
from scheduler.heuristics.local_search import reduce_holes
from scheduler.heuristics.state import Placement
from scheduler.io.loading import load_event_bytes
from scheduler.pipelines.repair import affected_people
from scheduler.pipelines.repair_plan import plan_repair
from scheduler.pipelines.run import Run
from scheduler.problems import MatchdayError, NoScheduleError
from scheduler.results import SolveOptions, SolveResult

SLOT1, SLOT2, SLOT3, SLOT4 = "09:00-09:20", "09:20-09:40", "09:40-10:00", "10:00-10:20"
ONE_SLOT = DaySpec(end="09:20")
TWO_SLOTS = DaySpec(end="09:40")


def solved(event: Event, **options: object) -> SolveResult:
    """Solve and assert the result passes the independent checker and reports itself correctly."""
    result = quick_solve(event, **options)
    assert check_schedule(event, result.schedule) == []
    if result.bound is not None:
        assert result.stats.points <= result.bound
    return result


def where(event: Event, schedule: Schedule) -> dict[frozenset[str], tuple[int, str]]:
    """Each met pair's (slot number, table); all test events here have one day unless noted."""
    return {m.pair: (event.slots[m.slot].number, m.table) for m in schedule.meetings}


# --- rule 1: wished, allowed pairs, each at most once -------------------------------------


def test_rule1_only_wished_pairs_meet_and_each_pair_once() -> None:
    event = make_event(["a", "b", "c", "d"], [("a", "b"), ("b", "a"), ("c", "d", 3)])
    result = solved(event)
    assert pairs_met(result.schedule) == {pair("a", "b"), pair("c", "d")}
    assert len(result.schedule) == 2  # four free slots, yet the mutual pair meets once
    assert result.stats.points == (2 + 2) * 2 + 1


def test_rule1_colleagues_never_meet_and_the_best_other_meeting_is_kept() -> None:
    # a and b work for the same organisation (compared case-insensitively, trimmed); the mutual
    # priority-1 wish between them is worth 12 but is not allowed. a is free in one slot only.
    people = [
        person("a", organisation="Org A", available=SLOT1),
        person("b", organisation=" org a"),
        person("c", organisation="Org C"),
        person("d"),
    ]
    wishes = [("a", "b", 1), ("b", "a", 1), ("c", "a", 3), ("d", "a", 2)]
    result = solved(make_event(people, wishes))
    assert pairs_met(result.schedule) == {pair("a", "d")}
    assert result.bound == 2


def test_rule1_colleagues_meet_when_the_event_allows_it() -> None:
    people = [person("a", organisation="Org A", available=SLOT1), person("b", organisation="Org A"), person("d")]
    wishes = [("a", "b", 1), ("b", "a", 1), ("d", "a", 2)]
    result = solved(make_event(people, wishes, same_organisation_meetings=True))
    assert pairs_met(result.schedule) == {pair("a", "b")}
    assert result.stats.points == 12


@pytest.mark.parametrize("status", ["cancelled", "absent", "Canceled"])
def test_rule1_cancelled_and_absent_people_get_nothing(status: str) -> None:
    people = [person("a", available=SLOT1), person("x", status=status), "b", "c"]
    wishes = [("a", "x", 1), ("x", "a", 1), ("x", "b"), ("b", "x"), ("c", "a", 3), ("b", "c")]
    result = solved(make_event(people, wishes))
    assert result.schedule.for_person("x") == []
    # a loses the 12-point meeting with x but still gets the best remaining one.
    assert pairs_met(result.schedule) == {pair("a", "c"), pair("b", "c")}
    assert "x" not in result.stats.people_without_meeting  # x could never have met


# --- rule 2: one meeting per person and slot ---------------------------------------------


def test_rule2_nobody_twice_in_a_slot_and_the_two_best_partners_win() -> None:
    # a has two slots and four partners who all want the same slots.
    people = [person("a", available=f"{SLOT1};{SLOT2}"), "b", "c", "d", "e"]
    wishes = [("b", "a", 3), ("c", "a", 1), ("d", "a", 2), ("a", "e", 1), ("e", "a", 3)]
    result = solved(make_event(people, wishes))
    slots = [m.slot for m in result.schedule.for_person("a")]
    assert len(slots) == len(set(slots)) == 2
    assert pairs_met(result.schedule) == {pair("a", "e"), pair("a", "c")}  # 8 and 3 points
    assert result.stats.points == 11 == result.bound


def test_rule2_a_triangle_in_two_slots_holds_two_meetings() -> None:
    event = make_event(["a", "b", "c"], [("a", "b", 1), ("b", "c", 2), ("a", "c", 3)], days=(TWO_SLOTS,))
    result = solved(event)
    assert pairs_met(result.schedule) == {pair("a", "b"), pair("b", "c")}
    assert result.stats.points == 5


# --- rule 3: availability and wish windows -----------------------------------------------


def test_rule3_availability_is_respected() -> None:
    people = [
        person("a", available=SLOT3),
        person("b", available=f"{SLOT1};{SLOT3};{SLOT4}"),
        person("c", available=SLOT1),
    ]
    event = make_event(people, [("a", "b"), ("b", "c"), ("a", "c")])  # a and c share no slot
    result = solved(event)
    assert where(event, result.schedule) == {pair("a", "b"): (3, "1"), pair("b", "c"): (1, "1")}


def test_rule3_a_window_past_the_day_is_clipped() -> None:
    event = make_event([person("a", available="10:00-18:00"), "b"], [("a", "b")])
    result = solved(event)
    assert [slot_number(event, m) for m in result.schedule.meetings] == [(DATE, 4)]


def test_rule3_the_wish_window_is_respected_and_both_windows_must_hold() -> None:
    people = ["a", "b", "c", "d"]
    wishes = [wish("a", "b", window="09:20-10:20"), wish("b", "a", window="09:00-10:00"), wish("c", "d", window=SLOT4)]
    event = make_event(people, wishes)
    result = solved(event)
    placed = where(event, result.schedule)
    assert placed[pair("a", "b")][0] in (2, 3)
    assert placed[pair("c", "d")][0] == 4


def test_rule3_morning_only_requests_compete_for_the_morning() -> None:
    # a can meet three people, but two of the requests are for slot 1 only: one of them is lost.
    wishes = [wish("b", "a", 1, SLOT1), wish("c", "a", 3, SLOT1), wish("d", "a", 2)]
    result = solved(make_event(["a", "b", "c", "d"], wishes))
    assert pairs_met(result.schedule) == {pair("a", "b"), pair("a", "d")}
    assert result.stats.points == 5 == result.bound


def test_rule3_multi_day_dated_windows() -> None:
    days = (DaySpec(DATE), DaySpec(DATE2))
    people = [
        person("a", available=f"{DATE} 09:40-10:20;{DATE2} 09:00-09:20"),
        person("b", available=f"{DATE2} 08:00-10:00"),  # starts before the day: clipped
        person("c", available=f"{DATE} 09:00-09:40"),
        person("d", available="09:40-10:00"),
    ]  # undated: the same time on both days
    wishes = [("a", "b", 1), ("a", "c"), ("a", "d"), ("b", "d"), ("c", "d")]
    event = make_event(people, wishes, days=days)
    result = solved(event)
    placed = {m.pair: slot_number(event, m) for m in result.schedule.meetings}
    assert placed[pair("a", "b")] == (DATE2, 1)  # the only common slot
    assert pair("a", "c") not in placed  # a is free on the 10th only after c has left
    assert placed[pair("a", "d")] == (DATE, 3)
    assert placed[pair("b", "d")] == (DATE2, 3)
    assert pair("c", "d") not in placed


def test_rule3_slots_that_overlap_a_break_do_not_exist() -> None:
    # 09:00-11:00 with a break 09:30-10:00: slots 09:00, then 10:00 10:20 10:40 (the 09:20 and
    # 09:40 slots overlap the break and are dropped; the grid does not realign).
    day = DaySpec(end="11:00", breaks=("09:30-10:00",))
    people = [person("a", available="09:00-10:20"), "b", "c", "d"]
    event = make_event(people, [("a", "b"), ("a", "c"), ("a", "d")], days=(day,))
    assert [f"{s.start:%H:%M}" for s in event.slots] == ["09:00", "10:00", "10:20", "10:40"]
    result = solved(event)
    assert len(result.schedule.for_person("a")) == 2
    assert {event.slots[m.slot].number for m in result.schedule.meetings} == {1, 2}


# --- rule 4: personal caps ---------------------------------------------------------------


def test_rule4_cap_of_one_gives_exactly_the_most_valuable_meeting() -> None:
    people = [person("a", max_meetings=1), "b", "c", "d"]
    wishes = [("b", "a", 3), ("c", "a", 1), ("d", "a", 2)]
    result = solved(make_event(people, wishes))
    assert pairs_met(result.schedule) == {pair("a", "c")}
    assert result.stats.points == 3 == result.bound


def test_rule4_cap_binds_across_days_and_leaves_others_alone() -> None:
    days = (DaySpec(DATE), DaySpec(DATE2))
    people = [person("a", max_meetings=2), "b", "c", "d", "e"]
    wishes = [("a", "b", 3), ("a", "c"), ("a", "d", 1), ("b", "c"), ("b", "d"), ("c", "e")]
    result = solved(make_event(people, wishes, days=days))
    assert len(result.schedule.for_person("a")) == 2
    assert pair("a", "b") not in pairs_met(result.schedule)
    assert {pair("b", "c"), pair("b", "d"), pair("c", "e")} <= pairs_met(result.schedule)


def test_rule4_cap_of_zero_means_no_meetings() -> None:
    result = solved(make_event([person("a", max_meetings=0), "b", "c"], [("a", "b"), ("b", "c")]))
    assert pairs_met(result.schedule) == {pair("b", "c")}


# --- rule 5: shared tables ---------------------------------------------------------------


def test_rule5_one_table_and_three_pairs_in_one_slot_means_one_meeting() -> None:
    people = [person(p, available=SLOT2) for p in "abcdef"]
    wishes = [("a", "b", 3), ("c", "d", 1), ("e", "f"), ("f", "e")]
    event = make_event(people, wishes, tables=1)
    result = solved(event)
    assert where(event, result.schedule) == {pair("e", "f"): (2, "1")}
    assert result.stats.points == 8 == result.bound


def test_rule5_tables_are_reused_across_slots() -> None:
    people = [person(p, available=f"{SLOT1};{SLOT2}") for p in "abcdef"]
    event = make_event(people, [("a", "b"), ("c", "d"), ("e", "f", 1)], tables=1)
    result = solved(event)
    assert len(result.schedule) == 2
    assert pair("e", "f") in pairs_met(result.schedule)
    assert {m.table for m in result.schedule.meetings} == {"1"}


def test_rule5_table_labels_are_used_and_no_table_hosts_two_meetings() -> None:
    people = ["a", "b", "c", "d", "e", "f"]
    wishes = [("a", "b"), ("c", "d"), ("e", "f"), ("a", "c"), ("b", "d")]
    event = make_event(people, wishes, tables=2, table_labels=("Red", "Blue"), days=(ONE_SLOT,))
    result = solved(event)
    assert len(result.schedule) == 2
    assert sorted(m.table for m in result.schedule.meetings) == ["Blue", "Red"]


def test_rule5_no_shared_tables_only_booth_meetings() -> None:
    people = [person("a", table="Booth A"), "b", "c", "d"]
    event = make_event(people, [("b", "a"), ("c", "d", 1)], tables=0)
    result = solved(event)
    assert pairs_met(result.schedule) == {pair("a", "b")}
    assert [m.table for m in result.schedule.meetings] == ["Booth A"]


# --- rule 6: fixed tables ----------------------------------------------------------------


def test_rule6_a_booth_holder_meets_at_the_booth_without_using_a_shared_table() -> None:
    # One shared table, one slot: c-d takes it, and a-b still meets at a's booth.
    people = [person("a", table="Booth 7"), "b", "c", "d"]
    event = make_event(people, [("b", "a"), ("c", "d")], tables=1, days=(ONE_SLOT,))
    result = solved(event)
    assert where(event, result.schedule) == {pair("a", "b"): (1, "Booth 7"), pair("c", "d"): (1, "1")}


def test_rule6_two_booth_holders_meet_at_one_of_their_booths() -> None:
    people = [person("a", table="Booth A"), person("b", table="Booth B")]
    event = make_event(people, [("a", "b")])
    result = solved(event)
    (meeting,) = result.schedule.meetings
    assert meeting.table in ("Booth A", "Booth B")


def test_rule6_colleagues_sharing_a_booth_take_turns() -> None:
    # a1 and a2 share "Booth 7"; in one slot only one of them can receive a visitor.
    people = [
        person("a1", organisation="A", table="Booth 7"),
        person("a2", organisation="A", table="Booth 7"),
        "x",
        "y",
    ]
    wishes = [("x", "a1", 3), ("y", "a2", 1)]
    event = make_event(people, wishes, days=(ONE_SLOT,))
    result = solved(event)
    assert where(event, result.schedule) == {pair("a2", "y"): (1, "Booth 7")}
    two_slots = make_event(people, wishes, days=(TWO_SLOTS,))
    result = solved(two_slots)
    assert pairs_met(result.schedule) == {pair("a1", "x"), pair("a2", "y")}
    assert {m.slot for m in result.schedule.meetings} == {0, 1}


def test_rule6_a_contested_booth_pushes_a_booth_pair_to_the_other_booth() -> None:
    # a1 and a2 share "Booth 7"; b has "Booth B". In the single slot, a1-b must use Booth B so
    # that a2-c can use Booth 7.
    people = [
        person("a1", organisation="A", table="Booth 7"),
        person("a2", organisation="A", table="Booth 7"),
        person("b", table="Booth B"),
        "c",
    ]
    event = make_event(people, [("a1", "b"), ("a2", "c")], days=(ONE_SLOT,))
    result = solved(event)
    assert where(event, result.schedule) == {pair("a1", "b"): (1, "Booth B"), pair("a2", "c"): (1, "Booth 7")}


# --- weights: priorities and mutual wishes -----------------------------------------------


def test_points_follow_formats_md() -> None:
    people = ["a", "b", "c", "d", "e", "f", "g", "h"]
    wishes = [
        ("a", "b", 1),
        ("b", "a", 1),  # mutual 1/1: (3 + 3) * 2 = 12
        ("c", "d", 2),  # one-sided normal: 2
        ("e", "f", 3),
        ("f", "e", 1),  # mutual 3/1: (1 + 3) * 2 = 8
        ("g", "h", 3),
    ]  # one-sided low: 1
    result = solved(make_event(people, wishes))
    assert len(result.schedule) == 4
    assert result.stats.points == 12 + 2 + 8 + 1 == result.bound
    assert result.stats.mutual_meetings == 2


def test_a_repeated_wish_counts_once_with_its_first_priority() -> None:
    event = make_event(["a", "b"], [("a", "b", 1), ("a", "b", 3)])
    assert solved(event).stats.points == 3


def test_the_mutual_priority_one_pair_wins_when_pairs_conflict() -> None:
    # a has one slot; everyone wants a. Mutual 1/1 is worth 12; the others at most 3 + 3 apart.
    people = [person("a", available=SLOT2), "b", "c", "d", "e"]
    wishes = [("c", "a", 1), ("a", "d", 1), ("b", "a", 1), ("a", "b", 1), ("e", "a", 2), ("a", "e", 3)]
    result = solved(make_event(people, wishes))
    assert pairs_met(result.schedule) == {pair("a", "b")}
    assert result.stats.points == 12


def test_the_mutual_pair_beats_two_one_sided_pairs_it_blocks() -> None:
    # One slot: a-b mutual (2+2)*2 = 8 against a-c and b-d, one-sided priority 1 (3 + 3 = 6).
    # Points alone (min_meetings 0): the default minimum of 1 would rightly prefer a-c and b-d.
    people = [person(p, available=SLOT1) for p in "abcd"]
    wishes = [("a", "b"), ("b", "a"), ("c", "a", 1), ("d", "b", 1)]
    result = solved(dataclasses.replace(make_event(people, wishes), min_meetings=0))
    assert pairs_met(result.schedule) == {pair("a", "b")}
    assert result.stats.points == 8


def test_custom_weights_change_the_choice() -> None:
    # With mutual_multiplier 1 and priority 1 worth 10, a one-sided high wish beats a mutual low one.
    people = [person("a", available=SLOT1), "b", "c"]
    wishes = [("a", "b", 3), ("b", "a", 3), ("c", "a", 1)]
    weights = {"priority_points": {1: 10, 2: 2, 3: 1}, "mutual_multiplier": 1}
    result = solved(make_event(people, wishes, weights=weights))
    assert pairs_met(result.schedule) == {pair("a", "c")}
    assert result.stats.points == 10
    default = solved(make_event(people, wishes))  # by default: (1 + 1) * 2 = 4 beats 3
    assert pairs_met(default.schedule) == {pair("a", "b")}


# --- secondary goals in "maximise" mode: nobody left out, holes ----------------------------


def test_when_points_tie_the_solver_covers_more_people() -> None:
    # One shared table, two slots: two of a-b, a-c, b-d meet (2 points each, 4 in total however
    # they are chosen). Only a-c with b-d gives all four people a meeting.
    event = make_event(["a", "b", "c", "d"], [("a", "b"), ("a", "c"), ("b", "d")], tables=1, days=(TWO_SLOTS,))
    result = solved(event)
    assert result.stats.points == 4
    assert result.stats.people_without_meeting == ()
    assert pairs_met(result.schedule) == {pair("a", "c"), pair("b", "d")}


def test_when_points_tie_the_solver_covers_more_people_one_slot_each() -> None:
    # a is free in one slot and c, z both want a; c also wants d. a-z with c-d covers all four;
    # a-c with c-d earns as much (every wish is worth 2) but leaves z out.
    people = [person("a", available=SLOT1), "c", "d", "z"]
    event = make_event(people, [("c", "a"), ("z", "a"), ("c", "d")])
    result = solved(event)
    assert result.stats.points == 4
    assert result.stats.people_without_meeting == ()
    assert pairs_met(result.schedule) == {pair("a", "z"), pair("c", "d")}


def test_the_solver_finds_a_schedule_without_holes() -> None:
    # a-c is mutual and could meet in any slot; b is free in slot 3 only. A greedy that places
    # a-c first in slot 1 leaves a with a hole; the best schedule puts a-c next to a-b.
    people = ["a", person("b", available=SLOT3), "c"]
    event = make_event(people, [("a", "c"), ("c", "a"), ("a", "b")])
    result = solved(event)
    assert len(result.schedule) == 2
    assert result.stats.holes == 0
    assert not any(holes(event, result.schedule.meetings).values())
    assert where(event, result.schedule)[pair("a", "c")][0] in (2, 4)


def test_holes_are_minimised_for_everybody_at_once() -> None:
    # a meets b, c, d; b is free in slots 1 and 4, c in 2 and 4, d anywhere; d also meets e.
    # 0 holes: a meets b 1, c 2, d 3 (or c 2, d 3, b 4), and d meets e next to a.
    people = ["a", person("b", available=f"{SLOT1};{SLOT4}"), person("c", available=f"{SLOT2};{SLOT4}"), "d", "e"]
    event = make_event(people, [("a", "b"), ("a", "c"), ("d", "a", 1), ("d", "e")])
    result = solved(event)
    assert result.stats.points == 9
    assert result.stats.holes == 0


def test_a_break_between_two_meetings_is_not_a_hole() -> None:
    # 09:00-11:00 with lunch 10:00-10:20: slots 09:00 09:20 09:40 | 10:20 10:40.
    day = DaySpec(end="11:00", breaks=("10:00-10:20",))
    people = ["a", person("b", available="09:40-10:00"), person("c", available="10:20-10:40")]
    event = make_event(people, [("a", "b"), ("a", "c")], days=(day,))
    result = solved(event)
    assert where(event, result.schedule) == {pair("a", "b"): (3, "1"), pair("a", "c"): (4, "1")}
    assert result.stats.holes == 0


def test_fairness_max_holes_holds_in_maximise_mode_when_set() -> None:
    # b is free in slot 1 only, c in slot 3 only: a can have both meetings only with a hole.
    # max_holes = 0 in [fairness] allows one of them (the more valuable one).
    people = ["a", person("b", available=SLOT1), person("c", available=SLOT3)]
    event = make_event(people, [("a", "b", 3), ("a", "c", 1)], max_holes=0)
    result = solved(event)  # asserts the checker, which enforces max_holes in every mode
    assert pairs_met(result.schedule) == {pair("a", "c")}


def test_fairness_max_spread_holds_in_maximise_mode_when_set() -> None:
    # A triangle in three slots: all three meetings leave one person with a hole and the others
    # with none, a spread of 1. With max_spread = 0 the best valid schedule holds two meetings.
    event = make_event(
        ["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")], days=(DaySpec(end="10:00"),), max_spread=0
    )
    result = solved(event)
    assert len(result.schedule) == 2
    assert result.stats.points == 4


# --- "all" mode (rule 7) -----------------------------------------------------------------


def test_all_mode_places_every_pair_without_holes_when_possible() -> None:
    # The greedy's slot-by-slot choice leaves a hole (see above); "all" mode must find 0 holes.
    # b is free in slots 3 and 4; 0 holes: a-c 2, a-b 3, c-d 3, b-d 4.
    people = ["a", person("b", available=f"{SLOT3};{SLOT4}"), "c", "d"]
    wishes = [("a", "c"), ("c", "a"), ("a", "b"), ("c", "d"), ("d", "b", 3)]
    event = make_event(people, wishes, objective="all")
    result = solved(event)
    assert pairs_met(result.schedule) == {pair("a", "c"), pair("a", "b"), pair("c", "d"), pair("b", "d")}
    assert result.stats.holes == 0
    assert result.objective == "all"


def test_all_mode_places_low_value_pairs_too() -> None:
    # In "maximise" mode only 1 of the 3 pairs fits a's single slot; "all" mode needs a slot each.
    people = [person("a", available=f"{SLOT1};{SLOT2};{SLOT4}"), "b", "c", "d"]
    event = make_event(people, [("b", "a", 3), ("c", "a", 1), ("d", "a", 2)], objective="all")
    result = solved(event)
    assert len(result.schedule) == 3
    assert holes(event, result.schedule.meetings).get("a", 0) == 1  # slot 3 is missing for a: forced


def test_all_mode_respects_max_holes() -> None:
    # a must meet b (slot 1 only), c (slot 1 or 3) and d (anywhere); with max_holes = 0 there is
    # one way: b 1, d 2, c 3.
    people = ["a", person("b", available=SLOT1), person("c", available=f"{SLOT1};{SLOT3}"), "d"]
    event = make_event(people, [("a", "b"), ("a", "c"), ("a", "d")], objective="all", max_holes=0)
    result = solved(event)
    assert where(event, result.schedule) == {
        pair("a", "b"): (1, "1"),
        pair("a", "d"): (2, "1"),
        pair("a", "c"): (3, "1"),
    }


def test_all_mode_skips_pairs_that_are_not_allowed() -> None:
    people = [person("a", organisation="A"), person("b", organisation="A"), person("x", status="absent"), "c"]
    event = make_event(people, [("a", "b"), ("a", "x"), ("a", "c")], objective="all")
    result = solved(event)
    assert pairs_met(result.schedule) == {pair("a", "c")}


@pytest.mark.parametrize(
    "people, wishes, days, tables, named",
    [
        pytest.param(
            [person("a", available=SLOT1), person("b", available=SLOT2)],
            [("a", "b")],
            (DaySpec(),),
            10,
            ["A (a)", "B (b)"],
            id="no common slot",
        ),
        pytest.param(
            ["a", "b", "c", "d"],
            [("a", "b"), ("a", "c"), ("a", "d")],
            (TWO_SLOTS,),
            10,
            ["A (a)"],
            id="more meetings than slots",
        ),
        pytest.param(
            [person("a", max_meetings=1), "b", "c"], [("a", "b"), ("c", "a")], (DaySpec(),), 10, ["A (a)"], id="cap"
        ),
        pytest.param(
            ["a", "b", "c"],
            [("a", "b"), ("b", "c"), ("c", "a")],
            (TWO_SLOTS,),
            10,
            ["A (a)", "B (b)", "C (c)"],
            id="triangle in two slots",
        ),
        pytest.param(
            ["a", "b", "c", "d", "e", "f"],
            [("a", "b"), ("c", "d"), ("e", "f")],
            (ONE_SLOT,),
            2,
            [],
            id="too few tables",
        ),
    ],
)
def test_all_mode_infeasible_is_explained(
    people: list, wishes: list, days: tuple[DaySpec, ...], tables: int, named: list[str]
) -> None:
    event = make_event(people, wishes, objective="all", days=days, tables=tables)
    with pytest.raises(NoScheduleError) as info:
        quick_solve(event)
    err = info.value
    assert err.infeasible is True
    assert err.reason
    assert err.details
    text = "\n".join(err.details)
    for name in named:
        assert name in text


def test_all_mode_infeasible_hole_limit_is_explained() -> None:
    # a must meet b in slot 1 and c in slot 3: one hole, but max_holes = 0.
    people = ["a", person("b", available=SLOT1), person("c", available=SLOT3)]
    event = make_event(people, [("a", "b"), ("a", "c")], objective="all", max_holes=0)
    with pytest.raises(NoScheduleError) as info:
        quick_solve(event)
    assert info.value.infeasible is True
    text = "\n".join(info.value.details)
    assert "A (a)" in text and "B (b)" in text and "C (c)" in text


# --- re-solving with a previous schedule ---------------------------------------------------


def test_a_locked_row_stays_exactly_where_it_is() -> None:
    # Left alone the solver would put a-b in slot 1 at table 1; the locked row says slot 3, "2".
    event = make_event(["a", "b", "c", "d"], [("a", "b"), ("c", "d"), ("a", "c")], tables=2)
    locked = Meeting(event.slots[2].index, "2", "a", "b", locked=True)
    result = solved(event, previous=Schedule.of([locked]))
    assert locked in result.schedule.meetings
    assert pairs_met(result.schedule) == {pair("a", "b"), pair("c", "d"), pair("a", "c")}


def test_a_locked_row_stays_even_when_it_costs_points() -> None:
    # a has one slot; the locked low-value meeting with b keeps it from the 12-point meeting with c.
    people = [person("a", available=SLOT1), "b", "c"]
    event = make_event(people, [("a", "b", 3), ("a", "c", 1), ("c", "a", 1)])
    locked = Meeting(0, "5", "a", "b", locked=True)
    result = solved(event, previous=Schedule.of([locked]))
    assert result.schedule.meetings == (locked,)
    assert result.stats.points == 1


def test_a_locked_row_stays_in_all_mode() -> None:
    event = make_event(["a", "b", "c"], [("a", "b"), ("a", "c"), ("b", "c")], objective="all", max_holes=1)
    locked = Meeting(3, "1", "b", "c", locked=True)
    result = solved(event, previous=Schedule.of([locked]))
    assert locked in result.schedule.meetings
    assert len(result.schedule) == 3


def test_a_locked_row_with_a_cancelled_person_is_dropped_with_a_warning() -> None:
    event = make_event(["a", person("b", status="cancelled"), "c"], [("a", "b"), ("a", "c")])
    locked = Meeting(0, "1", "a", "b", locked=True)
    result = solved(event, previous=Schedule.of([locked]))
    assert pairs_met(result.schedule) == {pair("a", "c")}
    assert [w.code for w in result.warnings] == ["locked_dropped"]


def test_unlocked_previous_rows_stay_when_nothing_is_gained_by_moving_them() -> None:
    # A valid, optimal, hole-free previous schedule: re-solving must not reshuffle it.
    event = make_event(["a", "b", "c", "d"], [("a", "b"), ("c", "d"), ("a", "c")], tables=2)
    previous = Schedule.of([Meeting(3, "2", "a", "b"), Meeting(3, "1", "c", "d"), Meeting(2, "2", "a", "c")])
    assert check_schedule(event, previous) == []
    result = solved(event, previous=previous)
    assert result.schedule == previous


def test_a_locked_row_that_breaks_a_hard_rule_is_refused() -> None:
    event = make_event(["a", "b", person("c", available=SLOT1)], [("a", "b"), ("a", "c")])
    for bad in (
        Meeting(0, "1", "b", "c", locked=True),  # nobody asked
        Meeting(1, "1", "a", "c", locked=True),
    ):  # c is not available
        with pytest.raises(MatchdayError, match="locked"):
            quick_solve(event, previous=Schedule.of([bad]))


def test_rows_before_the_cutoff_are_history() -> None:
    # b has since cancelled, but the 09:00 meeting already happened; the re-solve at 09:30 keeps
    # it and plans only slots 3 and 4.
    event = make_event(["a", person("b", status="cancelled"), "c", "d"], [("a", "b"), ("a", "c"), ("c", "d")])
    history = Meeting(0, "1", "a", "b")
    cutoff = dt.datetime.combine(event.slots[2].date, event.slots[2].start)
    result = quick_solve(event, previous=Schedule.of([history]), cutoff=cutoff)
    assert history in result.schedule.meetings
    new = [m for m in result.schedule.meetings if m != history]
    assert all(event.slots[m.slot].start >= cutoff.time() for m in new)
    assert pairs_met(Schedule.of(new)) == {pair("a", "c"), pair("c", "d")}


@pytest.mark.parametrize("objective", ["maximise", "all"])
def test_hole_caps_count_the_history_of_the_day(objective: str) -> None:
    # a met b at 09:00 before the 09:20 cut-off; with max_holes = 0 the new meetings must follow
    # it directly, or a hole opens between history and plan.
    event = make_event(
        ["a", "b", "c", "d"],
        [("a", "b"), ("a", "c"), ("a", "d")],
        max_holes=0,
        objective=objective,
        days=(DaySpec(end="11:00"),),
    )
    history = Meeting(0, "1", "a", "b")
    cutoff = dt.datetime.combine(event.slots[1].date, event.slots[1].start)
    result = quick_solve(event, previous=Schedule.of([history]), cutoff=cutoff)
    assert check_schedule(event, result.schedule, history_before=cutoff) == []
    assert sorted(m.slot for m in result.schedule.meetings) == [0, 1, 2]


def test_all_mode_is_infeasible_when_history_forces_a_hole() -> None:
    # c can only meet at 10:20, long after a's 09:00 history meeting: a hole is unavoidable.
    event = make_event(
        ["a", "b", person("c", available="10:20-10:40")],
        [("a", "b"), ("a", "c")],
        max_holes=0,
        objective="all",
        days=(DaySpec(end="11:00"),),
    )
    cutoff = dt.datetime.combine(event.slots[1].date, event.slots[1].start)
    with pytest.raises(NoScheduleError) as info:
        quick_solve(event, previous=Schedule.of([Meeting(0, "1", "a", "b")]), cutoff=cutoff)
    assert info.value.infeasible


def test_all_mode_repair_keeps_previous_rows_in_place() -> None:
    # Every pair must meet; the previous plan is valid, so a re-solve must not move anything,
    # even though the reverse order would serve equally well.
    event = make_event(["a", "b", "c"], [("a", "b"), ("a", "c")], objective="all")
    previous = Schedule.of([Meeting(1, "1", "a", "c"), Meeting(2, "1", "a", "b")])
    assert check_schedule(event, previous) == []
    result = quick_solve(event, previous=previous)
    assert result.schedule == previous
    assert result.repair is not None and result.repair["kept"] == 2 and result.repair["points_fresh_solve"] is None


# --- the result describes itself --------------------------------------------------------------


def test_result_reports_bound_and_optimality() -> None:
    event = make_event(["a", "b", "c"], [("a", "b", 1), ("b", "a"), ("b", "c")], spec=EventSpec(tables=1))
    result = solved(event)
    assert result.stats.points == result.bound == 10 + 2
    assert result.optimal
    assert result.parameters["deterministic"] is True
    assert result.parameters["workers"] == 1
    assert result.stats.wished_pairs == 2


@pytest.mark.parametrize(("move_cost", "moves"), [(4, True), (12, False)])
def test_making_room_moves_a_kept_meeting_only_when_the_new_pair_is_worth_more(move_cost: int, moves: bool) -> None:
    # a-b (2 points) sits in slot 1, the only slot c has; the mutual a-c (12 points) fits only if
    # a-b moves to slot 2, which pays when moving costs less than 12.
    event = make_event(
        ["a", "b", person("c", available=SLOT1)],
        [("a", "b"), ("a", "c", 1), ("c", "a", 1)],
        days=(DaySpec(end="09:40"),),
    )
    pairs = {p.key: p for p in candidate_pairs(event)}
    kept = Placement(pairs[("a", "b")], 0, SHARED)

    def price(p: Placement, new: int) -> int:  # as a repair prices leaving a previous slot
        return move_cost * ((p.slot == 0) - (new == 0)) if p.pair.key == ("a", "b") else 0

    placed = insert_pairs(event, [kept], [pairs[("a", "c")]], seconds=1.0, price=price)
    assert {(p.pair.key, p.slot) for p in placed} == (
        {(("a", "b"), 1), (("a", "c"), 0)} if moves else {(("a", "b"), 0)}
    )


def test_hole_polish_brings_a_person_above_the_cap_down_step_by_step() -> None:
    # a meets b, c and d at 09:00, 10:00 and 11:00: two holes against a cap of 0. No single move
    # reaches 0, so the search must accept the step to one hole on the way.
    event = make_event(
        ["a", "b", "c", "d"], [("a", "b"), ("a", "c"), ("a", "d")], max_holes=0, days=(DaySpec(end="11:20"),)
    )
    pairs = {p.key: p for p in candidate_pairs(event)}
    start = [Placement(pairs[("a", x)], slot, SHARED) for x, slot in (("b", 0), ("c", 3), ("d", 6))]
    polished = reduce_holes(event, start, seconds=2.0, seed=1, max_moves=20_000)
    assert sorted(p.pair.key for p in polished) == [("a", "b"), ("a", "c"), ("a", "d")]
    slots = sorted(p.slot for p in polished)
    assert slots == list(range(slots[0], slots[0] + 3))  # back to back: no hole


def test_refill_within_hole_caps_only_uses_slots_that_keep_the_cap() -> None:
    # a meets b at 09:40; with max_holes = 0 the a-c meeting may only go right before or after it.
    event = make_event(["a", "b", "c"], [("a", "b"), ("a", "c")], max_holes=0, days=(DaySpec(end="10:40"),))
    pairs = {p.key: p for p in candidate_pairs(event)}
    placed = insert_pairs(
        event,
        [Placement(pairs[("a", "b")], 2, SHARED)],
        [pairs[("a", "c")]],
        seconds=1.0,
        max_tries=0,
        within_hole_caps=True,
    )
    [ac] = [p for p in placed if p.pair.key == ("a", "c")]
    assert ac.slot in (1, 3)


def test_a_hole_cap_in_maximise_mode_costs_few_points() -> None:
    # A generated 60-person day with at most one hole each: the polish must bring everyone under
    # the cap by moving meetings, not by dropping them (it once kept barely a third of the points).
    generated = build_event(GeneratorSpec(participants=60, wishes=600, seed=3))
    event = load_event_bytes(
        generated.event_toml + b"\n[fairness]\nmax_holes = 1\n", generated.participants_csv, generated.wishes_csv
    ).event
    capped = solved(event, time_limit=3.0)
    assert max(holes(event, capped.schedule.meetings).values(), default=0) <= 1
    assert capped.bound is not None and capped.stats.points >= 0.95 * capped.bound


def test_a_re_solve_refills_around_the_untouched_meetings_and_frees_only_the_people_touched() -> None:
    # b cancels: a loses the 09:00 meeting; c-d and a-c did not involve b and stay exactly where
    # they were. a and e both have 09:00 free: the refill puts them there.
    event = make_event(
        ["a", person("b", status="cancelled"), "c", "d", "e"],
        [("a", "b"), ("c", "d"), ("a", "c"), ("a", "e"), ("e", "d")],
        tables=10,
    )
    previous = Schedule.of([Meeting(0, "1", "a", "b"), Meeting(0, "2", "c", "d"), Meeting(1, "1", "a", "c")])
    plan = plan_repair(event, previous, None)
    run = Run(plan.future, SolveOptions(previous=previous), None, None, plan, pairs=list(plan.pairs))
    kept = [Placement(run.pairs[run.index_of[pair_key(m.a, m.b)]], m.slot, SHARED) for m in plan.preferred]
    # a lost a meeting; e has none and is below the default minimum of one; c and d are untouched
    assert affected_people(run, kept) & {"a", "c", "d", "e"} == {"a", "e"}
    result = solved(event, previous=previous)
    assert {Meeting(0, "2", "c", "d"), Meeting(1, "1", "a", "c")} <= set(result.schedule.meetings)
    assert any(m.pair == pair("a", "e") for m in result.schedule.meetings)
    assert check_schedule(event, result.schedule) == []


def test_meetings_before_the_cutoff_count_towards_the_minimum() -> None:
    # a met b before the cut-off: a is not owed another meeting by the default minimum; c is.
    event = make_event(["a", "b", "c"], [("a", "b"), ("c", "a")])
    previous = Schedule.of([Meeting(0, "1", "a", "b")])
    cutoff = dt.datetime.combine(event.slots[1].date, event.slots[1].start)
    plan = plan_repair(event, previous, cutoff)
    run = Run(plan.future, SolveOptions(previous=previous, cutoff=cutoff), None, None, plan, pairs=list(plan.pairs))
    assert run.owed == {"c": 1}
