"""python -m benchmarks [--sizes 300,1500] [--repair] [--b2b] [--web] [--quick] [--out DIR]

Prints the benchmark tables with PASS/FAIL per bar, and writes a markdown copy to
benchmarks/results/latest.md (and the raw numbers to latest.json). See benchmarks/README.md.
The default run measures the sizes 300 and 1500, then the re-solve scenarios on the solved
300 day. Exit status: 0 when every bar passes, 1 when one fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from benchmarks import repair, runner
from benchmarks.runner import RESULTS_DIR, Bar, Table


def _sizes(text: str) -> list[int | str]:
    if text.strip().lower() in ("", "none", "0"):
        return []
    out: list[int | str] = []
    for x in (x.strip().lower() for x in text.split(",") if x.strip()):
        if x in runner.SHAPES:
            out.append(x)
            continue
        try:
            out.append(int(x))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--sizes takes numbers or {' or '.join(map(repr, runner.SHAPES))} separated by commas, got {text!r}"
            ) from None
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="participant counts or shapes to benchmark, e.g. 300,1500,table-bound (default), trade-exchange; "
        "'none' for none. "
        "Given on its own, the re-solve scenarios are left out",
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="the re-solve scenarios (cancel 5 %%; cut-off + 10 %% no-shows) on the solved "
        "300 day, reused from the size run's folder or solved once; alone unless "
        "--sizes is given too",
    )
    parser.add_argument(
        "--b2b", action="store_true", help="also solve the 20 published B2B instances (*.original.dzn) in all mode"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: one 40-participant size with a 5 s limit, the re-solve scenarios on it and 2 B2B instances",
    )
    parser.add_argument(
        "--web",
        action="store_true",
        help="time the organiser's schedule page of the 1500 event (solved by the heuristics); "
        "alone unless --sizes is given too",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS_DIR / "work",
        help="folder for generated events, schedules and reports (default benchmarks/results/work)",
    )
    args = parser.parse_args(argv)

    console = Console(width=200)
    err = Console(stderr=True)

    def log(message: str) -> None:
        err.print(message, style="dim", highlight=False, markup=False)

    default_sizes: list[int | str] = [300, 1500, runner.TABLE_BOUND]
    sizes = args.sizes if args.sizes is not None else ([] if args.repair or args.web else default_sizes)
    cases = [runner.QUICK_CASE] if args.quick else [runner.case_for(n) for n in sizes]
    with_repair = args.repair or args.quick or (args.sizes is None and not args.web)
    sections: list[tuple[str, list[Table], list[Bar]]] = []
    raw: dict[str, object] = {"environment": runner.environment_lines(), "sizes": [], "repair": [], "b2b": []}
    for line in raw["environment"]:  # type: ignore[union-attr]
        console.print(line, highlight=False, markup=False)
    console.print()

    for case in cases:
        outcome = runner.run_size(case, args.out / case.slug, log)
        bars_table = runner.bars_table(f"Bars, {case.label}", outcome.bars)
        _show(console, [outcome.table, bars_table])
        sections.append((outcome.table.title, [outcome.table, bars_table], outcome.bars))
        raw["sizes"].append(
            {
                "case": dataclasses.asdict(case),  # type: ignore[union-attr]
                "results": [dataclasses.asdict(r) for r in outcome.results],
            }
        )

    if with_repair:
        case = repair.QUICK_REPAIR_CASE if args.quick else repair.REPAIR_CASE
        base_work = args.out / f"size-{case.base.participants}"
        for outcome in repair.run_repair(case, base_work, args.out / f"repair-{case.base.participants}", log):
            assert outcome.table is not None
            bars_table = runner.bars_table(f"Bars, re-solve: {outcome.name}", outcome.bars)
            _show(console, [outcome.table, bars_table])
            sections.append((outcome.table.title, [outcome.table, bars_table], outcome.bars))
            raw["repair"].append(repair.raw(outcome))  # type: ignore[union-attr]
        if not args.quick:  # time-to-quality curves: the fresh 300 day, and its 5 % cancellation re-solve
            from benchmarks import curves

            table = curves.run_curves(base_work / "event", args.out / "repair-300" / "cancel", log)
            _show(console, [table])
            sections.append((table.title, [table], []))

    if args.web:
        from benchmarks import web

        table, bars = web.run_web(args.out / "web", log)
        bars_table = runner.bars_table("Bars, schedule page", bars)
        _show(console, [table, bars_table])
        sections.append((table.title, [table, bars_table], bars))

    if (
        args.b2b or args.quick or (args.sizes is None and not args.repair and not args.web)
    ):  # the default runs every bar
        from benchmarks import b2b

        if not b2b.B2B_DIR.is_dir():
            console.print(f"B2B benchmark skipped: {b2b.B2B_DIR} not found", highlight=False, markup=False)
        else:
            only = b2b.QUICK_INSTANCES if args.quick else None
            limit = runner.QUICK_CASE.time_limit if args.quick else b2b.TIME_LIMIT
            results = b2b.run_all(limit, only, log=log)
            bars = b2b.b2b_bars(results)
            tables = [*b2b.b2b_tables(results), runner.bars_table("Bars, B2B benchmark", bars)]
            _show(console, tables)
            sections.append((tables[0].title, tables, bars))
            raw["b2b"] = [dataclasses.asdict(r) for r in results]

    raw["environment"].append(f"at the end: {runner.load_text()}")  # type: ignore[union-attr]
    console.print(f"at the end: {runner.load_text()}", highlight=False, markup=False)
    all_bars = [b for _, _, bars in sections for b in bars]
    failed = [b for b in all_bars if b.passed is False]
    summary = f"{sum(b.passed is True for b in all_bars)} bar(s) passed, {len(failed)} failed" + (
        ": " + "; ".join(b.name for b in failed) if failed else ""
    )
    console.print(summary, style="bold red" if failed else "bold green", highlight=False, markup=False)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    md = ["# matchday benchmark results", "", *[f"{line}  " for line in raw["environment"]], ""]  # type: ignore[union-attr]
    for _title, tables, _bars in sections:
        md += [runner.render_markdown(t) for t in tables]
    md.append(f"**{summary}**\n")
    (RESULTS_DIR / "latest.md").write_text("\n".join(md), encoding="utf-8")
    (RESULTS_DIR / "latest.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    log(f"markdown copy: {RESULTS_DIR / 'latest.md'}")
    return 1 if failed else 0


def _show(console: Console, tables: list[Table]) -> None:
    for t in tables:
        runner.render_rich(t, console)


if __name__ == "__main__":
    sys.exit(main())
