"""Time-to-quality curves (issue 13, "fast on the day"): points against seconds, read from the
progress snapshots that `solve()` sends while it works.

Each curve is one in-process `solve()` of an event (fresh, or a re-solve from a previous
schedule), timed from the call: loading, interpreter start-up and writing are not in it (the
command's own clock in the size and re-solve tables has them). A checkpoint's value is the best
points among the snapshots sent by then, as a share of the bound (the final bound of the solve,
which every snapshot is measured against); "—" where no snapshot with points was sent yet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.runner import Log, Table
from scheduler.io.loading import load_event_dir
from scheduler.io.schedule_files import read_schedule_csv
from scheduler.pipelines.solve import solve
from scheduler.results import Progress, SolveOptions

CHECKPOINTS = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)  # seconds at which the table reads each curve


@dataclass
class Curve:
    """One solve's snapshots: (seconds, points, phase) of every snapshot that carried points."""

    name: str
    time_limit: float
    snapshots: list[tuple[float, int, str]] = field(default_factory=list)
    bound: int | None = None
    points: int | None = None
    seconds: float | None = None  # solve() from the call to its return
    cpu_seconds: float | None = None  # CPU time of this process over the solve, every thread

    def best_at(self, t: float) -> int | None:
        """The most points any snapshot sent by `t` seconds carried."""
        found = [p for s, p, _ in self.snapshots if s <= t]
        return max(found) if found else None

    def reached(self, share: float) -> float | None:
        """The first second at which the points reached `share` of the bound."""
        if not self.bound:
            return None
        return min((s for s, p, _ in self.snapshots if p >= share * self.bound), default=None)


def record(
    name: str,
    event_dir: Path,
    time_limit: float,
    previous: Path | None = None,
) -> Curve:
    """Solve the event in this process, keeping every progress snapshot with points (a re-solve
    without a cut-off: with one, snapshots would leave out the history's points)."""
    event = load_event_dir(event_dir).event
    old = read_schedule_csv(previous.read_bytes(), event)[0] if previous is not None else None
    curve = Curve(name, time_limit)

    def keep(p: Progress) -> None:
        if p.points is not None:
            curve.snapshots.append((p.elapsed, p.points, p.phase))

    started, cpu = time.monotonic(), time.process_time()
    result = solve(event, SolveOptions(time_limit=time_limit, previous=old), progress=keep)
    curve.seconds, curve.cpu_seconds = time.monotonic() - started, time.process_time() - cpu
    curve.bound, curve.points = result.bound, result.stats.points
    curve.snapshots.append((curve.seconds, curve.points, "done"))
    return curve


def curves_table(curves: list[Curve]) -> Table:
    """Share of the bound reached by each checkpoint, per curve."""
    checkpoints = [t for t in CHECKPOINTS if any(t <= c.time_limit for c in curves)]
    columns = ["run", "--time-limit", "bound"] + [f"{t:g} s" for t in checkpoints]
    columns += ["final %", "≥ 99.5 % at (s)", "seconds", "CPU s"]
    rows = []
    for c in curves:
        row: dict[str, object] = {"run": c.name, "--time-limit": c.time_limit, "bound": c.bound}
        for t in checkpoints:
            best = c.best_at(t) if t <= c.time_limit else None
            row[f"{t:g} s"] = None if best is None or not c.bound else round(100 * best / c.bound, 2)
        row["final %"] = None if c.points is None or not c.bound else round(100 * c.points / c.bound, 2)
        reached = c.reached(0.995)
        row["≥ 99.5 % at (s)"] = None if reached is None else round(reached, 2)
        row["seconds"] = None if c.seconds is None else round(c.seconds, 2)
        row["CPU s"] = None if c.cpu_seconds is None else round(c.cpu_seconds, 2)
        rows.append(row)
    return Table(
        title="Time to quality: % of the bound against seconds (in-process solve())",
        columns=columns,
        rows=rows,
        notes=[
            "each checkpoint: the best points among solve()'s progress snapshots sent by then, over the solve's "
            "final bound; seconds count solve() only (no start-up, loading or writing); CPU s: this process's CPU "
            "time over the solve, every thread (less sensitive to a loaded machine than seconds).",
        ],
    )


def run_curves(size_event: Path, cancel_dir: Path | None, log: Log = lambda _m: None) -> Table:
    """The fresh 300 day at 5 s and 30 s, and the 5 % cancellation re-solve at 10 s."""
    curves = []
    for limit in (5.0, 30.0):
        log(f"[curves] fresh solve, {limit:g} s")
        curves.append(record("fresh solve", size_event, limit))
    if cancel_dir is not None and (cancel_dir / "previous.csv").is_file():
        log("[curves] re-solve after 5 % cancellations, 10 s")
        curves.append(record("re-solve, cancel 5 %", cancel_dir / "event", 10.0, cancel_dir / "previous.csv"))
    return curves_table(curves)
