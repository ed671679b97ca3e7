"""The published B2B benchmark (Bofill et al., JAIR 74, 2022) in matchday's "all" mode.

Each of the 20 `*.original.dzn` instances is read where it lies (beside the repository, in
`shared/external/b2b-udg/instances`; the files carry no licence and are never copied), turned
into an event by `benchmarks.dzn.dzn_to_event` and solved in-process with
`SolveOptions(time_limit=30)`. The holes found are set against the published optimum number of
breaks under fairness d = 2 (`opt_breaks_d2` of `published_results.csv`).

forum-13crafb and ticf-13crafb request one pair twice. formats.md lets a pair meet once, so
matchday places it once, while the published optimum schedules both copies: those two are
reported apart, as not directly comparable.
"""

from __future__ import annotations

import csv
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.dzn import DznInstance, dzn_to_event, load_dzn
from benchmarks.runner import REPO, Bar, Log, Table
from scheduler.check.checker import check_schedule
from scheduler.pipelines.solve import solve
from scheduler.problems import NoScheduleError
from scheduler.report import schedule_stats
from scheduler.results import SolveOptions

B2B_DIR = REPO.parent / "shared" / "external" / "b2b-udg"
TIME_LIMIT = 30.0
MAX_HOLES = 2
DUPLICATE_INSTANCES = ("forum-13crafb", "ticf-13crafb")
QUICK_INSTANCES = ("tic-12", "forumt-14")


@dataclass
class B2BResult:
    instance: str
    participants: int
    meetings: int  # meetings listed in the file (a duplicated pair counts twice)
    distinct_pairs: int  # what matchday must place
    published_optimum: int | None
    time_limit: float
    placed: int | None = None
    placed_in_full: bool = False
    holes: int | None = None
    max_holes: int | None = None
    seconds: float | None = None
    optimal: bool | None = None  # matchday proved its hole count optimal
    valid: bool | None = None
    violations: list[str] = field(default_factory=list)
    failure: str | None = None  # "not placed: <reason>" or "crashed: <error>"
    duplicates: list[str] = field(default_factory=list)

    @property
    def duplicated(self) -> bool:
        return bool(self.duplicates)

    @property
    def versus_optimum(self) -> int | None:
        if self.holes is None or self.published_optimum is None:
            return None
        return self.holes - self.published_optimum


def instance_paths(folder: Path = B2B_DIR, only: tuple[str, ...] | None = None) -> list[Path]:
    paths = sorted((folder / "instances").glob("*.original.dzn"))
    if only is not None:
        paths = [p for p in paths if p.name.removesuffix(".original.dzn") in only]
    return paths


def published_optima(folder: Path = B2B_DIR) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    with open(folder / "published_results.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            value = row.get("opt_breaks_d2", "").strip()
            out[row["instance"]] = int(value) if value.isdigit() else None
    return out


def run_instance(path: Path, published: dict[str, int | None], time_limit: float = TIME_LIMIT) -> B2BResult:
    """Convert and solve one instance in "all" mode; failures become rows, not exceptions."""
    base = path.name.removesuffix(".dzn").removesuffix(".original")
    inst: DznInstance = load_dzn(path)
    event = dzn_to_event(inst)
    distinct = len({frozenset(r[:2]) for r in inst.requested})
    res = B2BResult(
        instance=base,
        participants=inst.n_business,
        meetings=inst.n_meetings,
        distinct_pairs=distinct,
        published_optimum=published.get(base),
        time_limit=time_limit,
        duplicates=[
            f"meeting {d.meeting} repeats meeting {d.first}: businesses {d.pair[0]} & {d.pair[1]}"
            for d in inst.duplicate_pairs
        ],
    )
    started = time.perf_counter()
    try:
        result = solve(event, SolveOptions(time_limit=time_limit))
    except NoScheduleError as exc:
        res.seconds = time.perf_counter() - started
        res.failure = "not placed: " + " ".join(str(exc).split())
        return res
    except Exception as exc:  # noqa: BLE001 - a crash is reported in the table, the run goes on
        res.seconds = time.perf_counter() - started
        res.failure = f"crashed: {type(exc).__name__}: {exc}"
        res.violations = traceback.format_exc().splitlines()[-6:]
        return res
    res.seconds = time.perf_counter() - started
    stats = schedule_stats(event, result.schedule)
    violations = check_schedule(event, result.schedule)
    res.placed = stats.meetings
    missing = [v for v in violations if v.code in ("unscheduled", "unplaceable")]
    res.placed_in_full = stats.meetings == stats.wished_pairs == distinct and not missing
    res.holes, res.max_holes = stats.holes, stats.max_holes_per_person
    res.optimal = result.optimal
    res.valid = not violations
    res.violations = [str(v) for v in violations]
    return res


def run_all(
    time_limit: float = TIME_LIMIT,
    only: tuple[str, ...] | None = None,
    folder: Path = B2B_DIR,
    log: Log = lambda _m: None,
) -> list[B2BResult]:
    published = published_optima(folder)
    results = []
    for path in instance_paths(folder, only):
        log(f"[b2b] {path.name}")
        results.append(run_instance(path, published, time_limit))
    return results


# --- tables -----------------------------------------------------------------------------------

B2B_COLUMNS = [
    "instance",
    "participants",
    "meetings",
    "placed in full",
    "holes found",
    "published optimum",
    "vs optimum",
    "proved optimal",
    "max holes per person",
    "seconds",
    "valid",
]
DUP_COLUMNS = [
    "instance",
    "participants",
    "meetings in file",
    "distinct pairs",
    "placed in full",
    "holes found",
    "published optimum (pair twice)",
    "max holes per person",
    "seconds",
    "valid",
]


def _common(r: B2BResult) -> dict[str, object]:
    return {
        "instance": r.instance,
        "participants": r.participants,
        "placed in full": "not placed" if r.failure else r.placed_in_full,
        "holes found": r.holes,
        "max holes per person": r.max_holes,
        "seconds": None if r.seconds is None else round(r.seconds, 2),
        "valid": r.valid,
    }


def _delta(d: int | None) -> str | None:
    if d is None:
        return None
    return "=" if d == 0 else f"{d:+d}"


def _failure_notes(results: list[B2BResult]) -> list[str]:
    notes = []
    for r in results:
        if r.failure:
            notes.append(f"{r.instance}: {r.failure}")
        for v in r.violations[:5]:
            notes.append(f"{r.instance}: {v}")
    return notes


def b2b_tables(results: list[B2BResult]) -> tuple[Table, Table]:
    """The comparable instances, and the two that request one pair twice."""
    main = [r for r in results if not r.duplicated]
    dups = [r for r in results if r.duplicated]
    limit = results[0].time_limit if results else TIME_LIMIT
    rows = []
    for r in main:
        rows.append(
            {
                **_common(r),
                "meetings": r.meetings,
                "published optimum": r.published_optimum,
                "vs optimum": _delta(r.versus_optimum),
                "proved optimal": r.optimal,
            }
        )
    header = [
        f"all mode: every requested meeting must be placed, holes minimised, at most {MAX_HOLES} holes "
        f"per person; in-process solve(event, SolveOptions(time_limit={limit:g})) on every core; "
        "published optimum = opt_breaks_d2 (fairness d = 2)."
    ]
    notes = [
        "seconds: wall time of solve() (conversion excluded); 'vs optimum' = holes found − published "
        "optimum; 'proved optimal' = matchday proved its own hole count optimal."
    ]
    table = Table(
        title="B2B benchmark (JAIR 2022), *.original.dzn",
        columns=list(B2B_COLUMNS),
        rows=rows,
        header=header,
        notes=notes + _failure_notes(main),
    )
    dup_rows = []
    for r in dups:
        dup_rows.append(
            {
                **_common(r),
                "meetings in file": r.meetings,
                "distinct pairs": r.distinct_pairs,
                "published optimum (pair twice)": r.published_optimum,
            }
        )
    dup_notes = [
        "These files request one pair twice; formats.md lets a pair meet at most once, so matchday "
        "places it once. The published optimum schedules the duplicated pair twice (one more "
        "meeting for both people), so it is not directly comparable with the holes found here."
    ]
    dup_notes += [f"{r.instance}: {d}" for r in dups for d in r.duplicates]
    dup_table = Table(
        title="B2B instances with a duplicated pair (reported apart)",
        columns=list(DUP_COLUMNS),
        rows=dup_rows,
        notes=dup_notes + _failure_notes(dups),
    )
    return table, dup_table


def b2b_bars(results: list[B2BResult]) -> list[Bar]:
    if not results:
        return []
    n = len(results)
    limit = results[0].time_limit
    full = sum(r.placed_in_full for r in results)
    in_time = sum(r.seconds is not None and r.seconds <= limit for r in results)
    solved = [r for r in results if r.failure is None]
    worst = max((r.max_holes for r in solved if r.max_holes is not None), default=None)
    valid = sum(bool(r.valid) for r in solved)
    over = "" if len(solved) == n else f" (over the {len(solved)} with a schedule)"
    bars = [
        Bar("every instance placed in full", f"{n} of {n}", f"{full} of {n}", full == n),
        Bar(f"every instance within {limit:g} s", f"{n} of {n}", f"{in_time} of {n}", in_time == n),
        Bar(
            f"nobody with more than {MAX_HOLES} holes",
            f"max ≤ {MAX_HOLES}",
            "—" if worst is None else f"max {worst}{over}",
            None if worst is None else worst <= MAX_HOLES,
        ),
        Bar(
            "every schedule valid (check_schedule)",
            f"{len(solved)} of {len(solved)}",
            f"{valid} of {len(solved)}",
            valid == len(solved) if solved else None,
        ),
    ]
    comparable = [r for r in results if not r.duplicated and r.versus_optimum is not None]
    if comparable:
        equal = sum(r.versus_optimum == 0 for r in comparable)
        below = [r.instance for r in comparable if (r.versus_optimum or 0) < 0]
        found = sum(r.holes or 0 for r in comparable)
        optimum = sum(r.published_optimum or 0 for r in comparable)
        bars.append(
            Bar(
                "holes vs published optimum (comparable instances)",
                "report",
                f"{equal} of {len(comparable)} at the optimum; total {found} vs {optimum}",
                None,
            )
        )
        if below:
            # Fewer holes than a proven optimum means the two do not count the same thing.
            bars.append(Bar("no instance below the published optimum", "none", ", ".join(below), False))
    return bars
