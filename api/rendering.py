"""Agenda PDFs rendered away from the web process's threads, and kept once rendered.

WeasyPrint holds Python's global lock while it lays out a page, so PDFs rendered in the web
process's threads queue behind each other and hold up every other request meanwhile (50 agenda
PDFs at once took 10.8 s at p95 in a load trial). Here they render in a small pool of separate
processes (`pdf_processes`; 0 renders in the calling thread, as the tests do), and a person's
agenda PDF is kept per published version, language and link, so asking again costs nothing until
the organiser publishes or changes the event.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ProcessPoolExecutor

from api.jobs.child import die_with_parent
from scheduler.export import pdf
from scheduler.export.agenda import AgendaData


class PdfRenderer:
    """`agenda(key, agenda)`: the agenda's PDF, rendered in the pool, kept under `key` (which must
    name everything the PDF shows: event revision, published version, person, language, link). At
    most `keep_bytes` of PDFs are kept; the least recently asked for go first."""

    def __init__(self, processes: int, keep_bytes: int = 64_000_000):
        self.processes = processes
        self.keep_bytes = keep_bytes
        self._kept: OrderedDict[Hashable, bytes] = OrderedDict()
        self._kept_bytes = 0
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def agenda(self, key: Hashable, agenda: AgendaData) -> bytes:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept
        data = self.render(pdf.agenda_pdf, agenda)
        with self._lock:
            if key not in self._kept:
                self._kept[key] = data
                self._kept_bytes += len(data)
            while self._kept_bytes > self.keep_bytes and self._kept:
                _, dropped = self._kept.popitem(last=False)
                self._kept_bytes -= len(dropped)
        return data

    def render(self, render: Callable[[AgendaData], bytes], agenda: AgendaData) -> bytes:
        """`render(agenda)` in a pool process (the calling thread waits without holding the GIL)."""
        if self.processes == 0:
            return render(agenda)
        return self._executor().submit(render, agenda).result()

    def start(self) -> None:
        """Start the pool's processes now (each imports WeasyPrint, about a second), not on the first
        participant's request."""
        if self.processes > 0:
            pool = self._executor()
            for _ in range(self.processes):
                pool.submit(_ready)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
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
