"""Schedule diffs: each kind of change is found, reported per person, and explains the whole difference."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.candidates import pair_key
from scheduler.diff import (
    CSV_COLUMNS,
    MeetingChange,
    ScheduleDiff,
    apply_diff,
    diff_as_dict,
    diff_schedules,
    diff_to_csv,
)
from scheduler.domain import Event, Meeting, Schedule
from scheduler.io.loading import load_event_bytes

# One day 09:00-10:40 with a break 10:00-10:20: slots 1-3 (indices 0-2), then slot 4 (index 3) at 10:20.
TOML = """
slot_minutes = 20
tables = 3
[[days]]
date = "2027-03-10"
start = "09:00"
end = "10:40"
breaks = ["10:00-10:20"]
"""
PEOPLE = """id,name,organisation,table
s1,Søren Dybdahl,Nordic Oy,
j2,Jānis Bērziņš,Riga SIA,
k3,Kim,Kim AB,Booth 7a
m4,Mia,Mia GmbH,
n5,Noor,Noor BV,
"""
WISHES = "requester,target\ns1,j2\nk3,s1\nm4,n5\nj2,m4\ns1,n5\n"
IDS = ("s1", "j2", "k3", "m4", "n5")
TABLES = ("1", "2", "3", "Booth 7a")


@pytest.fixture(scope="module")
def event() -> Event:
    return load_event_bytes(TOML.encode(), PEOPLE.encode(), WISHES.encode()).event


def sched(*meetings: tuple[int, str, str, str]) -> Schedule:
    return Schedule.of([Meeting(slot, table, a, b) for slot, table, a, b in meetings])


OLD = sched((0, "1", "s1", "j2"), (0, "Booth 7a", "k3", "n5"), (1, "1", "m4", "n5"), (2, "2", "j2", "m4"))
NEW = sched(
    (0, "1", "j2", "s1"),  # kept (sides swapped)
    (3, "Booth 7a", "k3", "n5"),  # moved, same table
    (1, "3", "m4", "n5"),  # table_changed
    (2, "1", "s1", "n5"),
)  # added; j2-m4 cancelled


def test_identical_versions_have_no_changes(event: Event) -> None:
    swapped = Schedule.of([Meeting(m.slot, m.table, m.b, m.a, locked=True) for m in OLD.meetings])
    d = diff_schedules(event, OLD, swapped)
    assert d == ScheduleDiff((), kept=len(OLD))
    assert d.people_affected == [] and d.added == d.cancelled == d.moved == []
    assert diff_to_csv(event, d) == ",".join(CSV_COLUMNS) + "\n"
    assert diff_schedules(event, Schedule(()), Schedule(())) == ScheduleDiff((), 0)


def test_each_kind_of_change_is_found_in_time_order(event: Event) -> None:
    d = diff_schedules(event, OLD, NEW)
    assert d.changes == (
        MeetingChange("moved", "k3", "n5", 0, "Booth 7a", 3, "Booth 7a"),
        MeetingChange("table_changed", "m4", "n5", 1, "1", 1, "3"),
        MeetingChange("cancelled", "j2", "m4", 2, "2", None, None),
        MeetingChange("added", "n5", "s1", None, None, 2, "1"),
    )
    assert d.kept == 1
    assert [c.kind for c in d.moved] == ["moved", "table_changed"]
    assert [c.kind for c in d.table_changed] == ["table_changed"]
    assert [(c.a, c.b) for c in d.added] == [("n5", "s1")]
    assert [(c.a, c.b) for c in d.cancelled] == [("j2", "m4")]
    assert d.summary == {"kept": 1, "moved": 2, "table_changed": 1, "cancelled": 1, "added": 1, "before": 4, "after": 4}


def test_a_move_may_change_slot_and_table(event: Event) -> None:
    d = diff_schedules(event, sched((0, "1", "s1", "j2")), sched((3, "2", "s1", "j2")))
    assert d.changes == (MeetingChange("moved", "j2", "s1", 0, "1", 3, "2"),) and d.kept == 0


def test_people_affected_and_for_person(event: Event) -> None:
    d = diff_schedules(event, OLD, NEW)
    assert d.people_affected == ["j2", "k3", "m4", "n5", "s1"]
    assert [c.kind for c in d.for_person("n5")] == ["moved", "table_changed", "added"]
    assert [c.partner("n5") for c in d.for_person("n5")] == ["k3", "m4", "s1"]
    assert [c.kind for c in d.for_person("j2")] == ["cancelled"]  # j2-s1 was kept
    only_table = diff_schedules(event, sched((1, "1", "m4", "n5")), sched((1, "2", "m4", "n5")))
    assert only_table.people_affected == ["m4", "n5"] and only_table.for_person("s1") == []


def test_json_is_per_person_and_human_readable(event: Event) -> None:
    d = diff_schedules(event, OLD, NEW)
    out = diff_as_dict(event, d)
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out
    assert out["summary"] == d.summary and out["people_affected"] == d.people_affected
    assert out["generator"]["name"] == "matchday"
    assert [m["change"] for m in out["meetings"]] == ["moved", "table_changed", "cancelled", "added"]
    n5 = next(p for p in out["people"] if p["id"] == "n5")
    assert n5 == {
        "id": "n5",
        "name": "Noor",
        "added": [
            {
                "change": "added",
                "partner": "s1",
                "partner_name": "Søren Dybdahl",
                "old": None,
                "new": {"day": "2027-03-10", "slot": 3, "start": "09:40", "end": "10:00", "table": "1"},
            }
        ],
        "cancelled": [],
        "moved": [
            {
                "change": "moved",
                "partner": "k3",
                "partner_name": "Kim",
                "old": {"day": "2027-03-10", "slot": 1, "start": "09:00", "end": "09:20", "table": "Booth 7a"},
                "new": {"day": "2027-03-10", "slot": 4, "start": "10:20", "end": "10:40", "table": "Booth 7a"},
            },
            {
                "change": "table_changed",
                "partner": "m4",
                "partner_name": "Mia",
                "old": {"day": "2027-03-10", "slot": 2, "start": "09:20", "end": "09:40", "table": "1"},
                "new": {"day": "2027-03-10", "slot": 2, "start": "09:20", "end": "09:40", "table": "3"},
            },
        ],
    }
    j2 = next(p for p in out["people"] if p["id"] == "j2")
    assert j2["name"] == "Jānis Bērziņš" and [c["partner"] for c in j2["cancelled"]] == ["m4"]


def test_csv_has_one_row_per_person_and_change(event: Event) -> None:
    d = diff_schedules(event, OLD, NEW)
    rows = list(csv.DictReader(io.StringIO(diff_to_csv(event, d))))
    assert len(rows) == 2 * len(d.changes)  # each change reaches both sides
    assert [(r["person"], r["change"], r["partner"]) for r in rows] == [
        ("j2", "cancelled", "m4"),
        ("k3", "moved", "n5"),
        ("m4", "table_changed", "n5"),
        ("m4", "cancelled", "j2"),
        ("n5", "moved", "k3"),
        ("n5", "table_changed", "m4"),
        ("n5", "added", "s1"),
        ("s1", "added", "n5"),
    ]
    assert rows[1] == {
        "person": "k3",
        "name": "Kim",
        "change": "moved",
        "partner": "n5",
        "partner_name": "Noor",
        "old_day": "2027-03-10",
        "old_slot": "1",
        "old_start": "09:00",
        "old_table": "Booth 7a",
        "new_day": "2027-03-10",
        "new_slot": "4",
        "new_start": "10:20",
        "new_table": "Booth 7a",
    }
    assert rows[-1]["name"] == "Søren Dybdahl" and rows[-1]["old_day"] == rows[-1]["old_table"] == ""


def test_a_pair_scheduled_twice_is_still_diffed_exactly(event: Event) -> None:
    old = sched((0, "1", "s1", "j2"), (1, "1", "s1", "j2"), (2, "1", "s1", "j2"))
    new = sched((1, "1", "j2", "s1"), (2, "2", "s1", "j2"))
    d = diff_schedules(event, old, new)
    assert d.kept == 1
    assert d.changes == (
        MeetingChange("cancelled", "j2", "s1", 0, "1", None, None),
        MeetingChange("table_changed", "j2", "s1", 2, "1", 2, "2"),
    )
    assert _places(apply_diff(old, d)) == _places(new)


def test_apply_diff_rejects_a_diff_of_another_schedule(event: Event) -> None:
    d = diff_schedules(event, OLD, NEW)
    with pytest.raises(ValueError, match="lacks"):
        apply_diff(sched((0, "1", "s1", "j2")), d)
    with pytest.raises(ValueError, match="keeps 1 meetings"):
        apply_diff(Schedule.of([*OLD.meetings, Meeting(3, "3", "s1", "m4")]), d)


def test_a_slot_outside_the_event_is_an_error(event: Event) -> None:
    with pytest.raises(ValueError, match="slot 9"):
        diff_schedules(event, OLD, sched((9, "1", "s1", "j2")))


# --- the diff explains exactly the difference ------------------------------------------------


def _places(schedule: Schedule) -> Counter[tuple[tuple[str, str], int, str]]:
    return Counter((pair_key(m.a, m.b), m.slot, m.table) for m in schedule.meetings)


PAIRS = [(a, b) for i, a in enumerate(IDS) for b in IDS[i + 1 :]]
place = st.tuples(st.integers(0, 3), st.sampled_from(TABLES))
meeting = st.builds(
    lambda pair, p, swap: Meeting(p[0], p[1], *(pair[::-1] if swap else pair)),
    st.sampled_from(PAIRS),
    place,
    st.booleans(),
)
one_per_pair = st.dictionaries(st.sampled_from(PAIRS), st.tuples(place, st.booleans())).map(
    lambda d: Schedule.of([Meeting(s, t, *(pr[::-1] if swap else pr)) for pr, ((s, t), swap) in d.items()])
)
any_meetings = st.lists(meeting, max_size=12).map(Schedule.of)


@settings(max_examples=200, deadline=None)
@given(old=one_per_pair, new=one_per_pair)
def test_diff_of_valid_versions_explains_the_difference(event: Event, old: Schedule, new: Schedule) -> None:
    d = diff_schedules(event, old, new)
    assert _places(apply_diff(old, d)) == _places(new)
    assert len(old) == d.kept + len(d.moved) + len(d.cancelled)
    assert len(new) == d.kept + len(d.moved) + len(d.added)
    assert len({(c.a, c.b) for c in d.changes}) == len(d.changes)  # at most one change per pair
    for c in d.changes:
        assert c.a < c.b and (c.kind != "table_changed" or c.old_slot == c.new_slot)
        assert c.kind != "moved" or c.old_slot != c.new_slot
    assert d.people_affected == sorted({p for c in d.changes for p in (c.a, c.b)})
    assert diff_schedules(event, old, old) == ScheduleDiff((), len(old))


@settings(max_examples=200, deadline=None)
@given(old=any_meetings, new=any_meetings)
def test_diff_of_any_versions_explains_the_difference(event: Event, old: Schedule, new: Schedule) -> None:
    d = diff_schedules(event, old, new)
    assert _places(apply_diff(old, d)) == _places(new)
    assert d == diff_schedules(event, Schedule.of(list(reversed(old.meetings))), new)  # deterministic
    back = diff_schedules(event, new, old)  # the reverse diff swaps added and cancelled
    assert (back.kept, len(back.added), len(back.cancelled), len(back.moved)) == (
        d.kept,
        len(d.cancelled),
        len(d.added),
        len(d.moved),
    )
