"""`python -m api.worker`: one worker process of the procrastinate job engine.

Reads the same settings as the web service (MATCHDAY_* variables or .env); the database must be
PostgreSQL. On start it brings the schema up to date (the service's migrations and procrastinate's
own tables, each idempotent and safe when several processes start at once), then takes up to
`max_concurrent_jobs` solves at a time, each in a child process, and sweeps for the solves of
workers that died. SIGTERM or Ctrl-C: it takes no new job and exits once its running solves end
(a second signal stops at once; those solves are then taken up by another worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from api.jobs import procrastinate_runner as engine
from api.settings import Settings, get_settings
from api.storage import Database

log = logging.getLogger("matchday.worker")


async def run(settings: Settings) -> None:
    db = Database(settings.database_url)
    db.upgrade()
    engine.ensure_schema(settings.database_url)
    ctx = engine.configure_worker(db, settings)
    app = engine.worker_app(settings.database_url)
    log.info("worker %s takes up to %d solve(s) at a time", ctx.owner, settings.max_concurrent_jobs)
    try:
        async with app.open_async():
            sweeper = asyncio.create_task(engine.sweeper(app, ctx))
            try:
                await app.run_worker_async(
                    queues=[engine.QUEUE],
                    name=ctx.owner,
                    concurrency=settings.max_concurrent_jobs,
                    update_heartbeat_interval=settings.worker_heartbeat_seconds,
                    stalled_worker_timeout=settings.worker_stalled_seconds,
                    fetch_job_polling_interval=min(5.0, settings.worker_heartbeat_seconds),
                    delete_jobs="successful",  # the job table keeps the record; procrastinate's stays small
                )
            finally:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
    finally:
        db.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    try:
        engine.conninfo(settings.database_url)
    except ValueError as exc:
        sys.exit(f"matchday worker: {exc}")
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
