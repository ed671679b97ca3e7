"""Smoke tests of the benchmark runner's measuring and table-building code (no timing asserts)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rich.console import Console

from benchmarks import b2b, runner
from benchmarks.runner import SIZE_COLUMNS, SizeCase

TINY = SizeCase(participants=16, wishes=60, seed=7, time_limit=2, min_share=0.9)


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
        assert row["holes"] >= 0 and row["people left out"] >= 0 and row["seconds"] >= 0
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


def test_peak_memory_is_the_command_alone(tmp_path: Path) -> None:
    small = runner.run_measured([sys.executable, "-c", "pass"], tmp_path / "a", timeout=60)
    big = runner.run_measured([sys.executable, "-c", "x = b'x' * (120 * 1024 * 1024)"], tmp_path / "b",
                              timeout=60)
    assert small.returncode == 0 and big.returncode == 0
    assert small.peak_mb < 60  # not this (bigger) test process's high-water mark
    assert big.peak_mb >= 120


def test_b2b_tables_separate_the_duplicated_pairs() -> None:
    def result(name: str, dup: bool, holes: int, opt: int) -> b2b.B2BResult:
        return b2b.B2BResult(instance=name, participants=10, meetings=20, distinct_pairs=19 if dup else 20,
                             published_optimum=opt, time_limit=30, placed=19 if dup else 20, placed_in_full=True,
                             holes=holes, max_holes=1, seconds=1.0, optimal=True, valid=True,
                             duplicates=["meeting 20 repeats meeting 3: businesses 1 & 2"] if dup else [])

    results = [result("a", False, 2, 2), result("b", True, 3, 6), result("c", False, 1, 0)]
    table, dups = b2b.b2b_tables(results)
    assert table.columns == b2b.B2B_COLUMNS and table.column("instance") == ["a", "c"]
    assert table.column("vs optimum") == ["=", "+1"]
    assert dups.column("instance") == ["b"] and dups.row("b")["distinct pairs"] == 19
    assert any("twice" in n for n in dups.notes)
    bars = {b.name: b for b in b2b.b2b_bars(results)}
    assert bars["every instance placed in full"].passed is True
    assert "1 of 2 at the optimum" in bars["holes vs published optimum (comparable instances)"].measured


def test_b2b_instance_smoke() -> None:
    if not b2b.B2B_DIR.is_dir():
        pytest.skip(f"{b2b.B2B_DIR} not found")
    results = b2b.run_all(time_limit=2, only=("tic-12",))
    assert [r.instance for r in results] == ["tic-12"]
    r = results[0]
    assert r.participants == 42 and r.meetings == 125 and r.published_optimum == 0
    if r.failure is None:
        assert r.placed == 125 and r.valid is not None
    table, _ = b2b.b2b_tables(results)
    assert table.rows[0]["instance"] == "tic-12"
