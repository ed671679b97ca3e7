"""Participants and wishes as Excel (.xlsx) and OpenDocument (.ods) workbooks, in an event folder.

Problems in a workbook name its file and sheet, the row as the spreadsheet numbers it and the
column by letter (and name), so the organiser finds the cell at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scheduler.cli import main
from scheduler.io.loading import load_event_bytes, load_event_dir
from scheduler.problems import EventError

REPO_ROOT = Path(__file__).resolve().parents[1]
EVENT_TOML = """
name = "Workbook day"
slot_minutes = 20
tables = 2
[[days]]
date = "2027-03-10"
start = "09:00"
end = "11:00"
breaks = ["10:00-10:20"]
"""
PEOPLE: list[list[Any]] = [
    ["ID", "Name", "Company", "Max meetings", "Available"],
    [101, "Søren Dybdahl", "Ørsted Æble ApS", 3.0, None],
    [102, "Jānis Bērziņš", "Rīgas Ūdens", None, "09:00-10:00"],
    [103, "Αλέξανδρος Π.", "Ελληνική Ενέργεια", 2, None],
    [104, "Ольга Кузнецова", "Северный Ветер", None, None],
]
WISHES: list[list[Any]] = [["From", "To", "Priority"], [101, 102, 1], [102, 101, "high"], [103, 104, 2], [104, 101, 3]]


def xlsx(rows: list[list[Any]], sheet: str = "Sheet1", first: tuple[str, list[list[Any]]] | None = None) -> bytes:
    """An .xlsx file; `first` is another sheet put before this one."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    if first is not None:
        ws.title = first[0]
        for row in first[1]:
            ws.append(row)
        ws = workbook.create_sheet(sheet)
    else:
        ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ods(rows: list[list[Any]], sheet: str = "Sheet1") -> bytes:
    """An .ods file written with odfpy; numbers are typed as numbers, as LibreOffice saves them."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for row in rows:
        tr = TableRow()
        for value in row:
            if isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            if value is not None:
                cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def event_folder(folder: Path, people: bytes, wishes: bytes, ext: str = "xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "event.toml").write_text(EVENT_TOML, encoding="utf-8")
    (folder / f"participants.{ext}").write_bytes(people)
    (folder / f"wishes.{ext}").write_bytes(wishes)
    return folder


def test_cli_solves_an_event_folder_of_workbooks(tmp_path: Path) -> None:
    """The bar: `python -m scheduler solve DIR --out x.csv` on participants.xlsx and wishes.xlsx."""
    folder = event_folder(tmp_path / "event", xlsx(PEOPLE, "People"), xlsx(WISHES, "Wishes"))
    out = tmp_path / "x.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "scheduler", "solve", str(folder), "--out", str(out), "--time-limit", "10"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {frozenset((r["participant_a"], r["participant_b"])) for r in rows} >= {frozenset(("101", "102"))}
    assert "Søren Dybdahl" in {r["name_a"] for r in rows} | {r["name_b"] for r in rows}


def test_a_bad_cell_is_reported_with_sheet_row_and_column_letter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = [row[:] for row in PEOPLE]
    people[3][3] = "two"  # Αλέξανδρος's cap, in D4
    wishes = [row[:] for row in WISHES] + [[101, 999, 1]]  # row 6: nobody has id 999
    folder = event_folder(tmp_path / "event", xlsx(people, "People"), xlsx(wishes, "Wishes"))
    code = main(["solve", str(folder), "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "participants.xlsx, sheet 'People', row 4, column 'D (max_meetings)'" in err
    assert "wishes.xlsx, sheet 'Wishes', row 6, column 'B (target)'" in err
    assert not (tmp_path / "x.csv").exists()


def test_an_ods_folder_loads_like_the_xlsx_one(tmp_path: Path) -> None:
    from_ods = load_event_dir(event_folder(tmp_path / "ods", ods(PEOPLE), ods(WISHES), "ods")).event
    from_xlsx = load_event_dir(event_folder(tmp_path / "xlsx", xlsx(PEOPLE), xlsx(WISHES))).event
    assert from_ods.participants == from_xlsx.participants and from_ods.wishes == from_xlsx.wishes
    assert from_ods.participants["101"].max_meetings == 3
    assert from_ods.participants["102"].available == frozenset({0, 1, 2})


def test_problems_of_an_ods_file_name_it(tmp_path: Path) -> None:
    people = [row[:] for row in PEOPLE]
    people[2][0] = 101  # a duplicate id in A3
    with pytest.raises(EventError) as info:
        load_event_dir(event_folder(tmp_path / "ods", ods(people, "Gäste"), ods(WISHES), "ods"))
    errors = [(p.code, p.file, p.row, p.column) for p in info.value.errors]
    assert ("duplicate_id", "participants.ods, sheet 'Gäste'", 3, "A (id)") in errors
    assert ("unknown_participant", "wishes.ods, sheet 'Sheet1'", 2, "B (target)") in errors  # 102 is gone


def test_cells_of_every_type_read_as_typed() -> None:
    people: list[list[Any]] = [
        ["id", "name", "available", "max_meetings", "joined"],
        [7, "Seven", "09:00-10:00", 4.0, dt.date(2027, 1, 2)],
        ["x8", "Eight", None, 0, dt.datetime(2027, 1, 2, 9, 30)],
    ]
    wishes: list[list[Any]] = [["requester", "target", "priority", "window"], [7, "x8", 1.0, "2027-03-10 09:00-10:00"]]
    event = load_event_bytes(EVENT_TOML.encode(), xlsx(people), xlsx(wishes)).event
    seven = event.participants["7"]
    assert (seven.max_meetings, seven.extra["joined"]) == (4, "2027-01-02")
    assert event.participants["x8"].max_meetings == 0
    assert event.participants["x8"].extra["joined"] == "2027-01-02 09:30"
    assert event.wishes[0].priority == 1 and event.wishes[0].window == frozenset({0, 1, 2})


def test_the_sheet_named_like_the_table_is_read_else_the_first_with_a_warning() -> None:
    named = xlsx(PEOPLE, "Participants", first=("Read me", [["This workbook lists our guests"]]))
    loaded = load_event_bytes(EVENT_TOML.encode(), named, xlsx(WISHES))
    assert len(loaded.event.participants) == 4
    assert not [w for w in loaded.warnings if w.code == "other_sheets"]
    first = xlsx([["nothing to see"]], "Notes", first=("Wünsche", WISHES))
    loaded = load_event_bytes(EVENT_TOML.encode(), named, first)
    assert len(loaded.event.wishes) == 4
    [warning] = [w for w in loaded.warnings if w.code == "other_sheets"]
    assert warning.file == "wishes.xlsx, sheet 'Wünsche'" and "'Notes'" in warning.message


def test_a_folder_with_two_participants_files_is_refused(tmp_path: Path) -> None:
    folder = event_folder(tmp_path / "event", xlsx(PEOPLE), xlsx(WISHES))
    (folder / "participants.csv").write_text("id,name\na,Anna\n", encoding="utf-8")
    with pytest.raises(EventError) as info:
        load_event_dir(folder)
    [problem] = info.value.errors
    assert problem.code == "ambiguous_file" and "participants.csv and participants.xlsx" in problem.message
