"""python -m benchmarks.unmet [--sizes 300,1500] [--out DIR] [--reuse]

The bar of the unmet-wish reasons: on the benchmark's generated events (the pinned `SIZE_CASES`),
every unmet wish has a reason and the independent oracle (`benchmarks.unmet_oracle`) confirms each
(for `busy`: the named meetings occupy every common allowed slot of the pair), and
`explain_unmet` is fast enough for a web page.

Each size is solved by the real command, `python -m scheduler solve DIR --out schedule.csv
--unmet unmet.csv --time-limit T`, whose unmet.csv must hold the same wishes and reasons; then
`explain_unmet` runs in this process on the written schedule (wall time, the median of three
runs, with its default short search), and every row is checked. `--reuse` keeps a schedule
already solved in the work folder.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from benchmarks.generator import write_event
from benchmarks.runner import RESULTS_DIR, Bar, Table, bars_table, case_for, environment_lines, render_rich
from benchmarks.unmet_oracle import Oracle
from scheduler.io.loading import load_event_dir
from scheduler.io.schedule_files import read_schedule_csv
from scheduler.unmet import REASONS, explain_unmet, reason_counts

PAGE_SECONDS = 2.0  # what a web page may wait for the reasons
RUNS = 3


@dataclass(frozen=True)
class UnmetOutcome:
    participants: int
    wishes: int
    unmet: int  # wishes whose pair does not meet (by the oracle)
    explained: int  # rows of explain_unmet
    confirmed: int  # rows whose reason is the first true one, with right blockers
    csv_agrees: bool  # the command's unmet.csv has the same wishes and reasons
    seconds: float  # explain_unmet, median wall time
    searched: int  # busy wishes whose change was looked for within the search time
    counts: dict[str, int]
    failures: tuple[str, ...]


def measure(size: int, work: Path, reuse: bool = False, log: Console | None = None) -> UnmetOutcome:
    case = case_for(size)
    folder = work / f"unmet-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    schedule_csv, unmet_csv = folder / "schedule.csv", folder / "unmet.csv"
    event_dir = write_event(folder / "event", case.spec())
    if not (reuse and schedule_csv.exists() and unmet_csv.exists()):
        if log:
            log.print(f"[{size}] solving ({case.time_limit:g} s)", highlight=False)
        cmd = [sys.executable, "-m", "scheduler", "solve", str(event_dir), "--out", str(schedule_csv)]
        cmd += ["--unmet", str(unmet_csv), "--time-limit", f"{case.time_limit:g}"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    event = load_event_dir(event_dir).event
    schedule, _ = read_schedule_csv(schedule_csv.read_bytes(), event)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        unmet = explain_unmet(event, schedule)
        times.append(time.perf_counter() - started)
    if log:
        log.print(f"[{size}] checking {len(unmet)} reasons", highlight=False)
    oracle = Oracle(event, schedule)
    expected = oracle.unmet_wishes()
    wishes = {(w.requester, w.target): w for w in event.wishes}
    failures: list[str] = []
    if [(u.requester, u.target) for u in unmet] != [(w.requester, w.target) for w in expected]:
        failures.append("the rows are not exactly the unmet wishes")
    confirmed = 0
    for u in unmet:
        w = wishes[(u.requester, u.target)]
        true = oracle.true_reasons(w)
        problems = oracle.blocker_problems(w, u.reason, u.blockers)
        if true and u.reason == true[0] and not problems:
            confirmed += 1
        elif len(failures) < 10:
            failures.append(f"{u.requester}->{u.target}: {u.reason}, true {true}; {'; '.join(problems)}")
    rows = list(csv.DictReader(io.StringIO(unmet_csv.read_text(encoding="utf-8"))))
    agrees = [(r["requester"], r["target"], r["reason"]) for r in rows] == [
        (u.requester, u.target, u.reason) for u in unmet
    ]
    return UnmetOutcome(
        participants=len(event.participants),
        wishes=len(event.wishes),
        unmet=len(expected),
        explained=len(unmet),
        confirmed=confirmed,
        csv_agrees=agrees,
        seconds=statistics.median(times),
        searched=sum(1 for u in unmet if u.reason == "busy" and "ran out of time" not in u.detail),
        counts=reason_counts(unmet),
        failures=tuple(failures),
    )


def outcome_table(outcomes: list[UnmetOutcome]) -> Table:
    rows = []
    for o in outcomes:
        rows.append(
            {
                "participants": o.participants,
                "wishes": o.wishes,
                "unmet": o.unmet,
                "with a reason": o.explained,
                "confirmed": o.confirmed,
                "seconds": round(o.seconds, 2),
                "busy searched": f"{o.searched}/{o.counts['busy']}",
                "reasons": ", ".join(f"{r} {o.counts[r]}" for r in REASONS if o.counts[r]),
            }
        )
    columns = list(rows[0]) if rows else []
    notes = [f"{o.participants}: {f}" for o in outcomes for f in o.failures]
    return Table("Unmet wishes: a confirmed reason for each", columns, rows, environment_lines(), notes)


def outcome_bars(o: UnmetOutcome) -> list[Bar]:
    n = o.participants
    return [
        Bar(f"{n}: every unmet wish has a reason", f"{o.unmet}", f"{o.explained}", o.explained == o.unmet),
        Bar(f"{n}: the oracle confirms each", f"{o.explained}", f"{o.confirmed}", o.confirmed == o.explained),
        Bar(f"{n}: unmet.csv of the command agrees", "yes", "yes" if o.csv_agrees else "no", o.csv_agrees),
        Bar(f"{n}: explain_unmet time", f"< {PAGE_SECONDS:g} s", f"{o.seconds:.2f} s", o.seconds < PAGE_SECONDS),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.unmet", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1500", help="participant counts, e.g. 300,1500 (default)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "work", help="where events and schedules go")
    parser.add_argument("--reuse", action="store_true", help="keep schedules already solved in --out")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    console, progress = Console(), Console(stderr=True)
    outcomes = [measure(size, args.out, args.reuse, progress) for size in sizes]
    bars = [b for o in outcomes for b in outcome_bars(o)]
    render_rich(outcome_table(outcomes), console)
    render_rich(bars_table("Bars", bars), console)
    return 0 if all(b.passed for b in bars) else 1


if __name__ == "__main__":
    sys.exit(main())
