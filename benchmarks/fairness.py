"""python -m benchmarks.fairness [--sizes 300,1500] [--minimums 0,1,2,3] [--out DIR]

What a [fairness] min_meetings costs in points: each pinned benchmark size (`runner.SIZE_CASES`)
is solved by the real command (`python -m scheduler solve … --report-json`, its pinned time limit,
pinned to the benchmark's cores) once per minimum, and the table prints points, % of the bound,
people below the minimum (in all, and those whose reason is not that they have too few wished
partners or too low a limit of their own), people left out, the fewest and median meetings, the share below 3, the
Gini coefficient of points per person, seconds, and whether the independent checker accepts the
schedule. The bound is the points' bound of the solve with no minimum (a minimum does not raise
it). The machine's load is printed before and after: the figures depend on it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks.generator import write_event
from benchmarks.runner import (
    RESULTS_DIR,
    TABLE_BOUND,
    Table,
    case_for,
    environment_lines,
    load_text,
    render_markdown,
    render_rich,
)
from benchmarks.runner import run_matchday as run_command
from scheduler.io.loading import load_event_dir

OWN_REASONS = ("few_partners", "own_limit")  # short for reasons of their own, not of the schedule


@dataclass(frozen=True)
class FairnessRow:
    participants: int | str  # or "table-bound"
    minimum: int
    points: int | None
    bound: int | None
    below: int  # people who could meet somebody with fewer meetings than the minimum
    below_reachable: int  # of whom the reason is not their own (too few partners, own limit)
    left_out: int | None  # people who could meet somebody and have no meeting
    distribution: dict[str, Any]
    seconds: float | None
    valid: bool | None


def with_minimum(event_dir: Path, minimum: int, out: Path) -> Path:
    """A copy of the event with `[fairness] min_meetings` set."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(event_dir, out)
    toml = out / "event.toml"
    text = toml.read_text(encoding="utf-8")
    if "[fairness]" in text:
        raise ValueError(f"{toml} already has a [fairness] table; this benchmark adds its own")
    toml.write_text(text.rstrip("\n") + f"\n\n[fairness]\nmin_meetings = {minimum}\n", encoding="utf-8")
    return out


def measure(size: int | str, minimums: Sequence[int], work: Path, log: Console) -> list[FairnessRow]:
    case = case_for(size)
    base = write_event(work / f"fairness-{size}" / "event", case.spec())
    rows = []
    for k in minimums:
        folder = with_minimum(base, k, work / f"fairness-{size}" / f"min-{k}")
        run_dir = folder / "run"
        run_dir.mkdir(exist_ok=True)
        log.print(f"[{size}] min_meetings = {k}: solving ({case.time_limit:g} s); {load_text()}", highlight=False)
        event = load_event_dir(folder).event
        result = run_command(folder, event, case.time_limit, run_dir)
        report = result.extra.get("report", {})
        short = report.get("below_minimum", [])
        rows.append(
            FairnessRow(
                participants=size,
                minimum=k,
                points=result.points,
                bound=result.bound,
                below=len(short),
                below_reachable=sum(1 for s in short if s["reason"] not in OWN_REASONS),
                left_out=result.people_left_out,
                distribution=report.get("distribution", {}),
                seconds=result.seconds,
                valid=result.valid,
            )
        )
    bound = next((r.bound for r in rows if r.minimum == 0 and r.bound is not None), None)
    return [r if bound is None else FairnessRow(**{**r.__dict__, "bound": bound}) for r in rows]


def table(rows: list[FairnessRow]) -> Table:
    out = []
    for r in rows:
        d = r.distribution
        share = None if r.points is None or not r.bound else round(100 * r.points / r.bound, 2)
        zero = next((x for x in rows if x.participants == r.participants and x.minimum == 0), None)
        cost = None if zero is None or zero.points is None or r.points is None else zero.points - r.points
        out.append(
            {
                "participants": r.participants,
                "min_meetings": r.minimum,
                "points": r.points,
                "cost": cost,
                "% of bound": share,
                "below min": r.below if r.minimum else None,
                "below, could reach": r.below_reachable if r.minimum else None,
                "left out": r.left_out,
                "min meetings": d.get("min_meetings"),
                "median meetings": d.get("median_meetings"),
                "% below 3": None if "share_below_3" not in d else round(100 * d["share_below_3"], 1),
                "Gini of points": None if "gini_points" not in d else round(d["gini_points"], 3),
                "seconds": None if r.seconds is None else round(r.seconds, 1),
                "valid": r.valid,
            }
        )
    notes = [
        "cost: points given up against min_meetings = 0; % of bound: against the bound of the solve without a minimum",
        "below min: people who could meet somebody with fewer meetings than the minimum; "
        "could reach: of them, those not short for reasons of their own (too few wished partners, own limit); "
        "left out: people who could meet somebody and have no meeting",
        "min meetings and the median are over every active person, those with no wished partner they can meet too",
    ]
    return Table("What a minimum of meetings costs", list(out[0]) if out else [], out, environment_lines(), notes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fairness", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="300,1500", help="participant counts or 'table-bound', e.g. 300,1500 (the default)"
    )
    parser.add_argument("--minimums", default="0,1,2,3", help="min_meetings values, e.g. 0,1,2,3 (default)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "work", help="where events and schedules go")
    args = parser.parse_args(argv)
    sizes: list[int | str] = [x if x == TABLE_BOUND else int(x) for x in map(str.strip, args.sizes.split(",")) if x]
    minimums = [int(x) for x in args.minimums.split(",") if x.strip()]
    console, progress = Console(width=200), Console(stderr=True)
    rows = [row for size in sizes for row in measure(size, minimums, args.out, progress)]
    result = table(rows)
    render_rich(result, console)
    console.print(f"at the end: {load_text()}", highlight=False, markup=False)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "fairness.md").write_text(render_markdown(result) + f"\nat the end: {load_text()}\n", "utf-8")
    return 0 if all(r.valid for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
