"""Wishes met of wished: in total, mutual or one-sided, and by priority."""

from __future__ import annotations

from factories import PersonRow, make_event, person

from scheduler.domain import Meeting, Schedule
from scheduler.report import schedule_stats, wishes_met
from scheduler.results import MetOf

PEOPLE: list[PersonRow | str] = ["ann", "ben", "cat", "dan", "eve", person("fay", status="cancelled")]
WISHES = [
    ("ann", "ben", 1),
    ("ben", "ann", 1),  # mutual with the one above
    ("ann", "cat", 2),
    ("cat", "dan", 3),
    ("dan", "eve", 2),
    ("eve", "ann", 1, "", "declined"),  # declined: no longer wished
    ("fay", "ann", 1),  # fay cancelled: no longer wished
    ("ann", "fay", 2),
]


def test_wishes_met_counts_each_wish_once_by_kind_and_priority() -> None:
    event = make_event(PEOPLE, WISHES)
    schedule = Schedule.of([Meeting(0, "1", "ann", "ben"), Meeting(1, "1", "cat", "dan")])
    met = wishes_met(event, schedule)
    assert met.total == MetOf(3, 5)
    assert met.mutual == MetOf(2, 2)  # a mutual meeting meets both wishes
    assert met.one_sided == MetOf(1, 3)
    assert met.by_priority == {1: MetOf(2, 2), 2: MetOf(0, 2), 3: MetOf(1, 1)}
    assert str(met.total) == "3 of 5"
    assert met.as_dict() == {
        "met": 3,
        "wished": 5,
        "mutual": {"met": 2, "wished": 2},
        "one_sided": {"met": 1, "wished": 3},
        "by_priority": {"1": {"met": 2, "wished": 2}, "2": {"met": 0, "wished": 2}, "3": {"met": 1, "wished": 1}},
    }


def test_an_empty_schedule_meets_no_wish_and_the_stats_carry_the_count() -> None:
    event = make_event(PEOPLE, WISHES)
    stats = schedule_stats(event, Schedule.of([]))
    assert stats.wishes.total == MetOf(0, 5) and stats.wishes.mutual == MetOf(0, 2)
    assert stats.as_dict()["wishes"]["wished"] == 5
