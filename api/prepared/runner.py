"""Where prepared documents and imports run: `python -m api.worker` processes with the procrastinate
engine (the web process only enqueues), or in the embedded mode a background process of the web
process itself (`background_processes`; 0: a thread, as the tests use), never in the request.

The embedded pool's process dies with the web process (as the PDF pool's do); a web process that
starts again takes up what a dead one of this machine left queued or running (`state.orphans`).
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import queue
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Literal, Protocol

from api.jobs.state import process_identity
from api.prepared import state
from api.prepared.documents import prepare
from api.prepared.imports import run_import
from api.prepared.rows import ImportRow, PreparedDocumentRow
from api.settings import Settings
from api.storage import Database
from scheduler.io.limits import Limits
from scheduler.lifetime import die_with_parent

log = logging.getLogger("matchday.prepared")

Kind = Literal["document", "import"]
MODELS: dict[Kind, state.Row] = {"document": PreparedDocumentRow, "import": ImportRow}


class BackgroundWork(Protocol):
    """Where the web process hands a queued row (a document or an import)."""

    def start(self) -> None: ...
    def submit(self, kind: Kind, item_id: str) -> None: ...
    def shutdown(self) -> None: ...


def background_work(db: Database, settings: Settings, secret: str, jobs: object) -> BackgroundWork:
    """The workers' queue with the procrastinate engine; else the web process's own background."""
    if settings.job_engine == "procrastinate":
        return QueuedWork(jobs)
    return LocalWork(db, settings, secret)


class QueuedWork:
    """Tasks of the procrastinate engine (`api.prepared.tasks`), run by `python -m api.worker`."""

    def __init__(self, jobs: object):
        self.jobs = jobs

    def start(self) -> None:
        """Nothing to take up: a deferred task outlives the web process that deferred it."""

    def submit(self, kind: Kind, item_id: str) -> None:
        from api.jobs.procrastinate_runner import defer_task
        from api.prepared.tasks import TASKS

        if defer_task(self.jobs, TASKS[kind], item_id=item_id) is None:
            raise RuntimeError("the procrastinate engine is configured but its runner is not in use")

    def shutdown(self) -> None:
        """Nothing runs here."""


class LocalWork:
    """The embedded mode: background processes (or a thread) do the rows, `background_processes` at
    a time. One dispatcher thread of its own hands them over and so starts the pool's processes:
    a process armed to die with its parent dies with the *thread* that started it (Linux's
    PR_SET_PDEATHSIG), and a request's thread ends when the server's thread pool shrinks."""

    def __init__(self, db: Database, settings: Settings, secret: str):
        self.db, self.settings, self.secret = db, settings, secret
        self.limits = settings.upload_limits()
        self._pool: Executor | None = None
        self._queue: queue.Queue[tuple[Kind, str] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._unfinished = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._dispatch, name="matchday-background-dispatch", daemon=True)
        self._thread.start()
        for kind, model in MODELS.items():
            for item_id in state.orphans(self.db, model):
                log.info("taking up %s %s left by a server that stopped", kind, item_id)
                self.submit(kind, item_id)

    def submit(self, kind: Kind, item_id: str) -> None:
        with self._lock:
            self._unfinished += 1
        self._queue.put((kind, item_id))

    def _dispatch(self) -> None:
        while (item := self._queue.get()) is not None:
            kind, item_id = item
            try:
                pool = self._executor()
                if isinstance(pool, ProcessPoolExecutor):
                    future = pool.submit(run_in_process, kind, self.db.url, item_id, self.secret, self.limits)
                else:
                    future = pool.submit(run_item, self.db, kind, item_id, self.secret, self.limits, process_identity())
            except Exception as exc:  # noqa: BLE001 - e.g. the pool broke meanwhile: fail this row, go on
                self._failed(kind, item_id, exc)
                continue
            future.add_done_callback(functools.partial(self._done, kind=kind, item_id=item_id))

    def _done(self, future: Future[None], kind: Kind, item_id: str) -> None:
        """A process that died (out of memory, killed) fails its row; the next row gets a new pool."""
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            self._failed(kind, item_id, exc)
            return
        with self._lock:
            self._unfinished -= 1

    def _failed(self, kind: Kind, item_id: str, exc: BaseException) -> None:
        log.error("%s %s: its background process stopped: %s", kind, item_id, exc)
        try:
            state.give_up(self.db, MODELS[kind], item_id, 1)
        except Exception:  # noqa: BLE001 - the log has the first error; a restart takes the row up
            log.exception("could not settle %s %s", kind, item_id)
        with self._lock:
            self._unfinished -= 1

    def idle(self) -> bool:
        """Whether nothing is waiting or running (tests)."""
        with self._lock:
            return self._unfinished == 0

    def _executor(self) -> Executor:
        """The pool (only the dispatcher thread calls this); processes are spawned, not forked (the
        web process runs threads), and die with the web process. A broken pool is replaced."""
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=False, cancel_futures=False)
            self._pool = None
        if self._pool is None:
            count = self.settings.background_processes
            if count == 0:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="matchday-background")
            else:
                self._pool = ProcessPoolExecutor(
                    count,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=die_with_parent,
                    initargs=(os.getpid(),),
                )
        return self._pool

    def shutdown(self) -> None:
        """Stop; a row under way stays running and is taken up by the next start."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=5)
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def run_item(db: Database, kind: Kind, item_id: str, secret: str, limits: Limits, owner: str) -> None:
    """Do one row's work in this process."""
    if kind == "document":
        prepare(db, item_id, secret, owner)
    else:
        run_import(db, item_id, secret, limits, owner)


_databases: dict[str, Database] = {}


def run_in_process(kind: Kind, database_url: str, item_id: str, secret: str, limits: Limits) -> None:
    """A pool process's entry point: its own connection to the database, kept between rows."""
    db = _databases.get(database_url)
    if db is None:
        db = _databases[database_url] = Database(database_url)
    run_item(db, kind, item_id, secret, limits, process_identity())
