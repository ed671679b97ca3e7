"""schedule.csv: what we write reads back unchanged, and malformed files name file, row, column."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.check.checker import check_schedule
from scheduler.domain import Event, Meeting, Schedule
from scheduler.io.loading import load_event_bytes
from scheduler.io.schedule_files import read_schedule_csv, write_schedule_csv
from scheduler.problems import EventError, Problem

# Two days, 20-minute slots; day 1 has slots 1-3 (09:00 09:20 09:40) then a break and 4-5.
TOML = """
slot_minutes = 20
tables = 12
[[days]]
date = "2027-03-10"
start = "09:00"
end = "11:00"
breaks = ["10:00-10:20"]
[[days]]
date = "2027-03-11"
start = "09:00"
end = "10:00"
"""
PEOPLE = """id,name,organisation,status,table
s1,Søren Dybdahl,Nordic Oy,,
j2,Jānis Bērziņš,"Riga, SIA",,
k3,Kim,Kim AB,,Booth 7a
x4,Xi,Xi Ltd,cancelled,
"""
WISHES = "requester,target\ns1,j2\nj2,s1\nk3,s1\nj2,x4\n"
HEADER = "day,slot,start,end,table,participant_a,participant_b"


def make_event(toml: str = TOML, people: str = PEOPLE, wishes: str = WISHES) -> Event:
    """An Event built through the real loader from inline file contents."""
    return load_event_bytes(toml.encode(), people.encode(), wishes.encode()).event


@pytest.fixture(scope="module")
def event() -> Event:
    return make_event()


def read(event: Event, text: str | bytes) -> tuple[Schedule, list[Problem]]:
    return read_schedule_csv(text.encode() if isinstance(text, str) else text, event)


# --- writing and round trips ---------------------------------------------------------------


def test_write_sorts_and_adds_the_extra_columns(event: Event) -> None:
    schedule = Schedule.of(
        [Meeting(5, "Booth 7a", "k3", "s1"), Meeting(0, "10", "s1", "j2", locked=True), Meeting(0, "2", "k3", "s1")]
    )
    lines = write_schedule_csv(event, schedule).splitlines()
    assert lines[0] == HEADER + ",name_a,organisation_a,name_b,organisation_b,mutual,points,locked"
    assert lines[1] == "2027-03-10,1,09:00,09:20,2,k3,s1,Kim,Kim AB,Søren Dybdahl,Nordic Oy,no,2,"
    assert lines[2] == ('2027-03-10,1,09:00,09:20,10,s1,j2,Søren Dybdahl,Nordic Oy,Jānis Bērziņš,"Riga, SIA",yes,8,yes')
    assert lines[3].startswith("2027-03-11,1,09:00,09:20,Booth 7a,k3,s1")


def test_round_trip_keeps_every_meeting_even_rule_breaking_ones(event: Event) -> None:
    # A table that does not exist, a double booking and a cancelled person are the checker's business.
    schedule = Schedule.of(
        [
            Meeting(0, "1", "s1", "j2", locked=True),
            Meeting(0, "No such", "s1", "k3"),
            Meeting(3, "Booth 7a", "k3", "j2"),
            Meeting(6, "12", "j2", "x4"),
        ]
    )
    back, warnings = read(event, write_schedule_csv(event, schedule))
    assert back == schedule and warnings == []
    assert {v.code for v in check_schedule(event, back)} >= {"unknown_table", "double_booked", "inactive"}


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 7),
            st.sampled_from(["1", "2", "10", "Booth 7a"]),
            st.sampled_from(["s1", "j2", "k3"]),
            st.sampled_from(["s1", "j2", "k3"]),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_round_trip_property(rows: list[tuple[int, str, str, str, bool]]) -> None:
    event = make_event()
    schedule = Schedule.of([Meeting(s, t, a, b, locked) for s, t, a, b, locked in rows if a != b])
    assert read(event, write_schedule_csv(event, schedule))[0] == schedule


# --- other people's files ------------------------------------------------------------------


def test_start_only_extra_columns_aliases_and_semicolons(event: Event) -> None:
    text = (
        "\ufeffDate;Start;Booth;A;B;Notes;Locked\n"
        "2027-03-10;10:20;3;s1;j2;bring samples;TRUE\n"
        "\n"
        "2027-03-11;09:40;Booth 7a;k3;s1;;no\n"
    )
    schedule, warnings = read(event, text)
    assert schedule.meetings == (Meeting(3, "3", "s1", "j2", locked=True), Meeting(7, "Booth 7a", "k3", "s1"))
    assert warnings == []


@pytest.mark.parametrize(
    "word, locked",
    [("yes", True), ("Yes", True), ("true", True), ("1", True), ("", False), ("no", False), ("0", False)],
)
def test_locked_words(event: Event, word: str, locked: bool) -> None:
    schedule, _ = read(event, f"{HEADER},locked\n2027-03-10,1,09:00,09:20,1,s1,j2,{word}\n")
    assert schedule.meetings[0].locked is locked


def test_locked_row_with_a_cancelled_person_is_read_as_it_is(event: Event) -> None:
    text = f"{HEADER},locked\n2027-03-10,1,,,1,j2,x4,yes\n2027-03-10,2,,,1,j2,x4,\n"
    schedule, warnings = read(event, text)
    # Both are read: before a re-solve's cut-off the locked one is history and must survive;
    # after it, the re-solve drops it with a warning (tested in test_solver_rules).
    assert schedule.meetings == (Meeting(0, "1", "j2", "x4", locked=True), Meeting(1, "1", "j2", "x4"))
    assert warnings == []


def test_header_only_is_an_empty_schedule_with_a_warning(event: Event) -> None:
    schedule, warnings = read(event, HEADER + "\n")
    assert len(schedule) == 0 and [w.code for w in warnings] == ["no_meetings"]


def test_end_that_disagrees_is_a_warning(event: Event) -> None:
    schedule, warnings = read(event, f"{HEADER}\n2027-03-10,1,09:00,09:15,1,s1,j2\n")
    assert len(schedule) == 1 and [(w.code, w.column) for w in warnings] == [("end_mismatch", "end")]


# --- encodings, delimiters and workbooks: the loader's codec ---------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_any_delimiter_and_unicode_encoding_reads_the_same(event: Event, delimiter: str, encoding: str) -> None:
    """The README promises tab-separated files; a schedule saved as Excel's "Unicode text" is one."""
    text = f"{HEADER}\n{ROW}\n2027-03-11,1,,,Booth 7a,k3,s1\n".replace(",", delimiter)
    schedule, warnings = read(event, text.encode(encoding))
    assert warnings == []
    assert schedule == Schedule.of([Meeting(0, "1", "s1", "j2"), Meeting(5, "Booth 7a", "k3", "s1")])


def test_windows_1252_schedule_is_read_with_a_warning() -> None:
    people = PEOPLE.replace("s1,", "Søs,")
    cp_event = make_event(people=people, wishes="requester,target\n")
    data = f"{HEADER}\n2027-03-10;1;09:00;09:20;1;Søs;j2\n".replace(",", ";").encode("cp1252")
    schedule, warnings = read_schedule_csv(data, cp_event, file="old.csv")
    assert [m.a for m in schedule.meetings] == ["Søs"]
    assert [(w.code, w.file, w.row) for w in warnings] == [("windows_1252", "old.csv", 2)]


def test_a_schedule_workbook_names_its_sheet(event: Event) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    for row in (HEADER.split(","), ROW.split(","), ["2027-03-10", 2, "", "", 1, "s1", "nobody"]):
        sheet.append(row)
    data = _xlsx_bytes(workbook)
    with pytest.raises(EventError) as info:
        read_schedule_csv(data, event, file="old.csv")
    assert [(p.code, p.file, p.row, p.column) for p in info.value.errors] == [
        ("unknown_participant", "old.xlsx, sheet 'Plan'", 3, "participant_b")
    ]


def _xlsx_bytes(workbook: object) -> bytes:
    import io

    out = io.BytesIO()
    workbook.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


# --- malformed files -----------------------------------------------------------------------

ROW = "2027-03-10,1,09:00,09:20,1,s1,j2"


@pytest.mark.parametrize(
    "text, code, row, column",
    [
        ("day,slot,table,participant_a\n2027-03-10,1,1,s1\n", "missing_column", 1, "participant_b"),
        ("day,table,participant_a,participant_b\n2027-03-10,1,s1,j2\n", "missing_column", 1, "slot"),
        (b"day,slot,table,participant_a,participant_b\n2027-03-10,1,1,S\x81ren,j2\n", "not_utf8", 2, None),
        ("", "empty_file", None, None),
        (" \n\n", "empty_file", None, None),
        (f"{HEADER}\n10.3.2027,1,09:00,09:20,1,s1,j2\n", "bad_date", 2, "day"),
        (f"{HEADER}\n2027-03-12,1,09:00,09:20,1,s1,j2\n", "unknown_day", 2, "day"),
        (f"{HEADER}\n{ROW}\n2027-03-10,6,,,1,s1,j2\n", "no_such_slot", 3, "slot"),
        (f"{HEADER}\n2027-03-10,one,,,1,s1,j2\n", "bad_number", 2, "slot"),
        (f"{HEADER}\n2027-03-10,2,9am,,1,s1,j2\n", "bad_time", 2, "start"),
        (f"{HEADER}\n2027-03-10,2,09:00,,1,s1,j2\n", "slot_start_mismatch", 2, "start"),
        (f"{HEADER}\n2027-03-10,,10:00,,1,s1,j2\n", "no_such_slot", 2, "start"),  # 10:00 is in the break
        (f"{HEADER}\n2027-03-10,,,,1,s1,j2\n", "empty_value", 2, "slot"),
        (f"{HEADER}\n2027-03-10,1,,,,s1,j2\n", "empty_value", 2, "table"),
        (f"{HEADER}\n2027-03-10,1,,,1,s1,nobody\n", "unknown_participant", 2, "participant_b"),
        (f"{HEADER}\n2027-03-10,1,,,1,s1,s1\n", "self_meeting", 2, "participant_b"),
        (f"{HEADER},locked\n{ROW},maybe\n", "bad_value", 2, "locked"),
        (f"{HEADER}\n2027-03-10,1,09:00,25:00,1,s1,j2\n", "bad_time", 2, "end"),
    ],
)
def test_malformed_file_names_file_row_and_column(
    event: Event, text: str | bytes, code: str, row: int | None, column: str | None
) -> None:
    with pytest.raises(EventError) as info:
        read_schedule_csv(text.encode() if isinstance(text, str) else text, event, file="old.csv")
    assert [(p.code, p.file, p.row, p.column) for p in info.value.errors] == [(code, "old.csv", row, column)]
    assert "old.csv" in str(info.value)


def test_every_problem_is_reported_at_once(event: Event) -> None:
    text = f"{HEADER}\n{ROW}\n2027-03-12,1,,,1,s1,j2\n2027-03-10,9,,,1,zed,j2\n2027-03-10,2,09:00,,1,s1,j2\n"
    with pytest.raises(EventError) as info:
        read(event, text)
    assert [(p.code, p.row, p.column) for p in info.value.errors] == [
        ("unknown_day", 3, "day"),
        ("unknown_participant", 4, "participant_a"),
        ("no_such_slot", 4, "slot"),
        ("slot_start_mismatch", 5, "start"),
    ]
