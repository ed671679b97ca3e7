"""The independent checker: a valid schedule passes, and each hard rule's breach is caught."""

from __future__ import annotations

import dataclasses

import pytest

from scheduler.check.checker import Violation, check_schedule, holes
from scheduler.domain import Event, Meeting, Schedule
from scheduler.io.loading import load_event_bytes

# One day, 20-minute slots, a break: slots 0..4 start 09:00 09:20 09:40 | 10:20 10:40.
TOML = """
slot_minutes = 20
tables = 2
{extra}
[[days]]
date = "2027-03-10"
start = "09:00"
end = "11:00"
breaks = ["10:00-10:20"]
"""
PEOPLE = """id,name,organisation,available,max_meetings,status,table
ann,Ann Åberg,Org A,,,,
ben,Ben Bērziņš,Org B,,,,
cat,Cat,org a ,,,,
dan,Dan,Org D,09:00-10:00,,,
eve,Eve,Org E,,,cancelled,
fay,Fay,Org F,,,,Booth F
gus,Gus,Org G,,1,,
hal,Hal,Org H,,,,Booth H
ida,Ida,,,,,
jo,Jo,,,,,
"""
WISHES = """requester,target,window
ann,ben,09:00-10:00
ben,ann,
ann,cat,
ann,dan,
ben,eve,
fay,ben,
gus,ann,
gus,ben,
hal,fay,
ida,jo,
"""


def make_event(extra: str = "", people: str = PEOPLE, wishes: str = WISHES) -> Event:
    """An Event built through the real loader from inline file contents."""
    return load_event_bytes(TOML.format(extra=extra).encode(), people.encode(), wishes.encode()).event


def rules(event: Event, *meetings: Meeting) -> list[tuple[int, str]]:
    return [(v.rule, v.code) for v in check_schedule(event, Schedule.of(list(meetings)))]


M = Meeting
VALID = (
    M(0, "1", "ann", "ben"),
    M(0, "2", "ida", "jo"),
    M(1, "Booth F", "fay", "ben"),
    M(1, "1", "ann", "dan"),
    M(2, "Booth H", "hal", "fay"),
    M(3, "1", "gus", "ann"),
)


@pytest.fixture(scope="module")
def event() -> Event:
    return make_event()


def test_valid_schedule_has_no_violations(event: Event) -> None:
    assert check_schedule(event, Schedule.of(list(VALID))) == []
    assert check_schedule(event, Schedule.of([])) == []


# --- rule 1 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "meeting, code",
    [
        (M(0, "1", "ben", "dan"), "not_wished"),
        (M(0, "1", "ann", "cat"), "colleagues"),  # organisation compared case-insensitively, stripped
        (M(0, "1", "ben", "eve"), "inactive"),
        (M(0, "1", "ann", "ann"), "self_meeting"),
        (M(0, "1", "ann", "zed"), "unknown_participant"),
    ],
)
def test_rule1_pair_not_allowed(event: Event, meeting: Meeting, code: str) -> None:
    assert rules(event, meeting) == [(1, code)]


def test_rule1_pair_meets_twice(event: Event) -> None:
    assert rules(event, M(0, "1", "ann", "ben"), M(1, "1", "ben", "ann")) == [(1, "pair_twice")]


def test_rule1_declined_wish_does_not_count(event: Event) -> None:
    declined = tuple(dataclasses.replace(w, declined=w.requester == "ida") for w in event.wishes)
    assert rules(dataclasses.replace(event, wishes=declined), M(0, "1", "ida", "jo")) == [(1, "not_wished")]


def test_rule1_empty_organisation_never_matches_and_colleagues_may_be_allowed(event: Event) -> None:
    assert rules(event, M(0, "1", "ida", "jo")) == []
    assert rules(make_event("same_organisation_meetings = true"), M(0, "1", "ann", "cat")) == []


# --- rules 2 to 6 ------------------------------------------------------------------------


def test_rule2_nobody_twice_in_a_slot(event: Event) -> None:
    assert rules(event, M(1, "1", "ann", "ben"), M(1, "2", "ann", "dan")) == [(2, "double_booked")]


def test_rule3_availability_and_windows(event: Event) -> None:
    assert rules(event, M(3, "1", "ann", "dan")) == [(3, "unavailable")]
    v = check_schedule(event, Schedule.of([M(3, "1", "ann", "ben")]))  # ann's window is 09:00-10:00
    assert [(x.rule, x.code, x.people, x.slot) for x in v] == [(3, "outside_window", ("ann",), 3)]
    assert "Ann Åberg (ann)" in v[0].message and "2027-03-10 slot 4 (10:20-10:40)" in v[0].message


def test_rule3_slot_out_of_range(event: Event) -> None:
    assert rules(event, M(99, "1", "ann", "ben")) == [(3, "no_such_slot")]


def test_rule4_personal_cap(event: Event) -> None:
    assert rules(event, M(0, "1", "gus", "ann"), M(1, "1", "gus", "ben")) == [(4, "over_cap")]


def test_rule5_tables(event: Event) -> None:
    assert rules(event, M(0, "Z9", "ann", "ben")) == [(5, "unknown_table")]
    assert rules(event, M(0, "1", "ann", "ben"), M(0, "1", "ida", "jo")) == [(5, "table_twice")]
    # With one label per shared table, too many shared meetings always reuse a label too.
    one_table = dataclasses.replace(event, table_labels=("1",))
    assert sorted(rules(one_table, M(0, "1", "ann", "ben"), M(0, "1", "ida", "jo"))) == [
        (5, "table_twice"),
        (5, "too_many_tables"),
    ]


def test_rule6_fixed_tables(event: Event) -> None:
    assert rules(event, M(1, "1", "fay", "ben")) == [(6, "not_at_fixed_table")]
    assert rules(event, M(1, "Booth F", "ann", "ben")) == [(6, "foreign_fixed_table")]
    assert rules(event, M(1, "Booth F", "hal", "fay")) == []  # either one's fixed table will do
    assert rules(event, M(1, "1", "hal", "fay")) == [(6, "not_at_fixed_table")]


# --- rule 7 ------------------------------------------------------------------------------

ALL_PEOPLE = """id,name,available
p1,P One,
p2,P Two,
p3,P Three,
p4,P Four,09:00-09:20
p5,P Five,10:20-11:00
"""
ALL_WISHES = """requester,target
p1,p2
p1,p3
p4,p5
"""

TWO_WISHES = "requester,target\np1,p2\np1,p3\n"


def test_rule7_all_mode_every_allowed_pair_and_unplaceable_ones(event: Event) -> None:
    ev = make_event('objective = "all"', ALL_PEOPLE, ALL_WISHES)
    assert rules(ev, M(0, "1", "p1", "p2")) == [(7, "unscheduled"), (7, "unplaceable")]
    v = [x for x in check_schedule(ev, Schedule.of([])) if x.code == "unplaceable"]
    assert v[0].people == ("p4", "p5") and "share no available slot" in v[0].message
    # The same schedule is fine when only maximising.
    assert rules(make_event("", ALL_PEOPLE, ALL_WISHES), M(0, "1", "p1", "p2")) == []


def test_rule7_hole_caps() -> None:
    ev = make_event('objective = "all"\n[fairness]\nmax_holes = 0\nmax_spread = 5', ALL_PEOPLE, TWO_WISHES)
    assert rules(ev, M(0, "1", "p1", "p2"), M(2, "1", "p1", "p3")) == [(7, "too_many_holes")]
    # The last slot before the break and the first after it leave no hole.
    assert rules(ev, M(2, "1", "p1", "p2"), M(3, "1", "p1", "p3")) == []
    spread = make_event('objective = "all"\n[fairness]\nmax_holes = 5\nmax_spread = 0', ALL_PEOPLE, TWO_WISHES)
    assert rules(spread, M(0, "1", "p1", "p2"), M(2, "1", "p1", "p3")) == [(7, "hole_spread")]


def test_hole_caps_apply_in_maximise_mode_only_when_written(event: Event) -> None:
    two_holes = (M(0, "1", "ann", "ben"), M(2, "1", "ann", "dan"), M(4, "1", "gus", "ann"))
    assert holes(event, two_holes)["ann"] == 2
    assert rules(event, *two_holes) == []
    assert rules(make_event("[fairness]\nmax_holes = 1"), *two_holes) == [(7, "too_many_holes")]


def test_violation_reads_as_a_sentence(event: Event) -> None:
    (v,) = check_schedule(event, Schedule.of([M(0, "1", "ben", "eve")]))
    assert isinstance(v, Violation) and v.people == ("eve",) and v.slot == 0
    assert str(v).startswith("rule 1 (inactive): Ben Bērziņš (ben) and Eve (eve) at 2027-03-10 slot 1")
    assert "cancelled" in str(v)
