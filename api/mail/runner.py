"""Mail batches in a background thread of the web process: the simplest robust runner for one
organiser's server. The batch function itself (`run_mail_batch`) is resumable and idempotent, so
a task queue can run it instead; on start, batches a stopped server left unfinished are resumed.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Protocol

from sqlalchemy import select

from api.mail.batches import run_mail_batch
from api.mail.rows import BATCH_ACTIVE, MailBatchRow
from api.settings import Settings
from api.storage import Database

log = logging.getLogger("matchday.mail")


class BatchRunner(Protocol):
    """Where the web process hands a stored batch to be sent."""

    def start(self, resume: bool = True) -> None: ...
    def submit(self, batch_id: str) -> None: ...
    def shutdown(self, timeout: float = 10.0) -> None: ...


def batch_runner(db: Database, settings: Settings, secret: str, jobs: object) -> BatchRunner:
    """The workers' queue with the procrastinate engine (web processes only enqueue); else a thread."""
    if settings.job_engine == "procrastinate":
        return QueuedMail(jobs)
    return MailRunner(db, settings, secret)


class QueuedMail:
    """Batches as tasks of the procrastinate engine (`api.mail.tasks`), sent by `python -m api.worker`."""

    def __init__(self, jobs: object):
        self.jobs = jobs

    def start(self, resume: bool = True) -> None:
        """Nothing to resume: a queued task outlives the web process that deferred it."""

    def submit(self, batch_id: str) -> None:
        from api.jobs.procrastinate_runner import defer_task
        from api.mail.tasks import MAIL_TASK

        if defer_task(self.jobs, MAIL_TASK, batch_id=batch_id) is None:
            raise RuntimeError("the procrastinate engine is configured but its runner is not in use")

    def shutdown(self, timeout: float = 10.0) -> None:
        """Nothing runs here."""


class MailRunner:
    """One thread sends the batches one after another, in the order they were submitted."""

    def __init__(self, db: Database, settings: Settings, secret: str):
        self.db, self.settings, self.secret = db, settings, secret
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, resume: bool = True) -> None:
        self._thread = threading.Thread(target=self._work, name="matchday-mail", daemon=True)
        self._thread.start()
        if resume:
            with self.db.session() as s:
                unfinished = s.scalars(
                    select(MailBatchRow.id)
                    .where(MailBatchRow.state.in_(BATCH_ACTIVE))
                    .order_by(MailBatchRow.created_at)
                )
                for batch_id in unfinished:
                    self.submit(batch_id)

    def submit(self, batch_id: str) -> None:
        self._queue.put(batch_id)

    def idle(self) -> bool:
        """Whether nothing is waiting (a test's way to know a batch has been picked up)."""
        return self._queue.unfinished_tasks == 0

    def _work(self) -> None:
        while not self._stop.is_set():
            batch_id = self._queue.get()
            try:
                if batch_id is not None:
                    run_mail_batch(
                        self.db, batch_id, settings=self.settings, secret=self.secret, should_stop=self._stop.is_set
                    )
            except Exception:  # a batch that breaks must not stop the ones after it
                log.exception("mail batch %s failed", batch_id)
                self._fail(batch_id)
            finally:
                self._queue.task_done()

    def _fail(self, batch_id: str | None) -> None:
        if batch_id is None:
            return
        try:
            with self.db.session() as s:
                batch = s.get(MailBatchRow, batch_id)
                if batch is not None and batch.state in BATCH_ACTIVE:
                    batch.state, batch.error = "failed", "The batch stopped on an unexpected error; see the server log."
        except Exception:  # noqa: BLE001 - the log already has the first error
            log.exception("could not mark mail batch %s failed", batch_id)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop after the message being sent; the rest of its batch stays queued for the next start."""
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
