"""The partner exchange (`scheduler.heuristics.exchange`) inside the local search, on a tiny day.

One day of four 20-minute slots, indices 0-3. c meets d in slot 0 and e in slot 2, and d and e
can come at no other time, so c's hole in slot 1 cannot go by moving meetings. b, who can only
come in slot 1, meets a there; c also wished to meet b. Giving b to c fills c's hole ("fill", from
the side of the person with the hole), and a keeps the meeting with f in slot 2. The last test
needs the other side ("release"): the person with the hole gives a meeting away.
"""

from __future__ import annotations

from factories import make_event, person

from scheduler.candidates import candidate_pairs
from scheduler.check.checker import check_schedule
from scheduler.domain import Event
from scheduler.heuristics import assign_tables, reduce_holes
from scheduler.heuristics.exchange import Partners
from scheduler.heuristics.state import Placement
from scheduler.report import hole_counts

SLOT0, SLOT1, SLOT2 = "09:00-09:20", "09:20-09:40", "09:40-10:00"


def day(c_wishes_b: int = 2, a_meets_f: bool = True) -> Event:
    people = [
        person("a", available=f"{SLOT1};{SLOT2}"),
        person("b", available=SLOT1),
        person("c"),
        person("d", available=SLOT0),
        person("e", available=SLOT2),
        person("f", available=SLOT2),
    ]
    wishes = [("a", "b", 2), ("c", "d", 2), ("c", "e", 2), ("c", "b", c_wishes_b)]
    if a_meets_f:
        wishes.append(("a", "f", 2))
    return make_event(people, wishes)


def start(event: Event, locked: bool = False) -> list[Placement]:
    pairs = {frozenset(p.people): p for p in candidate_pairs(event)}
    where = {"ab": 1, "cd": 0, "ce": 2, "af": 2}
    return [
        Placement(pairs[frozenset(k)], slot, pairs[frozenset(k)].locations[0], locked=locked and k == "ab")
        for k, slot in where.items()
        if frozenset(k) in pairs
    ]


def polished(event: Event, placements: list[Placement], exchange: bool = True) -> list[Placement]:
    partners = Partners(candidate_pairs(event)) if exchange else None
    return reduce_holes(event, placements, seconds=5, max_moves=2_000, partners=partners)


def holes(event: Event, placements: list[Placement]) -> int:
    return sum(hole_counts(event, ((p.slot, p.pair.people) for p in placements)).values())


def keys(placements: list[Placement]) -> set[tuple[str, str]]:
    return {p.pair.key for p in placements}


def test_an_exchange_fills_a_hole_that_no_move_can() -> None:
    event = day()
    before = start(event)
    assert holes(event, before) == 1
    assert holes(event, polished(event, before, exchange=False)) == 1  # the Kempe swaps cannot
    after = polished(event, before)
    assert holes(event, after) == 0
    assert keys(after) == {("b", "c"), ("c", "d"), ("c", "e"), ("a", "f")}
    assert sum(p.pair.points for p in after) == sum(p.pair.points for p in before)
    assert check_schedule(event, assign_tables(event, after)) == []


def test_an_exchange_never_lowers_points() -> None:
    event = day(c_wishes_b=3)  # (b, c) is worth less than (a, b)
    assert keys(polished(event, start(event))) == keys(start(event))


def test_an_exchange_never_takes_a_persons_last_meeting() -> None:
    event = day(a_meets_f=False)  # (a, b) is a's only meeting
    after = polished(event, start(event))
    assert ("a", "b") in keys(after) and holes(event, after) == 1


def test_an_exchange_never_drops_a_locked_meeting() -> None:
    event = day()
    after = polished(event, start(event, locked=True))
    assert ("a", "b") in keys(after) and holes(event, after) == 1


def test_a_person_with_a_hole_gives_a_meeting_to_someone_free() -> None:
    """a meets d in slot 0 and b in slot 2, and neither can come at another time: a's hole in slot
    1 goes only if b meets c instead (c, free in slot 2, wished b), next to c's meeting in slot 1."""
    people = [
        person("a"),
        person("b", available=SLOT2),
        person("c"),
        person("d", available=SLOT0),
        person("e", available=SLOT1),
    ]
    event = make_event(people, [("a", "d", 2), ("a", "b", 2), ("c", "e", 2), ("c", "b", 2)])
    pairs = {frozenset(p.people): p for p in candidate_pairs(event)}
    before = [
        Placement(pairs[frozenset(k)], slot, pairs[frozenset(k)].locations[0])
        for k, slot in (("ad", 0), ("ab", 2), ("ce", 1))
    ]
    assert holes(event, before) == 1
    assert holes(event, polished(event, before, exchange=False)) == 1
    after = polished(event, before)
    assert keys(after) == {("a", "d"), ("b", "c"), ("c", "e")} and holes(event, after) == 0
    assert check_schedule(event, assign_tables(event, after)) == []
