"""python -m benchmarks.standby [--size 1500] [--people 20] [--out DIR]

The bar of standby pairs (issue 11): `scheduler.standby.standby` answers in under one second on
the benchmark's 1,500-person event, and every suggestion passes the independent checker.

The event is the pinned size case of `benchmarks.runner` (`benchmarks.generator`); its schedule is
the mutual-first greedy's (`scheduler.heuristics.mutual_first`, labelled by `assign_tables`), which
fills the day as densely as a solve does, in a second rather than a minute. The question is asked
for the busiest people (the most freed meetings, so the slowest answers) at the start of the day;
the time is the library call alone, the event and schedule loaded. Each suggestion is then applied
alone and the whole schedule checked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.generator import write_event
from benchmarks.runner import RESULTS_DIR, case_for
from scheduler.check.checker import check_schedule
from scheduler.domain import Schedule
from scheduler.heuristics import assign_tables, mutual_first
from scheduler.io.loading import load_event_dir
from scheduler.standby import as_absent, standby

BAR_SECONDS = 1.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.standby", description=__doc__.split("\n\n")[1])
    parser.add_argument("--size", type=int, default=1500, help="participants of the pinned case (default 1500)")
    parser.add_argument("--people", type=int, default=20, help="absent people asked about (default 20)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "work", help="where the event is written")
    args = parser.parse_args(argv)
    folder = write_event(args.out / f"standby-{args.size}" / "event", case_for(args.size).spec())
    event = load_event_dir(folder).event
    schedule = assign_tables(event, mutual_first(event))
    count = {pid: len(schedule.for_person(pid)) for pid in event.participants}
    busiest = sorted(count, key=lambda p: (-count[p], p))[: args.people]
    at = dt.datetime.combine(event.days[0].date, event.days[0].start)
    times, cpu, suggestions, failures, freed_total = [], [], 0, 0, 0
    for pid in busiest:
        started, started_cpu = time.perf_counter(), time.process_time()
        freed = standby(event, schedule, pid, at)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        marked = as_absent(event, pid)
        before = {str(v) for v in check_schedule(marked, schedule)}
        freed_total += len(freed)
        for f in freed:
            for s in f.suggestions:
                suggestions += 1
                new = Schedule.of([*(m for m in schedule.meetings if m != f.meeting), s.meeting])
                failures += any(str(v) not in before for v in check_schedule(marked, new))
    worst = max(times)
    print(f"standby on {len(event.participants)} participants, {len(schedule)} meetings (mutual-first greedy)")
    print(
        f"{len(busiest)} absent people (the busiest), {freed_total} freed meetings, {suggestions} suggestions; "
        f"seconds per question: median {statistics.median(times):.3f}, max {worst:.3f} (bar < {BAR_SECONDS:g})"
    )
    print(
        f"CPU seconds per question: median {statistics.median(cpu):.3f}, max {max(cpu):.3f}; "
        f"load average during the run {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"suggestions failing the checker: {failures}")
    ok = worst < BAR_SECONDS and failures == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
