"""Shared-table labels: people stay where they were, hosts keep a home table, nothing else changes.

The labels are checked against figures counted here from the meetings alone (who was where in
their previous meeting that day), not against the labelling's own costs; the `hosts` setting is
read through the real loader.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pytest
from factories import EventSpec, event_files, make_event, quick_solve, wish

from benchmarks.generator import GeneratorSpec, build_event
from scheduler.candidates import SHARED, candidate_pairs, pair_key
from scheduler.check.checker import check_schedule
from scheduler.domain import Event, HostRule, Meeting, ParticipantId, Schedule, SlotIndex, host_ids
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.state import Placement
from scheduler.heuristics.tables import assign_tables
from scheduler.io.loading import load_event_bytes
from scheduler.problems import EventError
from scheduler.report import schedule_points, table_changes


def generated(people: int = 90, days: int = 2, tables: int | None = None, seed: int = 7) -> Event:
    spec = GeneratorSpec(participants=people, wishes=people * 6, seed=seed, days=days, tables=tables)
    g = build_event(spec)
    return load_event_bytes(g.event_toml, g.participants_csv, g.wishes_csv).event


def who_meets_when(schedule: Schedule) -> list[tuple[SlotIndex, tuple[ParticipantId, ParticipantId]]]:
    return sorted((m.slot, pair_key(m.a, m.b)) for m in schedule.meetings)


def walkers(event: Event, schedule: Schedule) -> dict[SlotIndex, int]:
    """Per slot, the people at a shared table whose previous meeting that day was at another shared table."""
    where: dict[ParticipantId, tuple[int, str]] = {}
    out: dict[SlotIndex, int] = defaultdict(int)
    for m in schedule.meetings:  # sorted by slot
        day = event.slots[m.slot].day
        for pid in (m.a, m.b):
            before = where.get(pid)
            if (
                m.table in event.table_labels
                and before
                and before[0] == day
                and before[1] in event.table_labels
                and before[1] != m.table
            ):
                out[m.slot] += 1
        for pid in (m.a, m.b):
            where[pid] = (day, m.table)
    return out


def person_table(schedule: Schedule, pid: ParticipantId, slot: SlotIndex) -> str:
    return next(m.table for m in schedule.meetings if m.slot == slot and pid in (m.a, m.b))


# --- the labelling without a setting -------------------------------------------------------------


def test_a_person_stays_at_their_table_across_consecutive_meetings() -> None:
    people = ["ann", "ben", "cat", "dan", "eve", "fay"]
    wishes = [wish("ann", "ben"), wish("cat", "dan"), wish("ann", "eve"), wish("cat", "fay")]
    event = make_event(people, wishes, tables=4)
    pairs = {p.key: p for p in candidate_pairs(event)}
    placements = [
        Placement(pairs["ann", "ben"], 0, SHARED),
        Placement(pairs["cat", "dan"], 0, SHARED),
        Placement(pairs["cat", "fay"], 1, SHARED),  # in the other order: labels in order would swap them
        Placement(pairs["ann", "eve"], 1, SHARED),
    ]
    schedule = assign_tables(event, placements)
    assert person_table(schedule, "ann", 0) == person_table(schedule, "ann", 1)
    assert person_table(schedule, "cat", 0) == person_table(schedule, "cat", 1)
    assert table_changes(event, schedule).changes == 0


def test_no_swap_of_two_tables_in_a_slot_would_let_fewer_people_walk() -> None:
    """The per-slot assignment is optimal: swapping the tables of two meetings of a slot, or moving
    one to a free table, never lowers the number of people who walk in that slot."""
    event = generated()
    schedule = assign_tables(event, mutual_first(event))
    base = walkers(event, schedule)
    by_slot: dict[SlotIndex, list[Meeting]] = defaultdict(list)
    for m in schedule.meetings:
        if m.table in event.table_labels:
            by_slot[m.slot].append(m)
    tried = 0
    for slot, group in by_slot.items():
        free = [t for t in event.table_labels if t not in {m.table for m in group}][:3]
        for i, m in enumerate(group):
            others = [(g, m.table) for g in group[i + 1 : i + 6]] + [(None, t) for t in free]
            for other, _ in others:
                target = other.table if other else free[0]
                changed = [dataclasses.replace(m, table=target)]
                if other is not None:
                    changed.append(dataclasses.replace(other, table=m.table))
                rest = [x for x in schedule.meetings if x is not m and x is not other]
                tried += 1
                assert walkers(event, Schedule.of(rest + changed))[slot] >= base[slot]
    assert tried > 50


def test_labels_change_nothing_but_tables_and_the_checker_passes() -> None:
    event = generated()
    placements = mutual_first(event)
    schedule = assign_tables(event, placements)
    assert check_schedule(event, schedule) == []
    assert who_meets_when(schedule) == sorted((p.slot, p.pair.key) for p in placements)
    points = sum(p.pair.points for p in placements)
    assert schedule_points(event, schedule) == points
    booths = {(p.slot, p.pair.key): p.location for p in placements if p.location is not SHARED}
    assert all(
        m.table == booths[m.slot, pair_key(m.a, m.b)] for m in schedule.meetings if m.table not in event.table_labels
    )


def test_the_labels_are_deterministic_whatever_the_order_of_the_placements() -> None:
    event = dataclasses.replace(generated(), hosts=HostRule("role", "seller"))
    placements = mutual_first(event)
    first = assign_tables(event, placements)
    assert assign_tables(event, placements) == first
    assert assign_tables(event, list(reversed(placements))) == first


def test_most_consecutive_meetings_keep_their_table() -> None:
    """On a generated buyer-seller day, at most 55 % of consecutive meetings change table (any
    order of labels gives far more: nearly every meeting is at another table)."""
    event = generated(people=150, days=1)
    schedule = assign_tables(event, mutual_first(event))
    figures = table_changes(event, schedule)
    assert figures.consecutive > 300
    assert figures.share <= 0.55


def test_locked_meetings_keep_their_label_and_previous_labels_are_kept_where_free() -> None:
    people = ["ann", "ben", "cat", "dan"]
    event = make_event(people, [wish("ann", "ben"), wish("cat", "dan"), wish("ann", "dan")], tables=3)
    pairs = {p.key: p for p in candidate_pairs(event)}
    placements = [
        Placement(pairs["ann", "ben"], 0, SHARED, locked=True),
        Placement(pairs["cat", "dan"], 0, SHARED),
        Placement(pairs["ann", "dan"], 1, SHARED),
    ]
    labels = {("ann", "ben", 0): "3", ("cat", "dan", 0): "2", ("ann", "dan", 1): "1"}
    schedule = assign_tables(event, placements, labels)
    assert [m.table for m in schedule.meetings] == ["2", "3", "1"]  # sorted by slot, then table


def test_a_resolve_reads_where_people_were_in_the_history() -> None:
    event = make_event(["ann", "ben", "cat"], [wish("ann", "ben"), wish("ann", "cat")], tables=3)
    pairs = {p.key: p for p in candidate_pairs(event)}
    history = [Meeting(0, "3", "ann", "ben")]
    schedule = assign_tables(event, [Placement(pairs["ann", "cat"], 1, SHARED)], before=history)
    assert [m.table for m in schedule.meetings] == ["3"]


# --- hosts ---------------------------------------------------------------------------------------


def test_hosts_keep_one_table_all_day_where_tables_suffice() -> None:
    event = generated(people=120, days=1, tables=80)
    event = dataclasses.replace(event, hosts=HostRule("role", "seller"))
    hosts = host_ids(event)
    at_shared = {pid for p in mutual_first(event) if p.location is SHARED for pid in p.pair.people} & hosts
    assert 10 < len(at_shared) <= event.tables
    schedule = assign_tables(event, mutual_first(event))
    figures = table_changes(event, schedule)
    assert figures.hosts_moving, "the day has sellers meeting at booths or each other: some moves are forced"
    assert figures.hosts_forced == sum(figures.hosts_moving.values())  # none for want of tables
    for pid in at_shared:  # and every host's shared-table meetings with non-hosts are at one table
        mine = [m for m in schedule.for_person(pid) if m.table in event.table_labels and not {m.a, m.b} <= hosts]
        assert len({m.table for m in mine}) == 1


def test_with_fewer_tables_than_hosts_the_hosts_who_move_are_reported() -> None:
    """Three sellers, each two of them meeting in the same slot once: at two tables one of them
    must move, at three none does; the report names who moves."""
    sellers, buyers = ["s0", "s1", "s2"], [f"b{i}" for i in range(6)]
    people = [(pid, "", "Host" if pid in sellers else "") for pid in sellers + buyers]
    meets = [(0, "s0", "b0"), (0, "s1", "b1"), (1, "s1", "b2"), (1, "s2", "b3"), (2, "s0", "b4"), (2, "s2", "b5")]
    spec = EventSpec(tables=2, extra='hosts = { column = "organisation", value = "host" }')
    event = load_event_bytes(*event_files(people, [wish(b, s) for _, s, b in meets], spec)).event
    assert host_ids(event) == frozenset(sellers)
    pairs = {p.key: p for p in candidate_pairs(event)}
    placements = [Placement(pairs[pair_key(s, b)], slot, SHARED) for slot, s, b in meets]
    figures = table_changes(event, assign_tables(event, placements))
    assert figures.hosts == 3
    assert sum(figures.hosts_moving.values()) >= 1 and figures.hosts_forced == 0
    assert set(figures.hosts_moving) <= set(sellers)
    roomy = dataclasses.replace(event, table_labels=("1", "2", "3"))
    assert table_changes(roomy, assign_tables(roomy, placements)).hosts_moving == {}


def test_a_solve_with_hosts_reports_table_changes() -> None:
    sellers, buyers = ["s0", "s1"], ["b0", "b1", "b2", "b3"]
    people = [(pid, "", "Host" if pid in sellers else "") for pid in sellers + buyers]
    spec = EventSpec(tables=2, extra='hosts = { column = "organisation", value = "host" }')
    event = load_event_bytes(*event_files(people, [wish(b, s) for s in sellers for b in buyers], spec)).event
    result = quick_solve(event)
    assert result.stats.meetings == 8
    figures = result.stats.table_changes
    assert figures.hosts == 2 and figures.hosts_moving == {}
    assert figures.consecutive == 6 + 4 * 1  # each seller 4 meetings (3 steps), each buyer 2 (1 step)
    assert figures.changes == 4  # each buyer walks from one seller's table to the other's


def test_the_hosts_setting_gives_the_same_meetings_and_points() -> None:
    event = generated(people=120, days=1)
    placements = mutual_first(event)
    plain = assign_tables(event, placements)
    hosted_event = dataclasses.replace(event, hosts=HostRule("role", "seller"))
    hosted = assign_tables(hosted_event, placements)
    assert who_meets_when(hosted) == who_meets_when(plain)
    assert schedule_points(hosted_event, hosted) == schedule_points(event, plain)
    assert check_schedule(hosted_event, hosted) == []
    before, after = table_changes(hosted_event, plain), table_changes(hosted_event, hosted)
    assert sum(after.hosts_moving.values()) < sum(before.hosts_moving.values())


# --- the setting in event.toml --------------------------------------------------------------------


def load(extra: str, people: list[tuple[str, ...]] | None = None) -> Event:
    people = people or [("ann", "", "Sellers Ltd"), ("ben", "", "")]
    return load_event_bytes(*event_files(people, [wish("ann", "ben")], EventSpec(extra=extra))).event


def test_hosts_by_role_and_by_any_column() -> None:
    people_csv = b"id,name,role,Trade sector\nann,Ann,Seller,Food\nben,Ben,buyer,Wine\n"

    def with_hosts(setting: str) -> Event:
        toml, _, wishes_csv = event_files(["ann", "ben"], [wish("ann", "ben")], EventSpec(extra=setting))
        return load_event_bytes(toml, people_csv, wishes_csv).event

    by_role = with_hosts('hosts = " seller "')
    assert by_role.hosts == HostRule("role", "seller")
    assert host_ids(by_role) == {"ann"}
    assert host_ids(with_hosts('hosts = { column = "trade-sector", value = "WINE" }')) == {"ben"}
    by_alias = load('hosts = { column = "Company", value = "sellers ltd" }')
    assert by_alias.hosts == HostRule("organisation", "sellers ltd") and host_ids(by_alias) == {"ann"}


def test_a_hosts_value_that_names_nobody_is_a_warning() -> None:
    files = event_files(["ann", "ben"], [wish("ann", "ben")], EventSpec(extra='hosts = "seler"'))
    loaded = load_event_bytes(*files)
    assert [(w.code, w.column) for w in loaded.warnings] == [("no_hosts", "hosts")]


@pytest.mark.parametrize(
    ("extra", "column"),
    [
        ("hosts = 3", "hosts"),
        ('hosts = { value = "x" }', "hosts.column"),
        ('hosts = { column = "role" }', "hosts.value"),
        ('hosts = { column = "available", value = "x" }', "hosts.column"),
    ],
)
def test_a_bad_hosts_setting_is_an_error_naming_it(extra: str, column: str) -> None:
    with pytest.raises(EventError) as info:
        load(extra)
    assert [(p.file, p.column) for p in info.value.problems] == [("event.toml", column)]
