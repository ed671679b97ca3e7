"""The re-solve benchmarks of issue 4: repair a solved day after cancellations and no-shows.

The starting point is the 300-participant size benchmark: its generated event and the schedule
the matchday command wrote for it (`--time-limit 30`, the core bar). Both are reused from the
size run's working folder when present, and produced once otherwise. Two scenarios follow, each
an updated copy of the event folder plus a previous schedule, solved with the REAL command as a
measured subprocess (`runner.run_matchday`: wall time, peak memory of the command alone):

- "cancel 5 %": 5 % of the active participants (pinned seed) get status `cancelled`; ~3 % of
  the remaining previous rows are marked `locked=yes`; then
  `solve UPDATED --previous OLD.csv --time-limit 10`;
- "cut-off + 10 % no-shows": the cut-off is the start of the middle slot of the (middle) day;
  10 % of the active participants get status `absent`; ~3 % of the previous rows after the
  cut-off that involve nobody absent are locked; then
  `solve UPDATED --previous OLD.csv --from CUTOFF --time-limit 10`.

Each scenario also runs a FRESH solve of the updated event with `--time-limit 30`, which tells
what is possible: without `--previous` for the first; for the second with `--previous
HISTORY.csv --from CUTOFF --move-cost 0 --drop-cost 0`, HISTORY.csv holding only the old rows
before the cut-off (the past stays, everything after it is planned from scratch).

Every figure is recomputed here from the files the commands wrote, against the updated event:
meetings kept exactly (same pair, same day, slot and table), locked rows kept, lost / added /
moved (`scheduler.diff.diff_schedules`), points before, points of the meetings kept exactly,
points after, the fresh solve's points, and the refill ratio (after − kept) / (fresh − kept). The
command's own "repair" report is compared with them and any disagreement is listed.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import random
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generator import build_event, write_event
from benchmarks.runner import QUICK_CASE, SIZE_CASES, Bar, Log, MethodResult, SizeCase, Table, run_matchday
from scheduler.candidates import pair_key
from scheduler.check.checker import check_schedule
from scheduler.diff import diff_schedules
from scheduler.domain import Event, Meeting, ParticipantId, Schedule
from scheduler.io.loading import load_event_dir
from scheduler.io.schedule_files import read_schedule_csv
from scheduler.report import schedule_points

Row = list[str]  # one raw row of a schedule.csv


# --- what is measured -----------------------------------------------------------------------


@dataclass(frozen=True)
class RepairCase:
    """The pinned re-solve benchmark: the base size, the random picks, the limits and the bars."""

    base: SizeCase  # the solved day the scenarios start from
    seed: int  # of the picks (who cancels, who is absent, which rows are locked)
    cancel_share: float = 0.05  # of the active participants, scenario "cancel"
    absent_share: float = 0.10  # of the active participants, scenario "cut-off"
    lock_share: float = 0.03  # of the previous rows that can still be kept
    time_limit: float = 10.0  # the re-solve's --time-limit
    time_bar: float = 3.0  # the re-solve's bar on the command's own clock (issue 13): it stops when nothing can improve
    fresh_time_limit: float = 30.0  # the fresh solve's --time-limit
    keep_share: float = 0.98  # meetings not involving a changed person kept exactly
    refill_share: float = 0.5  # (after − kept) ≥ refill_share × (fresh − kept)

    @property
    def label(self) -> str:
        return f"{self.base.participants} participants"

    def describe(self) -> str:
        return (
            f"base: {self.base.describe()}; picks seed={self.seed}; re-solve --time-limit "
            f"{self.time_limit:g}, fresh solve --time-limit {self.fresh_time_limit:g}"
        )


REPAIR_CASE = RepairCase(base=SIZE_CASES[300], seed=4)
QUICK_REPAIR_CASE = RepairCase(base=QUICK_CASE, seed=4, time_limit=5, time_bar=5, fresh_time_limit=5)


@dataclass
class Comparison:
    """A new schedule against the previous one, figures recomputed from the two files."""

    eligible: int = 0  # old meetings that could stay (no changed person; after the cut-off)
    kept_eligible: int = 0  # of them, kept exactly (same pair, slot and table)
    locked: int = 0  # locked rows of the previous schedule
    locked_kept: int = 0
    kept: int = 0  # every meeting kept exactly (history included)
    lost: int = 0
    added: int = 0
    moved: int = 0  # another slot or another table (table_changed included)
    table_changed: int = 0
    points_before: int = 0  # of the previous schedule, under the updated event
    points_kept: int = 0  # of the meetings kept exactly
    points_after: int = 0  # of the new schedule

    @property
    def kept_percent(self) -> float | None:
        return None if not self.eligible else round(100.0 * self.kept_eligible / self.eligible, 2)

    @property
    def locked_percent(self) -> float | None:
        return None if not self.locked else round(100.0 * self.locked_kept / self.locked, 2)


@dataclass
class CutoffCheck:
    """Rows that started before the cut-off, as written in the two files."""

    old_rows: int = 0
    identical: int = 0  # old rows present identically in the new file
    new_rows: int = 0  # rows of the new file before the cut-off that the old file lacks

    @property
    def unchanged(self) -> bool:
        return self.identical == self.old_rows and self.new_rows == 0


@dataclass
class ScenarioOutcome:
    name: str
    case: RepairCase
    changed: list[ParticipantId]  # cancelled or absent
    status: str  # "cancelled" or "absent"
    active: int  # active participants before the change
    cutoff: dt.datetime | None
    repair: MethodResult
    fresh: MethodResult
    repair_cmp: Comparison | None = None
    fresh_cmp: Comparison | None = None
    before_cutoff: CutoffCheck | None = None
    report_mismatch: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    table: Table | None = None
    bars: list[Bar] = field(default_factory=list)

    @property
    def points_fresh(self) -> int | None:
        """The fresh solve's points, read from its schedule file (None when it wrote none)."""
        return self.fresh.points

    @property
    def won(self) -> int | None:
        """after − kept: what the refill won back."""
        c = self.repair_cmp
        return None if c is None else c.points_after - c.points_kept

    @property
    def possible(self) -> int | None:
        """fresh − kept: what was possible on top of the kept meetings."""
        c, fresh = self.repair_cmp, self.points_fresh
        return None if c is None or fresh is None else fresh - c.points_kept

    @property
    def refill_ratio(self) -> float | None:
        won, possible = self.won, self.possible
        return None if won is None or not possible or possible <= 0 else round(won / possible, 4)


# --- the baseline -----------------------------------------------------------------------------


@dataclass
class Baseline:
    event_dir: Path
    schedule: Path
    note: str  # where it came from, its points against its bound


def baseline(case: SizeCase, work: Path, log: Log = lambda _m: None) -> Baseline:
    """The size run's event and matchday schedule in `work` (same layout as `runner.run_size`).

    Reused when the event files are exactly what the pinned spec generates and the schedule is
    valid for them; otherwise the event is (re)written and solved once with the real command.
    """
    event_dir = work / "event"
    generated = build_event(case.spec())
    expected = {
        "event.toml": generated.event_toml,
        "participants.csv": generated.participants_csv,
        "wishes.csv": generated.wishes_csv,
    }
    same = all(
        (event_dir / name).is_file() and (event_dir / name).read_bytes() == data for name, data in expected.items()
    )
    if not same:
        write_event(event_dir, case.spec())
    event = load_event_dir(event_dir).event
    schedule_path, report_path = work / "matchday" / "schedule.csv", work / "matchday" / "report.json"
    reused = same and schedule_path.is_file() and report_path.is_file()
    if reused:
        try:
            schedule, _ = read_schedule_csv(schedule_path.read_bytes(), event, file=str(schedule_path))
            reused = not check_schedule(event, schedule)
        except Exception:  # noqa: BLE001 - an unreadable leftover is simply solved again
            reused = False
    if not reused:
        log(f"[re-solve] baseline: solving the {case.label} event once, --time-limit {case.time_limit:g} s")
        row = run_matchday(event_dir, event, case.time_limit, work / "matchday")
        if row.error or not schedule_path.is_file():
            raise RuntimeError(f"the baseline solve of the {case.label} event failed: {row.error}")
    report = json.loads(report_path.read_text()) if report_path.is_file() else {}
    points, bound = report.get("points"), report.get("bound")
    share = (
        f" ({100 * points / bound:.2f} % of bound; the size bar is {100 * case.min_share:g} %)"
        if isinstance(points, int) and isinstance(bound, int) and bound > 0
        else ""
    )
    when = dt.datetime.fromtimestamp(schedule_path.stat().st_mtime).astimezone().isoformat(timespec="seconds")
    how = "reused from the size run" if reused else "solved now"
    note = (
        f"previous schedule: {schedule_path} ({how}, written {when}): {report.get('meetings')} meetings, "
        f"{points} points, bound {bound}{share}"
    )
    return Baseline(event_dir, schedule_path, note)


# --- building the inputs ----------------------------------------------------------------------


def pick(ids: Iterable[str], share: float, rng: random.Random) -> list[str]:
    """round(share × n) of `ids` (at least one when there are any), sorted; seeded, order-independent."""
    pool = sorted(ids)
    if not pool:
        return []
    return sorted(rng.sample(pool, min(len(pool), max(1, round(share * len(pool))))))


def rng_for(case: RepairCase, aspect: str) -> random.Random:
    return random.Random(f"matchday-repair:{case.seed}:{aspect}")


def middle_cutoff(event: Event) -> dt.datetime:
    """The start (local time) of the middle slot of the middle day."""
    day = event.days[len(event.days) // 2]
    slot = event.slots[day.slots[len(day.slots) // 2]]
    return dt.datetime.combine(slot.date, slot.start)


def write_updated_event(base_dir: Path, dest: Path, statuses: dict[ParticipantId, str]) -> Path:
    """A copy of the event folder with the `status` cell of some participants replaced."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(base_dir, dest)
    path = dest / "participants.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    header = [h.strip().lower() for h in rows[0]]
    if "status" not in header:
        rows[0].append("status")
        header.append("status")
    id_col, status_col = header.index("id"), header.index("status")
    missing = set(statuses)
    for row in rows[1:]:
        if row and row[id_col].strip() in statuses:
            row.extend([""] * (status_col + 1 - len(row)))
            row[status_col] = statuses[row[id_col].strip()]
            missing.discard(row[id_col].strip())
    if missing:
        raise ValueError(f"not in participants.csv: {sorted(missing)}")
    path.write_text(_csv_text(rows), encoding="utf-8")
    return dest


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@dataclass(frozen=True)
class ScheduleRows:
    """A schedule.csv as written by matchday: header and raw rows."""

    header: list[str]
    rows: list[Row]

    @staticmethod
    def read(path: Path) -> ScheduleRows:
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        return ScheduleRows([h.strip().lower() for h in records[0]], [r for r in records[1:] if any(r)])

    def col(self, name: str) -> int:
        return self.header.index(name)

    def people(self, row: Row) -> tuple[str, str]:
        return row[self.col("participant_a")], row[self.col("participant_b")]

    def start(self, row: Row) -> dt.datetime:
        return dt.datetime.combine(
            dt.date.fromisoformat(row[self.col("day")]), dt.time.fromisoformat(row[self.col("start")])
        )

    def place(self, row: Row) -> tuple[str, ...]:
        """What must stay identical: day, slot, start, end, table and the pair."""
        a, b = self.people(row)
        return tuple(row[self.col(c)] for c in ("day", "slot", "start", "end", "table")) + pair_key(a, b)

    def text(self, rows: Iterable[Row] | None = None) -> str:
        return _csv_text([self.header, *(self.rows if rows is None else rows)])


def write_previous(base: ScheduleRows, dest: Path, lockable: Sequence[int], case: RepairCase, aspect: str) -> int:
    """The previous schedule with ~lock_share of the `lockable` rows (indices) marked locked=yes."""
    chosen = set(pick((f"{i:06d}" for i in lockable), case.lock_share, rng_for(case, aspect)))
    lock = base.col("locked")
    rows = [list(r) for r in base.rows]
    for i, row in enumerate(rows):
        row.extend([""] * (lock + 1 - len(row)))
        row[lock] = "yes" if f"{i:06d}" in chosen else ""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(base.text(rows), encoding="utf-8")
    return len(chosen)


# --- comparing ---------------------------------------------------------------------------------


def _place(m: Meeting) -> tuple[tuple[str, str], int, str]:
    return pair_key(m.a, m.b), m.slot, m.table


def compare(
    event: Event, old: Schedule, new: Schedule, changed: Iterable[ParticipantId], cutoff: dt.datetime | None = None
) -> Comparison:
    """`new` against `old` under the (updated) `event`; `changed` are the cancelled / absent people.

    Eligible: old meetings involving no changed person and (with a cut-off) starting at or after it.
    """
    gone = set(changed)

    def after_cutoff(m: Meeting) -> bool:
        s = event.slots[m.slot]
        return cutoff is None or dt.datetime.combine(s.date, s.start) >= cutoff

    new_places = {_place(m) for m in new.meetings}
    old_places = {_place(m) for m in old.meetings}
    eligible = [m for m in old.meetings if m.a not in gone and m.b not in gone and after_cutoff(m)]
    locked = [m for m in old.meetings if m.locked]
    kept = [m for m in new.meetings if _place(m) in old_places]
    diff = diff_schedules(event, old, new)
    return Comparison(
        eligible=len(eligible),
        kept_eligible=sum(_place(m) in new_places for m in eligible),
        locked=len(locked),
        locked_kept=sum(_place(m) in new_places for m in locked),
        kept=len(kept),
        lost=len(diff.cancelled),
        added=len(diff.added),
        moved=len(diff.moved),
        table_changed=len(diff.table_changed),
        points_before=schedule_points(event, old),
        points_kept=schedule_points(event, Schedule.of(kept)),
        points_after=schedule_points(event, new),
    )


def check_before_cutoff(old: ScheduleRows, new: ScheduleRows, cutoff: dt.datetime) -> CutoffCheck:
    """Every old row that started before the cut-off is in the new file identically, and no other."""
    old_before = {old.place(r) for r in old.rows if old.start(r) < cutoff}
    new_before = {new.place(r) for r in new.rows if new.start(r) < cutoff}
    return CutoffCheck(
        old_rows=len(old_before), identical=len(old_before & new_before), new_rows=len(new_before - old_before)
    )


def report_mismatch(report: dict[str, Any] | None, c: Comparison) -> list[str]:
    """Where the command's "repair" report disagrees with the figures recomputed from the files."""
    repair = (report or {}).get("repair")
    if not isinstance(repair, dict):
        return ['the command\'s report has no "repair" object']
    mine = {
        "kept": c.kept,
        "moved": c.moved,
        "table_changed": c.table_changed,
        "lost": c.lost,
        "added": c.added,
        "points_before": c.points_before,
        "points_after": c.points_after,
    }
    return [f"{k}: report {repair.get(k)}, files {v}" for k, v in mine.items() if repair.get(k) != v]


def _read(path: Path, event: Event) -> Schedule:
    return read_schedule_csv(path.read_bytes(), event, file=str(path))[0]


# --- the scenarios -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Updated:
    """The base event with a share of its active people given a new status, ready to re-solve."""

    base_event: Event
    active: list[str]
    changed: list[str]
    event_dir: Path
    event: Event
    old_rows: ScheduleRows


def _update(base: Baseline, work: Path, share: float, rng: random.Random, status: str) -> _Updated:
    base_event = load_event_dir(base.event_dir).event
    active = [pid for pid, p in base_event.participants.items() if p.active]
    changed = pick(active, share, rng)
    event_dir = write_updated_event(base.event_dir, work / "event", {pid: status for pid in changed})
    return _Updated(
        base_event, active, changed, event_dir, load_event_dir(event_dir).event, ScheduleRows.read(base.schedule)
    )


def run_cancel(case: RepairCase, base: Baseline, work: Path, log: Log = lambda _m: None) -> ScenarioOutcome:
    """Scenario "cancel": cancel a share of the participants, lock a few rows, re-solve, compare."""
    name = f"cancel {100 * case.cancel_share:g} %"
    u = _update(base, work, case.cancel_share, rng_for(case, "cancel"), "cancelled")
    active, changed, event_dir, event, old_rows = u.active, u.changed, u.event_dir, u.event, u.old_rows
    gone = set(changed)
    lockable = [i for i, r in enumerate(old_rows.rows) if not gone & set(old_rows.people(r))]
    previous = work / "previous.csv"
    n_locked = write_previous(old_rows, previous, lockable, case, "cancel-locks")
    log(f"[re-solve] {name}: {len(changed)} cancelled, {n_locked} rows locked; --time-limit {case.time_limit:g} s")
    repair = run_matchday(
        event_dir,
        event,
        case.time_limit,
        work / "repair",
        ["--previous", str(previous)],
        method="re-solve (--previous)",
    )
    log(f"[re-solve] {name}: fresh solve of the updated event, --time-limit {case.fresh_time_limit:g} s")
    fresh = run_matchday(event_dir, event, case.fresh_time_limit, work / "fresh", method="fresh solve")
    outcome = ScenarioOutcome(name, case, changed, "cancelled", len(active), None, repair, fresh)
    outcome.header = [
        case.describe(),
        base.note,
        f"cancelled (status=cancelled): {len(changed)} of {len(active)} active participants: " + ", ".join(changed),
        f"locked=yes: {n_locked} of the {len(lockable)} previous rows involving nobody cancelled",
    ]
    return _finish(outcome, event, previous, work)


def run_cutoff(case: RepairCase, base: Baseline, work: Path, log: Log = lambda _m: None) -> ScenarioOutcome:
    """Scenario "cut-off": no-shows after the middle of the day; the past must not move."""
    name = f"cut-off + {100 * case.absent_share:g} % no-shows"
    u = _update(base, work, case.absent_share, rng_for(case, "absent"), "absent")
    active, changed, event_dir, event, old_rows = u.active, u.changed, u.event_dir, u.event, u.old_rows
    cutoff = middle_cutoff(u.base_event)
    gone = set(changed)
    lockable = [
        i for i, r in enumerate(old_rows.rows) if not gone & set(old_rows.people(r)) and old_rows.start(r) >= cutoff
    ]
    previous, history = work / "previous.csv", work / "history.csv"
    n_locked = write_previous(old_rows, previous, lockable, case, "cutoff-locks")
    past = [r for r in old_rows.rows if old_rows.start(r) < cutoff]
    history.write_text(old_rows.text(past), encoding="utf-8")
    cut = cutoff.strftime("%Y-%m-%dT%H:%M")
    log(
        f"[re-solve] {name}: cut-off {cut}, {len(changed)} absent, {n_locked} rows locked; "
        f"--time-limit {case.time_limit:g} s"
    )
    repair = run_matchday(
        event_dir,
        event,
        case.time_limit,
        work / "repair",
        ["--previous", str(previous), "--from", cut],
        history_before=cutoff,
        method="re-solve (--previous --from)",
    )
    log(f"[re-solve] {name}: fresh solve after the cut-off, --time-limit {case.fresh_time_limit:g} s")
    fresh = run_matchday(
        event_dir,
        event,
        case.fresh_time_limit,
        work / "fresh",
        ["--previous", str(history), "--from", cut, "--move-cost", "0", "--drop-cost", "0"],
        history_before=cutoff,
        method="fresh solve (history only)",
    )
    outcome = ScenarioOutcome(name, case, changed, "absent", len(active), cutoff, repair, fresh)
    n_history = len(past)
    outcome.header = [
        case.describe(),
        base.note,
        f"cut-off --from {cut} (start of the middle slot of the day); {n_history} of the "
        f"{len(old_rows.rows)} previous meetings started before it",
        f"no-shows (status=absent): {len(changed)} of {len(active)} active participants: " + ", ".join(changed),
        f"locked=yes: {n_locked} of the {len(lockable)} previous rows after the cut-off involving nobody absent",
    ]
    return _finish(outcome, event, previous, work)


def _finish(o: ScenarioOutcome, event: Event, previous: Path, work: Path) -> ScenarioOutcome:
    """Compare both runs' files with the previous schedule, then build the table and the bars."""
    old = _read(previous, event)
    for run, attr in ((o.repair, "repair_cmp"), (o.fresh, "fresh_cmp")):
        path = work / ("repair" if run is o.repair else "fresh") / "schedule.csv"
        if run.points is None or not path.is_file():
            continue
        setattr(o, attr, compare(event, old, _read(path, event), o.changed, o.cutoff))
    if o.repair_cmp is not None:
        o.report_mismatch = report_mismatch(o.repair.extra.get("report"), o.repair_cmp) + list(
            o.repair.extra.get("report_mismatch") or []
        )
        if o.cutoff is not None:
            new_rows = ScheduleRows.read(work / "repair" / "schedule.csv")
            o.before_cutoff = check_before_cutoff(ScheduleRows.read(previous), new_rows, o.cutoff)
    o.table = scenario_table(o)
    o.bars = scenario_bars(o)
    return o


def run_repair(case: RepairCase, base_work: Path, work: Path, log: Log = lambda _m: None) -> list[ScenarioOutcome]:
    """Both scenarios on the base size's solved day (`base_work`: that size's working folder)."""
    base = baseline(case.base, base_work, log)
    return [run_cancel(case, base, work / "cancel", log), run_cutoff(case, base, work / "cutoff", log)]


# --- tables and bars ---------------------------------------------------------------------------

REPAIR_COLUMNS = [
    "run",
    "seconds",
    "peak memory (MB)",
    "kept exactly %",
    "locked kept %",
    "lost",
    "added",
    "moved",
    "points before",
    "points kept",
    "points after",
    "points fresh",
    "refill ratio",
    "valid",
]


def scenario_table(o: ScenarioOutcome) -> Table:
    rows = []
    for run, c in ((o.repair, o.repair_cmp), (o.fresh, o.fresh_cmp)):
        is_repair = run is o.repair
        rows.append(
            {
                "run": run.method,
                "seconds": None if run.seconds is None else round(run.seconds, 2),
                "peak memory (MB)": None if run.peak_mb is None else round(run.peak_mb, 1),
                "kept exactly %": None if c is None else c.kept_percent,
                "locked kept %": None if c is None else c.locked_percent,
                "lost": None if c is None else c.lost,
                "added": None if c is None else c.added,
                "moved": None if c is None else c.moved,
                "points before": None if c is None else c.points_before,
                "points kept": None if c is None else c.points_kept,
                "points after": run.points,
                "points fresh": o.points_fresh if is_repair else None,
                "refill ratio": o.refill_ratio if is_repair else None,
                "valid": run.valid,
            }
        )
    who = "cancelled" if o.status == "cancelled" else "absent"
    scope = "" if o.cutoff is None else " starting at or after the cut-off"
    notes = [
        f"kept exactly %: of the {'—' if o.repair_cmp is None else o.repair_cmp.eligible} previous "
        f"meetings{scope} involving nobody {who}, the share at the same day, slot and table "
        "(the fresh row: how many a plan from scratch would keep).",
        "lost / added / moved (another slot or table) against the previous schedule "
        "(scheduler.diff.diff_schedules); points under the updated event; points kept = the meetings "
        "kept exactly" + (" (history included)" if o.cutoff else "") + ".",
        "refill ratio = (points after − points kept) / (points fresh − points kept); the bar is ≥ "
        f"{o.case.refill_share:g}.",
    ]
    for run in (o.repair, o.fresh):
        own, solve_s = run.extra.get("command_seconds"), run.extra.get("solve_seconds")
        notes.append(
            f"{run.method}: `{run.extra.get('command', '')}`; seconds = wall time from outside"
            + (f"; own clock {own:g} s" if isinstance(own, (int, float)) else "")
            + (f", solve() {solve_s:g} s" if isinstance(solve_s, (int, float)) else "")
            + f"; CPU {run.extra.get('cpu_seconds', 0):.1f} s on {run.extra.get('cores')} core(s)."
        )
        if run.error:
            notes.append(f"{run.method} FAILED: {run.error}")
        for v in run.violations[:10]:
            notes.append(f"{run.method} violation: {v}")
        if len(run.violations) > 10:
            notes.append(f"... and {len(run.violations) - 10} more violations")
    report = o.repair.extra.get("report") or {}
    if isinstance(report.get("repair"), dict):
        r = report["repair"]
        notes.append(
            f"the re-solve's own report: kept {r.get('kept')}, moved {r.get('moved')} (+"
            f"{r.get('table_changed')} table changes), lost {r.get('lost')}, "
            f"added {r.get('added')}, "
            f"{r.get('people_affected')} people affected; its quick fresh estimate "
            f"{r.get('points_fresh_solve')} points."
        )
    for line in o.report_mismatch:
        notes.append(f"report/files mismatch: {line}")
    if o.before_cutoff is not None:
        b = o.before_cutoff
        notes.append(
            f"before the cut-off: {b.identical} of {b.old_rows} previous rows identical in the new "
            f"file, {b.new_rows} new row(s)."
        )
    return Table(
        title=f"Re-solve: {o.name}, {o.case.label}",
        columns=list(REPAIR_COLUMNS),
        rows=rows,
        header=list(o.header),
        notes=notes,
    )


def scenario_bars(o: ScenarioOutcome) -> list[Bar]:
    case, r, c = o.case, o.repair, o.repair_cmp
    bars: list[Bar] = []
    own = r.extra.get("command_seconds")
    bars.append(
        Bar(
            f"re-solve within {case.time_bar:g} s (--time-limit {case.time_limit:g})",
            f"command ≤ {case.time_bar:g} s",
            "—" if own is None else f"{own:g} s by its own clock, {r.seconds:.1f} s from outside",
            isinstance(own, (int, float)) and not r.error and own <= case.time_bar,
        )
    )
    if o.cutoff is not None:
        b = o.before_cutoff
        bars.append(
            Bar(
                "nothing before the cut-off changed",
                "every earlier row identical, none new",
                "—" if b is None else f"{b.identical} of {b.old_rows} identical, {b.new_rows} new",
                b is not None and b.unchanged,
            )
        )
    who = "cancelled" if o.status == "cancelled" else "absent"
    share = None if c is None or not c.eligible else c.kept_eligible / c.eligible
    scope = "" if o.cutoff is None else " after the cut-off"
    bars.append(
        Bar(
            f"meetings{scope} involving nobody {who} kept exactly",
            f"≥ {100 * case.keep_share:g} %",
            "—" if c is None or share is None else f"{100 * share:.2f} % ({c.kept_eligible} of {c.eligible})",
            False if c is None else (None if share is None else share >= case.keep_share),
        )
    )
    bars.append(
        Bar(
            "locked meetings kept exactly",
            "100 %",
            "—" if c is None else f"{c.locked_kept} of {c.locked}",
            False if c is None else (None if not c.locked else c.locked_kept == c.locked),
        )
    )
    won, possible = o.won, o.possible
    if won is None or possible is None:
        why = "fresh solve failed" if c is not None else "re-solve failed"
        bars.append(Bar("refill wins back ≥ ½ of the possible", "after − kept ≥ ½ (fresh − kept)", why, False))
    else:
        ratio = o.refill_ratio
        bars.append(
            Bar(
                "refill wins back ≥ ½ of the possible",
                f"after − kept ≥ {case.refill_share:g} × (fresh − kept)",
                f"{won} of {possible} possible points" + ("" if ratio is None else f" (ratio {ratio:.2f})"),
                won >= case.refill_share * possible,
            )
        )
    history = ", history before the cut-off" if o.cutoff else ""
    bars.append(
        Bar(
            f"valid schedule (check_schedule{history})",
            "no violation",
            "error: " + r.error if r.error else f"{len(r.violations)} violation(s)",
            bool(r.valid) and not r.error,
        )
    )
    return bars


def raw(outcome: ScenarioOutcome) -> dict[str, Any]:
    """JSON-ready figures of a scenario (latest.json)."""
    return {
        "name": outcome.name,
        "case": dataclasses.asdict(outcome.case),
        "status": outcome.status,
        "changed": outcome.changed,
        "active": outcome.active,
        "cutoff": None if outcome.cutoff is None else outcome.cutoff.isoformat(),
        "repair": dataclasses.asdict(outcome.repair),
        "fresh": dataclasses.asdict(outcome.fresh),
        "repair_comparison": _asdict(outcome.repair_cmp),
        "fresh_comparison": _asdict(outcome.fresh_cmp),
        "before_cutoff": _asdict(outcome.before_cutoff),
        "refill_ratio": outcome.refill_ratio,
        "report_mismatch": outcome.report_mismatch,
        "bars": [dataclasses.asdict(b) | {"verdict": b.verdict} for b in outcome.bars],
    }


def _asdict(value: Any) -> dict[str, Any] | None:
    return None if value is None else dataclasses.asdict(value)
