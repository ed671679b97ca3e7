"""Each hard rule of the heuristics' schedule state (`scheduler.heuristics.rules`) on a tiny event.

Every test builds an event through the real loader, puts a few meetings in a `ScheduleState`
and asks the rule unit directly, then checks that the heuristics built on the state (greedy,
insertion, Kempe swaps) keep the rule. One day of four 20-minute slots, 09:00-10:20, indices
0-3, ten shared tables unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses

from factories import DaySpec, PersonRow, make_event, person

from scheduler.candidates import SHARED, Pair, candidate_pairs
from scheduler.check.checker import check_schedule
from scheduler.domain import Event, Meeting
from scheduler.heuristics import (
    HARD_RULES,
    ScheduleState,
    assign_tables,
    cover_people,
    enforce_hole_caps,
    free_location,
    insert_pairs,
    mutual_first,
    reduce_holes,
    why_not,
    why_not_at,
)
from scheduler.heuristics.kempe import kempe_chain, try_swap
from scheduler.heuristics.rules import (
    Availability,
    EachPairAtMostOnce,
    FixedTableCapacity,
    HoleCaps,
    OneMeetingPerSlot,
    PersonalCaps,
    SharedTableCapacity,
)
from scheduler.heuristics.state import Placement
from scheduler.pipelines.locked import locked_rows
from scheduler.problems import MatchdayError

SLOT1, SLOT2 = "09:00-09:20", "09:20-09:40"


def pairs_of(event: Event) -> dict[frozenset[str], Pair]:
    return {frozenset(p.people): p for p in candidate_pairs(event)}


def valid(event: Event, placements: list[Placement]) -> None:
    assert check_schedule(event, assign_tables(event, placements)) == []


def test_every_placement_rule_is_listed_once_in_why_not_order() -> None:
    names = [type(rule).__name__ for rule in HARD_RULES]
    assert names == [
        "Availability",
        "EachPairAtMostOnce",
        "OneMeetingPerSlot",
        "PersonalCaps",
        "SharedTableCapacity",
        "FixedTableCapacity",
    ]


def test_rule1_a_pair_meets_at_most_once() -> None:
    event = make_event(["a", "b"], [("a", "b")])
    ab = pairs_of(event)[frozenset("ab")]
    state = ScheduleState(event)
    assert EachPairAtMostOnce.allows(state, ab) and why_not(state, ab, 1) is None
    state.place(ab, 0, SHARED)
    assert not EachPairAtMostOnce.allows(state, ab)
    assert not state.can_place(ab, 1)
    assert why_not(state, ab, 1) == "the pair is locked twice"
    # the heuristics never add it again
    again = insert_pairs(event, state.placements(), [ab, ab], seconds=5)
    assert [p.pair.key for p in again] == [ab.key]
    # dropping the meeting lets the pair meet again
    state.drop(0)
    assert EachPairAtMostOnce.allows(state, ab)


def test_rule1_a_meeting_nobody_asked_for_is_explained() -> None:
    event = make_event(["a", "b"], [("a", "b")])
    assert "nobody asked for this meeting" in str(why_not(ScheduleState(event), None, 0))


def test_rule2_nobody_is_in_two_meetings_in_one_slot() -> None:
    event = make_event(["a", "b", "c"], [("a", "b"), ("a", "c")], days=(DaySpec(end="09:40"),))
    pairs = pairs_of(event)
    ab, ac = pairs[frozenset("ab")], pairs[frozenset("ac")]
    state = ScheduleState(event)
    state.place(ab, 0, SHARED)
    assert not OneMeetingPerSlot.allows(state, ac, 0)
    assert OneMeetingPerSlot.allows(state, ac, 1)
    assert why_not(state, ac, 0) == "A (a) is in another locked meeting then"
    placed = mutual_first(event, [ab, ac])
    assert sorted(p.slot for p in placed) == [0, 1]
    valid(event, placed)


def test_rule3_a_pair_meets_only_where_both_are_available_and_inside_its_window() -> None:
    people: list[PersonRow | str] = [person("a", available=f"{SLOT1};{SLOT2}"), "b", "c"]
    event = make_event(people, [("a", "b"), {"requester": "b", "target": "c", "window": SLOT2}])
    pairs = pairs_of(event)
    ab, bc = pairs[frozenset("ab")], pairs[frozenset("bc")]
    assert Availability.allows(ab, 1) and not Availability.allows(ab, 2)
    assert [s for s in range(4) if Availability.allows(bc, s)] == [1]
    state = ScheduleState(event)
    assert why_not(state, ab, 3) == "one of them is not available then, or it is outside the wish's time window"
    placed = mutual_first(event, [ab, bc])
    assert {p.pair.key: p.slot for p in placed} == {ab.key: 0, bc.key: 1}
    valid(event, placed)


def test_rule3_a_kempe_swap_never_moves_a_meeting_out_of_its_pairs_slots() -> None:
    event = make_event([person("a", available=SLOT1), "b"], [("a", "b")])
    ab = pairs_of(event)[frozenset("ab")]
    state = ScheduleState(event, [Placement(ab, 0, SHARED)], track_holes=True)
    chain = kempe_chain(state, 0, 0, 2)
    assert chain == [0]
    assert try_swap(state, chain, 0, 2) is None


def test_rule4_personal_caps_hold() -> None:
    event = make_event([person("a", max_meetings=1), "b", "c"], [("a", "b"), ("a", "c")])
    pairs = pairs_of(event)
    ab, ac = pairs[frozenset("ab")], pairs[frozenset("ac")]
    state = ScheduleState(event)
    state.place(ab, 0, SHARED)
    assert PersonalCaps.full(state, "a") and not PersonalCaps.full(state, "b")
    assert not PersonalCaps.allows(state, ac)
    assert why_not(state, ac, 1) == "A (a) would exceed max_meetings = 1"
    placed = mutual_first(event, [ab, ac])
    assert len(placed) == 1
    assert len(insert_pairs(event, placed, [ab, ac], seconds=5)) == 1


def test_rule5_at_most_tables_shared_meetings_per_slot() -> None:
    event = make_event(["a", "b", "c", "d"], [("a", "b"), ("c", "d")], tables=1, days=(DaySpec(end="09:20"),))
    pairs = pairs_of(event)
    ab, cd = pairs[frozenset("ab")], pairs[frozenset("cd")]
    state = ScheduleState(event)
    assert SharedTableCapacity.room(state, 0)
    state.place(ab, 0, SHARED)
    assert not SharedTableCapacity.room(state, 0)
    assert SharedTableCapacity.room(state, 0, extra=0)
    assert free_location(state, cd, 0) is False
    assert why_not(state, cd, 0) == "no table is free then"
    placed = mutual_first(event, [ab, cd])
    assert len(placed) == 1
    valid(event, placed)


def test_rule5_a_kempe_swap_keeps_shared_table_capacity() -> None:
    # One table: a-b in slot 1 cannot move to slot 2, where c-d holds the only table.
    event = make_event(["a", "b", "c", "d"], [("a", "b"), ("c", "d")], tables=1, days=(DaySpec(end="09:40"),))
    pairs = pairs_of(event)
    state = ScheduleState(
        event, [Placement(pairs[frozenset("ab")], 0, SHARED), Placement(pairs[frozenset("cd")], 1, SHARED)], True
    )
    chain = kempe_chain(state, 0, 0, 1)
    assert chain == [0]  # nobody of a-b is busy in slot 2
    assert try_swap(state, chain, 0, 1) is None
    assert try_swap(state, chain, 0, 1, holes=False) is None


def test_rule5_a_labelled_meeting_names_one_of_the_shared_tables() -> None:
    event = make_event(["a", "b"], [("a", "b")], tables=2, table_labels=("T1", "T2"), days=(DaySpec(end="09:20"),))
    ab = pairs_of(event)[frozenset("ab")]
    state = ScheduleState(event)
    assert SharedTableCapacity.why_not_at(state, "T2", 0, set()) is None
    assert SharedTableCapacity.why_not_at(state, "T3", 0, set()) == "'T3' is not one of the event's shared tables"
    assert why_not_at(state, ab, 0, "T3") == "'T3' is not one of the event's shared tables"
    assert why_not_at(state, ab, 0, "T1") is None


def test_rule5_a_shared_table_label_holds_one_labelled_meeting_per_slot() -> None:
    # Two tables, so the count allows c-d too; but not at the table a-b was given.
    event = make_event(["a", "b", "c", "d"], [("a", "b"), ("c", "d")], tables=2, days=(DaySpec(end="09:40"),))
    pairs = pairs_of(event)
    ab, cd = pairs[frozenset("ab")], pairs[frozenset("cd")]
    state = ScheduleState(event)
    state.place(ab, 0, SHARED)
    labelled = {(event.table_labels[0], 0)}
    first, second = event.table_labels
    assert why_not(state, cd, 0) is None
    assert SharedTableCapacity.why_not_at(state, first, 0, labelled) == "another locked meeting is at that table then"
    assert why_not_at(state, cd, 0, first, labelled) == "another locked meeting is at that table then"
    assert why_not_at(state, cd, 0, second, labelled) is None
    assert why_not_at(state, cd, 1, first, labelled) is None  # another slot


def test_rule6_a_labelled_booth_meeting_is_at_one_of_the_pairs_booths() -> None:
    people: list[PersonRow | str] = [person("a", table="B1"), "b", person("c", table="B2")]
    event = make_event(people, [("a", "b")], days=(DaySpec(end="09:20"),))
    ab = pairs_of(event)[frozenset("ab")]
    state = ScheduleState(event)
    assert FixedTableCapacity.why_not_at(state, ab, "B1", 0) is None
    assert FixedTableCapacity.why_not_at(state, ab, "B2", 0) == "it must take place at B1"  # c's booth
    assert why_not_at(state, ab, 0, event.table_labels[0]) == "it must take place at B1"  # a shared table


def _two_stand_holders() -> tuple[Event, Pair, Pair]:
    """a and c share booth B1, e has B2, d none; wishes c-d and a-e in one slot: the pairs c-d and a-e."""
    people: list[PersonRow | str] = [
        person("a", table="B1", organisation="Stand"),
        person("c", table="B1", organisation="Stand"),
        person("e", table="B2"),
        "d",
    ]
    event = make_event(people, [("c", "d"), ("a", "e")], days=(DaySpec(end="09:20"),))
    pairs = pairs_of(event)
    return event, pairs[frozenset("cd")], pairs[frozenset("ae")]


def test_rule6_a_labelled_booth_taken_is_refused_while_the_other_booth_is_free() -> None:
    event, cd, ae = _two_stand_holders()
    state = ScheduleState(event)
    state.place(cd, 0, "B1")
    assert why_not(state, ae, 0) is None  # B2 is free
    assert FixedTableCapacity.why_not_at(state, ae, "B1", 0) == "another locked meeting is at that table then"
    assert why_not_at(state, ae, 0, "B1") == "another locked meeting is at that table then"
    assert why_not_at(state, ae, 0, "B2") is None


def test_locked_rows_keep_the_rows_that_may_stay_and_name_the_first_rule_each_other_breaks() -> None:
    people: list[PersonRow | str] = [person("a", table="B1"), "b", "c", "d", person("e", max_meetings=1)]
    event = make_event(people, [("a", "b"), ("c", "d"), ("b", "e"), ("d", "e")], tables=2)
    pairs = candidate_pairs(event)
    index_of = {p.key: i for i, p in enumerate(pairs)}
    shared = event.table_labels[0]
    good = [Meeting(0, "B1", "a", "b", locked=True), Meeting(0, shared, "c", "d", locked=True)]
    placed, labels = locked_rows(event, good, pairs, index_of)
    assert [(p.pair.key, p.slot, p.location) for p in placed] == [(("a", "b"), 0, "B1"), (("c", "d"), 0, SHARED)]
    assert labels == {("a", "b", 0): "B1", ("c", "d", 0): shared}
    bad = [
        *good,
        Meeting(1, "B1", "a", "c", locked=True),  # nobody asked
        Meeting(1, shared, "a", "b", locked=True),  # locked twice (and not at a's booth)
        Meeting(1, shared, "b", "e", locked=True),  # fine: e's one meeting
        Meeting(2, shared, "d", "e", locked=True),  # e's cap
        Meeting(1, "X", "c", "d", locked=True),  # locked twice, before the label
    ]
    try:
        locked_rows(event, bad, pairs, index_of)
    except MatchdayError as e:
        lines = str(e).splitlines()[1:]
    else:
        raise AssertionError("the rows were all kept")
    assert [line.split(": ", 1)[1] for line in lines] == [
        "nobody asked for this meeting, or it is not allowed (colleagues, a cancelled person, a declined wish, "
        "or no common available slot)",
        "the pair is locked twice",
        "E (e) would exceed max_meetings = 1",
        "the pair is locked twice",
    ]
    assert lines[0].startswith("  - locked meeting a–c at ") and lines[0].split(": ")[0].endswith("table B1")


def test_rule6_a_booth_hosts_one_meeting_per_slot() -> None:
    # a and c share booth B1 (one organisation's stand); a-b and c-d cannot both meet there at once.
    people: list[PersonRow | str] = [
        person("a", table="B1", organisation="Stand"),
        "b",
        person("c", table="B1", organisation="Stand"),
        "d",
    ]
    event = make_event(people, [("a", "b"), ("c", "d")], days=(DaySpec(end="09:40"),))
    pairs = pairs_of(event)
    ab, cd = pairs[frozenset("ab")], pairs[frozenset("cd")]
    assert ab.locations == ("B1",) and cd.locations == ("B1",)
    state = ScheduleState(event)
    state.place(ab, 0, "B1")
    assert not FixedTableCapacity.free(state, "B1", 0)
    assert FixedTableCapacity.free(state, "B1", 0, moving=[0])  # unless a-b moves away
    assert FixedTableCapacity.free(state, "B1", 1)
    assert free_location(state, cd, 0) is False
    assert why_not(state, cd, 0) == "no table is free then"
    assert state.shared[0] == 0  # a booth meeting takes no shared table
    placed = mutual_first(event, [ab, cd])
    assert sorted(p.slot for p in placed) == [0, 1]
    valid(event, placed)


def test_rule6_two_booth_holders_meet_at_the_second_booth_when_the_first_is_taken() -> None:
    event, cd, ae = _two_stand_holders()
    assert ae.locations == ("B1", "B2")
    state = ScheduleState(event)
    state.place(cd, 0, "B1")
    assert free_location(state, ae, 0) == "B2"
    placed = mutual_first(event, [cd, ae], order=[cd, ae])
    assert {p.pair.key: p.location for p in placed} == {cd.key: "B1", ae.key: "B2"}
    valid(event, placed)


def test_rule7_hole_caps_refuse_a_change_above_max_holes() -> None:
    event = make_event(["a", "b", "c"], [("a", "b"), ("a", "c")], max_holes=0)
    pairs = pairs_of(event)
    state = ScheduleState(event, [Placement(pairs[frozenset("ab")], 0, SHARED)], track_holes=True)
    assert state.holes == {"a": 0, "b": 0}
    assert HoleCaps.within(state, {"a": 0, "c": 0})
    assert not HoleCaps.within(state, {"a": 1})
    assert not HoleCaps.allows_change(state, {"a": 1})
    # above the cap already: a move may improve towards it, never worsen
    state.set_holes("a", 2)
    assert HoleCaps.allows_change(state, {"a": 1})
    assert not HoleCaps.allows_change(state, {"a": 3})


def test_rule7_the_spread_cap_compares_people() -> None:
    event = make_event(["a", "b", "c"], [("a", "b")], max_spread=1)
    ab = pairs_of(event)[frozenset("ab")]
    state = ScheduleState(event, [Placement(ab, 0, SHARED)], track_holes=True)
    assert HoleCaps.spread(state.histogram) == 0
    assert HoleCaps.within(state, {"a": 1})
    assert not HoleCaps.within(state, {"a": 2})
    assert not HoleCaps.allows_change(state, {"a": 2})


def test_enforce_hole_caps_drops_the_meeting_that_closes_the_hole() -> None:
    # a meets b in slot 1 and c in slot 3: one hole; with max_holes = 0 one meeting goes.
    event = make_event(["a", "b", "c"], [("a", "b"), ("a", "c", 1)], max_holes=0)
    pairs = pairs_of(event)
    ab, ac = pairs[frozenset("ab")], pairs[frozenset("ac")]
    kept = enforce_hole_caps(event, [Placement(ab, 0, SHARED), Placement(ac, 2, SHARED)])
    assert [p.pair.key for p in kept] == [ac.key]  # the less valuable one is dropped
    valid(event, kept)


def test_a_placeable_meeting_has_no_reason_and_can_place_agrees() -> None:
    event = make_event(["a", "b", "c"], [("a", "b"), ("b", "c")])
    pairs = pairs_of(event)
    state = ScheduleState(event)
    state.place(pairs[frozenset("ab")], 0, SHARED)
    for pair in pairs.values():
        for slot in range(4):
            assert state.can_place(pair, slot) == (why_not(state, pair, slot) is None)
    assert why_not(state, pairs[frozenset("bc")], 1) is None


def test_the_state_indexes_stay_in_step_through_place_drop_undrop_and_move() -> None:
    event = make_event(["a", "b", "c", "d"], [("a", "b"), ("c", "d"), ("b", "c")])
    pairs = pairs_of(event)
    ab, cd, bc = pairs[frozenset("ab")], pairs[frozenset("cd")], pairs[frozenset("bc")]
    state = ScheduleState(event, track_holes=True)
    state.place(ab, 0, SHARED)
    state.place(cd, 0, SHARED)
    state.place(bc, 2, SHARED)
    assert state.holes == {"a": 0, "b": 1, "c": 1, "d": 0}
    chain = kempe_chain(state, 2, 2, 1)
    assert chain == [2]
    result = try_swap(state, chain, 2, 1)
    assert result is not None
    delta, changed, empty = result
    assert delta == -2 and changed == {"b": 0, "c": 0} and empty == -2
    state.move(chain, 2, 1, changed)
    old = state.meetings[0]
    state.drop(0)
    assert ab.key not in state.met and state.count["a"] == 0
    state.undrop(0, old)
    fresh = ScheduleState(event, state.placements(), track_holes=True)
    assert state.met == fresh.met
    for name in ("at", "busy", "count", "shared", "booths", "holes"):
        assert {k: v for k, v in getattr(state, name).items() if v} == {
            k: v for k, v in getattr(fresh, name).items() if v
        }, name
    assert +state.histogram == +fresh.histogram
    # the greedy's index of slot numbers, through the same steps
    greedy = ScheduleState(event)
    for p in (Placement(ab, 0, SHARED), Placement(cd, 0, SHARED), Placement(bc, 2, SHARED)):
        greedy.place(p.pair, p.slot, p.location)
    greedy.move([2], 2, 1, {})
    greedy.drop(0)
    assert greedy.numbers is not None
    assert {k: v for k, v in greedy.numbers.items() if v} == {("b", 0): [2], ("c", 0): [1, 2], ("d", 0): [1]}


def test_greedy_places_where_it_adds_fewest_holes() -> None:
    event = make_event(["a", "b", "c"], [("a", "b", 1), ("a", "c", 2)])
    pairs = pairs_of(event)
    state = ScheduleState(event)
    state.place(pairs[frozenset("ab")], 1, SHARED)
    ac = pairs[frozenset("ac")]
    assert [state.added_holes(ac, s) for s in range(4)] == [0, 0, 0, 1]
    counted = ScheduleState(event, state.placements(), track_holes=True)  # the moves' index agrees
    assert [counted.added_holes(ac, s) for s in range(4)] == [0, 0, 0, 1]
    placed = mutual_first(event, [ac], state)
    assert placed[0].slot in (0, 2)


def test_local_search_and_cover_keep_every_rule_on_a_small_day() -> None:
    people = [person(f"p{i}", max_meetings=2 if i % 3 == 0 else None) for i in range(8)]
    wishes = [(f"p{i}", f"p{j}") for i in range(8) for j in range(i + 1, 8) if (i + j) % 3]
    event = make_event(people, wishes, tables=2)
    pairs = candidate_pairs(event)
    placed = insert_pairs(event, mutual_first(event, pairs), pairs, seconds=5)
    placed = cover_people(event, placed, pairs)
    valid(event, placed)
    polished = reduce_holes(event, placed, seconds=5, max_moves=2_000)
    assert sorted(p.pair.key for p in polished) == sorted(p.pair.key for p in placed)
    valid(event, polished)
    capped_event = dataclasses.replace(event, max_holes=0)
    capped = enforce_hole_caps(capped_event, polished)
    valid(capped_event, capped)  # rule 7: nobody with a hole
    assert {p.pair.key for p in capped} <= {p.pair.key for p in polished}
