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
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor

from api.jobs.child import die_with_parent
from scheduler.export import pdf
from scheduler.export.agenda import AgendaData

log = logging.getLogger("matchday.pdf")


class PdfRenderer:
    """`agenda(key, agenda)`: the agenda's PDF, rendered in the pool and kept under `key`; the
    `keep` most recently asked for are kept."""

    def __init__(self, processes: int, keep: int = 2000):
        self.processes = processes
        self.keep = keep
        self._kept: OrderedDict[Hashable, Future[bytes]] = OrderedDict()
        self._ahead: set[Hashable] = set()  # the versions whose agendas are being or were rendered ahead
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def agenda(self, key: Hashable, agenda: AgendaData) -> bytes:
        return self._future(key, agenda).result()

    def _future(self, key: Hashable, agenda: AgendaData) -> Future[bytes]:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and not (kept.done() and kept.exception() is not None):
                self._kept.move_to_end(key)
                return kept
            if self.processes == 0:
                future: Future[bytes] = Future()
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
        return future

    def render_ahead(self, version: Hashable, agendas: Callable[[], Iterable[tuple[Hashable, AgendaData]]]) -> None:
        """Once per `version`, in a background thread: queue every (key, agenda) that `agendas()`
        yields, so later requests find their PDF ready or under way. Nothing with no pool."""
        with self._lock:
            if self.processes == 0 or version in self._ahead:
                return
            self._ahead.add(version)

        def run() -> None:
            # At most one render ahead per pool process at a time: a person who asks now waits
            # behind those few, not behind everyone else's agenda.
            in_flight: list[Future[bytes]] = []
            try:
                for key, agenda in agendas():
                    in_flight.append(self._future(key, agenda))
                    if len(in_flight) >= self.processes:
                        futures.wait(in_flight, return_when=futures.FIRST_COMPLETED)
                        in_flight = [f for f in in_flight if not f.done()]
            except Exception:  # a failure here only loses the head start
                log.exception("rendering agendas ahead failed for %s", version)

        threading.Thread(target=run, name="matchday-pdf-ahead", daemon=True).start()

    def render(self, render: Callable[[AgendaData], bytes], agenda: AgendaData) -> bytes:
        """`render(agenda)` in a pool process (the calling thread waits without holding the GIL)."""
        if self.processes == 0:
            return render(agenda)
        with self._lock:
            pool = self._executor()
        return pool.submit(render, agenda).result()

    def start(self) -> None:
        """Start the pool's processes now (each imports WeasyPrint, about a second), not on the first
        participant's request."""
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

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _ready() -> None:
    """A pool process's first task: it has imported this module, and with it WeasyPrint."""
