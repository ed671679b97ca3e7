"""The library's on-the-day edits (`scheduler.edits`) without the API: file edits keep the
organiser's own file, hand edits of a schedule, and the checker's gate in front of them."""

from __future__ import annotations

import pytest
from factories import DaySpec, EventSpec, make_event, person, wish

from scheduler import edits
from scheduler.check.checker import check_schedule
from scheduler.domain import Event, Meeting, Schedule
from scheduler.io.loading import load_event_bytes

TOML = b"""name = "Edits"
slot_minutes = 20
tables = 4

[[days]]
date = "2027-03-10"
start = "09:00"
end = "10:20"
"""

# An Excel-style participants file: aliases for the known columns, an extra column, `;`, a BOM,
# a quoted cell holding the delimiter and a blank line that keeps the row numbers. The codec
# writes back UTF-8 with the file's delimiter and newline-ended lines.
PEOPLE = (
    "\ufeffParticipant ID;Full Name;Notes;Availability\r\n"
    'p1;Søren Dybdahl;vip;\r\n\r\np2;"Jānis; Bērziņš";;09:00-10:00\r\np3;Zoë;;\r\n'
).encode()
WISHES = b"From;To;Priority;Comment\r\np1;p2;1;first\r\np2;p1;;\r\np1;p2;3;a repeat\r\n"


def lines(data: bytes) -> list[str]:
    return data.decode().splitlines()


# --- the event's files ------------------------------------------------------------------------


def test_participant_cells_reads_aliased_columns_by_their_canonical_names() -> None:
    cells = edits.participant_cells(PEOPLE)
    assert list(cells) == ["p1", "p2", "p3"]
    assert cells["p2"]["name"] == "Jānis; Bērziņš" and cells["p2"]["available"] == "09:00-10:00"
    assert cells["p1"]["status"] == ""  # a column the file lacks reads as empty


def test_wish_cells_keeps_the_first_row_of_each_direction() -> None:
    rows = edits.wish_cells(WISHES)
    assert [(w["requester"], w["target"], w["priority"]) for w in rows] == [("p1", "p2", "1"), ("p2", "p1", "")]


def test_update_participant_changes_only_its_cells_in_the_organisers_layout() -> None:
    out = edits.update_participant(PEOPLE, "p2", {"available": None, "status": "absent", "organisation": None})
    assert lines(out) == [
        "Participant ID;Full Name;Notes;Availability;status",  # a new column goes last; none for a cleared one
        "p1;Søren Dybdahl;vip;",
        "",
        'p2;"Jānis; Bērziņš";;;absent',
        "p3;Zoë;;",
    ]
    event = load_event_bytes(TOML, out, WISHES).event
    assert event.participants["p2"].status == "absent" and event.participants["p1"].extra == {"Notes": "vip"}


def test_update_participant_of_someone_not_in_the_file_is_not_found() -> None:
    with pytest.raises(edits.NotFound, match="Participant not found"):
        edits.update_participant(PEOPLE, "p9", {"status": "absent"})


def test_add_participant_appends_a_row_under_the_organisers_header() -> None:
    out = edits.add_participant(PEOPLE + b"\r\n\r\n", {"id": "p4", "name": "Ωmega", "available": "", "max_meetings": 2})
    assert lines(out) == [
        "Participant ID;Full Name;Notes;Availability;max_meetings",
        "p1;Søren Dybdahl;vip;",
        "",
        'p2;"Jānis; Bērziņš";;09:00-10:00',
        "p3;Zoë;;",
        "p4;Ωmega;;;2",  # the trailing blank lines are gone, so the new row is not cut off
    ]
    assert load_event_bytes(TOML, out, WISHES).event.participants["p4"].max_meetings == 2


def test_put_wish_adds_a_new_pair_and_requested_is_an_empty_status() -> None:
    out, created = edits.put_wish(WISHES, {"requester": "p3", "target": "p1", "priority": 2, "status": "requested"})
    assert created
    assert lines(out)[0] == "From;To;Priority;Comment" and lines(out)[-1] == "p3;p1;2;"
    assert load_event_bytes(TOML, PEOPLE, out).event.wishes[-1].target == "p1"


def test_put_wish_updates_only_the_fields_sent_on_every_row_of_the_pair() -> None:
    values = {"requester": "p1", "target": "p2", "priority": 2, "status": "declined"}
    out, created = edits.put_wish(WISHES, values, sent={"requester", "target", "status"})
    assert not created
    assert lines(out) == [
        "From;To;Priority;Comment;status",
        "p1;p2;1;first;declined",  # the priority was not sent, so it stays 1
        "p2;p1;;",
        "p1;p2;3;a repeat;declined",
    ]
    out, _ = edits.put_wish(WISHES, {"requester": "p1", "target": "p2", "priority": 2, "window": None})
    assert lines(out)[1] == "p1;p2;2;first"  # every field sent; clearing a column the file lacks adds none


def test_decline_pair_declines_both_directions_once() -> None:
    out = edits.decline_pair(WISHES, "p2", "p1")
    assert out is not None
    assert [w["status"] for w in edits.wish_cells(out)] == ["declined", "declined"]
    assert lines(out)[0] == "From;To;Priority;Comment;status"
    assert edits.decline_pair(out, "p1", "p2") is None  # nothing left to change
    assert edits.decline_pair(WISHES, "p1", "p3") is None  # no wish between them


# --- hand edits of the schedule -------------------------------------------------------------------


@pytest.fixture
def event() -> Event:
    people = ["ann", "ben", "cat", "dan", person("eve", table="E")]
    wishes = [wish("ann", x, 1) for x in ("ben", "cat", "dan", "eve")] + [wish("cat", "dan", 2)]
    return make_event(people, wishes, EventSpec(tables=2))


def test_find_meeting_in_either_order_or_say_what_is_missing(event: Event) -> None:
    m = Meeting(0, "1", "ann", "ben")
    schedule = Schedule.of([m, Meeting(1, "1", "ann", "cat")])
    assert edits.find_meeting(event, schedule, "ben", "ann") is m
    with pytest.raises(edits.NotFound, match="^'zed' is not a participant of this event$"):
        edits.find_meeting(event, schedule, "ann", "zed")
    with pytest.raises(edits.NotFound, match="^ann and dan have no meeting in schedule version 3$"):
        edits.find_meeting(event, schedule, "ann", "dan", version=3)
    with pytest.raises(edits.NotFound, match="^ann and dan have no meeting in the schedule$"):
        edits.find_meeting(event, schedule, "ann", "dan")


def test_cancel_removes_only_that_meeting(event: Event) -> None:
    keep, gone = Meeting(0, "1", "ann", "ben"), Meeting(1, "1", "ann", "cat")
    assert edits.cancel(event, Schedule.of([keep, gone]), gone) == Schedule.of([keep])


def test_move_keeps_its_shared_table_when_free_else_takes_the_first_free_one(event: Event) -> None:
    m, other = Meeting(0, "2", "ann", "ben"), Meeting(2, "2", "cat", "dan")
    schedule = Schedule.of([m, other])
    moved, new = edits.move(event, schedule, m, event.slots[1], None)
    assert moved == Meeting(1, "2", "ann", "ben", locked=True) and new == Schedule.of([moved, other])
    moved, _ = edits.move(event, schedule, m, event.slots[2], None, locked=False)
    assert moved == Meeting(2, "1", "ann", "ben")  # table 2 is taken by cat and dan there
    moved, _ = edits.move(event, schedule, m, event.slots[3], "1")
    assert (moved.slot, moved.table) == (3, "1")  # a named table is taken as named


def test_move_of_someone_with_a_fixed_table_goes_to_that_table(event: Event) -> None:
    m = Meeting(0, "E", "ann", "eve")
    moved, _ = edits.move(event, Schedule.of([m]), m, event.slots[3], None)
    assert (moved.slot, moved.table) == (3, "E")
    assert edits.pick_table(event, [], Meeting(0, "2", "ann", "ben"), event.slots[0]) == "2"


def test_move_to_where_it_already_is_changes_nothing(event: Event) -> None:
    m = Meeting(0, "1", "ann", "ben", locked=True)
    schedule = Schedule.of([m])
    assert edits.move(event, schedule, m, event.slots[0], "1") == (m, schedule)


def test_pin_locks_and_unlocks_in_place(event: Event) -> None:
    m = Meeting(0, "1", "ann", "ben")
    schedule = Schedule.of([m, Meeting(1, "1", "ann", "cat")])
    pinned, new = edits.pin(event, schedule, m)
    assert pinned == Meeting(0, "1", "ann", "ben", locked=True) and pinned in new.meetings and len(new) == 2
    assert edits.pin(event, new, pinned) == (pinned, new)  # already locked: the same schedule
    unpinned, again = edits.pin(event, new, pinned, locked=False)
    assert unpinned == m and again == schedule


# --- the checker's gate ---------------------------------------------------------------------------


def test_a_move_into_a_slot_where_one_of_them_is_busy_is_refused(event: Event) -> None:
    m, busy = Meeting(0, "1", "ann", "ben"), Meeting(1, "1", "ann", "cat")
    schedule = Schedule.of([m, busy])
    with pytest.raises(edits.EditRefused) as refused:
        edits.move(event, schedule, m, event.slots[1], "2")
    message = str(refused.value)
    assert message.startswith("Moving the meeting to 2027-03-10 #2 09:20, table '2' breaks 1 rule; nothing was changed")
    [broken] = refused.value.violations
    assert (broken.rule, broken.code, broken.people, broken.slot) == (2, "double_booked", ("ann",), 1)


@pytest.fixture
def capped() -> Event:
    """ann meets ben, cat and dan in slots 1, 2 and 3 (their only times); no holes allowed."""
    people = [
        person("ann"),
        person("ben", available="09:00-09:20"),
        person("cat", available="09:20-09:40"),
        person("dan", available="09:40-10:00"),
        "eve",
        "fay",
    ]
    wishes = [wish("ann", x, 1) for x in ("ben", "cat", "dan")] + [wish("eve", "fay", 1)]
    return make_event(people, wishes, EventSpec(days=(DaySpec(end="10:00"),), max_holes=0))


def test_a_cancel_that_leaves_a_hole_under_a_max_holes_cap_is_refused(capped: Event) -> None:
    middle = Meeting(1, "1", "ann", "cat")
    schedule = Schedule.of([Meeting(0, "1", "ann", "ben"), middle, Meeting(2, "1", "ann", "dan")])
    assert check_schedule(capped, schedule) == []
    with pytest.raises(edits.EditRefused, match="^Cancelling the meeting of ann and cat breaks 1 rule;") as refused:
        edits.cancel(capped, schedule, middle)
    assert [v.rule for v in refused.value.violations] == [7]
    assert "re-solve" in str(refused.value)
    edits.cancel(capped, schedule, Meeting(2, "1", "ann", "dan"))  # the last one leaves no hole


def test_an_edit_is_allowed_when_the_old_schedule_already_broke_the_same_rule(capped: Event) -> None:
    holed = [Meeting(0, "1", "ann", "ben"), Meeting(2, "1", "ann", "dan")]  # ann waits in slot 2
    eve = Meeting(0, "2", "eve", "fay")
    schedule = Schedule.of([*holed, eve])
    assert [v.rule for v in check_schedule(capped, schedule)] == [7]
    moved, new = edits.move(capped, schedule, eve, capped.slots[1], None)  # not ann's hole: allowed
    assert moved.slot == 1 and check_schedule(capped, new) == check_schedule(capped, schedule)
    edits.gate(capped, schedule, new, "Moving eve")
    with pytest.raises(edits.EditRefused, match="^Moving the meeting to .*, table '1' breaks 1 rule;") as refused:
        edits.move(capped, schedule, eve, capped.slots[0], "1")  # onto ann and ben's table
    assert 7 not in {v.rule for v in refused.value.violations}  # only what the edit brings counts against it
