"""The file codec on its own: which bytes are which text, which delimiter, which rows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.io import spreadsheets
from scheduler.io.codec import (
    CP1252,
    UTF8,
    UTF8_BOM,
    UTF16,
    NotText,
    decode,
    detect_delimiter,
    encode,
    parse_csv,
    read_table,
    write_csv,
)
from scheduler.io.spreadsheets import cell_text
from scheduler.problems import Problems

TEXT = "id;name\r\nsd;Søren Dybdahl\r\nal;Amélie Lefèvre\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), UTF8),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), UTF8_BOM),
        (TEXT.encode("utf-16"), UTF16),  # with a BOM, as Excel's "Unicode text"
        (TEXT.encode("utf-16-be"), UTF16),  # no BOM, yet unmistakable
        (TEXT.encode("utf-16-le"), UTF16),
        (TEXT.encode("cp1252"), CP1252),  # Excel's plain "CSV" on Windows in Western Europe
    ],
)
def test_every_accepted_encoding_gives_the_same_text(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.text.lstrip("\ufeff") == TEXT and decoded.encoding == encoding


def test_windows_1252_only_as_a_fallback_and_never_for_toml() -> None:
    with pytest.raises(NotText) as info:
        decode("name = 'Søren'\n".encode("cp1252"), fallback=False)
    assert (info.value.offset, info.value.line) == (9, 1) and "UTF-8" in str(info.value)


def test_bytes_in_no_accepted_encoding_name_their_line() -> None:
    with pytest.raises(NotText) as info:
        decode(b"id,name\nab,x\x81y\n")  # 0x81 means nothing in Windows-1252 either
    assert (info.value.offset, info.value.line) == (12, 2)
    assert "neither UTF-8 nor Windows-1252" in str(info.value)


def test_the_fallback_is_a_warning_that_points_at_a_row_to_check() -> None:
    problems = Problems()
    table = read_table(TEXT.encode("cp1252"), "participants.csv", problems)
    assert table is not None and table.rows[1] == ["sd", "Søren Dybdahl"]
    [warning] = problems.items
    assert (warning.severity, warning.code, warning.row) == ("warning", "windows_1252", 2)
    assert "Søren Dybdahl" in warning.message and "CSV UTF-8" in warning.message


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b;c\n", ","),
        ("a;b;c\n1,5;2;3\n", ";"),
        ("id\tname\tnote\n", "\t"),
        ('\n\n"x;y",z\n', ","),  # the first non-blank line decides; quoted delimiters do not count
        ("single\n", ","),
    ],
)
def test_delimiter(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_rows_count_blank_lines_and_multi_line_values() -> None:
    rows = parse_csv('a,b\n\n"x\ny",z\nlast,1\n', ",", "f.csv", Problems())
    assert rows == [["a", "b"], [], ["x\ny", "z"], ["last", "1"]]


def test_an_unclosed_quote_is_reported_at_its_row_and_the_rows_before_it_are_kept() -> None:
    problems = Problems()
    rows = parse_csv('a,b\n1,2\n3,"oops\n4,5\n', ",", "f.csv", problems)
    assert rows == [["a", "b"], ["1", "2"]]
    assert [(p.code, p.row) for p in problems.items] == [("bad_csv", 3)]


def test_a_value_longer_than_any_cell_is_an_error_at_its_row_not_a_crash() -> None:
    problems = Problems()
    rows = parse_csv("a,b\n1,2\n3," + "x" * 200_000 + "\n4,5\n", ",", "f.csv", problems)
    assert rows == [["a", "b"], ["1", "2"]]
    assert [(p.code, p.row) for p in problems.items] == [("bad_csv", 3)]
    assert "longer than" in problems.items[0].message


HEADER_CELLS = st.text(alphabet="abcé Z_", min_size=1, max_size=8).filter(str.strip)
CELLS = st.text(alphabet='ab;,\t"\n é€ž', max_size=6)


@given(
    st.lists(HEADER_CELLS, min_size=2, max_size=4),
    st.lists(st.lists(CELLS, min_size=1, max_size=4).filter(lambda r: r != [""]), max_size=5),
)
def test_what_is_written_reads_back(header: list[str], rows: list[list[str]]) -> None:
    """Round trip through the codec in every encoding and delimiter an edit may write back: a
    header of two names or more (as every table has; it shows the delimiter), then any values."""
    rows = [header, *rows]
    for delimiter in (",", ";", "\t"):
        for encoding in (UTF8, UTF16, CP1252):
            data = encode(write_csv(rows, delimiter), encoding)
            table = read_table(data, "f.csv", Problems())
            assert table is not None
            assert table.rows == rows


# --- workbooks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("Søren", "Søren"),
        (101.0, "101"),
        (4, "4"),
        (2.5, "2.5"),
        (True, "yes"),
        (dt.date(2027, 3, 10), "2027-03-10"),
        (dt.datetime(2027, 3, 10), "2027-03-10"),
        (dt.datetime(2027, 3, 10, 9, 30), "2027-03-10 09:30"),
        (dt.time(9, 0), "09:00"),
        (dt.timedelta(hours=9, minutes=20), "09:20"),
    ],
)
def test_cells_read_as_a_person_typed_them(value: object, text: str) -> None:
    assert cell_text(value) == text


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_archive_that_is_no_workbook_is_refused_as_such() -> None:
    problems = Problems()
    assert read_table(_zip({"readme.txt": b"hello"}), "participants.csv", problems) is None
    assert [(p.code, p.file) for p in problems.items] == [("bad_workbook", "participants.csv")]


def test_a_damaged_workbook_is_an_error_not_a_traceback() -> None:
    data = _zip({"xl/workbook.xml": b"<not really>", "[Content_Types].xml": b"<x/>"})
    assert spreadsheets.workbook_kind(data) == "xlsx"
    problems = Problems()
    assert read_table(data, "wishes.csv", problems) is None
    assert [p.code for p in problems.items] == ["bad_workbook"] and "damaged" in problems.items[0].message


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "name"])  # type: ignore[union-attr]
    out = io.BytesIO()
    workbook.save(out)
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_BYTES", 1000)
    problems = Problems()
    assert read_table(out.getvalue(), "participants.csv", problems) is None
    assert "unpacks to" in problems.items[0].message
