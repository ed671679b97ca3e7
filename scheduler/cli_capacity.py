"""`python -m scheduler plan-capacity EVENT_DIR`: how many shared tables the event needs.

A module of its own so that `scheduler.cli` only registers it: the planning (OR-Tools, HiGHS) is
imported when the command runs. Exit codes as the other commands: 0 done, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from scheduler.planning import CapacityPlan, CapacityRow, PlanProgress

PROGRESS_INTERVAL = 2.0  # seconds between plain progress lines when stderr is not a terminal
PHASES = {"bounds": "bounds", "tables": "tables", "slots": "slots ±1", "done": "done"}


def add_command(sub: Any, epilog: str, paragraph: Any, positive_float: Any) -> None:
    """Register the command on the CLI's subparsers (the CLI passes its own helpers)."""
    plan = sub.add_parser(
        "plan-capacity",
        help="how many shared tables the event needs (and what one slot more or fewer a day changes)",
        description=paragraph(
            "Before the day: points, meetings and people without a meeting for a range of shared-table "
            "counts, from proven bounds and short heuristic solves, and the smallest count that reaches "
            "99 % of the points of unlimited tables; then the same with one slot fewer and one more a "
            "day. Booths (fixed tables) stay as they are. About half a minute for 300 people."
        ),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    plan.add_argument("event_dir", metavar="EVENT_DIR", help="the event folder")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON instead of a table")
    plan.add_argument(
        "--solve-seconds",
        type=positive_float,
        default=2.0,
        metavar="SECONDS",
        help="time limit of each short solve (default: 2)",
    )
    plan.add_argument("--no-slots", action="store_true", help="skip the one-slot-more-or-fewer rows")
    plan.set_defaults(handler=run)


def run(args: argparse.Namespace, started: float) -> int:
    from scheduler.cli import EXIT_OK, UserError, _bad_input, _load
    from scheduler.planning import PlanOptions, plan_capacity
    from scheduler.problems import EventError, MatchdayError

    del started  # no time limit: the planning's budget is its own
    try:
        loaded = _load(args.event_dir)
    except (UserError, EventError) as exc:
        return _bad_input(exc)
    options = PlanOptions(seconds_per_solve=args.solve_seconds, slot_variants=not args.no_slots)
    try:
        with _progress_bar() as on_progress:
            plan = plan_capacity(loaded.event, options, progress=on_progress)
    except MatchdayError as exc:
        return _bad_input(exc)
    if args.json:
        print(json.dumps(plan.as_dict(), indent=2))
    else:
        print(format_plan(plan, loaded.event.name))
    return EXIT_OK


@contextmanager
def _progress_bar() -> Iterator[PlanProgress]:
    """A rich progress bar on a terminal, otherwise a plain line at most every PROGRESS_INTERVAL seconds."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if console.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("planning", total=None)

            def on_terminal(phase: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=f"planning {PHASES.get(phase, phase)}")

            yield on_terminal
        return
    last = [float("-inf")]
    start = time.monotonic()

    def on_plain(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != "done" and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        console.print(f"planning {PHASES.get(phase, phase)}  {done}/{total} steps  {now - start:.1f} s", markup=False)

    yield on_plain


def format_plan(plan: CapacityPlan, name: str) -> str:
    """The plan as a text table: one row per table count, the recommendation and today's count marked."""
    lines = [
        f"Shared tables for {name}: {plan.current} now; at most {plan.unlimited} can be used at once "
        f"(with them: {plan.reference_points:,} points found, {plan.rows[-1].bound:,} at most).",
        "",
        _header(),
    ]
    for row in plan.rows:
        notes = []
        if row.tables == plan.recommended:
            notes.append(f"recommended: the fewest reaching {plan.goal_points:,.0f} points")
        if row.tables == plan.current:
            notes.append("now")
        if row.tables == plan.unlimited:
            notes.append("unlimited")
        lines.append(_line(row, "> " if row.tables == plan.recommended else "  ", ", ".join(notes)))
    for change in (-1, 1):
        rows = [r for r in plan.slot_rows if r.slot_change == change]
        if rows:
            lines += ["", f"One slot {'fewer' if change < 0 else 'more'} a day ({rows[0].slots} slots):", _header()]
            lines += [_line(r, "  ", "unlimited" if r is rows[-1] and len(rows) > 1 else "") for r in rows]
    lines += [
        "",
        f"Recommended: {plan.recommended} shared tables, the fewest whose schedule reaches {plan.target:.0%} of "
        f"the best possible with unlimited tables ({plan.seconds:.0f} s). Points are those of short heuristic "
        "solves (a full solve usually finds a little more); the bound is proven: no schedule can do better.",
    ]
    return "\n".join(lines)


def _header() -> str:
    columns = f"{'points':>8}  {'of unlimited':>12}  {'bound':>8}  {'meetings':>8}  {'people with none':>16}"
    return f"  {'tables':>6}  {columns}"


def _line(row: CapacityRow, mark: str, note: str) -> str:
    def n(value: int | None) -> str:
        return "-" if value is None else f"{value:,}"

    share = "-" if row.share is None else f"{100 * row.share:.1f} %"
    text = (
        f"{mark}{row.tables:>6}  {n(row.points):>8}  {share:>12}  {n(row.bound):>8}  {n(row.meetings):>8}  "
        f"{n(row.people_without_meeting):>16}"
    )
    return f"{text}  {note}" if note else text
