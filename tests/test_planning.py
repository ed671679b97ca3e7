"""Table planning (`scheduler.planning`, `plan-capacity`): on a hand-made event whose answer is
known, tables limit meetings, the 99 % rule picks the count, the slot variants change the grid."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scheduler.cli import EXIT_BAD_INPUT, EXIT_OK, main
from scheduler.domain import Event
from scheduler.planning import (
    PlanOptions,
    PlanStopped,
    max_useful_tables,
    plan_capacity,
    with_slot_change,
    with_tables,
)
from scheduler.problems import MatchdayError
from tests.factories import DaySpec, EventSpec, event_files, make_event, person, wish

BUYERS = ["b1", "b2", "b3", "b4"]
SELLERS = ["s1", "s2", "s3", "s4"]
# Ten one-sided priority-1 wishes (3 points each); no seller is wished more than three times, so
# three of the four slots would hold them all: only the tables limit the meetings, 4 per table.
WISHES = [
    ("b1", "s1"), ("b1", "s2"), ("b1", "s3"),
    ("b2", "s1"), ("b2", "s2"), ("b2", "s3"),
    ("b3", "s3"), ("b3", "s4"),
    ("b4", "s4"), ("b4", "s1"),
]  # fmt: skip
FAST = PlanOptions(seconds_per_solve=0.5)


def _event(**settings: object) -> Event:
    people = [person(p, organisation=p) for p in BUYERS + SELLERS]
    return make_event(people, [wish(a, b, 1) for a, b in WISHES], **settings)


def test_tables_limit_meetings_and_the_recommendation_is_the_fewest_reaching_99_percent() -> None:
    event = _event(tables=10)  # four 20-minute slots
    assert max_useful_tables(event) == 4  # eight people: four meetings at once at most
    plan = plan_capacity(event, FAST)
    by_tables = {r.tables: r for r in plan.rows}
    assert plan.unlimited == 4 and plan.current == 10
    assert plan.reference_points == 30
    assert plan.recommended == 3  # 3 tables x 4 slots hold the 10 meetings; 2 hold only 8
    for tables, meetings in ((1, 4), (2, 8), (3, 10), (4, 10)):
        row = by_tables[tables]
        assert row.meetings == meetings, row
        assert row.points == 3 * meetings
        assert row.bound == 3 * meetings  # the LP's table row is exact here
        assert row.share == pytest.approx(3 * meetings / 30)
    assert by_tables[2].people_without_meeting == 0  # eight meetings still reach all eight people
    assert plan.recommended_row.share == 1.0


def test_the_target_share_sets_the_recommendation() -> None:
    plan = plan_capacity(_event(), PlanOptions(seconds_per_solve=0.5, target=0.8, slot_variants=False))
    assert plan.recommended == 2  # 24 points are 80 % of 30; one table gives 12
    assert plan.goal_points == pytest.approx(24)
    assert plan.slot_rows == ()


def test_one_slot_fewer_or_more_a_day() -> None:
    plan = plan_capacity(_event(), FAST)
    fewer = {r.tables: r for r in plan.slot_rows if r.slot_change == -1}
    more = {r.tables: r for r in plan.slot_rows if r.slot_change == 1}
    assert {r.slots for r in fewer.values()} == {3} and {r.slots for r in more.values()} == {5}
    assert fewer[3].meetings == 9  # 3 tables x 3 slots
    assert fewer[4].meetings == 10  # unlimited tables: max three wishes per person fit three slots
    assert more[3].meetings == 10 and more[4].meetings == 10


def test_progress_reports_every_step_in_order() -> None:
    calls: list[tuple[str, int, int]] = []
    plan_capacity(_event(), FAST, progress=lambda phase, done, total: calls.append((phase, done, total)))
    phases = [c[0] for c in calls]
    assert phases[0] == "bounds" and phases[-1] == "done"
    order = ["bounds", "tables", "slots", "done"]
    assert [order.index(p) for p in phases] == sorted(order.index(p) for p in phases)
    assert all(0 <= done <= total for _, done, total in calls)
    dones = [c[1] for c in calls]
    assert dones == sorted(dones)
    assert calls[-1][1] == calls[-1][2] > 0


def test_a_stop_request_stops_the_planning() -> None:
    with pytest.raises(PlanStopped):
        plan_capacity(_event(), FAST, should_stop=lambda: True)


def test_all_mode_is_refused_in_words() -> None:
    with pytest.raises(MatchdayError, match="maximise"):
        plan_capacity(_event(objective="all"), FAST)


def test_booths_need_no_shared_tables() -> None:
    people = [person(p, organisation=p, table=f"B{i}" if p in SELLERS else "") for i, p in enumerate(BUYERS + SELLERS)]
    event = make_event(people, [wish(a, b, 1) for a, b in WISHES], tables=5)
    plan = plan_capacity(event, PlanOptions(seconds_per_solve=0.5, slot_variants=False))
    assert plan.unlimited == 0 and plan.recommended == 0
    assert plan.rows[0].meetings == 10


def test_with_tables_keeps_labels_and_avoids_booths() -> None:
    people = [person("b1", table="3"), person("s1", organisation="x")]
    event = make_event(people, [wish("b1", "s1")], EventSpec(tables=2, table_labels=("A", "B")))
    assert with_tables(event, 1).table_labels == ("A",)
    assert with_tables(event, 5).table_labels == ("A", "B", "1", "2", "4")
    with pytest.raises(ValueError):
        with_tables(event, -1)


def test_slot_changes_remap_availability_and_windows() -> None:
    people = [person("a", available="09:00-10:20"), person("b", available="09:00-10:00"), person("c")]
    event = make_event(people, [wish("a", "c", window="09:40-10:20")], days=(DaySpec(end="10:20"),))
    fewer = with_slot_change(event, -1)
    assert fewer is not None and len(fewer.slots) == 3 and fewer.days[0].end == dt.time(10, 0)
    assert fewer.participants["a"].available == frozenset({0, 1, 2})
    assert fewer.wishes[0].window == frozenset({2})
    more = with_slot_change(event, 1)
    assert more is not None and len(more.slots) == 5
    added = more.slots[4]
    assert (added.number, added.start, added.end) == (5, dt.time(10, 20), dt.time(10, 40))
    assert more.days[0].end == dt.time(10, 40) and more.days[0].slots == (0, 1, 2, 3, 4)
    assert 4 in more.participants["a"].available  # there at the end: stays for the added slot
    assert 4 not in more.participants["b"].available  # left before the end
    assert more.wishes[0].window == frozenset({2, 3, 4})
    one = make_event(["a", "c"], [wish("a", "c")], days=(DaySpec(end="09:20"),))
    assert with_slot_change(one, -1) is None


def _write(folder: Path) -> Path:
    people = [person(p, organisation=p) for p in BUYERS + SELLERS]
    for name, data in zip(
        ("event.toml", "participants.csv", "wishes.csv"),
        event_files(people, [wish(a, b, 1) for a, b in WISHES], EventSpec(tables=2)),
        strict=True,
    ):
        (folder / name).write_bytes(data)
    return folder


def test_cli_prints_the_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _write(tmp_path)
    assert main(["plan-capacity", str(folder), "--solve-seconds", "0.5", "--no-slots"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "2 now; at most 4 can be used at once" in out
    recommended = next(line for line in out.splitlines() if line.startswith(">"))
    assert recommended.split()[1] == "3" and "recommended" in recommended
    assert "One slot" not in out
    assert main(["plan-capacity", str(folder), "--solve-seconds", "0.5", "--json"]) == EXIT_OK
    plan = json.loads(capsys.readouterr().out)
    assert plan["recommended"] == 3 and plan["current"] == 2
    assert {r["slot_change"] for r in plan["slot_rows"]} == {-1, 1}


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan-capacity", str(tmp_path / "missing")]) == EXIT_BAD_INPUT
    assert "error:" in capsys.readouterr().err
    assert main(["plan-capacity", str(_write(tmp_path)), "--solve-seconds", "0"]) == EXIT_BAD_INPUT
