"""Excel (.xlsx, .xls) and OpenDocument (.ods) workbooks as rows of text, read with python-calamine.

A workbook is recognised by its bytes, not its name, so an upload called anything is read the
same as `participants.xlsx` in an event folder. The sheet read is the one named like the table
(`participants`, `wishes`, any case), else the first one. Its rows start at A1 whatever the sheet's
used area, so that row n and column letter X of a problem are the cell an organiser finds at X n.
Cells become the text a person would type for them: 4 rather than 4.0, 2027-03-10 for a date,
09:00 for a time.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import python_calamine

# Compressed workbooks are unpacked in memory: refuse one whose parts unpack to more than this
# (a few thousand participants take well under a megabyte).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of legacy .xls files
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


class SpreadsheetError(ValueError):
    """The bytes look like a workbook but cannot be read as one; the message says why."""


@dataclass(frozen=True)
class Sheet:
    """The rows of one sheet as text (row 1 first, column A first) and where they came from."""

    kind: str  # "xlsx", "xls" or "ods": the extension a file of this kind has
    name: str
    rows: list[list[str]]
    other_sheets: tuple[str, ...]  # the workbook's sheets that were not read
    named: bool  # whether the sheet was chosen by its name (else: the first of several, or the only one)


def is_archive(data: bytes) -> bool:
    """Whether the bytes are a ZIP or OLE2 container (every workbook is one; no text file is)."""
    return data.startswith((b"PK\x03\x04", _OLE2))


def workbook_kind(data: bytes) -> str | None:
    """ "xlsx", "xls" or "ods" when `data` is such a workbook, else None (text, or another archive)."""
    if data.startswith(_OLE2):
        return "xls"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip().startswith(_ODS_MIMETYPE):
                return "ods"
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, ValueError):
        return None
    return None


def read_sheet(data: bytes, table: str) -> Sheet:
    """The sheet of the workbook `data` that holds `table` ("participants", "wishes", ...).

    Raises SpreadsheetError when the workbook cannot be read.
    """
    kind = workbook_kind(data)
    if kind is None:
        raise SpreadsheetError("the file is not an Excel or OpenDocument workbook")
    if kind != "xls":
        _check_unpacked_size(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [
            m.name
            for m in workbook.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
            and m.visible == python_calamine.SheetVisibleEnum.Visible
        ]
        names = visible or list(workbook.sheet_names)
        if not names:
            raise SpreadsheetError("the workbook has no sheet")
        named = next((n for n in names if n.strip().casefold() == table.casefold()), None)
        name = named or names[0]
        cells = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except python_calamine.PasswordError:
        raise SpreadsheetError("the workbook is protected by a password; save a copy without one") from None
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise SpreadsheetError(f"the workbook cannot be read ({exc}); is it damaged?") from None
    rows = [[cell_text(value) for value in row] for row in cells]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    others = tuple(n for n in names if n != name)
    return Sheet(kind=kind, name=name, rows=rows, other_sheets=others, named=named is not None)


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetError(f"the workbook cannot be read ({exc}); is it damaged?") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            f"the workbook unpacks to {unpacked // 1_000_000} MB, more than the "
            f"{MAX_UNPACKED_BYTES // 1_000_000} MB accepted; save only the table's sheet"
        )


def cell_text(value: object) -> str:
    """A cell's value as the text a person would have typed for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return f"{value:%Y-%m-%d %H:%M}" if not value.second else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value:%H:%M}" if not value.second else value.isoformat()
    if isinstance(value, dt.timedelta):  # a duration cell, e.g. 09:00 typed into a [h]:mm column
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value)
