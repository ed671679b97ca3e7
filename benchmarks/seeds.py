"""python -m benchmarks.seeds [--sizes 300,1500,table-bound] [--seeds 3] [--out DIR]

One generated event is one draw: a solver change that helps seed 300 may hurt seed 301. This runs
each benchmark shape (`runner.case_for`: a size, "table-bound", or any other shape the runner
knows) on its pinned seed and the next ones, with the real command under the same measurement as
`python -m benchmarks`, and prints the worst and the median of matchday's figures over the seeds:
points % of the bound, holes, holes against the mutual-first greedy's, people with none who could
meet, table changes, seconds (the command's own clock) and peak memory. "Worst" is the lowest share
of the bound and the highest of everything else, each on its own (they may come from different
seeds); the per-seed rows are printed under it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks import runner
from benchmarks.runner import RESULTS_DIR, MethodResult, SizeCase, Table

#: (column, how to read it from a row, whether higher is better)
METRICS: list[tuple[str, Callable[[dict[str, Any]], float | None], bool]] = [
    ("% of bound", lambda r: r["share"], True),
    ("holes", lambda r: r["holes"], False),
    ("holes % of greedy's", lambda r: r["holes_vs_greedy"], False),
    ("people with none who could meet", lambda r: r["left_out"], False),
    ("table changes %", lambda r: r["table_changes"], False),
    ("seconds", lambda r: r["seconds"], False),
    ("peak memory (MB)", lambda r: r["peak_mb"], False),
]


def _sizes(text: str) -> list[int | str]:
    return [int(x) if x.strip().isdigit() else x.strip().lower() for x in text.split(",") if x.strip()]


def seed_row(case: SizeCase, results: list[MethodResult]) -> dict[str, Any]:
    """matchday's figures on one seed (the last row of a size run), with the greedy's holes beside."""
    greedy = next(r for r in results if r.method == "mutual-first greedy")
    mine = results[-1]
    share = None if not mine.points or not mine.bound else round(100 * mine.points / mine.bound, 2)
    holes_vs = None
    if mine.holes is not None and greedy.holes:
        holes_vs = round(100 * mine.holes / greedy.holes, 1)
    own_clock = mine.extra.get("command_seconds")
    return {
        "seed": case.seed,
        "points": mine.points,
        "bound": mine.bound,
        "share": share,
        "holes": mine.holes,
        "greedy_holes": greedy.holes,
        "holes_vs_greedy": holes_vs,
        "left_out": mine.people_left_out,
        "table_changes": mine.table_changes,
        "seconds": own_clock if own_clock is not None else mine.seconds,
        "peak_mb": mine.peak_mb,
        "valid": mine.valid,
        "error": mine.error,
    }


def summary_row(label: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two rows: the worst and the median of each metric over the seeds."""
    worst: dict[str, Any] = {"shape": label, "over": f"worst of {len(rows)}"}
    median: dict[str, Any] = {"shape": label, "over": f"median of {len(rows)}"}
    for column, read, higher_better in METRICS:
        values = [v for v in (read(r) for r in rows) if v is not None]
        worst[column] = (min(values) if higher_better else max(values)) if values else None
        median[column] = statistics.median(values) if values else None
    every_valid = all(r["valid"] for r in rows) and not any(r["error"] for r in rows)
    worst["valid"] = median["valid"] = every_valid
    return [worst, median]


def seeds_table(per_shape: dict[str, list[dict[str, Any]]]) -> Table:
    columns = ["shape", "over"] + [m[0] for m in METRICS] + ["valid"]
    rows = [row for label, seeds in per_shape.items() for row in summary_row(label, seeds)]
    notes = [
        "seconds: the command's own clock (loading to writing), the figure its --time-limit bounds.",
        "holes % of greedy's: matchday's holes over the mutual-first greedy's on the same seed.",
    ]
    for label, seeds in per_shape.items():
        for r in seeds:
            line = (
                f"{label}, seed {r['seed']}: {r['points']} of {r['bound']} points ({r['share']} %), "
                f"{r['holes']} holes (greedy {r['greedy_holes']}), {r['left_out']} with none who could meet, "
                f"table changes {r['table_changes']} %, {r['seconds']} s, {runner.fmt(r['peak_mb'])} MB, "
                f"valid {r['valid']}"
            )
            notes.append(line + (f"; error: {r['error']}" if r["error"] else ""))
    return Table(
        title="matchday over generator seeds: worst and median",
        columns=columns,
        rows=rows,
        header=runner.environment_lines(),
        notes=notes,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seeds", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[300, 1500, runner.TABLE_BOUND])
    parser.add_argument("--seeds", type=int, default=3, help="the pinned seed and the next ones (default 3)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "work" / "seeds")
    args = parser.parse_args(argv)
    console, err = Console(width=200), Console(stderr=True)
    per_shape: dict[str, list[dict[str, Any]]] = {}
    for size in args.sizes:
        base = runner.case_for(size)
        for k in range(args.seeds):
            case = dataclasses.replace(base, seed=base.seed + k)
            work = args.out / f"{case.slug}-seed-{case.seed}"
            outcome = runner.run_size(case, work, log=lambda m: err.print(m, highlight=False, markup=False))
            per_shape.setdefault(str(size), []).append(seed_row(case, outcome.results))
    table = seeds_table(per_shape)
    runner.render_rich(table, console)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "seeds.md").write_text(runner.render_markdown(table), encoding="utf-8")
    (RESULTS_DIR / "seeds.json").write_text(json.dumps(per_shape, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["valid"] and not r["error"] for rows in per_shape.values() for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
