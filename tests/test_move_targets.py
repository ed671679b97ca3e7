"""`scheduler.edits.move_targets`: the cells a page lights up for a selected meeting are exactly
the cells `edits.move` (with the checker's gate) accepts."""

from __future__ import annotations

import random

import pytest
from factories import DaySpec, EventSpec, cluster_day, make_event, person, quick_solve, wish

from scheduler import edits
from scheduler.check.checker import check_schedule
from scheduler.domain import Event, Meeting, Schedule
from scheduler.export.tables import all_tables
from scheduler.io.loading import load_event_bytes


def accepted(event: Event, schedule: Schedule, meeting: Meeting) -> set[tuple[int, str]]:
    """Every cell (slot, table) that a move to it passes, tried one by one, its own place left out."""
    out = set()
    for slot in event.slots:
        for table in all_tables(event, schedule):
            if (slot.index, table) == (meeting.slot, meeting.table):
                continue
            try:
                moved, new = edits.move(event, schedule, meeting, slot, table)
            except edits.EditRefused:
                continue
            assert moved.slot == slot.index and moved.table == table and new is not schedule
            out.add((slot.index, table))
    return out


def targets(event: Event, schedule: Schedule, meeting: Meeting) -> set[tuple[int, str]]:
    found = edits.move_targets(event, schedule, meeting)
    cells = {(s.index, t) for s, t in found}
    assert len(cells) == len(found), "a cell is listed twice"
    return cells


@pytest.mark.parametrize("fairness", ["", "[fairness]\nmax_holes = 2\nmax_spread = 2\n"])
def test_targets_are_exactly_the_cells_a_move_accepts_on_a_solved_day(fairness: str) -> None:
    """A solved day with booths, shared stands, caps, part-timers and wish windows (and hole caps,
    the spread cap judged on the whole schedule): for a sample of 16 meetings every target passes
    `move`, and every other cell of the grid is refused."""
    toml, people, wishes = cluster_day(people=30, seed=7)
    event = load_event_bytes(toml + b"\n" + fairness.encode(), people, wishes).event
    assert (event.max_hole_spread is not None) == bool(fairness)
    schedule = quick_solve(event, time_limit=3.0).schedule
    assert check_schedule(event, schedule) == []
    sample = random.Random(1).sample(list(schedule.meetings), 16)  # a compact day leaves few meetings room
    lit = 0
    for m in sample:
        expected = accepted(event, schedule, m)
        assert targets(event, schedule, m) == expected, f"{m}"
        lit += len(expected)
    assert lit > 0, "the sample should have somewhere to go, or the test proves little"


def test_every_target_leaves_a_schedule_the_checker_accepts() -> None:
    event = load_event_bytes(*cluster_day(people=24, seed=3)).event
    schedule = quick_solve(event).schedule
    for m in schedule.meetings[:10]:
        for slot, table in edits.move_targets(event, schedule, m):
            _, new = edits.move(event, schedule, m, slot, table)
            assert check_schedule(event, new) == []


@pytest.fixture
def capped() -> Event:
    """ann meets ben and cat in slots 1 and 2; dan is free all day; no holes allowed; 2 tables."""
    people = [person("ann"), person("ben"), person("cat", available="09:20-09:40"), "dan", "eve"]
    wishes = [wish("ann", "ben", 1), wish("ann", "cat", 1), wish("dan", "eve", 1, window="09:00-09:40")]
    return make_event(people, wishes, EventSpec(tables=2, days=(DaySpec(end="10:20"),), max_holes=0))


def test_a_slot_that_opens_a_hole_under_the_cap_is_not_a_target(capped: Event) -> None:
    ab = Meeting(0, "1", "ann", "ben")
    schedule = Schedule.of([ab, Meeting(1, "1", "ann", "cat")])
    cells = targets(capped, schedule, ab)
    # slot 1 (its own; the other table) and slot 3 (right after cat) keep ann's day whole; slot 4 would leave a hole
    assert cells == {(0, "2"), (2, "1"), (2, "2")}
    assert cells == accepted(capped, schedule, ab)


def test_a_wish_window_and_busy_tables_limit_the_targets(capped: Event) -> None:
    de = Meeting(0, "2", "dan", "eve")
    schedule = Schedule.of([Meeting(0, "1", "ann", "ben"), Meeting(1, "1", "ann", "cat"), de])
    # inside 09:00-09:40 only (slots 1 and 2); slot 1's table 1 is taken
    assert targets(capped, schedule, de) == {(1, "2")}


def test_a_booth_holder_is_offered_only_a_free_booth_of_the_pair() -> None:
    people = [person("ann", table="Booth A"), person("bob", table="Booth B"), "cy"]
    event = make_event(people, [wish("ann", "bob", 1), wish("cy", "ann", 1)], EventSpec(tables=3))
    ab = Meeting(0, "Booth A", "ann", "bob")
    schedule = Schedule.of([ab, Meeting(1, "Booth A", "ann", "cy")])
    cells = targets(event, schedule, ab)
    assert {t for _, t in cells} == {"Booth A", "Booth B"}
    assert (0, "Booth B") in cells and (1, "Booth B") not in cells  # ann meets cy in slot 2
    assert cells == accepted(event, schedule, ab)


def test_a_meeting_that_already_breaks_a_rule_has_nowhere_to_go() -> None:
    """A person cancelled after the solve: their meeting breaks rule 1 wherever it goes, and the
    gate holds a moved violation against the move, so nothing lights up."""
    people = ["ann", person("ben", status="cancelled")]
    event = make_event(people, [wish("ann", "ben", 1)], EventSpec(tables=2))
    ab = Meeting(0, "1", "ann", "ben")
    assert targets(event, Schedule.of([ab]), ab) == set() == accepted(event, Schedule.of([ab]), ab)
