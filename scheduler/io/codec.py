"""Bytes to rows and rows to bytes: the one codec of participants, wishes and schedule files.

Whoever reads or rewrites one of these files (the loader, the schedule-file reader, the API when
it edits a stored file) goes through here, so a file one of them accepts, all of them read alike.

- Encodings: UTF-8 with or without a BOM; UTF-16 with a BOM (Excel's "Unicode text"), or without
  one when the bytes leave no doubt; and, for table files, Windows-1252 as a fallback with a
  warning, since Excel's plain "CSV" on Windows in French, German, Danish (and other Western
  European) locales writes it, with `;` between values. event.toml is TOML, always UTF-8.
- Delimiters: `,`, `;` or tab, whichever splits the first non-blank line into the most values.
- Workbooks (.xlsx, .xls, .ods; see `spreadsheets`) are recognised by their bytes and read as
  the rows of one sheet.

Rows are numbered as a spreadsheet shows them: row 1 is the first record, blank lines count, a
quoted value spanning several lines is one row.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scheduler.io.columns import column_letter
from scheduler.io.spreadsheets import SpreadsheetError, is_archive, read_sheet, workbook_kind
from scheduler.problems import Problems

DELIMITERS = (",", ";", "\t")
UTF8, UTF8_BOM, UTF16, CP1252 = "utf-8", "utf-8-sig", "utf-16", "cp1252"
_BOMS16 = (b"\xff\xfe", b"\xfe\xff")


class NotText(ValueError):
    """The bytes are in none of the accepted encodings; `offset` is the first unreadable byte."""

    def __init__(self, offset: int, line: int, fallback: bool):
        self.offset, self.line = offset, line
        what = "neither UTF-8 nor Windows-1252" if fallback else "not UTF-8"
        super().__init__(
            f"the file is {what} text (byte {offset + 1}, on line {line}, cannot be read); "
            "save it as UTF-8 (in Excel: 'CSV UTF-8')"
        )


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # one of UTF8, UTF8_BOM, UTF16, CP1252: how the bytes were read


def decode(data: bytes, *, fallback: bool = True) -> Decoded:
    """The text of a file; Windows-1252 is tried last, and only with `fallback`. Raises NotText."""
    if data.startswith(_BOMS16):
        try:
            return Decoded(data.decode("utf-16"), UTF16)
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: read on as what else it may be
    elif (byte_order := _utf16_without_bom(data)) is not None:
        try:
            return Decoded(data.decode(byte_order), UTF16)
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(data.decode("utf-8-sig"), UTF8_BOM if data.startswith(b"\xef\xbb\xbf") else UTF8)
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if fallback:
        try:
            return Decoded(data.decode(CP1252), CP1252)
        except UnicodeDecodeError as exc:
            first_bad = exc.start
    raise NotText(first_bad, data[:first_bad].count(b"\n") + 1, fallback)


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when the bytes can only be UTF-16 without a BOM: in mostly
    ASCII-range text every other byte is zero, which no 8-bit text is."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def encode(text: str, encoding: str) -> bytes:
    """Text written back for the readers here: UTF-16 stays UTF-16; anything else becomes UTF-8,
    since an edit may bring in letters Windows-1252 does not have (a BOM would change nothing for
    these readers, and nobody downloads the stored copy)."""
    return text.encode("utf-16") if encoding == UTF16 else text.encode("utf-8")


def decode_table_text(data: bytes, file: str, problems: Problems) -> Decoded | None:
    """The text of a table file, with the Windows-1252 fallback reported as a warning; None
    (after recording an error) when it is no text at all."""
    try:
        decoded = decode(data, fallback=True)
    except NotText as exc:
        problems.error("not_utf8", str(exc), file, exc.line)
        return None
    if decoded.encoding == CP1252:
        line, sample = _first_non_ascii_line(decoded.text)
        problems.warn(
            "windows_1252",
            "the file is not UTF-8, so it was read as Windows-1252 (Excel's plain 'CSV' on Windows); "
            + (f"check that row {line} reads right ('{sample}'), or " if line else "if a name looks wrong, ")
            + "save the file as 'CSV UTF-8'",
            file,
            line,
        )
    return decoded


def _first_non_ascii_line(text: str) -> tuple[int | None, str]:
    for n, line in enumerate(text.splitlines(), start=1):
        if any(ord(ch) > 127 for ch in line):
            return n, line.strip()[:60]
    return None, ""


def detect_delimiter(text: str) -> str:
    """',', ';' or tab: whichever splits the first line with content into the most columns (',' on
    a tie). A line of delimiters only (an empty spreadsheet row) decides only when no line has
    content; a delimiter that leaves a quote unbalanced on that line splits nothing."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip(" \t,;")), None)
    if first is None:
        first = next((line for line in lines if line), "")
    counts = {d: _columns(first, d) for d in DELIMITERS}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _columns(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter, strict=True), []))
    except csv.Error:
        return 0


def parse_csv(text: str, delimiter: str, file: str, problems: Problems, max_rows: int | None = None) -> list[list[str]]:
    """Every record of CSV text, blank ones included, so that index + 1 is the row number.

    A quote that is never closed swallows the rest of the file: that is an error at the row where
    it starts, and the rows before it are kept, so that their own problems are still reported.
    With `max_rows`, reading stops after that many non-blank records (the caller reports the excess),
    so that an oversized file is never held as rows.
    """
    rows: list[list[str]] = []
    consumed = record_start = 0
    source = io.StringIO(text, newline="")

    def lines() -> Iterator[str]:
        nonlocal consumed
        for line in source:
            consumed += len(line)
            yield line

    filled = 0
    try:
        for record in csv.reader(lines(), delimiter=delimiter):
            rows.append(record)
            record_start = consumed  # the reader asks for a record's lines only as it reads it
            filled += any(c.strip() for c in record)
            if max_rows is not None and filled >= max_rows:
                return rows
    except csv.Error:  # the only error of the lenient reader: a value over the csv module's limit
        limit = csv.field_size_limit()
        index = _long_field(text, record_start, delimiter, limit)
        problems.error(
            "bad_csv",
            f"this value is longer than {limit:,} characters, more than any "
            "participant or wish needs (is a '\"' missing, or is this not a text file?)",
            file,
            len(rows) + 1,
            None if index is None else column_letter(index),
        )
        return rows
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc) and rows:
            problems.error(
                "bad_csv",
                "a quoted value that starts on this row is never closed (a '\"' is missing), "
                "so the rest of the file was read as one value",
                file,
                len(rows),
            )
            rows.pop()
    return rows


def _long_field(text: str, start: int, delimiter: str, limit: int) -> int | None:
    """The 0-based column of the first value longer than `limit` in the record starting at
    `start` (quotes as the csv module reads them); None when there is none."""
    column = length = 0
    quoted = False
    for ch in itertools.islice(text, start, None):
        if ch == '"':
            quoted = not quoted
            continue
        if not quoted and ch == delimiter:
            column, length = column + 1, 0
            continue
        if not quoted and ch in "\r\n":
            return None
        length += 1
        if length > limit:
            return column
    return None


def write_csv(rows: list[list[str]], delimiter: str = ",", *, formula_safe: bool = False) -> str:
    """CSV text of `rows`, one line per record. A value holding any of the delimiters (not only
    this file's), a quote or a line break is quoted, so that `detect_delimiter` cannot mistake
    the file's delimiter on reading it back. `formula_safe`: every cell as `spreadsheet_cell`
    (for the files we hand out; not for the organiser's own input files)."""
    cell = spreadsheet_cell if formula_safe else str
    return "".join(delimiter.join(_quoted(cell(value)) for value in row) + "\n" for row in rows)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """`value` as a cell a spreadsheet shows as text and never runs: a leading apostrophe before
    a formula's first character, as spreadsheets themselves mark text. A value that starts with an
    apostrophe gets one more, so `from_spreadsheet_cell` gives back exactly what was written."""
    return f"'{value}" if value[:1] in FORMULA_STARTS or value[:1] == "'" else value


def from_spreadsheet_cell(value: str) -> str:
    """The value of a cell read back: without the text mark `spreadsheet_cell` (or a spreadsheet) put."""
    return value[1:] if value[:1] == "'" else value


def _quoted(cell: str) -> str:
    if any(ch in cell for ch in ',;\t"\r\n') or (cell != cell.strip()):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@dataclass(frozen=True)
class TableFile:
    """A participants, wishes or schedule file read into rows of text (`rows[i]` is row i + 1).

    It remembers how it was written, so that an edited copy keeps the organiser's delimiter (and
    UTF-16, if so); a workbook is written back as CSV (UTF-8, `,`), which every reader takes.
    """

    rows: list[list[str]]
    label: str  # what problems name: "participants.csv", or "participants.xlsx, sheet 'People'"
    delimiter: str
    encoding: str
    sheet: str | None = None  # the sheet read, for a workbook

    def to_bytes(self, rows: list[list[str]]) -> bytes:
        return encode(write_csv(rows, self.delimiter), self.encoding)


def file_label(data: bytes, file: str) -> str:
    """The name problems give to `file` ("participants.csv"): the workbook's own extension
    ("participants.xlsx") when the bytes are a workbook."""
    kind = workbook_kind(data)
    return file if kind is None else f"{_stem(file)}.{kind}"


def read_table(data: bytes, file: str, problems: Problems, max_rows: int | None = None) -> TableFile | None:
    """Read a table file (CSV in any accepted encoding and delimiter, or a workbook) into rows.

    Problems are recorded under `file`; None when the file cannot be read at all. A file with no
    non-blank row gives an empty table: whether that is wrong is for the caller to say.
    """
    kind = workbook_kind(data)
    if kind is not None:
        try:
            sheet = read_sheet(data, _stem(file))
        except SpreadsheetError as exc:
            problems.error("bad_workbook", str(exc), file)
            return None
        if sheet.other_sheets and not sheet.named:
            others = ", ".join(f"'{n}'" for n in sheet.other_sheets)
            problems.warn(
                "other_sheets",
                f"only the first sheet, '{sheet.name}', is read, not {others} "
                f"(a sheet named '{_stem(file)}' would be read instead)",
                file,
            )
        label = f"{_stem(file)}.{kind}, sheet '{sheet.name}'"
        return TableFile(sheet.rows, label, ",", UTF8, sheet.name)
    if is_archive(data):
        problems.error(
            "bad_workbook",
            "the file is an archive but not an Excel (.xlsx) or OpenDocument (.ods) workbook, or a damaged one",
            file,
        )
        return None
    decoded = decode_table_text(data, file, problems)
    if decoded is None:
        return None
    delimiter = detect_delimiter(decoded.text)
    rows = parse_csv(decoded.text, delimiter, file, problems, max_rows)
    return TableFile(rows, file, delimiter, decoded.encoding)


def read_stored_table(data: bytes, file: str) -> TableFile:
    """A stored file the loader has accepted (so it reads); its problems are not wanted again."""
    table = read_table(data, file, Problems())
    if table is None:
        raise ValueError(f"{file} cannot be read, although it was accepted when it was stored")
    return table


def _stem(file: str) -> str:
    return re.sub(r"\.[A-Za-z0-9]+$", "", file)
