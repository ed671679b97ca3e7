"""Loading and validating an event (scheduler/io/loading.py and the io modules it uses).

Each bad input of the loader's issue gets a test that checks the problem's code, file, row and
column; files with several errors must report all of them at once; suspicious but legal data only
warns; and no input, however broken, may give anything but an EventError.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.io.loading import LoadedEvent, load_event_bytes, load_event_dir
from scheduler.problems import EventError, Problem

TOML = """\
name = "Test day"
timezone = "Europe/Helsinki"
slot_minutes = 20
tables = 2

[[days]]
date = "2027-03-10"
start = "09:00"
end = "15:40"
breaks = ["12:00-13:00"]
"""
# Lines of TOML:  3 slot_minutes, 4 tables, 6 [[days]], 7 date, 8 start, 9 end, 10 breaks.
PEOPLE = """\
id,name,organisation
a,Anna,Acme
b,Bert,Beta
c,Cleo,Gamma
"""
WISHES = """\
requester,target,priority
a,b,1
b,a,3
"""
EVENT_FILE, PEOPLE_FILE, WISHES_FILE = "event.toml", "participants.csv", "wishes.csv"
Where = tuple[str, str, int | None, str | None]  # (code, file, row, column)


def as_bytes(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8")


def load(toml: str | bytes = TOML, people: str | bytes = PEOPLE, wishes: str | bytes = WISHES) -> LoadedEvent:
    return load_event_bytes(as_bytes(toml), as_bytes(people), as_bytes(wishes))


def problems(toml: str | bytes = TOML, people: str | bytes = PEOPLE, wishes: str | bytes = WISHES) -> list[Problem]:
    """The problems of an input that must fail to load."""
    with pytest.raises(EventError) as info:
        load(toml, people, wishes)
    assert info.value.errors, "an EventError must carry at least one error"
    return info.value.problems


def where(found: list[Problem], severity: str = "error") -> set[Where]:
    return {(p.code, p.file or "", p.row, p.column) for p in found if p.severity == severity}


def the(found: list[Problem], code: str) -> Problem:
    """The single problem with this code."""
    matching = [p for p in found if p.code == code]
    assert len(matching) == 1, f"expected one '{code}', got {[str(p) for p in found]}"
    return matching[0]


def warnings_of(loaded: LoadedEvent) -> set[Where]:
    return {(p.code, p.file or "", p.row, p.column) for p in loaded.warnings}


def people_with(*rows: str, header: str = "id,name,organisation,available,max_meetings,status,table") -> str:
    return "\n".join((header, *rows)) + "\n"


def toml_with(**replace: str) -> str:
    """TOML with some lines replaced, keeping the line numbers: toml_with(end='end = "x"')."""
    lines = TOML.splitlines()
    for key, line in replace.items():
        i = next(n for n, text in enumerate(lines) if text.split("=")[0].strip() == key)
        lines[i] = line
    return "\n".join(lines) + "\n"


# --- a valid event -------------------------------------------------------------------------


def test_valid_event_loads_with_everything_in_place() -> None:
    loaded = load()
    event = loaded.event
    assert loaded.warnings == []
    assert event.name == "Test day" and event.timezone == "Europe/Helsinki"
    assert event.slot_minutes == 20 and event.table_labels == ("1", "2") and event.tables == 2
    assert len(event.days) == 1 and len(event.slots) == 17
    assert list(event.participants) == ["a", "b", "c"]
    anna = event.participants["a"]
    assert (anna.name, anna.organisation, anna.status, anna.active, anna.max_meetings, anna.table) == (
        "Anna",
        "Acme",
        "registered",
        True,
        None,
        None,
    )
    assert anna.available == frozenset(range(17))  # empty 'available' means the whole event
    assert [(w.requester, w.target, w.priority, w.window) for w in event.wishes] == [
        ("a", "b", 1, None),
        ("b", "a", 3, None),
    ]
    assert event.objective == "maximise" and event.max_holes is None and event.max_hole_spread is None
    assert event.weights.priority_points == {1: 3, 2: 2, 3: 1} and event.weights.mutual_multiplier == 2
    assert event.same_organisation_meetings is False


def test_only_required_columns_and_settings() -> None:
    toml = 'slot_minutes = 30\ntables = 1\n[[days]]\ndate = "2027-03-10"\nstart = "09:00"\nend = "10:00"\n'
    event = load(toml, "id,name\na,A\nb,B\n", "requester,target\na,b\n").event
    assert event.name == "B2B day" and event.timezone == "UTC"
    assert len(event.slots) == 2 and event.wishes[0].priority == 2


# --- one test per bad input of the issue ---------------------------------------------------


def test_duplicate_id() -> None:
    found = problems(people=PEOPLE + "a,Another Anna,Acme\n")
    p = the(found, "duplicate_id")
    assert (p.file, p.row, p.column) == (PEOPLE_FILE, 5, "id")
    assert "row 2" in p.message


def test_empty_id() -> None:
    found = problems(people=PEOPLE + " ,Nobody,Acme\n")
    assert ("empty_id", PEOPLE_FILE, 5, "id") in where(found)


def test_empty_name() -> None:
    found = problems(people=PEOPLE + "d,,Acme\n")
    assert ("empty_name", PEOPLE_FILE, 5, "name") in where(found)


def test_empty_requester_or_target() -> None:
    found = problems(wishes=WISHES + ",a,1\nb,,1\n")
    assert {("empty_id", WISHES_FILE, 4, "requester"), ("empty_id", WISHES_FILE, 5, "target")} <= where(found)


def test_wish_naming_unknown_people() -> None:
    found = problems(wishes=WISHES + "a,zed,1\nA,b,2\n")
    assert {
        ("unknown_participant", WISHES_FILE, 4, "target"),
        ("unknown_participant", WISHES_FILE, 5, "requester"),
    } <= where(found)
    hint = next(p for p in found if p.row == 5)
    assert "did you mean 'a'" in hint.message


def test_self_wish() -> None:
    found = problems(wishes=WISHES + "b,b,1\n")
    assert where(found) == {("self_wish", WISHES_FILE, 4, "target")}


@pytest.mark.parametrize("window", ["9:60-10:00", "25:00-26:00", "10:00-9:00", "morning", "09:00", "9-10"])
def test_malformed_or_out_of_range_time_in_availability(window: str) -> None:
    found = problems(people=people_with("a,Anna,Acme,,,,", f"b,Bert,Beta,{window},,,"))
    assert where(found) == {("bad_window", PEOPLE_FILE, 3, "available")}
    assert "expected" in found[0].message or "ends before" in found[0].message


def test_malformed_time_in_wish_window() -> None:
    found = problems(wishes="requester,target,window\na,b,09:00-25:00\nb,a,2027-13-01 09:00-10:00\n")
    assert where(found) == {("bad_window", WISHES_FILE, 2, "window"), ("bad_window", WISHES_FILE, 3, "window")}


@pytest.mark.parametrize("window", ["06:00-08:00", "16:00-18:00", "2027-03-11 09:00-12:00", "2027-03-09"])
def test_window_outside_the_event(window: str) -> None:
    found = problems(people=people_with("a,Anna,Acme,,,,", f"b,Bert,Beta,{window},,,"))
    p = the(found, "bad_window")
    assert (p.file, p.row, p.column) == (PEOPLE_FILE, 3, "available")
    assert "outside the event" in p.message


def test_wish_window_outside_the_event() -> None:
    found = problems(wishes="requester,target,window\na,b,17:00-18:00\n")
    assert where(found) == {("bad_window", WISHES_FILE, 2, "window")}


@pytest.mark.parametrize("breaks", ['["08:00-09:20"]', '["15:00-16:00"]', '["07:00-08:00"]'])
def test_break_outside_the_day(breaks: str) -> None:
    found = problems(toml=toml_with(breaks=f"breaks = {breaks}"))
    p = the(found, "bad_setting")
    assert (p.file, p.row, p.column) == (EVENT_FILE, 10, "days[1].breaks")
    assert "outside the day" in p.message


@pytest.mark.parametrize("breaks", ['["12:00"]', '["13:00-12:00"]', '["noon-13:00"]', "[1200]", '"x"', "12"])
def test_malformed_break(breaks: str) -> None:
    found = problems(toml=toml_with(breaks=f"breaks = {breaks}"))
    assert where(found) == {("bad_setting", EVENT_FILE, 10, "days[1].breaks")}


@pytest.mark.parametrize(
    ("key", "line", "value"),
    [
        ("date", 7, '"2027-02-30"'),
        ("date", 7, '"10.03.2027"'),
        ("start", 8, '"9h00"'),
        ("start", 8, '"25:00"'),
        ("end", 9, '"15:60"'),
        ("end", 9, "1540"),
        ("start", 8, "09:00:30"),
    ],
)
def test_malformed_day_in_event_toml(key: str, line: int, value: str) -> None:
    found = problems(toml=toml_with(**{key: f"{key} = {value}"}))
    assert where(found) == {("bad_setting", EVENT_FILE, line, f"days[1].{key}")}
    assert "expected" in found[0].message


def test_all_bad_fields_of_a_day_are_reported() -> None:
    toml = toml_with(date='date = "x"', start='start = "y"', end='end = "z"', breaks='breaks = ["noon"]')
    found = problems(toml=toml)
    assert where(found) == {
        ("bad_setting", EVENT_FILE, 7, "days[1].date"),
        ("bad_setting", EVENT_FILE, 8, "days[1].start"),
        ("bad_setting", EVENT_FILE, 9, "days[1].end"),
        ("bad_setting", EVENT_FILE, 10, "days[1].breaks"),
    }


def test_problems_come_file_by_file_and_row_by_row() -> None:
    people = "id,name,max_meetings\na,Anna,x\nb,Bert,,surplus\nb,Again,\n"
    found = problems(toml=toml_with(start='start = "y"'), people=people, wishes=WISHES + "a,a,1\n")
    assert [(p.file, p.row) for p in found] == [
        (EVENT_FILE, 8),
        (PEOPLE_FILE, 2),
        (PEOPLE_FILE, 3),
        (PEOPLE_FILE, 4),
        (WISHES_FILE, 4),
    ]


def test_day_ending_before_it_starts_or_shorter_than_a_slot() -> None:
    backwards = toml_with(end='end = "08:00"')
    assert where(problems(toml=backwards)) == {("bad_setting", EVENT_FILE, 9, "days[1].end")}
    short = toml_with(end='end = "09:10"', breaks="")
    assert where(problems(toml=short)) == {("bad_setting", EVENT_FILE, 9, "days[1].end")}


def test_missing_day_fields_and_missing_days() -> None:
    found = problems(toml=toml_with(start=""))
    assert where(found) == {("bad_setting", EVENT_FILE, 6, "days[1].start")}
    assert "'start' is required" in found[0].message
    no_days = "slot_minutes = 20\ntables = 2\n"
    assert where(problems(toml=no_days)) == {("bad_setting", EVENT_FILE, None, "days")}


@pytest.mark.parametrize("cap", ["three", "-1", "2.5", "inf", "1e400", "nan", "1,5", "99999999999999999999"])
def test_non_numeric_cap(cap: str) -> None:
    found = problems(people=people_with("a,Anna,Acme,,3,,", f'b,Bert,Beta,,"{cap}",,'))
    assert where(found) == {("bad_number", PEOPLE_FILE, 3, "max_meetings")}


@pytest.mark.parametrize("priority", ["urgent", "0", "4", "1.5", "-1", "inf", "nan", "1e400"])
def test_non_numeric_or_out_of_range_priority(priority: str) -> None:
    found = problems(wishes=f"requester,target,priority\na,b,1\nb,a,{priority}\n")
    assert where(found) == {("bad_priority", WISHES_FILE, 3, "priority")}


def test_missing_required_columns() -> None:
    found = problems(people="id,organisation\na,Acme\n", wishes="requester,priority\na,1\n")
    assert where(found) == {("missing_column", PEOPLE_FILE, 1, "name"), ("missing_column", WISHES_FILE, 1, "target")}


def test_missing_column_message_lists_what_was_found() -> None:
    found = problems(people="id,organisation\na,Acme\n")
    assert "found: 'id', 'organisation'" in the(found, "missing_column").message


@pytest.mark.parametrize("file", [EVENT_FILE, PEOPLE_FILE, WISHES_FILE])
@pytest.mark.parametrize("content", [b"", b"  \n\n", b"\xef\xbb\xbf", b",,,\n , ,\n"])
def test_empty_files(file: str, content: bytes) -> None:
    files = {EVENT_FILE: TOML, PEOPLE_FILE: PEOPLE, WISHES_FILE: WISHES, file: content}
    found = problems(files[EVENT_FILE], files[PEOPLE_FILE], files[WISHES_FILE])
    if file == EVENT_FILE and content == b",,,\n , ,\n":
        assert where(found) == {("bad_toml", EVENT_FILE, 1, None)}
    else:
        assert where(found) == {("empty_file", file, None, None)}


def test_participants_with_a_header_but_no_rows_is_an_error() -> None:
    found = problems(people="id,name\n\n", wishes="requester,target\n")
    assert ("empty_file", PEOPLE_FILE, None, None) in where(found)


def test_wishes_with_a_header_but_no_rows_is_only_a_warning() -> None:
    loaded = load(wishes="requester,target,priority\n")
    assert loaded.event.wishes == ()
    assert warnings_of(loaded) == {("no_rows", WISHES_FILE, None, None)}


def test_event_toml_must_be_utf8() -> None:
    found = problems(toml=TOML.replace("Test day", "Søren's day").encode("latin-1"))
    assert where(found) == {("not_utf8", EVENT_FILE, 1, None)}
    assert "UTF-8" in found[0].message


@pytest.mark.parametrize("file", [PEOPLE_FILE, WISHES_FILE])
def test_windows_1252_table_is_read_with_a_warning(file: str) -> None:
    """Excel's plain CSV on Windows in Western Europe: cp1252, and the loader says it guessed so."""
    cp1252 = {
        PEOPLE_FILE: PEOPLE + "d,Søren Dybdahl,Acme\n",
        WISHES_FILE: "requester;target;note\na;b;Æble €\nb;c;Mødet\n",
    }[file].encode("cp1252")
    files = {PEOPLE_FILE: PEOPLE.encode(), WISHES_FILE: WISHES.encode(), file: cp1252}
    loaded = load_event_bytes(TOML.encode(), files[PEOPLE_FILE], files[WISHES_FILE])
    expected_line = {PEOPLE_FILE: 5, WISHES_FILE: 2}[file]
    assert ("windows_1252", file, expected_line, None) in warnings_of(loaded)
    if file == PEOPLE_FILE:
        assert loaded.event.participants["d"].name == "Søren Dybdahl"


@pytest.mark.parametrize("file", [PEOPLE_FILE, WISHES_FILE])
def test_bytes_that_are_no_text_at_all(file: str) -> None:
    broken = {PEOPLE_FILE: PEOPLE + "d,S\x81ren,Acme\n", WISHES_FILE: WISHES + "a,c,1 \x9d\n"}[file]
    files = {PEOPLE_FILE: PEOPLE, WISHES_FILE: WISHES, file: broken.encode("latin-1")}
    found = problems(TOML, files[PEOPLE_FILE], files[WISHES_FILE])
    assert where(found) == {("not_utf8", file, {PEOPLE_FILE: 5, WISHES_FILE: 4}[file], None)}
    assert "UTF-8" in found[0].message


@pytest.mark.parametrize(("toml_extra", "table"), [("", "2"), ('table_labels = ["A1", "A2"]', "A2")])
def test_fixed_table_label_clashing_with_a_shared_table(toml_extra: str, table: str) -> None:
    toml = TOML.replace("tables = 2\n", f"tables = 2\n{toml_extra}\n")
    found = problems(toml=toml, people=people_with("a,Anna,Acme,,,,Booth 1", f"b,Bert,Beta,,,,{table}"))
    assert where(found) == {("table_clash", PEOPLE_FILE, 3, "table")}


def test_fixed_table_named_like_a_default_label_is_fine_with_table_labels() -> None:
    toml = TOML.replace("tables = 2\n", 'tables = 2\ntable_labels = ["A1", "A2"]\n')
    event = load(toml, people_with("a,Anna,Acme,,,,1", "b,Bert,Beta,,,,2"), "requester,target\na,b\n").event
    assert event.participants["a"].table == "1" and event.table_labels == ("A1", "A2")


def test_bad_status() -> None:
    found = problems(people=people_with("a,Anna,Acme,,,maybe,", "b,Bert,Beta,,,,"))
    assert where(found) == {("bad_status", PEOPLE_FILE, 2, "status")}


# --- all problems at once ------------------------------------------------------------------


def test_a_file_with_several_errors_reports_all_of_them_at_once() -> None:
    people = people_with(
        "a,Anna,Acme,,,,",  # row 2: fine
        "a,Anna again,Acme,,,,",  # row 3: duplicate id
        ",Nameless,Acme,,,,",  # row 4: empty id
        "d,,Acme,,,,",  # row 5: empty name
        "e,Emil,Acme,25:00-26:00,,,",  # row 6: malformed window
        "f,Fay,Acme,06:00-07:00,,,",  # row 7: window outside the event
        "g,Gus,Acme,,lots,,",  # row 8: non-numeric cap
        "h,Hal,Acme,,,gone,",  # row 9: bad status
        "i,Ida,Acme,,,,1",  # row 10: table clash
        "j,Jo,Acme,9:00-8:00,x,gone,2",  # row 11: four problems on one row
    )
    wishes = "requester,target,priority\na,zed,1\nd,d,1\na,e,high\na,f,9\n"
    found = problems(people=people, wishes=wishes)
    assert where(found) == {
        ("duplicate_id", PEOPLE_FILE, 3, "id"),
        ("empty_id", PEOPLE_FILE, 4, "id"),
        ("empty_name", PEOPLE_FILE, 5, "name"),
        ("bad_window", PEOPLE_FILE, 6, "available"),
        ("bad_window", PEOPLE_FILE, 7, "available"),
        ("bad_number", PEOPLE_FILE, 8, "max_meetings"),
        ("bad_status", PEOPLE_FILE, 9, "status"),
        ("table_clash", PEOPLE_FILE, 10, "table"),
        ("bad_window", PEOPLE_FILE, 11, "available"),
        ("bad_number", PEOPLE_FILE, 11, "max_meetings"),
        ("bad_status", PEOPLE_FILE, 11, "status"),
        ("table_clash", PEOPLE_FILE, 11, "table"),
        ("unknown_participant", WISHES_FILE, 2, "target"),
        ("self_wish", WISHES_FILE, 3, "target"),
        ("bad_priority", WISHES_FILE, 5, "priority"),
    }


def test_a_bad_event_toml_does_not_stop_the_csv_checks() -> None:
    toml = toml_with(slot_minutes='slot_minutes = "twenty"', start='start = "nine"')
    people = people_with("a,Anna,Acme,,,,", "a,Again,Acme,,-2,,", "b,Bert,Beta,9:00-25:00,,,", "c,Cleo,Gamma,,,,1")
    wishes = "requester,target,priority\na,b,0\nb,b,1\nb,zz,1\n"
    found = problems(toml=toml, people=people, wishes=wishes)
    assert where(found) == {
        ("bad_setting", EVENT_FILE, 3, "slot_minutes"),
        ("bad_setting", EVENT_FILE, 8, "days[1].start"),
        ("duplicate_id", PEOPLE_FILE, 3, "id"),
        ("bad_number", PEOPLE_FILE, 3, "max_meetings"),
        ("bad_window", PEOPLE_FILE, 4, "available"),  # syntax is checked without the event
        ("table_clash", PEOPLE_FILE, 5, "table"),  # the table labels are still known
        ("bad_priority", WISHES_FILE, 2, "priority"),
        ("self_wish", WISHES_FILE, 3, "target"),
        ("unknown_participant", WISHES_FILE, 4, "target"),
    }


def test_unparseable_event_toml_does_not_stop_the_csv_checks() -> None:
    found = problems(toml="slot_minutes = \n", people=PEOPLE + "a,Dup,Acme\n", wishes=WISHES + "a,a,1\n")
    assert where(found) == {
        ("bad_toml", EVENT_FILE, 1, None),
        ("duplicate_id", PEOPLE_FILE, 5, "id"),
        ("self_wish", WISHES_FILE, 4, "target"),
    }


def test_unusable_participants_file_does_not_stop_the_wish_checks() -> None:
    found = problems(people="id\na\n", wishes="requester,target,priority\na,a,1\nb,c,7\n")
    # the ids cannot be checked against a file without names, everything else is
    assert where(found) == {
        ("missing_column", PEOPLE_FILE, 1, "name"),
        ("self_wish", WISHES_FILE, 2, "target"),
        ("bad_priority", WISHES_FILE, 3, "priority"),
    }


def test_warnings_travel_with_the_errors() -> None:
    found = problems(wishes=WISHES + "a,b,1\nc,c,1\n")
    assert ("duplicate_wish", WISHES_FILE, 4, "target") in where(found, "warning")
    assert ("self_wish", WISHES_FILE, 5, "target") in where(found)


# --- event.toml settings -------------------------------------------------------------------


def test_toml_syntax_error_points_at_the_line() -> None:
    found = problems(toml=TOML.replace('end = "15:40"', 'end = 15:40"'))
    p = the(found, "bad_toml")
    assert (p.file, p.row) == (EVENT_FILE, 9)
    assert "not valid TOML" in p.message


def test_toml_error_at_end_of_document_and_deep_nesting() -> None:
    assert where(problems(toml=TOML + "x = [")) == {("bad_toml", EVENT_FILE, 11, None)}
    assert the(problems(toml="x = " + "[" * 5000), "bad_toml").file == EVENT_FILE


def test_required_settings() -> None:
    toml = TOML.replace("slot_minutes = 20\n", "").replace("tables = 2\n", "")
    found = problems(toml=toml)
    assert where(found) == {
        ("bad_setting", EVENT_FILE, None, "slot_minutes"),
        ("bad_setting", EVENT_FILE, None, "tables"),
    }


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("slot_minutes = 0", "slot_minutes"),
        ("slot_minutes = 20.5", "slot_minutes"),
        ('slot_minutes = "20"', "slot_minutes"),
        ("slot_minutes = true", "slot_minutes"),
        ("slot_minutes = 100000", "slot_minutes"),
        ("tables = -1", "tables"),
        ('tables = "forty"', "tables"),
        ("tables = 1000000000000", "tables"),
    ],
)
def test_bad_numbers_in_event_toml(line: str, column: str) -> None:
    key = line.split(" ")[0]
    found = problems(toml=toml_with(**{key: line}))
    expected_line = {"slot_minutes": 3, "tables": 4}[key]
    assert where(found) == {("bad_setting", EVENT_FILE, expected_line, column)}
    assert "whole number" in found[0].message


@pytest.mark.parametrize(
    "tz", ['"Mars/Olympus"', '"Europe"', '"/etc/passwd"', '"../x"', '""', "3", '"' + "a" * 300 + '"']
)
def test_bad_timezone(tz: str) -> None:
    found = problems(toml=toml_with(timezone=f"timezone = {tz}"))
    assert where(found) == {("bad_setting", EVENT_FILE, 2, "timezone")}


def test_table_labels() -> None:
    toml = TOML.replace("tables = 2\n", 'tables = 3\ntable_labels = ["A1", " B2 ", 7]\n')
    assert load(toml=toml).event.table_labels == ("A1", "B2", "7")


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ('["A1"]', "has 1 labels but tables = 2"),
        ('["A1", "A1"]', "repeated: A1"),
        ('["A1", ""]', "empty"),
        ('"A1, A2"', "must be a list"),
        ("[true, false]", "must be a list"),
        ('[["A"], ["B"]]', "must be a list"),
    ],
)
def test_bad_table_labels(labels: str, message: str) -> None:
    toml = TOML.replace("tables = 2\n", f"tables = 2\ntable_labels = {labels}\n")
    p = the(problems(toml=toml), "bad_setting")
    assert (p.file, p.row, p.column) == (EVENT_FILE, 5, "table_labels")
    assert message in p.message


def test_zero_shared_tables() -> None:
    toml = toml_with(tables="tables = 0")
    people = people_with("a,Anna,Acme,,,,Booth 1", "b,Bert,Beta,,,,")
    event = load(toml, people, "requester,target\na,b\n").event
    assert event.table_labels == () and event.participants["a"].table == "Booth 1"


def test_weights_are_parsed_and_default_per_key() -> None:
    toml = TOML + "\n[weights]\npriority_points = { 1 = 10, 3 = 0 }\nmutual_multiplier = 3\n"
    weights = load(toml=toml).event.weights
    assert weights.priority_points == {1: 10, 2: 2, 3: 0} and weights.mutual_multiplier == 3


@pytest.mark.parametrize(
    ("body", "column"),
    [
        ("priority_points = { 4 = 1 }", "weights.priority_points"),
        ("priority_points = { 1 = -1 }", "weights.priority_points.1"),
        ('priority_points = { 2 = "two" }', "weights.priority_points.2"),
        ("priority_points = [3, 2, 1]", "weights.priority_points"),
        ("mutual_multiplier = 1.5", "weights.mutual_multiplier"),
        ("mutual_multiplier = -2", "weights.mutual_multiplier"),
    ],
)
def test_bad_weights(body: str, column: str) -> None:
    toml = TOML + f"\n[weights]\n{body}\n"
    assert where(problems(toml=toml)) == {("bad_setting", EVENT_FILE, 13, column)}


def test_weights_must_be_a_table() -> None:
    assert where(problems(toml="weights = 3\n" + TOML)) == {("bad_setting", EVENT_FILE, 1, "weights")}


@pytest.mark.parametrize(
    ("objective", "fairness", "expected"),
    [
        ("maximise", "", (None, None)),
        ("all", "", (2, 2)),
        ("maximize", "max_holes = 1", (1, None)),
        ("all", "max_holes = 0\nmax_spread = 5", (0, 5)),
        ("ALL", "max_holes = 4", (4, 2)),
    ],
)
def test_objective_and_fairness(objective: str, fairness: str, expected: tuple[int | None, int | None]) -> None:
    toml = TOML.replace("tables = 2\n", f'tables = 2\nobjective = "{objective}"\n')
    toml += f"\n[fairness]\n{fairness}\n"
    event = load(toml=toml).event
    assert event.objective == objective.lower().replace("maximize", "maximise")
    assert (event.max_holes, event.max_hole_spread) == expected


@pytest.mark.parametrize(
    ("body", "column"),
    [
        ("max_holes = -1", "fairness.max_holes"),
        ('max_holes = "two"', "fairness.max_holes"),
        ("max_holes = 1.5", "fairness.max_holes"),
        ("max_spread = -3", "fairness.max_spread"),
    ],
)
def test_bad_fairness(body: str, column: str) -> None:
    assert where(problems(toml=TOML + f"\n[fairness]\n{body}\n")) == {("bad_setting", EVENT_FILE, 13, column)}


def test_bad_objective_and_same_organisation_flag() -> None:
    toml = TOML.replace("tables = 2\n", 'tables = 2\nobjective = "most"\nsame_organisation_meetings = "yes"\n')
    assert where(problems(toml=toml)) == {
        ("bad_setting", EVENT_FILE, 5, "objective"),
        ("bad_setting", EVENT_FILE, 6, "same_organisation_meetings"),
    }


def test_same_organisation_meetings_in_either_spelling() -> None:
    for key in ("same_organisation_meetings", "same_organization_meetings"):
        event = load(toml=TOML.replace("tables = 2\n", f"tables = 2\n{key} = true\n")).event
        assert event.same_organisation_meetings is True


def test_unknown_setting_is_a_warning() -> None:
    toml = TOML.replace("tables = 2\n", "tables = 2\nslot_lenght = 15\n") + 'room = "Hall"\n'
    loaded = load(toml=toml)
    assert warnings_of(loaded) == {
        ("unknown_setting", EVENT_FILE, 5, "slot_lenght"),
        ("unknown_setting", EVENT_FILE, 12, "days[1].room"),
    }


def test_toml_native_dates_and_times_and_24_00() -> None:
    toml = toml_with(date="date = 2027-03-10", start="start = 22:00:00", end='end = "24:00"', breaks="")
    event = load(toml=toml).event
    assert event.days[0].date == dt.date(2027, 3, 10)
    assert [f"{s.start:%H:%M}" for s in event.slots] == ["22:00", "22:20", "22:40", "23:00", "23:20", "23:40"]


def test_single_digit_hours_are_accepted_everywhere() -> None:
    toml = toml_with(start='start = "9:00"', breaks='breaks = ["12:00-13:00", "9:40-10:00"]')
    people = people_with("a,Anna,Acme,9:00-9:40,,,", "b,Bert,Beta,,,,")
    event = load(toml, people, "requester,target,window\na,b,9:00-10:00\n").event
    assert event.participants["a"].available == frozenset({0, 1})
    assert event.wishes[0].window == frozenset({0, 1})
    assert len(event.slots) == 16


def test_multi_day_event() -> None:
    toml = TOML + '\n[[days]]\ndate = "2027-03-09"\nstart = "13:00"\nend = "14:00"\n'
    people = people_with("a,Anna,Acme,2027-03-10 09:00-10:00; 2027-03-09,,,", "b,Bert,Beta,13:00-13:40,,,")
    event = load(toml, people, "requester,target\na,b\n").event
    assert [d.date for d in event.days] == [dt.date(2027, 3, 9), dt.date(2027, 3, 10)]  # sorted by date
    assert len(event.slots) == 3 + 17
    first_day = event.days[0].slots
    assert event.participants["a"].available == frozenset({*first_day, 3, 4, 5})
    assert event.participants["b"].available == frozenset({0, 1, 3 + 9, 3 + 10})  # 13:00-13:40 on both days
    assert [s.number for s in event.slots[:4]] == [1, 2, 3, 1]


def test_the_same_date_twice_is_an_error() -> None:
    toml = TOML + '\n[[days]]\ndate = "2027-03-10"\nstart = "16:00"\nend = "18:00"\n'
    assert where(problems(toml=toml)) == {("bad_setting", EVENT_FILE, 13, "days[2].date")}


# --- CSV reading ---------------------------------------------------------------------------


def test_bom_prefixed_utf8_everywhere_and_names_survive() -> None:
    bom = b"\xef\xbb\xbf"
    people = "id,name,organisation\nsd,Søren Dybdahl,Ørsted\njb,Jānis Bērziņš,Rīga Ltd\n"
    loaded = load_event_bytes(bom + TOML.encode(), bom + people.encode(), bom + b"requester,target\nsd,jb\n")
    people_loaded = loaded.event.participants
    assert people_loaded["sd"].name == "Søren Dybdahl" and people_loaded["sd"].organisation == "Ørsted"
    assert people_loaded["jb"].name == "Jānis Bērziņš" and people_loaded["jb"].organisation == "Rīga Ltd"


def test_utf16_with_bom_is_accepted_too() -> None:
    people = "id,name\nsd,Søren Dybdahl\njb,Jānis Bērziņš\n".encode("utf-16")
    event = load_event_bytes(TOML.encode(), people, b"requester,target\nsd,jb\n").event
    assert event.participants["jb"].name == "Jānis Bērziņš"


def test_semicolon_separated_csv() -> None:
    people = 'id;name;organisation;available\na;Anna;Acme, Inc.;"09:00-10:00;13:00-14:00"\nb;Bert;Beta;\n'
    event = load(people=people, wishes="requester;target;priority\na;b;1\n").event
    assert event.participants["a"].organisation == "Acme, Inc."
    assert event.participants["a"].available == frozenset({0, 1, 2, 9, 10, 11})
    assert event.wishes[0].priority == 1


def test_semicolon_separated_errors_keep_columns() -> None:
    found = problems(people="id;name\na;Anna\na;Again\n", wishes="requester;target;priority\na;b;x\n")
    assert ("duplicate_id", PEOPLE_FILE, 3, "id") in where(found)
    assert ("bad_priority", WISHES_FILE, 2, "priority") in where(found)


def test_tab_separated_csv() -> None:
    event = load(people="id\tname\na\tAnna\nb\tBert\n", wishes="requester\ttarget\na\tb\n").event
    assert list(event.participants) == ["a", "b"]


def test_blank_lines_do_not_shift_row_numbers() -> None:
    people = "id,name\r\na,Anna\r\n\r\n\r\nb,Bert\r\n  \r\na,Dup\r\n"
    wishes = "\n\nrequester,target\n\na,b\n,,\nb,zz\n"
    found = problems(people=people, wishes=wishes)
    # spreadsheet rows: people 'a,Dup' is row 7; wishes header is row 3 and 'b,zz' row 7
    assert where(found) == {("duplicate_id", PEOPLE_FILE, 7, "id"), ("unknown_participant", WISHES_FILE, 7, "target")}


def test_old_mac_line_endings() -> None:
    found = problems(people="id,name\ra,Anna\r\rb,\r")
    assert where(found) == {("empty_name", PEOPLE_FILE, 4, "name")}


def test_a_quoted_value_over_several_lines_is_one_row() -> None:
    people = 'id,name,notes\na,Anna,"line one\nline two"\nb,Bert,\nb,Dup,\n'
    found = problems(people=people, wishes="requester,target\na,b\n")
    assert where(found) == {("duplicate_id", PEOPLE_FILE, 4, "id")}


def test_a_value_too_many_after_a_value_over_several_lines() -> None:
    # The widest record is wider than any of its lines: its extra value is reported, not the file.
    people = 'id,name,notes\na,Anna,"line one\nline two",,x\nb,Bert,\n'
    found = problems(people=people, wishes="requester,target\na,b\n")
    assert where(found) == {("extra_values", PEOPLE_FILE, 2, "E")}


def test_unclosed_quote() -> None:
    people = 'id,name\na,Anna\nb,"Bert\nc,Cleo\n'
    found = problems(people=people, wishes="requester,target\na,a\n")
    assert ("bad_csv", PEOPLE_FILE, 3, None) in where(found)
    assert ("self_wish", WISHES_FILE, 2, "target") in where(found)  # the other file is still checked


def test_more_values_than_columns() -> None:
    found = problems(people="id,name\na,Anna\nb,Smith, Bert\nc,Cleo,,\nd,Dora,,,x\n")
    # trailing empty cells are harmless; the column is that of the first value too many
    assert where(found) == {("extra_values", PEOPLE_FILE, 3, "C"), ("extra_values", PEOPLE_FILE, 5, "E")}


def test_fewer_values_than_columns_are_empty() -> None:
    event = load(people="id,name,organisation,max_meetings\na,Anna\nb,Bert,Beta\n").event
    assert event.participants["a"].organisation == "" and event.participants["a"].max_meetings is None


def test_repeated_column() -> None:
    found = problems(people="id,name,Participant ID\na,Anna,x\n")
    assert where(found) == {("duplicate_column", PEOPLE_FILE, 1, "id")}


def test_column_aliases_and_case() -> None:
    people = (
        "Participant ID,Full Name,Organization,E-Mail,ROLE,Country,Availability,Cap,Status,Booth\n"
        "a,Anna,Acme,anna@acme.example,buyer,FI,09:00-10:00,2,Registered,Booth 1\n"
        "b,Bert,Beta,,,,,,,\n"
    )
    wishes = "From,To,PRIORITY,Window\na,b,1,09:00-09:40\n"
    event = load(people=people, wishes=wishes).event
    anna = event.participants["a"]
    assert (
        anna.name,
        anna.organisation,
        anna.email,
        anna.role,
        anna.country,
        anna.max_meetings,
        anna.status,
        anna.table,
    ) == ("Anna", "Acme", "anna@acme.example", "buyer", "FI", 2, "registered", "Booth 1")
    assert anna.available == frozenset({0, 1, 2})
    assert event.wishes[0].window == frozenset({0, 1})


def test_extra_columns_are_kept() -> None:
    people = "id,name,Job title,LinkedIn,\na,Anna,CEO,,\nb,Bert,,https://example.org/b,\n"
    event = load(people=people, wishes="requester,target\na,b\n").event
    assert event.participants["a"].extra == {"Job title": "CEO"}
    assert event.participants["b"].extra == {"LinkedIn": "https://example.org/b"}


def test_a_value_under_an_unnamed_column_is_a_warning() -> None:
    loaded = load(people="id,name,\na,Anna,oops\nb,Bert,\n", wishes="requester,target\na,b\n")
    assert warnings_of(loaded) == {("unnamed_column", PEOPLE_FILE, 2, "C")}


def test_values_are_trimmed() -> None:
    event = load(people="id , name\n a , Anna \n b,Bert\n", wishes="requester,target\n a , b \n").event
    assert list(event.participants) == ["a", "b"] and event.participants["a"].name == "Anna"
    assert event.wishes[0].target == "b"


@pytest.mark.parametrize(
    ("status", "stored", "active"),
    [
        ("", "registered", True),
        ("registered", "registered", True),
        ("Cancelled", "cancelled", False),
        ("ABSENT", "absent", False),
        ("canceled", "cancelled", False),
    ],
)
def test_statuses(status: str, stored: str, active: bool) -> None:
    event = load(people=people_with("a,Anna,Acme,,,,", f"b,Bert,Beta,,,{status},")).event
    assert event.participants["b"].status == stored and event.participants["b"].active is active


def test_cancelled_people_stay_known_to_wishes() -> None:
    event = load(
        people=people_with("a,Anna,Acme,,,,", "b,Bert,Beta,,,cancelled,"), wishes="requester,target\na,b\n"
    ).event
    assert [(w.requester, w.target) for w in event.wishes] == [("a", "b")]


def test_caps_and_priorities_as_spreadsheets_write_them() -> None:
    event = load(
        people=people_with("a,Anna,Acme,,4.0,,", "b,Bert,Beta,,0,,", "c,Cleo,Gamma,, 3 ,,"),
        wishes="requester,target,priority\na,b,1.0\nb,a,low\nc,a,High\n",
    ).event
    assert [event.participants[p].max_meetings for p in "abc"] == [4, 0, 3]
    assert [w.priority for w in event.wishes] == [1, 3, 1]


def test_ids_are_text() -> None:
    event = load(people="id,name\n001,Anna\n1,Bert\n", wishes="requester,target\n001,1\n").event
    assert list(event.participants) == ["001", "1"]


# --- warnings: suspicious but legal --------------------------------------------------------


@pytest.mark.parametrize("window", ["09:05-09:30", "12:00-13:00"])
def test_no_availability_is_a_warning(window: str) -> None:
    loaded = load(
        people=people_with("a,Anna,Acme,,,,", f"b,Bert,Beta,{window},,,", "c,Cleo,Gamma,,,,"),
        wishes="requester,target\na,c\n",
    )
    assert warnings_of(loaded) == {("no_availability", PEOPLE_FILE, 3, "available")}
    assert loaded.event.participants["b"].available == frozenset()


def test_no_availability_of_a_cancelled_person_is_not_worth_a_warning() -> None:
    people = people_with("a,Anna,Acme,,,,", "b,Bert,Beta,12:00-13:00,,absent,", "c,Cleo,Gamma,,,,")
    loaded = load(people=people, wishes="requester,target\na,c\n")
    assert loaded.warnings == []


def test_duplicate_wish_is_a_warning_and_the_first_counts() -> None:
    loaded = load(wishes=WISHES + "a,b,3\n")
    assert warnings_of(loaded) == {("duplicate_wish", WISHES_FILE, 4, "target")}
    assert [w.priority for w in loaded.event.wishes if (w.requester, w.target) == ("a", "b")] == [1]
    assert len(loaded.event.wishes) == 2


def test_person_nobody_can_meet_is_a_warning() -> None:
    people = people_with("a,Anna,Acme,09:00-10:00,,,", "b,Bert,Acme,,,,", "c,Cleo,Gamma,13:00-14:00,,,")
    loaded = load(people=people, wishes="requester,target\na,b\na,c\n")  # b is a's colleague, c is never free
    assert warnings_of(loaded) == {
        ("unmeetable", PEOPLE_FILE, 2, "id"),
        ("unmeetable", PEOPLE_FILE, 3, "id"),
        ("unmeetable", PEOPLE_FILE, 4, "id"),
    }


def test_wish_window_without_a_whole_slot_is_a_warning() -> None:
    loaded = load(wishes="requester,target,window\na,b,09:05-09:30\nb,a,\n")
    assert ("empty_window", WISHES_FILE, 2, "window") in warnings_of(loaded)


def test_warnings_never_stop_loading() -> None:
    toml = TOML + 'colour = "blue"\n'
    people = people_with("a,Anna,Acme,,,,", "b,Bert,Beta,12:00-13:00,,,", "c,Cleo,Acme,,,,", "d,Dora,Delta,,,,")
    wishes = "requester,target,window\na,c,\na,c,\na,b,\na,d,09:05-09:30\n"
    loaded = load(toml, people, wishes)
    assert {p.code for p in loaded.warnings} == {
        "unknown_setting",
        "no_availability",
        "duplicate_wish",
        "unmeetable",
        "empty_window",
    }
    assert all(p.severity == "warning" for p in loaded.warnings)


# --- event folders -------------------------------------------------------------------------


def write_event(folder: Path, toml: str = TOML, people: str = PEOPLE, wishes: str = WISHES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / EVENT_FILE).write_text(toml, encoding="utf-8")
    (folder / PEOPLE_FILE).write_text(people, encoding="utf-8")
    (folder / WISHES_FILE).write_text(wishes, encoding="utf-8")
    return folder


def test_load_event_dir(tmp_path: Path) -> None:
    folder = write_event(tmp_path / "spring-day", toml=TOML.replace('name = "Test day"\n', ""))
    loaded = load_event_dir(folder)
    assert loaded.event.name == "spring-day"
    assert len(loaded.event.participants) == 3 and len(loaded.event.wishes) == 2


def test_load_event_dir_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(EventError) as info:
        load_event_dir(tmp_path / "nope")
    assert [p.code for p in info.value.problems] == ["missing_folder"]


def test_missing_files_do_not_stop_the_others_from_being_checked(tmp_path: Path) -> None:
    folder = write_event(tmp_path / "ev", people=PEOPLE + "a,Dup,Acme\n", wishes=WISHES + "b,b,1\n")
    (folder / EVENT_FILE).unlink()
    (folder / WISHES_FILE).unlink()
    (folder / WISHES_FILE).mkdir()  # a folder where a file should be
    with pytest.raises(EventError) as info:
        load_event_dir(folder)
    assert where(info.value.problems) == {
        ("missing_file", EVENT_FILE, None, None),
        ("missing_file", WISHES_FILE, None, None),
        ("duplicate_id", PEOPLE_FILE, 5, "id"),
    }


def test_event_error_message_lists_every_error(tmp_path: Path) -> None:
    folder = write_event(tmp_path / "ev", people=PEOPLE + "a,Dup,Acme\n", wishes=WISHES + "b,zz,1\n")
    with pytest.raises(EventError) as info:
        load_event_dir(folder)
    text = str(info.value)
    assert "2 problem(s)" in text
    assert "participants.csv, row 5, column 'id'" in text and "wishes.csv, row 4, column 'target'" in text


# --- no traceback, whatever the input ------------------------------------------------------


def load_or_event_error(toml: bytes, people: bytes, wishes: bytes) -> None:
    """Loading either succeeds or raises EventError with at least one error; nothing else."""
    try:
        load_event_bytes(toml, people, wishes)
    except EventError as exc:
        assert exc.errors
        for p in exc.problems:
            workbooks = {f"{Path(f).stem}.{ext}" for f in (PEOPLE_FILE, WISHES_FILE) for ext in ("xlsx", "xls", "ods")}
            assert p.file in (None, EVENT_FILE, PEOPLE_FILE, WISHES_FILE) or p.file in workbooks
            assert p.row is None or p.row >= 1


# MATCHDAY_FUZZ_EXAMPLES=5000 for a longer hunt
FUZZ = settings(
    max_examples=int(os.environ.get("MATCHDAY_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([EVENT_FILE, PEOPLE_FILE, WISHES_FILE]))
def test_random_bytes_never_give_a_traceback(data: bytes, file: str) -> None:
    files = {EVENT_FILE: TOML.encode(), PEOPLE_FILE: PEOPLE.encode(), WISHES_FILE: WISHES.encode()}
    files[file] = data
    load_or_event_error(files[EVENT_FILE], files[PEOPLE_FILE], files[WISHES_FILE])


CSV_CHARS = st.sampled_from([*',;\t"\n\r \ufeff\x00abcAB019:-.', "09:00", "24:00", "2027-03-10", "id"])
CSV_TEXT = st.lists(CSV_CHARS, max_size=80).map("".join)


@FUZZ
@given(CSV_TEXT, CSV_TEXT, st.booleans())
def test_random_csv_text_never_gives_a_traceback(people: str, wishes: str, with_headers: bool) -> None:
    if with_headers:
        people = "id,name,available,max_meetings,status,table\n" + people
        wishes = "requester,target,priority,window\n" + wishes
    load_or_event_error(TOML.encode(), people.encode("utf-8", "surrogatepass"), wishes.encode())


IDS = st.sampled_from(["a", "b", "c", "A", "", " ", "d"])
TIMES = st.sampled_from(["09:00", "9:00", "24:00", "12:00", "25:00", "15:40", "x", "", "13:00", "07:00"])
WINDOWS = st.one_of(
    st.just(""),
    st.builds(lambda a, b: f"{a}-{b}", TIMES, TIMES),
    st.builds(
        lambda d, a, b: f"{d} {a}-{b}", st.sampled_from(["2027-03-10", "2027-03-11", "2027-02-30", "x"]), TIMES, TIMES
    ),
    st.lists(st.sampled_from(["09:00-10:00", "12:00-13:00", "2027-03-10", ";", ",", "bad"]), max_size=4).map(";".join),
)
CELLS = st.sampled_from(
    ["", "1", "2", "3", "0", "-1", "x", "1.0", "inf", "nan", "1e999", "cancelled", "Absent", "Booth", '"', "high"]
)


def csv_line(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',;"\n') else c for c in cells)


@FUZZ
@given(
    st.lists(st.tuples(IDS, st.sampled_from(["Anna", "", "Bert"]), WINDOWS, CELLS, CELLS, CELLS), max_size=6),
    st.lists(st.tuples(IDS, IDS, CELLS, WINDOWS), max_size=6),
)
def test_random_rows_never_give_a_traceback(people: list[tuple[str, ...]], wishes: list[tuple[str, ...]]) -> None:
    people_csv = "\n".join(["id,name,available,max_meetings,status,table", *(csv_line(list(r)) for r in people)])
    wishes_csv = "\n".join(["requester,target,priority,window", *(csv_line(list(r)) for r in wishes)])
    load_or_event_error(TOML.encode(), people_csv.encode(), wishes_csv.encode())


TOML_SCALARS = st.one_of(
    st.integers(-5, 2000),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    TIMES,
    st.sampled_from(["2027-03-10", "Europe/Helsinki", "all", "maximise", "12:00-13:00", "Europe", "", "A1"]),
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["1", "2", "3", "4", "date", "start", "end", "breaks", "max_holes"]), inner, max_size=3
        ),
    ),
    max_leaves=8,
)
TOML_KEYS = st.sampled_from(
    [
        "name",
        "timezone",
        "slot_minutes",
        "tables",
        "table_labels",
        "objective",
        "same_organisation_meetings",
        "days",
        "weights",
        "fairness",
        "other",
    ]
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f'"{k}" = {toml_value(v)}' for k, v in value.items()) + "}"


@FUZZ
@given(st.dictionaries(TOML_KEYS, TOML_VALUES, max_size=8), st.booleans())
def test_random_settings_never_give_a_traceback(values: dict[str, object], with_valid_days: bool) -> None:
    text = "\n".join(f"{k} = {toml_value(v)}" for k, v in values.items() if not (with_valid_days and k == "days"))
    if with_valid_days:
        text += '\n[[days]]\ndate = "2027-03-10"\nstart = "09:00"\nend = "15:40"\n'
    load_or_event_error(text.encode(), PEOPLE.encode(), WISHES.encode())


@FUZZ
@given(st.text(max_size=200))
def test_random_toml_text_never_gives_a_traceback(text: str) -> None:
    load_or_event_error(text.encode("utf-8", "surrogatepass"), PEOPLE.encode(), WISHES.encode())
