"""python -m benchmarks.capacity [--event sample_events/buyer-seller-day] [--time-limit 30]

The bar of table planning (issue 11, item 4): `python -m scheduler plan-capacity` on the
300-person sample event finishes within 60 s, and its recommended table count, solved fully,
reaches 99 % of the points of unlimited tables.

The planning runs as the real command (`--json`, wall time measured around the process, imports
included); then the event is solved fully (CP-SAT on, `--time-limit` seconds each) with the
recommended count and with unlimited tables (the most usable at once), and the ratio printed.
The machine's load average is printed too: the planning's short solves are wall-clock bounded,
so a loaded machine gives them less work, not more time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence

from scheduler.io.loading import load_event_dir
from scheduler.pipelines.solve import solve
from scheduler.planning import with_tables
from scheduler.results import SolveOptions

PLAN_SECONDS = 60.0
SHARE = 0.99


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capacity", description=__doc__.splitlines()[0])
    parser.add_argument("--event", default="sample_events/buyer-seller-day", help="the event folder")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds of each full solve (default 30)")
    args = parser.parse_args(argv)

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "plan-capacity", args.event, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    plan_seconds = time.monotonic() - started
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        print(f"FAIL: plan-capacity exited with {done.returncode}")
        return 1
    plan = json.loads(done.stdout)
    recommended, unlimited = plan["recommended"], plan["unlimited"]
    print(
        f"plan-capacity: {plan_seconds:.1f} s wall (planning itself {plan['seconds']:.1f} s); "
        f"tables now {plan['current']}, unlimited {unlimited}, recommended {recommended} "
        f"(short solves: {plan['reference_points']} points with unlimited tables)"
    )

    event = load_event_dir(args.event).event
    points = {}
    for tables in (recommended, unlimited):
        result = solve(with_tables(event, tables), SolveOptions(time_limit=args.time_limit))
        points[tables] = result.stats.points
        print(
            f"full solve with {tables:>4} tables: {result.stats.points} points, bound {result.bound}, "
            f"{result.stats.meetings} meetings, {len(result.stats.people_without_meeting)} without, "
            f"{result.seconds:.1f} s"
        )
    ratio = points[recommended] / points[unlimited] if points[unlimited] else 1.0
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    time_ok, share_ok = plan_seconds <= PLAN_SECONDS, ratio >= SHARE
    print(f"{'PASS' if time_ok else 'FAIL'}: plan-capacity {plan_seconds:.1f} s (bar {PLAN_SECONDS:.0f} s)")
    print(
        f"{'PASS' if share_ok else 'FAIL'}: recommended {recommended} tables reach {100 * ratio:.2f} % "
        f"of unlimited ({points[recommended]} / {points[unlimited]}; bar {100 * SHARE:.0f} %)"
    )
    return 0 if time_ok and share_ok else 1


if __name__ == "__main__":
    sys.exit(main())
