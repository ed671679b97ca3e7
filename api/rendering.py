"""Agenda PDFs rendered away from the web process's threads, kept once rendered, and rendered
ahead for everyone once the first participant asks.

WeasyPrint holds Python's global lock while it lays out a page, so PDFs rendered in the web
process's threads queue behind each other and hold up every other request meanwhile (50 agenda
PDFs at once took 10.8 s at p95 in a load trial). Here they render in a small pool of separate
processes (`pdf_processes`; 0 renders in the calling thread, as the tests do). A person's agenda
PDF is kept under a key naming everything it shows (event revision, published version, person,
language, link), so asking again costs nothing until the organiser publishes or changes the event;
and when the first person of a published version asks, everyone else's is rendered in the
background, since participants open their links together (after the e-mail, at the door).

A person who asks goes first: agendas rendered ahead go to a process of their own, niced like the
solves (`ahead_nice`), so that they take only CPU time that the pages, the API and the PDFs people
are waiting for leave; a person whose agenda is still being rendered ahead gets it rendered at once
in the pool instead of waiting for the niced process. Each pool process loads WeasyPrint, the fonts,
the templates and the parsed stylesheet when it starts (a made-up agenda), so the first
participants do not pay for that either.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor

from scheduler.export import pdf
from scheduler.export.agenda import AgendaData
from scheduler.lifetime import die_with_parent

log = logging.getLogger("matchday.pdf")
Agendas = Callable[[], Iterable[tuple[Hashable, AgendaData]]]  # (key, agenda) of everyone in a version


class PdfRenderer:
    """`agenda(key, agenda)`: the agenda's PDF, rendered in the pool and kept under `key`; the
    `keep` most recently asked for are kept."""

    def __init__(self, processes: int, keep: int = 2000, ahead_nice: int = 10):
        self.processes = processes
        self.keep = keep
        self.ahead_nice = ahead_nice
        self._kept: OrderedDict[Hashable, Future[bytes]] = OrderedDict()
        self._early: set[Future[bytes]] = set()  # kept futures of renders ahead not yet done
        self._ahead: set[Hashable] = set()  # the versions whose agendas are being or were rendered ahead
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._ahead_pool: ProcessPoolExecutor | None = None
        self._versions: queue.Queue[tuple[Hashable, Agendas]] = queue.Queue()  # taken by `_ahead_thread`
        self._ahead_thread: threading.Thread | None = None

    def agenda(self, key: Hashable, agenda: AgendaData) -> bytes:
        started = time.perf_counter()
        future, how = self._future(key, agenda)
        data = future.result()
        log.debug("agenda PDF %s in %.0f ms", how, (time.perf_counter() - started) * 1000)
        return data

    def _future(self, key: Hashable, agenda: AgendaData, ahead: bool = False) -> tuple[Future[bytes], str]:
        """The future of `key`'s PDF, and how it was found: "kept" (done or under way) or "rendered"
        (started now). `ahead`: nobody waits for it yet (the niced process renders it); a person who
        asks for one of those before it is done gets theirs rendered in the pool at once."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and not (kept.done() and kept.exception() is not None):
                if ahead or kept not in self._early:
                    self._kept.move_to_end(key)
                    return kept, "kept"
                kept.cancel()  # still queued for the niced process: not needed there any more
            if self.processes == 0:
                future: Future[bytes] = Future()
            elif ahead:
                future = self._ahead_executor().submit(pdf.agenda_pdf, agenda)
                self._early.add(future)
                future.add_done_callback(self._early.discard)
            else:
                future = self._executor().submit(pdf.agenda_pdf, agenda)
            self._kept[key] = future
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
        if self.processes == 0:  # in this thread, outside the lock
            try:
                future.set_result(pdf.agenda_pdf(agenda))
            except Exception as exc:  # noqa: BLE001 - the caller gets it from result()
                future.set_exception(exc)
        return future, "rendered"

    def render_ahead(self, version: Hashable, agendas: Agendas) -> None:
        """Once per `version`, in the background: render every (key, agenda) that `agendas()` yields,
        one at a time in the niced process, so later requests find their PDF ready. Nothing with no
        pool."""
        with self._lock:
            if self.processes == 0 or version in self._ahead:
                return
            self._ahead.add(version)
            if self._ahead_thread is None:
                self._ahead_thread = threading.Thread(target=self._render_ahead, name="matchday-pdf-ahead", daemon=True)
                self._ahead_thread.start()
        self._versions.put((version, agendas))

    def _render_ahead(self) -> None:
        """The one thread that renders ahead, for as long as the web process runs: the niced process
        is started from it, and a process dies with the thread that started it (die_with_parent's
        PR_SET_PDEATHSIG follows the thread), so a thread per version would kill it at its end."""
        while True:
            version, agendas = self._versions.get()
            try:
                for key, agenda in agendas():
                    futures.wait([self._future(key, agenda, ahead=True)[0]])
            except Exception:  # a failure here only loses the head start
                log.exception("rendering agendas ahead failed for %s", version)

    def render(self, render: Callable[[AgendaData], bytes], agenda: AgendaData) -> bytes:
        """`render(agenda)` in a pool process (the calling thread waits without holding the GIL)."""
        if self.processes == 0:
            return render(agenda)
        with self._lock:
            pool = self._executor()
        return pool.submit(render, agenda).result()

    def start(self) -> None:
        """Start the pool's processes now (each imports WeasyPrint and renders a first document, about
        two seconds), not on the first participants' requests."""
        if self.processes > 0:
            with self._lock:
                pool = self._executor()
            for _ in range(self.processes):
                pool.submit(_ready)

    def _executor(self) -> ProcessPoolExecutor:
        """The pool (the caller holds the lock)."""
        if self._pool is None:
            # spawn, not fork: the web process runs threads, which a fork would copy mid-flight.
            # Each process dies with the web process, even after a kill -9 of it.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
            )
        return self._pool

    def _ahead_executor(self) -> ProcessPoolExecutor:
        """The one niced process that renders ahead, started on first use (the caller holds the lock)."""
        if self._ahead_pool is None:
            context = multiprocessing.get_context("spawn")
            self._ahead_pool = ProcessPoolExecutor(
                1, mp_context=context, initializer=_niced, initargs=(os.getpid(), self.ahead_nice)
            )
        return self._ahead_pool

    def shutdown(self) -> None:
        with self._lock:
            pools, self._pool, self._ahead_pool = (self._pool, self._ahead_pool), None, None
        for pool in pools:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)


def _niced(parent_pid: int, nice: int) -> None:
    """The ahead process's start: it dies with the web process and yields the CPU like a solve."""
    die_with_parent(parent_pid)
    os.nice(nice)


def _ready() -> None:
    """A pool process's first task: WeasyPrint imported, the stylesheet parsed and the fonts loaded."""
    pdf.warm_up()
