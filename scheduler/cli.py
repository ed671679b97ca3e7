"""The command line: `python -m scheduler solve|check|diff|export|standby`, a thin layer over the library.

Everything here is input/output: parse arguments, load files, call `solve` or `check_schedule`,
print what happened and map the outcome to an exit code. No scheduling logic lives here, so the
API and the CLI give the same answers.

Exit codes: 0 success, 1 the schedule breaks a hard rule, 2 bad input, 3 no schedule.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

_IMPORTED = time.monotonic()  # the start of the command when no earlier clock was read (`main`)

from rich.console import Console  # noqa: E402  (after the timestamp on purpose)
from rich.text import Text  # noqa: E402

from scheduler.check.checker import check_schedule  # noqa: E402
from scheduler.cli_capacity import add_command as add_plan_capacity  # noqa: E402
from scheduler.diff import diff_as_dict, diff_schedules, diff_to_csv  # noqa: E402
from scheduler.domain import Event, Schedule  # noqa: E402
from scheduler.io.loading import LoadedEvent, load_event_dir  # noqa: E402
from scheduler.io.output import OutputError, write_atomically  # noqa: E402
from scheduler.io.schedule_files import read_schedule_csv, write_schedule_csv  # noqa: E402
from scheduler.problems import EventError, InvalidScheduleError, MatchdayError, NoScheduleError, Problem  # noqa: E402
from scheduler.report import schedule_stats  # noqa: E402
from scheduler.results import (  # noqa: E402
    MoveCosts,
    Progress,
    ScheduleStats,
    SolveOptions,
    SolveResult,
    TableChanges,
    WishesMet,
    relative_gap,
)

if TYPE_CHECKING:
    from scheduler.unmet import UnmetWish

EXIT_OK, EXIT_INVALID, EXIT_BAD_INPUT, EXIT_NO_SCHEDULE, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 3, 130, 141

DEFAULT_TIME_LIMIT = 30.0
WRITE_MARGIN = 1.0  # seconds kept back from the solver for statistics, checking and writing
# … and, for a large event, what the steps after the solve take, in loading times (which tell
# the machine's speed and load): statistics, table labels, the checker and writing grow with the
# event as loading does, the unmet wishes' reasons with wishes x slots. Measured: 1,500 people
# (20,000 wishes, 17 slots) load in ~2 s and need ~7 s after; the 2,300-person trade exchange
# (80,500 wishes, 84 slots) loads in ~6 s and needs ~37 s after.
AFTER_SOLVE_LOADS = 4.0  # loading times after the solve …
AFTER_SOLVE_LOADS_PER_MILLION_WISH_SLOTS = 0.5  # … and this many more per million (wish, slot) pairs
# … but never less than this per thousand wishes: loading got faster than what follows it. Measured
# idle on 2026-12-02: the 1,500-person day loads in ~0.3 s and needs ~2.2 s after its solver
# (table labels 0.4 s, the checker 0.3 s, the unmet wishes' reasons 1.2 s, writing 0.4 s), which
# four loading times left 0.4 s past a 60 s limit.
AFTER_SOLVE_SECONDS_PER_THOUSAND_WISHES = 0.15
MIN_SOLVE_SECONDS = 1.0  # the solver always gets at least this, even when loading ate the budget
PROGRESS_INTERVAL = 2.0  # seconds between plain progress lines when stderr is not a terminal
HEARTBEAT_SECONDS = 4.0  # silent this long (a step without reports of its own): the latest line again
MAX_NAMES = 10  # people without a meeting listed by name in the report
UNMET_SEARCH_SECONDS = 0.5  # the most the report's reasons spend looking for the trade behind busy wishes
UNMET_EXAMPLES = 4  # unmet wishes shown in the report, one per reason


class UserError(Exception):
    """A problem with the command's own files (paths, permissions) rather than the event's contents."""


# --- arguments ---------------------------------------------------------------------------------

EPILOG = """\
exit codes:
  0  success (solve: schedule written; check: the schedule is valid)
  1  check: the schedule breaks at least one hard rule (each violation is listed);
     solve: the solver's schedule failed the independent check (a bug; please report
     it): nothing is written to --out, the schedule goes to OUT.rejected.csv
  2  bad input: a missing or malformed file, a bad option, an unwritable output path,
     locked rows of --previous that break a hard rule; standby: an unknown person, a
     time outside the event
  3  solve: no schedule exists (infeasible) or none was found within the time limit
  141  the reader of the output went away (as in `… | head`); ends quietly
"""


def _paragraph(text: str) -> str:
    """Descriptions are wrapped here because the raw formatter (kept for the epilog) does not."""
    return textwrap.fill(" ".join(text.split()), width=88)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def _local_datetime(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a local date and time like 2027-03-10T11:00") from None


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler",
        description=_paragraph(
            "matchday: schedule the meetings of a B2B matchmaking day, or check a schedule. An event "
            "is a folder with event.toml, participants.csv and wishes.csv (see docs/formats.md)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    solve = sub.add_parser(
        "solve",
        help="compute a schedule and write it as schedule.csv",
        description=_paragraph(
            "Compute a schedule for an event and write it in the schedule.csv format. A short report "
            "(meetings, points, proven upper bound and gap, people without a meeting, holes, time) "
            "goes to stdout, live progress to stderr."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    solve.add_argument("event_dir", metavar="EVENT_DIR", help="the event folder")
    solve.add_argument(
        "--out",
        "-o",
        required=True,
        metavar="FILE",
        help="where to write the schedule (CSV); written only when a schedule is found",
    )
    solve.add_argument(
        "--time-limit",
        "-t",
        type=_positive_float,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help="wall-clock limit for the whole command, loading to writing "
        f"(default {DEFAULT_TIME_LIMIT:g}); the best schedule found by then is written",
    )
    solve.add_argument("--seed", type=int, default=0, metavar="N", help="random seed of the solver (default 0)")
    solve.add_argument(
        "--deterministic",
        action="store_true",
        help="one worker and a deterministic time budget: the same input gives the same "
        "schedule (the wall-clock limit still applies)",
    )
    solve.add_argument(
        "--workers", type=_non_negative_int, default=0, metavar="N", help="solver threads; 0 (default) uses every core"
    )
    solve.add_argument(
        "--previous",
        metavar="OLD_CSV",
        help="a previous schedule to repair: rows with locked=yes stay exactly where they are, "
        "the others stay unless moving them buys clearly more (see --move-cost), and "
        "the freed time is refilled with the best remaining wishes",
    )
    solve.add_argument(
        "--from",
        dest="cutoff",
        type=_local_datetime,
        metavar="YYYY-MM-DDTHH:MM",
        help="with --previous: re-plan only from this local time on; every meeting that "
        "started before it is history and stays as it was",
    )
    solve.add_argument(
        "--move-cost",
        type=_non_negative_int,
        default=MoveCosts().move_slot,
        metavar="POINTS",
        help="with --previous: what moving a kept meeting to another slot costs, in points (default %(default)s)",
    )
    solve.add_argument(
        "--drop-cost",
        type=_non_negative_int,
        default=MoveCosts().drop,
        metavar="POINTS",
        help="with --previous: what dropping a still-possible meeting costs on top of its points (default %(default)s)",
    )
    solve.add_argument(
        "--unmet",
        metavar="FILE",
        help="also write unmet.csv: one row per wish whose pair does not meet, with the reason, "
        "in words, and what stands in the way (docs/formats.md, 'Unmet wishes')",
    )
    solve.add_argument(
        "--report-json",
        metavar="FILE",
        help="also write the report's figures as a JSON object (for benchmarks and scripts)",
    )
    solve.set_defaults(handler=_cmd_solve)

    check = sub.add_parser(
        "check",
        help="check a schedule against every hard rule",
        description=_paragraph(
            "Check any schedule.csv (ours or another tool's) against every hard rule of the event with "
            "the independent checker, and list each violation."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("event_dir", metavar="EVENT_DIR", help="the event folder")
    check.add_argument("schedule", metavar="SCHEDULE_CSV", help="the schedule to check")
    check.add_argument(
        "--from",
        dest="cutoff",
        type=_local_datetime,
        metavar="YYYY-MM-DDTHH:MM",
        help="meetings that started before this local time are history: statuses, wishes "
        "and availability no longer judge them",
    )
    check.set_defaults(handler=_cmd_check)

    diff = sub.add_parser(
        "diff",
        help="what changed between two versions of a schedule, per person",
        description=_paragraph(
            "List, per person, the meetings added, cancelled and moved (old and new slot and table) "
            "between two schedules of one event, and who is affected: the people whose agendas "
            "must be sent again."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument("event_dir", metavar="EVENT_DIR", help="the event folder")
    diff.add_argument("old", metavar="OLD_CSV", help="the earlier schedule")
    diff.add_argument("new", metavar="NEW_CSV", help="the later schedule")
    diff.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="text for reading (default), json or csv for tools",
    )
    diff.set_defaults(handler=_cmd_diff)

    export = sub.add_parser(
        "export",
        help="write every agenda (PDF and calendar), the master plan and the table signs",
        description=_paragraph(
            "Write the documents of a schedule into one folder: agendas/<id>.pdf and agendas/<id>.ics "
            "for every active participant, agendas.pdf (all of them, one per page), plan.pdf (the "
            "master plan) and table-signs.pdf: the same documents the web service serves. A schedule "
            "that breaks a hard rule is refused and nothing is written."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("event_dir", metavar="EVENT_DIR", help="the event folder")
    export.add_argument("schedule", metavar="SCHEDULE_CSV", help="the schedule to print")
    export.add_argument("--out", "-o", required=True, metavar="DIR", help="the folder to write (made if missing)")
    export.add_argument(
        "--from",
        dest="cutoff",
        type=_local_datetime,
        metavar="YYYY-MM-DDTHH:MM",
        help="for a repaired schedule: meetings that started before this local time are history "
        "when the schedule is checked",
    )
    export.set_defaults(handler=_cmd_export)
    add_plan_capacity(sub, EPILOG, _paragraph, _positive_float)

    from scheduler import cli_standby  # the command's own module (it imports this one's helpers)

    cli_standby.add_parser(sub, EPILOG, _paragraph, _local_datetime)
    return parser


def main(argv: Sequence[str] | None = None, started: float | None = None) -> int:
    """Run the command line and return the exit code (tests call this in-process).

    --time-limit counts from `started` (a `time.monotonic()` value): `python -m scheduler` reads
    it first thing, before the heavy imports. Never the process's start: a `bash -c '… && python
    -m scheduler …'` line runs the command in bash's own process, and the time bash spent before
    is not the command's. Without `started`: from the import of this module for a real command
    line (`argv` None), from this call otherwise (a test session may be long-running).
    """
    if started is None:
        started = _IMPORTED if argv is None else time.monotonic()
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help, or a usage error already printed by argparse
            code = exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
        else:
            code = args.handler(args, started)
        sys.stdout.flush()  # here, where a closed reader can still be answered quietly
        return code
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The reader of stdout went away (`… | head`): stop quietly, as other command-line tools do.

    What is still buffered for stdout goes to /dev/null, so that the interpreter's own flush at
    exit does not raise the error again as a traceback.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    return EXIT_PIPE_CLOSED


# --- solve -------------------------------------------------------------------------------------


def _cmd_solve(args: argparse.Namespace, started: float) -> int:
    """Load, solve within what is left of the time limit, check, write, report."""
    with _progress_view(started) as on_progress:
        return _solve_with_progress(args, started, on_progress)


def _solve_with_progress(args: argparse.Namespace, started: float, on_progress: Callable[[Progress], None]) -> int:
    """`_cmd_solve` with every step reporting its phase: loading, the solver's own phases,
    explaining the unmet wishes, writing."""

    def phase(name: str) -> None:
        on_progress(Progress(name, time.monotonic() - started))

    out, report_json = Path(args.out), Path(args.report_json) if args.report_json else None
    unmet_csv = Path(args.unmet) if args.unmet else None
    try:
        for path in (out, report_json, unmet_csv):
            if path is not None:
                _ensure_writable(path)  # before solving: a typo should not cost the whole time limit
        phase("loading")
        load_started = time.monotonic()
        loaded = _load(args.event_dir)
        loading = time.monotonic() - load_started  # the event's size, in seconds (imports excluded)
        previous = _read_schedule(Path(args.previous), loaded.event) if args.previous else None
    except (UserError, EventError) as exc:
        return _bad_input(exc)

    # Imported here: they pull in OR-Tools and NumPy, which `check` and --help do not need.
    from scheduler.pipelines.solve import solve
    from scheduler.unmet import explain_unmet, write_unmet_csv

    wish_slots = len(loaded.event.wishes) * len(loaded.event.slots) / 1e6
    after_solve = max(
        WRITE_MARGIN,
        loading * (AFTER_SOLVE_LOADS + AFTER_SOLVE_LOADS_PER_MILLION_WISH_SLOTS * wish_slots),
        AFTER_SOLVE_SECONDS_PER_THOUSAND_WISHES * len(loaded.event.wishes) / 1000,
    )
    budget = max(MIN_SOLVE_SECONDS, args.time_limit - (time.monotonic() - started) - after_solve)
    if args.cutoff is not None and previous is None:
        return _bad_input(UserError("--from needs --previous: the schedule whose past it keeps"))
    options = SolveOptions(
        time_limit=budget,
        workers=args.workers,
        seed=args.seed,
        deterministic=args.deterministic,
        previous=previous,
        cutoff=args.cutoff,
        move_costs=MoveCosts(move_slot=args.move_cost, drop=args.drop_cost),
    )
    deadline: float = max(started + args.time_limit - after_solve / 2, time.monotonic() + MIN_SOLVE_SECONDS)

    def past_deadline() -> bool:
        """A safety net: the solver has its own limit, but this one also counts our start-up."""
        return time.monotonic() > deadline

    try:
        result = solve(loaded.event, options, progress=on_progress, should_stop=past_deadline)
    except NoScheduleError as exc:
        _err(f"no schedule: {exc.reason}")
        for detail in exc.details:
            _err(f"  - {detail}")
        if not exc.infeasible:
            _err(f"(time limit {args.time_limit:g} s; a longer --time-limit may find one)")
        return EXIT_NO_SCHEDULE
    except InvalidScheduleError as exc:  # solve() checked its own result: a bug, never written as --out
        return _rejected(exc, loaded.event, out)
    except MatchdayError as exc:
        return _bad_input(exc)

    search = min(UNMET_SEARCH_SECONDS, max(0.0, started + args.time_limit - WRITE_MARGIN / 2 - time.monotonic()))
    phase("unmet")
    unmet = explain_unmet(loaded.event, result.schedule, search_seconds=search, history_before=args.cutoff)
    phase("writing")
    try:
        _write_text(out, write_schedule_csv(loaded.event, result.schedule))
        if unmet_csv is not None:
            _write_text(unmet_csv, write_unmet_csv(unmet))
        seconds = time.monotonic() - started
        if report_json is not None:
            _write_text(report_json, json.dumps(report_figures(result, seconds), indent=2) + "\n")
    except UserError as exc:
        return _bad_input(exc)
    phase("done")
    _print_problems(result.warnings, sys.stdout)
    _print_report(loaded.event, result, out, seconds, args.time_limit, unmet)
    return EXIT_OK


def _rejected(exc: InvalidScheduleError, event: Event, out: Path) -> int:
    """The bug report of a schedule the independent checker rejected; the schedule is written
    beside --out for inspection, under a name no later step mistakes for the result."""
    _err(str(exc))
    rejected = out.with_name(out.stem + ".rejected.csv")
    try:
        _write_text(rejected, write_schedule_csv(event, exc.schedule))
        _err(f"the rejected schedule, for the bug report: {rejected}")
    except UserError as write_error:
        _err(f"(the rejected schedule could not be kept: {write_error})")
    return EXIT_INVALID


def _read_schedule(path: Path, event: Event) -> Schedule:
    """A schedule file (a re-solve's previous one, or one to check); its warnings are printed, its
    errors are bad input."""
    schedule, warnings = read_schedule_csv(_read_bytes(path), event, file=path.name)
    _print_problems(warnings, sys.stdout)
    return schedule


def report_figures(result: SolveResult, seconds: float) -> dict[str, Any]:
    """The report as JSON-ready figures (--report-json); `gap` is a fraction, `seconds` the whole command,
    `wishes` the wishes met of wished (in total, mutual and one-sided, by priority)."""
    stats = result.stats
    gap = result.gap
    return {
        "meetings": stats.meetings,
        "mutual_meetings": stats.mutual_meetings,
        "points": stats.points,
        "bound": result.bound,
        "gap": None if gap is None else round(gap, 6),
        "gap_percent": None if gap is None else round(100 * gap, 3),
        "holes": stats.holes,
        "max_holes_per_person": stats.max_holes_per_person,
        "people_without_meeting": len(stats.people_without_meeting),
        "wishes": stats.wishes.as_dict(),
        "distribution": stats.distribution.as_dict(),
        "min_meetings": stats.min_meetings,
        "below_minimum": [short.as_dict() for short in stats.below_minimum],
        "seconds": round(seconds, 3),
        "solve_seconds": result.seconds,
        "solve_time_limit": round(float(result.parameters["time_limit"]), 3),  # what the command left the solver
        "optimal": result.optimal,
        "objective": result.objective,
        "repair": result.repair,
        "table_changes": stats.table_changes.as_dict(),
    }


def _print_report(
    event: Event, result: SolveResult, out: Path, seconds: float, limit: float, unmet: list[UnmetWish]
) -> None:
    stats = result.stats
    lines = [
        f"Schedule for {event.name!r} written to {out}",
        f"  meetings             {stats.meetings} ({stats.mutual_meetings} mutual)",
        *_wish_lines(stats.wishes),
        f"  points               {stats.points}" + ("  (proven optimal)" if result.optimal else ""),
    ]
    if result.bound is not None:
        lines.append(f"  upper bound          {result.bound}   gap {_percent(result.gap)}")
    elif result.objective == "all":
        lines.append('  upper bound          none; gap n/a ("all" mode places every wished pair and minimises holes)')
    else:
        lines.append("  upper bound          not computed; gap unknown")
    lines.append(f"  without any meeting  {_people(event, stats)}")
    lines.append(f"  holes                {stats.holes} in total, at most {stats.max_holes_per_person} per person")
    lines.extend(_fairness_lines(event, stats))
    lines.extend(_table_change_lines(event, stats.table_changes))
    lines.extend(_unmet_lines(unmet))
    if result.repair is not None:
        r = result.repair
        lines.append(
            f"  repair               kept {r['kept']}, moved {r['moved']} (+{r['table_changed']} table "
            f"changes), lost {r['lost']}, added {r['added']}; {r['people_affected']} people affected"
        )
        fresh = "" if r["points_fresh_solve"] is None else f", fresh solve {r['points_fresh_solve']}"
        lines.append(f"  points               before {r['points_before']}, after {r['points_after']}{fresh}")
    lines.append(f"  time                 {seconds:.1f} s (limit {limit:g} s; solver {result.seconds:.1f} s)")
    print("\n".join(lines))


def _table_change_lines(event: Event, changes: TableChanges) -> list[str]:
    """How often people change table and, with `hosts`, the hosts who cannot keep one table."""
    lines = [
        f"  table changes        {_percent(changes.share)} of consecutive meetings; "
        f"{changes.mean_per_person:.1f} per person on average, at most {changes.max_per_person}"
    ]
    if changes.hosts:
        moving = changes.hosts_moving
        if not moving:
            lines.append(f"  hosts                all {changes.hosts} keep one table all day")
        else:
            total = sum(moving.values())
            worst = sorted(moving, key=lambda pid: (-moving[pid], pid))[:3]
            names = ", ".join(f"{event.participants[pid].name} ({moving[pid]})" for pid in worst)
            lines.append(
                f"  hosts                {len(moving)} of {changes.hosts} change table, {total} times "
                f"({changes.hosts_forced} to meet at a booth or with another host; "
                f"{total - changes.hosts_forced} for want of tables); most: {names}"
            )
    return lines


def _unmet_lines(unmet: list[UnmetWish]) -> list[str]:
    """How many wishes were not met, by reason, and one example of each reason."""
    from scheduler.unmet import reason_counts

    counts = {reason: n for reason, n in reason_counts(unmet).items() if n}
    lines = [
        f"  unmet wishes         {len(unmet)}"
        + (": " if counts else "")
        + ", ".join(f"{r} {n}" for r, n in counts.items())
    ]
    firsts = {u.reason: u for u in reversed(unmet)}
    for reason in list(counts)[:UNMET_EXAMPLES]:
        u = firsts[reason]
        lines.append(f"                       {u.requester} -> {u.target} ({reason}): {u.detail}")
    return lines


def _wish_lines(wishes: WishesMet) -> list[str]:
    """Wishes met of wished: in total with the mutual/one-sided split, then by priority."""
    share = f" ({100 * wishes.total.met / wishes.total.wished:.1f} %)" if wishes.total.wished else ""
    lines = [f"  wishes met           {wishes.total}{share}; mutual {wishes.mutual}, one-sided {wishes.one_sided}"]
    if wishes.by_priority:
        priorities = ", ".join(f"{p}: {m}" for p, m in sorted(wishes.by_priority.items()))
        lines.append(f"                       by priority {priorities}")
    return lines


def _people(event: Event, stats: ScheduleStats) -> str:
    ids = stats.people_without_meeting
    if not ids:
        return "0"
    names = [f"{event.participants[p].name} ({p})" if p in event.participants else p for p in ids[:MAX_NAMES]]
    more = f", … and {len(ids) - MAX_NAMES} more" if len(ids) > MAX_NAMES else ""
    return f"{len(ids)}: " + ", ".join(names) + more


def _fairness_lines(event: Event, stats: ScheduleStats) -> list[str]:
    """The distribution of meetings and points, and who is below [fairness] min_meetings and why."""
    d = stats.distribution
    lines = [
        f"  meetings per person  min {d.min_meetings}, median {d.median_meetings:g}, max {d.max_meetings} "
        f"({d.people} active people; {100 * d.share_below_3:.1f}% below 3); Gini of points {d.gini_points:.3f}"
    ]
    if stats.min_meetings:
        short = stats.below_minimum
        reasons = Counter(s.reason for s in short)
        lines.append(
            f"  below min_meetings   {len(short)} below {stats.min_meetings}"
            + (": " + ", ".join(f"{n} {reason}" for reason, n in reasons.most_common()) if short else "")
        )
        for s in short[:MAX_NAMES]:
            name = event.participants[s.person].name if s.person in event.participants else s.person
            lines.append(f"    {name} ({s.person}), {s.meetings}: {s.detail}")
        if len(short) > MAX_NAMES:
            lines.append(f"    … and {len(short) - MAX_NAMES} more (--report-json lists them all)")
    return lines


def _percent(gap: float | None) -> str:
    return "n/a" if gap is None else f"{100 * gap:.2f}%"


# --- live progress -----------------------------------------------------------------------------


def describe_progress(p: Progress, elapsed: float) -> str:
    """One line of progress: phase and whichever figures the phase knows."""
    parts = [f"{p.phase:<7}"]
    if p.points is not None:
        parts.append(f"points {p.points}")
    if p.bound is not None:
        parts.append(f"bound {p.bound}")
    gap = relative_gap(p.points, p.bound)
    if gap is not None:
        parts.append(f"gap {_percent(gap)}")
    if p.holes is not None:
        parts.append(f"holes {p.holes}")
    parts.append(f"{elapsed:.1f} s")
    return "  ".join(parts)


class _LiveLine:
    """The status line's text, rendered afresh on each refresh so that the clock keeps ticking
    between the solver's (sometimes sparse) progress reports."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.latest: Progress | None = None

    def __rich__(self) -> Text:
        elapsed = time.monotonic() - self.started
        p = self.latest
        return Text(f"starting…  {elapsed:.1f} s" if p is None else describe_progress(p, elapsed))


@contextmanager
def _progress_view(started: float) -> Iterator[Any]:
    """A progress callback for `solve`: a transient status line on a terminal, otherwise plain
    lines at most every PROGRESS_INTERVAL seconds (logs stay short). The solver calls back from its
    own threads, hence the lock."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    lock = threading.Lock()
    if console.is_terminal:
        line = _LiveLine(started)
        with console.status(line):

            def on_terminal(p: Progress) -> None:
                line.latest = p  # one reference assignment: atomic, no lock needed

            yield on_terminal
        return
    last = [float("-inf")]  # when a line was last printed
    latest: list[Progress | None] = [None]  # the latest snapshot, printed or not
    stop = threading.Event()

    def on_plain(p: Progress) -> None:
        now = time.monotonic()
        with lock:
            previous, latest[0] = latest[0], p
            if (previous is not None and previous.phase == p.phase) and now - last[0] < PROGRESS_INTERVAL:
                return  # a new phase is shown at once, the same phase at most every PROGRESS_INTERVAL
            last[0] = now
            console.print(describe_progress(p, now - started), markup=False)

    def heartbeat() -> None:
        """The latest line again when a step has been silent for HEARTBEAT_SECONDS (a long
        step without reports of its own: no log goes quiet for long)."""
        while not stop.wait(0.5):
            now = time.monotonic()
            with lock:
                p = latest[0]
                if p is None or p.phase == "done" or now - last[0] < HEARTBEAT_SECONDS:
                    continue
                last[0] = now
                console.print(describe_progress(p, now - started), markup=False)

    beat = threading.Thread(target=heartbeat, name="matchday-progress", daemon=True)
    beat.start()
    try:
        yield on_plain
    finally:
        stop.set()
        beat.join()


# --- check -------------------------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace, started: float) -> int:
    """Every hard-rule violation of a schedule, in words; exit 1 if there is any."""
    del started  # no time limit for checking
    try:
        loaded = _load(args.event_dir)
        path = Path(args.schedule)
        schedule = _read_schedule(path, loaded.event)
    except (UserError, EventError) as exc:
        return _bad_input(exc)
    violations = check_schedule(loaded.event, schedule, history_before=args.cutoff)
    if violations:
        for v in violations:
            print(v)
        print(f"INVALID: {len(violations)} violation(s) of the hard rules in {path}")
        return EXIT_INVALID
    stats = schedule_stats(loaded.event, schedule)
    print(
        f"valid: {stats.meetings} meetings ({stats.mutual_meetings} mutual), {stats.points} points, "
        f"{stats.wishes.total} wishes met, {stats.holes} holes (at most {stats.max_holes_per_person} per person)"
    )
    return EXIT_OK


# --- files and messages ------------------------------------------------------------------------

# --- diff --------------------------------------------------------------------------------------


def _cmd_diff(args: argparse.Namespace, started: float) -> int:
    """Per-person changes between two schedules, as text, JSON or CSV on stdout."""
    del started
    try:
        loaded = _load(args.event_dir)
        old, new = (
            read_schedule_csv(_read_bytes(Path(f)), loaded.event, file=Path(f).name)[0] for f in (args.old, args.new)
        )
    except (UserError, EventError) as exc:
        return _bad_input(exc)
    changes = diff_schedules(loaded.event, old, new)
    if args.format == "json":
        print(json.dumps(diff_as_dict(loaded.event, changes), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(diff_to_csv(loaded.event, changes))
    else:
        data = diff_as_dict(loaded.event, changes)
        for person in data["people"]:
            print(f"{person['name']} ({person['id']})")
            for kind in ("added", "cancelled", "moved"):
                for c in person[kind]:
                    print(f"  {kind:<9} {_describe_change(c)}")
        print(f"{len(changes.people_affected)} people affected; {changes.kept} meetings unchanged")
    return EXIT_OK


def _describe_change(change: dict[str, Any]) -> str:
    def place(p: dict[str, Any] | None) -> str:
        return "-" if p is None else f"{p['day']} #{p['slot']} {p['start']} table {p['table']}"

    return f"with {change['partner_name']}: {place(change.get('old'))} -> {place(change.get('new'))}"


def _load(folder: str) -> LoadedEvent:
    """The event, with its warnings printed (they never stop anything)."""
    loaded = load_event_dir(folder)
    _print_problems(loaded.warnings, sys.stdout)
    return loaded


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _ensure_writable(path: Path) -> None:
    """Fail early, before a long solve, if `path` surely cannot be written."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"{path}: the folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"{path}: no permission to write there")


def _write_text(path: Path, text: str) -> None:
    """Write a whole file or nothing (a temporary file and a rename); failures are the user's paths."""
    try:
        write_atomically(path, text.encode("utf-8"))
    except OutputError as exc:
        raise UserError(str(exc)) from None


def _print_problems(problems: Iterable[Problem], stream: TextIO) -> None:
    for p in problems:
        print(p, file=stream)


def _bad_input(exc: Exception) -> int:
    """Print a user-caused error in words (every problem of an EventError) and return exit code 2."""
    if isinstance(exc, EventError):
        for p in exc.problems:
            _err(str(p))
        n = len(exc.errors)
        _err(f"{n} problem{'s' if n != 1 else ''} to fix")
    else:
        _err(f"error: {exc}")
    return EXIT_BAD_INPUT


def _err(message: str) -> None:
    print(message, file=sys.stderr)


# --- export ------------------------------------------------------------------------------------


def _cmd_export(args: argparse.Namespace, started: float) -> int:
    """Every document of a schedule into one folder (`scheduler.export.bundle`), with progress."""
    del started  # no time limit for printing
    from scheduler.export.bundle import export_event  # pulls in Jinja2; WeasyPrint loads on the first PDF

    try:
        loaded = _load(args.event_dir)
        schedule = _read_schedule(Path(args.schedule), loaded.event)
    except (UserError, EventError) as exc:
        return _bad_input(exc)
    try:
        with _export_progress() as on_file:
            done = export_event(loaded.event, schedule, args.out, history_before=args.cutoff, progress=on_file)
    except MatchdayError as exc:  # a schedule breaking hard rules, an unwritable folder
        return _bad_input(exc)
    agendas = sum(1 for f in done.files if f.parent.name == "agendas" and f.suffix == ".pdf")
    print(
        f"{len(done.files)} files written to {done.folder}: {agendas} agendas (agendas/<id>.pdf and .ics), "
        "agendas.pdf, plan.pdf, table-signs.pdf"
    )
    return EXIT_OK


@contextmanager
def _export_progress() -> Iterator[Any]:
    """A callback for `export_event`: a progress bar on a terminal, otherwise a plain line at most
    every PROGRESS_INTERVAL seconds and one at the end."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if console.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("export", total=None)

            def on_terminal(done: int, total: int, path: str) -> None:
                bar.update(task, completed=done, total=total, description=f"export {path}")

            yield on_terminal
        return
    last = [float("-inf")]

    def on_plain(done: int, total: int, path: str) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        console.print(f"export  {done}/{total} files  {path}", markup=False)

    yield on_plain
