"""Standby pairs for no-shows (`scheduler.standby`): who may take an absent person's place, ranked
by points, and that every suggestion, applied alone, passes the independent checker."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from factories import EventSpec, event_files, make_event, person, wish
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generator import GeneratorSpec, build_event
from scheduler.candidates import pair_key
from scheduler.check.checker import check_schedule
from scheduler.domain import Event, Meeting, Schedule
from scheduler.edits import EditRefused, NotFound
from scheduler.heuristics import assign_tables, mutual_first
from scheduler.io.loading import load_event_bytes
from scheduler.standby import (
    StandbyError,
    apply_suggestion,
    as_absent,
    default_time,
    standby,
    standby_pairs,
    still_to_come,
)

# Four 20-minute slots from 09:00 (indices 0-3); shared tables "1".."10".
AT = dt.datetime(2027, 3, 10, 9, 0)


def hand_event_files(**settings: object) -> tuple[bytes, bytes, bytes]:
    """p was to meet the absent a at 09:20. Around p: x1 (mutual, priority 1: 12 points), x2 (asked
    p, priority 2: 2 points), x3 (p asked, priority 3: 1 point), and six people who may not take
    a's place: b1 is busy then, w1 only in a later window, u1 arrives at 10:00, c1 is p's colleague,
    m1 has used their only meeting, x4 already meets p."""
    people = [
        "a",
        person("p", organisation="Acme"),
        "x1",
        "x2",
        "x3",
        "b1",
        "q",
        "w1",
        person("u1", available="10:00-10:20"),
        person("c1", organisation="acme "),
        person("m1", max_meetings=1),
        "x4",
        "r",
    ]
    wishes = [
        wish("a", "p", 1),
        wish("p", "x1", 1),
        wish("x1", "p", 1),
        wish("x2", "p", 2),
        wish("p", "x3", 3),
        wish("p", "b1", 1),
        wish("b1", "q", 2),
        wish("p", "w1", 1, window="10:00-10:20"),
        wish("p", "u1", 1),
        wish("p", "c1", 1),
        wish("p", "m1", 1),
        wish("m1", "r", 2),
        wish("p", "x4", 1),
        wish("a", "r", 2),
    ]
    return event_files(people, wishes, EventSpec(**settings))  # type: ignore[arg-type]


def hand_event(**settings: object) -> Event:
    return load_event_bytes(*hand_event_files(**settings)).event


def hand_schedule() -> Schedule:
    return Schedule.of(
        [
            Meeting(1, "3", "a", "p"),
            Meeting(1, "1", "b1", "q"),
            Meeting(0, "2", "m1", "r"),
            Meeting(2, "4", "p", "x4"),
            Meeting(3, "1", "a", "r"),
        ]
    )


def passes_checker(event: Event, schedule: Schedule, absent: str, freed: Meeting, replacement: Meeting) -> bool:
    """The whole checker, as a person would run it: the change brings no violation (the absent
    person's other meetings already break rule 1 once they are marked absent)."""
    marked = as_absent(event, absent)
    before = {str(v) for v in check_schedule(marked, schedule)}
    new = Schedule.of([*(m for m in schedule.meetings if m != freed), replacement])
    return all(str(v) in before for v in check_schedule(marked, new))


def test_ranked_by_points_at_the_freed_table_and_nobody_busy_or_disallowed() -> None:
    event, schedule = hand_event(), hand_schedule()
    freed = standby(event, schedule, "a", AT)
    assert [f.meeting for f in freed] == [Meeting(1, "3", "a", "p"), Meeting(3, "1", "a", "r")]
    first = freed[0]
    assert first.partner == "p"
    assert [(s.other, s.points, s.mutual) for s in first.suggestions] == [
        ("x1", 12, True),
        ("x2", 2, False),
        ("x3", 1, False),
    ]
    for s in first.suggestions:
        assert s.meeting == Meeting(1, "3", "p", s.other, locked=True)
        assert s.freed_table
        assert passes_checker(event, schedule, "a", s.freed, s.meeting)
    assert first.suggestions[1].asked_by == ("x2",)
    assert freed[1].suggestions == ()  # only m1 wished r, and m1 has had their one meeting
    assert standby_pairs(event, schedule, "a", AT) == list(first.suggestions)


def test_top_limits_each_freed_meeting() -> None:
    event, schedule = hand_event(), hand_schedule()
    assert [s.other for s in standby_pairs(event, schedule, "a", AT, top=2)] == ["x1", "x2"]


def test_only_meetings_still_to_come() -> None:
    event, schedule = hand_event(), hand_schedule()
    during = dt.datetime(2027, 3, 10, 9, 30)  # the 09:20 meeting runs: p waits at the table now
    assert [m.slot for m in still_to_come(event, schedule, "a", during)] == [1, 3]
    after = dt.datetime(2027, 3, 10, 9, 40)
    assert [f.meeting.slot for f in standby(event, schedule, "a", after)] == [3]
    assert standby(event, schedule, "x1", AT) == []  # no meetings at all


def test_windows_and_availability_decide_the_slot() -> None:
    """Freed at 10:00 instead, w1 (window 10:00-10:20) and u1 (arrives 10:00) fit, ranked by points."""
    event = hand_event()
    schedule = Schedule.of([Meeting(3, "3", "a", "p"), Meeting(2, "4", "p", "x4"), Meeting(3, "2", "m1", "r")])
    others = [s.other for s in standby_pairs(event, schedule, "a", AT, top=10)]
    assert {"w1", "u1"} <= set(others)
    assert others[0] == "x1" and others[-2:] == ["x2", "x3"]  # the 3-point ones between, by id
    assert "m1" not in others and "c1" not in others and "x4" not in others


def test_a_declined_or_cancelled_person_never_stands_in() -> None:
    event = hand_event()
    people = dict(event.participants)
    people["x1"] = dataclasses.replace(people["x1"], status="cancelled")
    event = dataclasses.replace(event, participants=people)
    assert [s.other for s in standby_pairs(event, hand_schedule(), "a", AT)] == ["x2", "x3"]


def test_the_freed_booth_is_used_when_the_pair_may_sit_there() -> None:
    people = ["a", person("p", table="B1"), "x"]
    event = make_event(people, [wish("a", "p", 1), wish("x", "p", 1)], EventSpec(tables=2))
    schedule = Schedule.of([Meeting(0, "B1", "a", "p")])
    [s] = standby_pairs(event, schedule, "a", AT)
    assert s.meeting.table == "B1" and s.freed_table


def test_a_shared_table_when_the_freed_one_was_the_absent_persons_booth() -> None:
    people = [person("a", table="A1"), "p", "x", "y", "z"]
    wishes = [wish("a", "p", 1), wish("x", "p", 1), wish("y", "z", 1)]
    event = make_event(people, wishes, EventSpec(tables=2))
    schedule = Schedule.of([Meeting(0, "A1", "a", "p"), Meeting(0, "1", "y", "z")])
    [s] = standby_pairs(event, schedule, "a", AT)
    assert s.meeting.table == "2" and not s.freed_table
    assert passes_checker(event, schedule, "a", s.freed, s.meeting)
    full = Schedule.of([*schedule.meetings, Meeting(0, "2", "q1", "q2")])
    event_full = make_event(
        [*people, "q1", "q2"], [*wishes, wish("q1", "q2", 1)], EventSpec(tables=2)
    )  # both shared tables taken: no place for p and x
    assert standby_pairs(event_full, full, "a", AT) == []


def test_hole_caps_keep_out_a_replacement_that_opens_a_hole() -> None:
    people = ["a", "p", "x", "y", "z"]
    wishes = [wish("a", "p", 1), wish("p", "x", 1), wish("p", "y", 2), wish("x", "z", 1)]
    event = make_event(people, wishes, EventSpec(max_holes=0))
    schedule = Schedule.of([Meeting(0, "1", "a", "p"), Meeting(2, "2", "x", "z")])
    # x meets at 09:40: meeting p at 09:00 would open a hole at 09:20 for x; y is free all day.
    assert [s.other for s in standby_pairs(event, schedule, "a", AT)] == ["y"]


def test_questions_that_cannot_be_asked() -> None:
    event, schedule = hand_event(), hand_schedule()
    with pytest.raises(StandbyError, match="'nobody' is not a participant"):
        standby(event, schedule, "nobody", AT)
    with pytest.raises(StandbyError, match="outside the event"):
        standby(event, schedule, "a", dt.datetime(2027, 3, 10, 11, 0))
    with pytest.raises(StandbyError, match="outside the event"):
        standby(event, schedule, "a", dt.datetime(2027, 3, 9, 9, 0))


def test_an_aware_time_is_read_in_the_events_time_zone() -> None:
    event, schedule = hand_event(), hand_schedule()
    utc = dt.datetime(2027, 3, 10, 7, 40, tzinfo=dt.UTC)  # 09:40 in Helsinki
    assert [f.meeting.slot for f in standby(event, schedule, "a", utc)] == [3]


def test_default_time_is_now_during_the_event_else_the_next_meeting() -> None:
    event, schedule = hand_event(), hand_schedule()
    assert default_time(event, schedule, "a", dt.datetime(2027, 3, 10, 9, 33, 12)) == dt.datetime(2027, 3, 10, 9, 33)
    assert default_time(event, schedule, "a", dt.datetime(2027, 3, 10, 7, 0)) == dt.datetime(2027, 3, 10, 9, 20)
    assert default_time(event, schedule, "x1", dt.datetime(2027, 3, 12, 7, 0)) == dt.datetime(2027, 3, 10, 9, 0)


def test_apply_suggestion_goes_through_the_gate() -> None:
    event, schedule = hand_event(), hand_schedule()
    s = standby_pairs(event, schedule, "a", AT)[0]
    new = apply_suggestion(event, schedule, "a", s.freed, s.meeting)
    assert s.meeting in new.meetings and s.freed not in new.meetings and len(new) == len(schedule)
    with pytest.raises(EditRefused) as refused:  # b1 is busy at 09:20
        apply_suggestion(event, schedule, "a", s.freed, Meeting(1, "3", "p", "b1", locked=True))
    assert any(v.code == "double_booked" for v in refused.value.violations)
    with pytest.raises(NotFound):
        apply_suggestion(event, schedule, "a", Meeting(0, "3", "a", "p"), s.meeting)


# --- a property on small random events --------------------------------------------------------


@st.composite
def small_events(draw: st.DrawFn) -> Event:
    people = draw(st.integers(20, 60))
    spec = GeneratorSpec(
        participants=people,
        wishes=people * draw(st.integers(3, 7)),
        seed=draw(st.integers(0, 10_000)),
        slots_per_day=draw(st.integers(4, 10)),
        people_per_table=draw(st.sampled_from([2.0, 4.0, 8.0])),
        cap_share=draw(st.sampled_from([0.0, 0.3])),
        exhibitor_share=draw(st.sampled_from([0.0, 0.2])),
        wish_window_share=draw(st.sampled_from([0.0, 0.2])),
    )
    g = build_event(spec)
    event = load_event_bytes(g.event_toml, g.participants_csv, g.wishes_csv).event
    max_holes = draw(st.sampled_from([None, None, 0, 1]))
    return dataclasses.replace(event, max_holes=max_holes)


def oracle(event: Event, schedule: Schedule, absent: str, freed: Meeting) -> set[str]:
    """Everyone who could replace the absent person in `freed`: wished by or wishing the partner,
    at some table, by the whole checker alone."""
    partner = freed.b if freed.a == absent else freed.a
    out = set()
    for w in event.wishes:
        if w.declined or partner not in (w.requester, w.target):
            continue
        other = w.target if w.requester == partner else w.requester
        if other == absent or other in out:
            continue
        booths = [t for t in (event.participants[partner].table, event.participants[other].table) if t]
        for table in booths or list(event.table_labels):
            if passes_checker(event, schedule, absent, freed, Meeting(freed.slot, table, partner, other, True)):
                out.add(other)
                break
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=small_events(), pick=st.integers(0, 10_000))
def test_suggestions_are_exactly_the_replacements_the_checker_accepts(event: Event, pick: int) -> None:
    schedule = assign_tables(event, mutual_first(event))
    people = sorted({pid for m in schedule.meetings for pid in (m.a, m.b)})
    if not people:
        return
    absent = people[pick % len(people)]
    at = dt.datetime.combine(event.days[0].date, event.days[0].start)
    freed = standby(event, schedule, absent, at, top=1000)
    assert [f.meeting for f in freed] == sorted(schedule.for_person(absent), key=lambda m: (m.slot, m.table))
    for f in freed:
        points = [s.points for s in f.suggestions]
        assert points == sorted(points, reverse=True)
        for s in f.suggestions:
            assert passes_checker(event, schedule, absent, f.meeting, s.meeting), s
            assert pair_key(s.partner, s.other) != pair_key(absent, f.partner)
        assert {s.other for s in f.suggestions} == oracle(event, schedule, absent, f.meeting)
