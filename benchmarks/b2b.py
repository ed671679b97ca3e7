"""The published B2B benchmark (Bofill et al., JAIR 74, 2022) in matchday's "all" mode.

Each instance is read where it lies (beside the repository, in
`shared/external/b2b-udg/instances`; the files carry no licence and are never copied), turned
into an event by `benchmarks.dzn.dzn_to_event` and solved in-process with
`SolveOptions(time_limit=10)` on every core. The holes found are set against the published
optimum number of breaks under fairness d = 2 (`opt_breaks_d2` of `published_results.csv`), and
the solve's progress gives the proven lower bound on holes, when the final count was first found,
and when it was proven (a "bound" snapshot reaching it; a hole-free schedule needs no proof).

The `fixed020-Forb` / `fixed040-Forb` variants fix 20 % / 40 % of the meetings to a slot: each
fixed meeting becomes a locked row of a previous schedule (`dzn.fixed_rows`), the contract's way
of pinning a meeting. Their published optima are `maxsat_fixed20_opt` / `maxsat_fixed40_opt`;
"unsat" there means the MaxSAT solver proved no schedule exists under fairness d = 2, and
matchday must then answer "no schedule" with `infeasible=True` (proven, with the reason).

forum-13crafb and ticf-13crafb request one pair twice (meetings 55 and 112, businesses 30 and
53, both in the morning). formats.md lets a pair meet at most once ("no pair meets twice",
hard rule 1, and a repeated wish row only warns), so no event of the contract can hold two
meetings of one pair; the only encodings that could (a clone of business 53, or a second
"organisation") would count the clone's holes apart from 53's and so change the objective.
matchday therefore places the pair once, and those two rows are reported apart, not compared.

Run `python -m benchmarks.b2b` for the table alone (`--fixed` adds the fixed variants,
`--time-limit`, `--only`).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.dzn import DznInstance, dzn_to_event, fixed_rows, load_dzn
from benchmarks.runner import REPO, Bar, Log, Table
from scheduler.check.checker import check_schedule
from scheduler.pipelines.solve import solve
from scheduler.problems import MatchdayError, NoScheduleError
from scheduler.report import schedule_stats
from scheduler.results import Progress, SolveOptions

B2B_DIR = REPO.parent / "shared" / "external" / "b2b-udg"
TIME_LIMIT = 10.0
MAX_HOLES = 2
DUPLICATE_INSTANCES = ("forum-13crafb", "ticf-13crafb")
QUICK_INSTANCES = ("tic-12", "forumt-14")
# how `pipelines.locked` starts its refusal of locked rows that break a hard rule
LOCKED_REFUSAL = "the previous schedule's locked rows cannot all be kept"
ORIGINAL = "original"
FIXED_VARIANTS = ("fixed020-Forb", "fixed040-Forb")
# published_results.csv column of each variant's optimum
PUBLISHED_COLUMN = {
    ORIGINAL: "opt_breaks_d2",
    "fixed020-Forb": "maxsat_fixed20_opt",
    "fixed040-Forb": "maxsat_fixed40_opt",
}


@dataclass(frozen=True)
class Published:
    """One published optimum: a number of breaks, or "unsat" (proven infeasible)."""

    holes: int | None
    infeasible: bool = False
    uncertain: bool = False  # "unsat?": unreadable in the OCR'd table, most likely unsat

    def __str__(self) -> str:
        if self.infeasible:
            return "unsat?" if self.uncertain else "unsat"
        return "—" if self.holes is None else str(self.holes)


@dataclass
class B2BResult:
    instance: str
    participants: int
    meetings: int  # meetings listed in the file (a duplicated pair counts twice)
    distinct_pairs: int  # what matchday must place
    published: Published
    time_limit: float
    variant: str = ORIGINAL
    fixed: int = 0  # meetings fixed to a slot (locked rows)
    placed: int | None = None
    placed_in_full: bool = False
    holes: int | None = None
    max_holes: int | None = None
    seconds: float | None = None
    optimal: bool | None = None  # matchday proved its hole count optimal
    lower_bound: int | None = None  # the most holes matchday proved any schedule needs
    seconds_to_find: float | None = None  # when the final hole count was first reached
    seconds_to_prove: float | None = None  # when a lower bound reached it
    infeasible: bool = False  # matchday proved that no schedule exists
    valid: bool | None = None
    violations: list[str] = field(default_factory=list)
    failure: str | None = None  # "not placed: <reason>" or "crashed: <error>"
    duplicates: list[str] = field(default_factory=list)

    @property
    def published_optimum(self) -> int | None:
        return self.published.holes

    @property
    def duplicated(self) -> bool:
        return bool(self.duplicates)

    @property
    def name(self) -> str:
        return self.instance if self.variant == ORIGINAL else f"{self.instance}.{self.variant}"

    @property
    def versus_optimum(self) -> int | None:
        if self.holes is None or self.published.holes is None:
            return None
        return self.holes - self.published.holes

    @property
    def at_published(self) -> bool:
        """Found what the papers found: the optimum, or a proof that there is no schedule."""
        if self.published.infeasible:
            return self.infeasible
        return self.versus_optimum == 0

    @property
    def within_limit(self) -> bool:
        """At the published answer, found AND proven within the time limit."""
        return (
            self.at_published and self.seconds_to_prove is not None and self.seconds_to_prove <= self.time_limit + 0.5
        )


def instance_paths(
    folder: Path = B2B_DIR, only: tuple[str, ...] | None = None, variants: Sequence[str] = (ORIGINAL,)
) -> list[Path]:
    paths = sorted(p for v in variants for p in (folder / "instances").glob(f"*.{v}.dzn"))
    if only is not None:
        paths = [p for p in paths if p.name.split(".")[0] in only]
    return paths


def published_results(folder: Path = B2B_DIR) -> dict[tuple[str, str], Published]:
    """(instance, variant) -> the published optimum, for the variants of `PUBLISHED_COLUMN`."""
    out: dict[tuple[str, str], Published] = {}
    with open(folder / "published_results.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for variant, column in PUBLISHED_COLUMN.items():
                value = row.get(column, "").strip()
                if value.isdigit():
                    out[(row["instance"], variant)] = Published(int(value))
                elif value.startswith("unsat"):
                    out[(row["instance"], variant)] = Published(None, infeasible=True, uncertain=value.endswith("?"))
    return out


def published_optima(folder: Path = B2B_DIR) -> dict[str, int | None]:
    """The originals' optima (fairness d = 2) by instance."""
    return {name: p.holes for (name, variant), p in published_results(folder).items() if variant == ORIGINAL}


class _Timeline:
    """The solve's progress snapshots: when a hole count was first reached, and when proven."""

    def __init__(self) -> None:
        self.found: list[tuple[float, int]] = []  # (elapsed, holes) of complete schedules
        self.bounds: list[tuple[float, int]] = []  # (elapsed, proven least holes)
        self.pairs = 0

    def __call__(self, p: Progress) -> None:
        if p.holes is None:
            return
        if p.phase == "bound":
            self.bounds.append((p.elapsed, p.holes))
        elif p.phase == "search" and p.meetings == self.pairs:
            self.found.append((p.elapsed, p.holes))

    def first_found(self, holes: int) -> float | None:
        return next((t for t, h in self.found if h <= holes), None)

    def proven(self, holes: int) -> float | None:
        return next((t for t, h in self.bounds if h >= holes), None)

    def lower_bound(self) -> int:
        return max((h for _, h in self.bounds), default=0)


def run_instance(path: Path, published: dict[tuple[str, str], Published], time_limit: float = TIME_LIMIT) -> B2BResult:
    """Convert and solve one instance in "all" mode; failures become rows, not exceptions."""
    base, variant = path.name.removesuffix(".dzn").split(".", 1)
    inst: DznInstance = load_dzn(path)
    event = dzn_to_event(inst)
    distinct = len({frozenset(r[:2]) for r in inst.requested})
    locked = fixed_rows(inst, event) if variant != ORIGINAL else None
    res = B2BResult(
        instance=base,
        variant=variant,
        participants=inst.n_business,
        meetings=inst.n_meetings,
        distinct_pairs=distinct,
        fixed=len(locked) if locked is not None else 0,
        published=published.get((base, variant), Published(None)),
        time_limit=time_limit,
        duplicates=[
            f"meeting {d.meeting} repeats meeting {d.first}: businesses {d.pair[0]} & {d.pair[1]}"
            for d in inst.duplicate_pairs
        ],
    )
    timeline = _Timeline()
    timeline.pairs = distinct
    started = time.perf_counter()
    try:
        result = solve(event, SolveOptions(time_limit=time_limit, previous=locked), progress=timeline)
    except NoScheduleError as exc:
        res.seconds = time.perf_counter() - started
        res.infeasible = exc.infeasible
        res.failure = ("no schedule (proven): " if exc.infeasible else "not placed: ") + " ".join(str(exc).split())
        if exc.infeasible:
            res.seconds_to_prove = res.seconds
        res.lower_bound = timeline.lower_bound()
        return res
    except MatchdayError as exc:  # a locked row that breaks a rule: the fixed meeting itself is impossible
        res.seconds = time.perf_counter() - started
        res.infeasible = res.fixed > 0 and str(exc).startswith(LOCKED_REFUSAL)
        prefix = "no schedule (proven: a fixed meeting breaks a rule): " if res.infeasible else "refused: "
        res.failure = prefix + " ".join(str(exc).split())
        res.seconds_to_prove = res.seconds if res.infeasible else None
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
    res.lower_bound = max(timeline.lower_bound(), res.holes if result.optimal else 0)
    found = timeline.first_found(res.holes)
    res.seconds_to_find = found if found is not None else result.seconds
    if res.holes == 0 or result.optimal:
        proven = timeline.proven(res.holes) if res.holes else res.seconds_to_find
        res.seconds_to_prove = max(res.seconds_to_find, proven if proven is not None else result.seconds)
    res.valid = not violations
    res.violations = [str(v) for v in violations]
    return res


def run_all(
    time_limit: float = TIME_LIMIT,
    only: tuple[str, ...] | None = None,
    folder: Path = B2B_DIR,
    log: Log = lambda _m: None,
    variants: Sequence[str] = (ORIGINAL,),
) -> list[B2BResult]:
    published = published_results(folder)
    results = []
    for path in instance_paths(folder, only, variants):
        log(f"[b2b] {path.name}")
        results.append(run_instance(path, published, time_limit))
    return results


# --- tables -----------------------------------------------------------------------------------

B2B_COLUMNS = [
    "instance",
    "holes found",
    "published optimum",
    "proven lower bound",
    "s to find",
    "s to prove",
    "at optimum, proven within limit",
    "placed in full",
    "max holes per person",
    "seconds",
    "valid",
]
FIXED_COLUMNS = [
    "instance",
    "fixed meetings",
    "holes found",
    "published optimum",
    "proven lower bound",
    "s to find",
    "s to prove",
    "same answer, proven within limit",
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
    "proven lower bound",
    "published optimum (pair twice)",
    "max holes per person",
    "seconds",
    "valid",
]


def _secs(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _common(r: B2BResult) -> dict[str, object]:
    return {
        "instance": r.name,
        "participants": r.participants,
        "placed in full": "not placed" if r.failure else r.placed_in_full,
        "holes found": "no schedule" if r.infeasible else r.holes,
        "proven lower bound": "infeasible" if r.infeasible else r.lower_bound,
        "s to find": _secs(r.seconds_to_find),
        "s to prove": _secs(r.seconds_to_prove),
        "max holes per person": r.max_holes,
        "seconds": _secs(r.seconds),
        "valid": r.valid,
    }


def _failure_notes(results: list[B2BResult]) -> list[str]:
    notes = []
    for r in results:
        if r.failure:
            notes.append(f"{r.name}: {r.failure[:300]}")
        for v in r.violations[:5]:
            notes.append(f"{r.name}: {v}")
    return notes


def b2b_tables(results: list[B2BResult]) -> list[Table]:
    """The comparable originals, the fixed variants (when run), and the two duplicated-pair files."""
    originals = [r for r in results if r.variant == ORIGINAL]
    main = [r for r in originals if not r.duplicated]
    dups = [r for r in originals if r.duplicated]
    fixed = [r for r in results if r.variant != ORIGINAL]
    limit = results[0].time_limit if results else TIME_LIMIT
    header = [
        f"all mode: every requested meeting must be placed, holes minimised, at most {MAX_HOLES} holes "
        f"per person; in-process solve(event, SolveOptions(time_limit={limit:g})) on every core; "
        "published optimum = opt_breaks_d2 (fairness d = 2)."
    ]
    notes = [
        "s to find: when the final hole count was first reached; s to prove: when a proven lower bound "
        "reached it (a hole-free schedule needs no proof); proven lower bound: the most holes matchday "
        "proved every schedule needs."
    ]
    tables = [
        Table(
            title="B2B benchmark (JAIR 2022), *.original.dzn",
            columns=list(B2B_COLUMNS),
            rows=[
                {
                    **_common(r),
                    "published optimum": str(r.published),
                    "at optimum, proven within limit": r.within_limit,
                }
                for r in main
            ],
            header=header,
            notes=notes + _failure_notes(main),
        )
    ]
    if fixed:
        tables.append(
            Table(
                title="B2B fixed variants (a fixed meeting is a locked row)",
                columns=list(FIXED_COLUMNS),
                rows=[
                    {
                        **_common(r),
                        "fixed meetings": r.fixed,
                        "published optimum": str(r.published),
                        "same answer, proven within limit": r.within_limit,
                    }
                    for r in fixed
                ],
                notes=[
                    "published: maxsat_fixed20_opt / maxsat_fixed40_opt; 'unsat' = proven infeasible under "
                    "fairness d = 2, where matchday must answer 'no schedule' with the proof.",
                    "forum-13crafb / ticf-13crafb variants keep their duplicated pair once (see below), so "
                    "their published values are not directly comparable.",
                ]
                + _failure_notes(fixed),
            )
        )
    if dups:
        dup_notes = [
            "These files request one pair twice; formats.md lets a pair meet at most once (hard rule 1), "
            "so no event can hold both meetings, and matchday places the pair once. The published optimum "
            "schedules it twice (one more meeting for both people): not directly comparable."
        ]
        dup_notes += [f"{r.instance}: {d}" for r in dups for d in r.duplicates]
        tables.append(
            Table(
                title="B2B instances with a duplicated pair (reported apart)",
                columns=list(DUP_COLUMNS),
                rows=[
                    {
                        **_common(r),
                        "meetings in file": r.meetings,
                        "distinct pairs": r.distinct_pairs,
                        "published optimum (pair twice)": str(r.published),
                    }
                    for r in dups
                ],
                notes=dup_notes + _failure_notes(dups),
            )
        )
    return tables


def b2b_bars(results: list[B2BResult]) -> list[Bar]:
    originals = [r for r in results if r.variant == ORIGINAL]
    if not originals:
        return []
    n = len(originals)
    limit = originals[0].time_limit
    full = sum(r.placed_in_full for r in originals)
    solved = [r for r in originals if r.failure is None]
    worst = max((r.max_holes for r in solved if r.max_holes is not None), default=None)
    valid = sum(bool(r.valid) for r in solved)
    over = "" if len(solved) == n else f" (over the {len(solved)} with a schedule)"
    bars = [
        Bar("every instance placed in full", f"{n} of {n}", f"{full} of {n}", full == n),
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
    comparable = [r for r in originals if not r.duplicated and r.versus_optimum is not None]
    if comparable:
        equal = sum(r.versus_optimum == 0 for r in comparable)
        proven = sum(r.within_limit for r in comparable)
        found = sum(r.holes or 0 for r in comparable)
        optimum = sum(r.published_optimum or 0 for r in comparable)
        m = len(comparable)
        bars.append(
            Bar(
                f"published optimum found and proven within {limit:g} s (comparable originals)",
                f"{m} of {m}",
                f"{proven} of {m} (found: {equal}; holes {found} vs {optimum})",
                proven == m,
            )
        )
        below = [r.name for r in comparable if (r.versus_optimum or 0) < 0]
        if below:  # fewer holes than a proven optimum means the two do not count the same thing
            bars.append(Bar("no instance below the published optimum", "none", ", ".join(below), False))
    fixed = [r for r in results if r.variant != ORIGINAL and not r.duplicated]
    if fixed:
        same = sum(r.within_limit for r in fixed)
        wrong = [
            r.name
            for r in fixed
            if (r.published.infeasible and r.placed_in_full)
            or (not r.published.infeasible and r.infeasible)
            or (r.versus_optimum or 0) < 0
        ]
        bars.append(
            Bar(
                f"fixed variants: published answer, proven within {limit:g} s",
                f"{len(fixed)} of {len(fixed)}",
                f"{same} of {len(fixed)}",
                same == len(fixed),
            )
        )
        bars.append(
            Bar(
                "fixed variants: no answer contradicting a published one", "none", ", ".join(wrong) or "none", not wrong
            )
        )
    return bars


def main(argv: Sequence[str] | None = None) -> int:
    """Print the all-mode table (and the fixed variants with --fixed); exit 1 when a bar fails."""
    from rich.console import Console

    from benchmarks import runner

    parser = argparse.ArgumentParser(prog="python -m benchmarks.b2b", description=main.__doc__)
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, help="seconds a case (default 10)")
    parser.add_argument("--fixed", action="store_true", help="also the fixed020-Forb / fixed040-Forb variants")
    parser.add_argument("--only", default="", help="instance names separated by commas (default: all 20)")
    args = parser.parse_args(argv)
    console = Console(width=220)
    if not B2B_DIR.is_dir():
        console.print(f"B2B benchmark skipped: {B2B_DIR} not found")
        return 0
    only = tuple(x.strip() for x in args.only.split(",") if x.strip()) or None
    variants = (ORIGINAL, *FIXED_VARIANTS) if args.fixed else (ORIGINAL,)
    for line in runner.environment_lines():
        console.print(line, highlight=False, markup=False)

    def log(message: str) -> None:
        console.print(f"{message}  ({runner.load_text()})", style="dim", highlight=False, markup=False)

    results = run_all(args.time_limit, only, log=log, variants=variants)
    bars = b2b_bars(results)
    for table in [*b2b_tables(results), runner.bars_table("Bars, B2B benchmark", bars)]:
        runner.render_rich(table, console)
    console.print(f"at the end: {runner.load_text()}", highlight=False, markup=False)
    return 1 if any(b.passed is False for b in bars) else 0


if __name__ == "__main__":
    sys.exit(main())
