"""One sheet per person per day (issue 10, item 4): every agenda of the 300-person sample fits one A4
page per day, with the footnote in the page margin and the page numbers counting each person's own
pages, in the all-agendas PDF as in each person's own PDF."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import scheduler
from scheduler.domain import Event, Schedule
from scheduler.export import pdf
from scheduler.export.agenda import AgendaData, build_agendas
from scheduler.results import SolveOptions

SAMPLES = Path(__file__).resolve().parents[1] / "sample_events"
PAGE_OF = re.compile(r"page (\d+) of (\d+)")


def _solved(name: str) -> tuple[Event, Schedule]:
    event = scheduler.load(SAMPLES / name).event
    options = SolveOptions(time_limit=4.0, deterministic=True, seed=1, cp_sat=False)
    return event, scheduler.solve(event, options).schedule


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_one_sheet_per_day(agendas: list[AgendaData], pages: list[str], days: int) -> None:
    assert len(pages) == len(agendas) * days
    for index, agenda in enumerate(agendas):
        own = pages[index * days : (index + 1) * days]
        for number, text in enumerate(own, start=1):
            assert _squash(agenda.person.name) in _squash(text), (agenda.person.name, number)
            assert PAGE_OF.findall(text) == [(str(number), str(days))], (agenda.person.name, text[-200:])


@pytest.fixture(scope="module")
def buyer_seller() -> tuple[Event, Schedule]:
    return _solved("buyer-seller-day")


def test_every_agenda_of_the_300_person_sample_fits_one_page(buyer_seller: tuple[Event, Schedule]) -> None:
    event, schedule = buyer_seller
    agendas = build_agendas(event, schedule, schedule_version=1)
    assert len(agendas) >= 290 and len(event.days) == 1
    assert max(len(a.meetings) for a in agendas) >= 16  # full days are among them
    pages = _pages(pdf.agendas_pdf(event.name, agendas, 1))
    _assert_one_sheet_per_day(agendas, pages, 1)


def test_a_full_day_with_changes_and_a_qr_code_still_fits_one_page(buyer_seller: tuple[Event, Schedule]) -> None:
    event, schedule = buyer_seller
    fullest = max(build_agendas(event, schedule, schedule_version=2), key=lambda a: len(a.meetings))
    changes = tuple(
        f"Moved: your meeting with {e.partner.name} is now at 10:20–10:40, Table 12 (was 09:40–10:00, Table 7)."
        for e in fullest.meetings[:4]
        if e.partner
    )
    busy = dataclasses.replace(fullest, changes=changes, changed_since=1, link="https://example.org/agenda/" + "x" * 40)
    busy = dataclasses.replace(busy, venue="Bella Center, Hall C, Copenhagen", contact_email="b2b@example.org")
    pages = _pages(pdf.agenda_pdf(busy))
    _assert_one_sheet_per_day([busy], pages, 1)


def test_a_two_day_event_prints_one_sheet_per_day() -> None:
    event, schedule = _solved("open-networking")
    agendas = sorted(build_agendas(event, schedule, schedule_version=1), key=lambda a: -len(a.meetings))[:6]
    pages = _pages(pdf.agendas_pdf(event.name, agendas, 1))
    _assert_one_sheet_per_day(agendas, pages, 2)
