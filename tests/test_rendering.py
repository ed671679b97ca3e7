"""Agenda PDFs render in a pool of processes and are kept per key (api/rendering.py)."""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from api import rendering
from api.rendering import PdfRenderer
from scheduler.export.agenda import AgendaData, build_agenda
from scheduler.io.loading import load_event_dir

SAMPLE = Path(__file__).resolve().parents[1] / "sample_events" / "cluster-day"


def _agenda(pid: str = "P0001") -> AgendaData:
    return build_agenda(load_event_dir(SAMPLE).event, None, pid)


def _pid_of_renderer(agenda: AgendaData) -> bytes:
    return str(os.getpid()).encode()


def test_a_pool_renders_in_another_process_and_keeps_nothing_it_was_not_asked_to() -> None:
    renderer = PdfRenderer(processes=1)
    try:
        assert renderer.render(_pid_of_renderer, _agenda()) != str(os.getpid()).encode()
        data = renderer.agenda(("k", 1), _agenda())
        assert data.startswith(b"%PDF")
    finally:
        renderer.shutdown()


def test_a_kept_pdf_is_served_again_until_its_key_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    renders: list[str] = []

    def counting(agenda: AgendaData) -> bytes:
        renders.append(agenda.person.id)
        return b"%PDF " + agenda.person.id.encode()

    monkeypatch.setattr(rendering.pdf, "agenda_pdf", counting)
    renderer = PdfRenderer(processes=0, keep=2)
    one, two = _agenda("P0001"), _agenda("P0002")
    assert renderer.agenda(("v1", "P0001"), one) == renderer.agenda(("v1", "P0001"), one) == b"%PDF P0001"
    assert renders == ["P0001"]
    renderer.agenda(("v2", "P0001"), dataclasses.replace(one, link="https://x.example/agenda/t"))  # a new key
    assert renders == ["P0001", "P0001"]
    renderer.agenda(("v1", "P0002"), two)  # a third key: the least recently asked for goes
    renderer.agenda(("v1", "P0001"), one)
    assert renders == ["P0001", "P0001", "P0002", "P0001"]
    renderer.render_ahead("v1", lambda: [(("v1", "P0003"), _agenda("P0003"))])  # no pool: nothing ahead
    assert renders == ["P0001", "P0001", "P0002", "P0001"]


def test_everyones_agenda_is_rendered_ahead_once_per_version() -> None:
    renderer = PdfRenderer(processes=1)
    asked: list[int] = []

    def agendas() -> list[tuple[tuple[str, str], AgendaData]]:
        asked.append(1)
        return [(("v1", pid), _agenda(pid)) for pid in ("P0001", "P0002")]

    try:
        renderer.render_ahead("v1", agendas)
        renderer.render_ahead("v1", agendas)
        deadline = time.monotonic() + 60
        while len(renderer._kept) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert asked == [1]
        assert renderer._kept[("v1", "P0002")].result(timeout=60).startswith(b"%PDF")
        assert renderer.agenda(("v1", "P0002"), _agenda("P0002")) == renderer._kept[("v1", "P0002")].result()
    finally:
        renderer.shutdown()


def _one(version: str, pid: str) -> list[tuple[tuple[str, str], AgendaData]]:
    return [((version, pid), _agenda(pid))]


def test_versions_published_one_after_the_other_are_all_rendered_ahead() -> None:
    """The niced process outlives the first version's renders: the second's find it alive."""
    renderer = PdfRenderer(processes=1)
    try:
        for version, pid in (("v1", "P0001"), ("v2", "P0002")):
            renderer.render_ahead(version, functools.partial(_one, version, pid))
            deadline = time.monotonic() + 60
            while (version, pid) not in renderer._kept and time.monotonic() < deadline:
                time.sleep(0.05)
            assert renderer._kept[(version, pid)].result(timeout=60).startswith(b"%PDF")
            time.sleep(0.5)  # time for a thread that ended to take its process with it
    finally:
        renderer.shutdown()


class _HeldPool:
    """Stands for the process pool: records what was submitted and finishes each only when told."""

    def __init__(self) -> None:
        self.submitted: list[tuple[str, Future[bytes]]] = []
        self.changed = threading.Condition()

    def submit(self, render: object, agenda: AgendaData) -> Future[bytes]:
        future: Future[bytes] = Future()
        with self.changed:
            self.submitted.append((agenda.person.id, future))
            self.changed.notify_all()
        return future

    def wait_for(self, count: int) -> list[str]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.submitted) >= count, timeout=10), self.submitted
            return [pid for pid, _ in self.submitted]

    def finish(self, pid: str) -> None:
        next(f for p, f in self.submitted if p == pid).set_result(b"%PDF " + pid.encode())


def test_renders_ahead_go_one_at_a_time_to_their_own_process(monkeypatch: pytest.MonkeyPatch) -> None:
    renderer = PdfRenderer(processes=2)
    pool, ahead_pool = _HeldPool(), _HeldPool()
    monkeypatch.setattr(renderer, "_executor", lambda: pool)
    monkeypatch.setattr(renderer, "_ahead_executor", lambda: ahead_pool)
    renderer.render_ahead("v1", lambda: [(("v1", pid), _agenda(pid)) for pid in ("P0002", "P0003")])
    assert ahead_pool.wait_for(1) == ["P0002"]
    time.sleep(0.2)
    assert len(ahead_pool.submitted) == 1 and not pool.submitted  # one at a time, none in the pool
    ahead_pool.finish("P0002")
    assert ahead_pool.wait_for(2) == ["P0002", "P0003"]
    assert renderer.agenda(("v1", "P0002"), _agenda("P0002")) == b"%PDF P0002"  # kept: no new render
    assert not pool.submitted
    ahead_pool.finish("P0003")


def test_a_person_does_not_wait_for_the_niced_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked for while it is still being rendered ahead, a person's agenda is rendered in the pool."""
    renderer = PdfRenderer(processes=2)
    pool, ahead_pool = _HeldPool(), _HeldPool()
    monkeypatch.setattr(renderer, "_executor", lambda: pool)
    monkeypatch.setattr(renderer, "_ahead_executor", lambda: ahead_pool)
    renderer.render_ahead("v1", lambda: [(("v1", "P0001"), _agenda("P0001"))])
    assert ahead_pool.wait_for(1) == ["P0001"]
    answer: list[bytes] = []
    asking = threading.Thread(target=lambda: answer.append(renderer.agenda(("v1", "P0001"), _agenda("P0001"))))
    asking.start()
    assert pool.wait_for(1) == ["P0001"]
    pool.finish("P0001")
    asking.join(timeout=10)
    assert answer == [b"%PDF P0001"]
    assert ahead_pool.submitted[0][1].cancelled()  # not started there yet: dropped
    assert renderer.agenda(("v1", "P0001"), _agenda("P0001")) == b"%PDF P0001"
    assert len(pool.submitted) == 1


def test_the_process_that_renders_ahead_is_niced_and_the_pool_is_not() -> None:
    renderer = PdfRenderer(processes=1, ahead_nice=10)
    try:
        own = os.nice(0)
        assert renderer.render(_niceness, _agenda()) == str(own).encode()
        with renderer._lock:
            ahead = renderer._ahead_executor()
        assert ahead.submit(_niceness, _agenda()).result(timeout=60) == str(min(19, own + 10)).encode()
    finally:
        renderer.shutdown()


def _niceness(agenda: AgendaData) -> bytes:
    return str(os.nice(0)).encode()


def test_the_warm_up_renders_a_whole_made_up_agenda() -> None:
    """What each pool process renders before its first request: a one-page agenda, so every template,
    font and the stylesheet the agendas use are loaded by then."""
    from pypdf import PdfReader

    from scheduler.export import pdf

    pages = PdfReader(io.BytesIO(pdf.warm_up())).pages
    assert len(pages) == 1 and "Jiří Novák" in (pages[0].extract_text() or "")
