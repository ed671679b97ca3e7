"""The work of one solve job, run in a child process (api/jobs/child.py), or by a test in its own.

`run_job` loads the job's event, solves, runs the independent checker and stores the new schedule
version with the job's end in one transaction. Every failure ends as state "failed" with an error a
person can read; a cancel (the job's flag, polled by the solver) ends as "cancelled".
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from api.jobs.state import end as _end
from api.jobs.state import finish as _finish
from api.jobs.state import write_progress
from api.storage import Database, EventRow, JobRow
from scheduler.domain import Schedule
from scheduler.problems import EventError, InvalidScheduleError, MatchdayError, NoScheduleError
from scheduler.results import MoveCosts, Progress, SolveOptions, relative_gap

log = logging.getLogger("matchday.jobs")


def run_job(database_url: str, job_id: str, solver_workers: int = 0, progress_interval: float = 0.5) -> None:
    """Solve one claimed job and store the result. Every failure ends as state "failed" + `error`.

    `solve` runs the independent checker on its result; a schedule it rejects is a bug, and ends
    the job "failed" with the broken rules listed in `error`: no version is stored.

    A repair job (`options["mode"] == "repair"`) starts from the stored version it names: its
    locked rows stay, the rest stays where it is unless moving pays (`MoveCosts`), and meetings
    before the cut-off are history.
    """
    # Imported here so that the web process never loads the solver.
    from api.service import add_schedule_version, load_event, parse_schedule, publish, schedule_row
    from scheduler.pipelines.solve import solve

    db = Database(database_url)
    try:
        with db.session() as s:
            job = s.get(JobRow, job_id)
            if job is None or job.state != "running":
                return
            event_row = s.get(EventRow, job.event_id)
            if event_row is None:
                return
            event = load_event(event_row)
            revision = event_row.revision
            time_limit = job.time_limit
            options = dict(job.options or {})
            base = previous = None
            if options.get("mode") == "repair":
                base = schedule_row(s, job.event_id, options.get("previous_version"))
                previous = parse_schedule(event, base) if base is not None else None
        if options.get("mode") == "repair" and previous is None:
            _finish(db, job_id, "failed", f"schedule version {options.get('previous_version')} to repair is gone")
            return
        reporter = _Reporter(db, job_id, progress_interval)
        try:
            result = solve(
                event,
                solve_options(options, time_limit=time_limit, workers=solver_workers, previous=previous),
                progress=reporter.progress,
                should_stop=reporter.should_stop,
            )
        except (NoScheduleError, MatchdayError, EventError) as exc:
            cancelled = reporter.cancelled()
            _finish(db, job_id, "cancelled" if cancelled else "failed", None if cancelled else str(exc))
            return
        except InvalidScheduleError as exc:  # the checker refused the solver's schedule: a bug, never a version
            log.error("job %s: %s", job_id, exc)
            _finish(db, job_id, "failed", str(exc))
            return
        with db.session() as s:
            job = s.get(JobRow, job_id, with_for_update=True)
            event_row = s.get(EventRow, job.event_id) if job is not None else None
            if job is None or event_row is None:  # the event was deleted meanwhile
                return
            if job.cancel_requested:
                _end(s, job_id, "cancelled")
                return
            if event_row.revision != revision:  # changes are refused while a solve runs; be safe anyway
                _end(s, job_id, "failed", "the event changed while this solve was running; start the solve again")
                return
            srow = add_schedule_version(
                session=s,
                row=event_row,
                event=event,
                schedule=result.schedule,
                kind="repair" if previous is not None else "solve",
                based_on=base,
                previous=previous,
                job_id=job_id,
                bound=result.bound,
                optimal=result.optimal,
                seconds=result.seconds,
                result={
                    "stats": result.stats.as_dict(),
                    "parameters": result.parameters,
                    "version": result.version,
                    "finished_at": result.finished_at,
                    "objective": result.objective,
                    "gap": result.gap,
                    "warnings": [w.as_dict() for w in result.warnings],
                    "repair": result.repair,
                    "cutoff": options.get("cutoff"),
                    "by": options.get("by", "api"),
                },
            )
            progress = {
                **reporter.snapshot(),
                "phase": "done",
                "points": result.stats.points,
                "bound": result.bound,
                "gap": result.gap,
                "holes": result.stats.holes,
                "meetings": result.stats.meetings,
                "elapsed": result.seconds,
            }
            if options.get("publish"):
                publish(session=s, row=event_row, version=srow.version, by=options.get("by", "api"))
            if not _end(s, job_id, "done", schedule_version=srow.version, progress=progress):
                s.rollback()  # the job was settled meanwhile (marked failed, say): the version is not stored
    except Exception as exc:  # noqa: BLE001 - any crash must end as a readable job error
        log.error("job %s crashed:\n%s", job_id, traceback.format_exc())
        _finish(db, job_id, "failed", f"internal error while solving: {type(exc).__name__}: {exc}")
    finally:
        db.dispose()


def solve_options(
    options: dict[str, Any], *, time_limit: float, workers: int, previous: Schedule | None
) -> SolveOptions:
    """The library's options from a job's stored options (see `JobRow.options`)."""
    defaults = MoveCosts()
    cutoff = options.get("cutoff")
    return SolveOptions(
        time_limit=time_limit,
        workers=workers,
        previous=previous,
        cutoff=dt.datetime.fromisoformat(cutoff) if cutoff and previous is not None else None,
        move_costs=MoveCosts(
            move_slot=int(options.get("move_cost", defaults.move_slot)),
            drop=int(options.get("drop_cost", defaults.drop)),
        ),
    )


@dataclass
class _Reporter:
    """Throttled progress writes and cancel-flag reads for one running job."""

    db: Database
    job_id: str
    interval: float
    _last_write: float = 0.0
    _last_check: float = 0.0
    _cancelled: bool = False
    _latest: dict[str, Any] = field(default_factory=dict)

    def progress(self, p: Progress) -> None:
        self._latest = {
            "phase": p.phase,
            "elapsed": round(p.elapsed, 2),
            "points": p.points,
            "bound": p.bound,
            "gap": relative_gap(p.points, p.bound),
            "holes": p.holes,
            "meetings": p.meetings,
        }
        now = time.monotonic()
        if now - self._last_write >= self.interval:
            self._last_write = now
            write_progress(self.db, self.job_id, self._latest)

    def snapshot(self) -> dict[str, Any]:
        return dict(self._latest)

    def should_stop(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._last_check >= min(self.interval, 0.25):
            self._last_check = now
            with self.db.session() as s:
                flag = s.scalar(select(JobRow.cancel_requested).where(JobRow.id == self.job_id))
            self._cancelled = flag is None or bool(flag)  # a deleted job stops too
        return self._cancelled

    def cancelled(self) -> bool:
        self._last_check = 0.0
        return self.should_stop()
