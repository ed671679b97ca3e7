"""Smoke tests of the benchmark runner's measuring and table-building code (no timing asserts)."""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import pytest
from rich.console import Console

from benchmarks import repair, runner
from benchmarks.generator import write_event
from benchmarks.repair import REPAIR_COLUMNS, RepairCase
from benchmarks.runner import SIZE_COLUMNS, SizeCase
from scheduler.io.loading import load_event_dir
from scheduler.io.schedule_files import read_schedule_csv

TINY = SizeCase(participants=16, wishes=60, seed=7, time_limit=2, min_share=0.9)
TINY_REPAIR = RepairCase(
    base=SizeCase(participants=20, wishes=90, seed=11, time_limit=2, min_share=0.9),
    seed=3,
    time_limit=3,
    fresh_time_limit=2,
)


@pytest.fixture(scope="module")
def tiny_outcome(tmp_path_factory: pytest.TempPathFactory) -> runner.SizeOutcome:
    return runner.run_size(TINY, tmp_path_factory.mktemp("bench"))


def test_size_table_has_the_three_rows_and_every_column(tiny_outcome: runner.SizeOutcome) -> None:
    table = tiny_outcome.table
    assert table.columns == SIZE_COLUMNS
    assert table.column("method") == ["first-come-first-served", "mutual-first greedy", "matchday"]
    assert "seed=7" in table.header[0] and "participants=16" in table.header[0]
    md = table.row("matchday")
    assert md["valid"] is True, tiny_outcome.results[-1].error or tiny_outcome.results[-1].violations
    assert md["peak memory (MB)"] > 0
    assert all(r["peak memory (MB)"] is None for r in table.rows[:2])  # measured for the command only


def test_size_table_numbers_are_consistent(tiny_outcome: runner.SizeOutcome) -> None:
    table = tiny_outcome.table
    bounds = set(table.column("bound"))
    assert len(bounds) == 1 and None not in bounds  # every row against the same bound
    bound = bounds.pop()
    for row in table.rows:
        assert row["points"] <= bound
        assert row["% of bound"] == pytest.approx(round(100 * row["points"] / bound, 2))
        assert 0 <= row["mutual"] <= row["meetings"]
        assert row["holes"] >= 0 and row["people with none who could meet"] >= 0 and row["seconds"] >= 0
        assert row["valid"] is True
    # the matchday row is read back from the schedule file and agrees with the command's report
    md = tiny_outcome.results[-1]
    assert md.extra["report"]["points"] == md.points
    assert md.extra["report_mismatch"] == []


def test_bars_and_rendering(tiny_outcome: runner.SizeOutcome) -> None:
    bars = tiny_outcome.bars
    names = " ".join(b.name for b in bars)
    for word in ("of bound", "memory", "greedy", "holes", "valid", "within"):
        assert word in names
    assert all(b.verdict in ("PASS", "FAIL", "n/a") for b in bars)
    share_bar = bars[0]
    assert share_bar.passed == (tiny_outcome.results[-1].share >= TINY.min_share)

    console = Console(record=True, width=200)
    for t in (tiny_outcome.table, runner.bars_table("Bars", bars)):
        runner.render_rich(t, console)
    text = console.export_text()
    assert "mutual-first greedy" in text and "% of bound" in text and ("PASS" in text or "FAIL" in text)
    md = runner.render_markdown(tiny_outcome.table)
    assert md.count("\n| ") == 1 + 1 + 3  # header, rule, three rows
    assert "| matchday |" in md


def test_trade_exchange_is_a_size_with_its_own_bars() -> None:
    """`--sizes trade-exchange` measures the pinned shape with the issue's bars: 120 s, 99.9 % of
    the bound, at most 250 holes (and the shared bars: nobody left out, valid, ...)."""
    case = runner.case_for(runner.TRADE_EXCHANGE)
    spec = case.spec()
    assert (spec.participants, len(spec.plans), spec.slots_per_day, spec.slot_minutes) == (2300, 3, 28, 15)
    assert (case.time_limit, case.min_share, case.max_holes, case.slug) == (120, 0.999, 250, "trade-exchange")
    assert "trade-exchange" in case.label and "SHAPE_SPECS" in case.describe()

    def rows(holes: int) -> list[runner.MethodResult]:
        greedy = runner.MethodResult("mutual-first greedy", points=990, bound=1000, holes=4000, people_left_out=0)
        md = runner.MethodResult("matchday", points=1000, bound=1000, holes=holes, people_left_out=0, valid=True)
        md.seconds, md.peak_mb, md.extra["command_seconds"] = 101.0, 100.0, 100.0
        return [greedy, md]

    def verdicts(holes: int) -> dict[str, bool | None]:
        return {b.name: b.passed for b in runner.size_bars(case, rows(holes))}

    assert verdicts(250)["holes ≤ 250"] is True
    assert verdicts(251)["holes ≤ 250"] is False
    assert all(verdicts(250).values())
    assert runner.case_for(1500).hole_share == 0.10  # issue 13, item 6


def test_peak_memory_is_the_command_alone(tmp_path: Path) -> None:
    small = runner.run_measured([sys.executable, "-c", "pass"], tmp_path / "a", timeout=60)
    big = runner.run_measured([sys.executable, "-c", "x = b'x' * (120 * 1024 * 1024)"], tmp_path / "b", timeout=60)
    assert small.returncode == 0 and big.returncode == 0
    assert small.peak_mb < 60  # not this (bigger) test process's high-water mark
    assert big.peak_mb >= 120


# --- the re-solve scenarios ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repair_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("repair")


@pytest.fixture(scope="module")
def repair_outcomes(repair_work: Path) -> list[repair.ScenarioOutcome]:
    return repair.run_repair(TINY_REPAIR, repair_work / "base", repair_work / "scenarios")


def test_repair_tables_have_both_runs_and_every_column(repair_outcomes: list[repair.ScenarioOutcome]) -> None:
    cancel, cutoff = repair_outcomes
    assert cancel.name == "cancel 5 %" and cutoff.name == "cut-off + 10 % no-shows"
    assert cancel.cutoff is None and cutoff.cutoff is not None
    for o in repair_outcomes:
        assert o.table is not None and o.table.columns == REPAIR_COLUMNS
        assert len(o.table.rows) == 2 and o.table.rows[0]["run"].startswith("re-solve")
        assert o.table.rows[1]["run"].startswith("fresh solve")
        assert "seed=11" in o.table.header[0] and "previous schedule:" in o.table.header[1]
        assert o.repair.error is None and o.fresh.error is None, (o.repair.error, o.fresh.error)
        row = o.table.rows[0]
        assert row["valid"] is True, o.repair.violations
        assert row["peak memory (MB)"] > 0 and row["seconds"] > 0
        assert o.table.rows[1]["refill ratio"] is None and o.table.rows[1]["points fresh"] is None
    assert any("--previous" in n and "--from" in n for n in cutoff.table.notes)  # type: ignore[union-attr]
    assert any("--move-cost 0 --drop-cost 0" in n and "history.csv" in n for n in cutoff.table.notes)  # type: ignore[union-attr]


def test_repair_figures_are_consistent_with_the_files(
    repair_outcomes: list[repair.ScenarioOutcome], repair_work: Path
) -> None:
    for o in repair_outcomes:
        c, row = o.repair_cmp, o.table.rows[0]  # type: ignore[union-attr]
        assert c is not None and o.fresh_cmp is not None
        work = repair_work / "scenarios" / ("cancel" if o.cutoff is None else "cutoff")
        event = load_event_dir(work / "event").event
        old = read_schedule_csv((work / "previous.csv").read_bytes(), event)[0]
        new = read_schedule_csv((work / "repair" / "schedule.csv").read_bytes(), event)[0]
        # the picks are written into the updated event, and are reproducible
        assert sorted(pid for pid, p in event.participants.items() if p.status == o.status) == o.changed
        assert len(o.changed) == max(1, round((0.05 if o.cutoff is None else 0.10) * o.active))
        # every old meeting is kept, moved or lost; every new one kept, moved or added
        assert c.kept + c.moved + c.lost == len(old) and c.kept + c.moved + c.added == len(new)
        assert c.eligible > 0
        assert row["kept exactly %"] == pytest.approx(round(100 * c.kept_eligible / c.eligible, 2))
        assert c.points_kept <= c.points_after == o.repair.points == row["points after"]
        assert row["points kept"] == c.points_kept and row["points before"] == c.points_before
        assert row["points fresh"] == o.fresh.points
        assert o.report_mismatch == []  # the command's own repair report agrees with the files
        # locked rows: at least one, and kept (a hard guarantee, not a timing matter)
        assert c.locked >= 1 and c.locked_kept == c.locked and row["locked kept %"] == 100.0
        # nobody changed meets anyone where they no longer can
        late = [
            m
            for m in new.meetings
            if o.cutoff is None or dt.datetime.combine(event.slots[m.slot].date, event.slots[m.slot].start) >= o.cutoff
        ]
        assert not [m for m in late if m.a in o.changed or m.b in o.changed]
        won, possible = c.points_after - c.points_kept, o.points_fresh - c.points_kept  # type: ignore[operator]
        assert (o.won, o.possible) == (won, possible)
        assert row["refill ratio"] == (round(won / possible, 4) if possible > 0 else None)
        refill = next(b for b in o.bars if b.name.startswith("refill"))
        assert refill.passed == (won >= 0.5 * possible)


def test_repair_bars(repair_outcomes: list[repair.ScenarioOutcome]) -> None:
    cancel, cutoff = repair_outcomes
    names = [b.name for b in cancel.bars]
    assert [n.split()[0] for n in names] == ["re-solve", "meetings", "locked", "refill", "valid"]
    assert [b.name.split()[0] for b in cutoff.bars] == ["re-solve", "nothing", "meetings", "locked", "refill", "valid"]
    by = {b.name: b for b in cutoff.bars}
    assert by["nothing before the cut-off changed"].passed is True  # history is never touched
    assert cutoff.before_cutoff is not None and cutoff.before_cutoff.old_rows > 0
    for o in repair_outcomes:
        assert all(b.verdict in ("PASS", "FAIL", "n/a") for b in o.bars)
        assert o.bars[-1].passed is True  # valid
        assert next(b for b in o.bars if b.name.startswith("locked")).passed is True
        md = runner.render_markdown(o.table)  # type: ignore[arg-type]
        assert md.count("\n| ") == 1 + 1 + 2  # header, rule, two rows
        assert repair.raw(o)["bars"][0]["verdict"] in ("PASS", "FAIL")


def test_updated_event_changes_only_the_statuses(tmp_path: Path) -> None:
    base = write_event(tmp_path / "base", TINY.spec())
    event = load_event_dir(base).event
    changed = repair.pick([p for p, x in event.participants.items() if x.active], 0.2, random_for("x"))
    assert changed == repair.pick(
        reversed([p for p, x in event.participants.items() if x.active]), 0.2, random_for("x")
    )  # order-independent
    dest = repair.write_updated_event(base, tmp_path / "new", {pid: "absent" for pid in changed})
    for name in ("event.toml", "wishes.csv"):
        assert (dest / name).read_bytes() == (base / name).read_bytes()
    old_lines = (base / "participants.csv").read_text().splitlines()
    new_lines = (dest / "participants.csv").read_text().splitlines()
    differ = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(differ) == len(changed)
    updated = load_event_dir(dest).event
    assert sorted(p for p, x in updated.participants.items() if x.status == "absent") == changed
    cutoff = repair.middle_cutoff(event)
    day = event.days[0]
    assert cutoff.time() == event.slots[day.slots[len(day.slots) // 2]].start


def random_for(aspect: str) -> random.Random:
    return repair.rng_for(TINY_REPAIR, aspect)


def test_a_curve_reads_the_best_points_sent_by_each_checkpoint() -> None:
    from benchmarks.curves import Curve, curves_table

    c = Curve("fresh", 5.0, [(0.3, 90, "greedy"), (1.2, 97, "search"), (0.9, 95, "bound")], bound=100, points=98)
    c.seconds, c.cpu_seconds = 4.0, 3.0
    assert (c.best_at(0.2), c.best_at(1.0), c.best_at(2.0)) == (None, 95, 97)
    assert c.reached(0.95) == 0.9 and c.reached(0.99) is None
    table = curves_table([c])
    row = table.row("fresh")
    assert [row[f"{t:g} s"] for t in (0.5, 1.0, 2.0, 5.0)] == [90.0, 95.0, 97.0, 97.0]
    assert "10 s" not in table.columns  # past every curve's time limit
    assert (row["final %"], row["≥ 99.5 % at (s)"], row["CPU s"]) == (98.0, None, 3.0)
