"""The slot grid and the window syntax of formats.md (scheduler/timegrid.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.domain import Day, Slot
from scheduler.io.timegrid import (
    END_OF_DAY,
    WindowError,
    build_grid,
    minutes,
    parse_date,
    parse_range,
    parse_time,
    parse_windows,
    split_windows,
)

DAY1 = dt.date(2027, 3, 10)
DAY2 = dt.date(2027, 3, 11)


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def starts(slots: tuple[Slot, ...] | list[Slot]) -> list[str]:
    return [f"{s.start:%H:%M}" for s in slots]


def one_day(
    start: str = "09:00", end: str = "15:40", breaks: tuple[str, ...] = ("12:00-13:00",), slot_minutes: int = 20
) -> tuple[tuple[Day, ...], tuple[Slot, ...]]:
    return build_grid([(DAY1, parse_time(start), parse_time(end), [parse_range(b) for b in breaks])], slot_minutes)


# --- times, dates and ranges ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", dt.time(9, 0)),
        ("9:00", dt.time(9, 0)),
        (" 9:05 ", dt.time(9, 5)),
        ("9.30", dt.time(9, 30)),
        ("00:00", dt.time(0, 0)),
        ("23:59", dt.time(23, 59)),
    ],
)
def test_parse_time_accepts_hh_mm_and_short_forms(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


def test_24_00_is_the_end_of_the_day() -> None:
    assert parse_time("24:00") == END_OF_DAY
    assert minutes(parse_time("24:00")) == 24 * 60


@pytest.mark.parametrize(
    "text", ["25:00", "24:01", "12:60", "noon", "", "9", "9:0", "09:00:00", "-1:00", "\u0660\u0669:\u0660\u0660"]
)
def test_parse_time_rejects_malformed_or_out_of_range_times(text: str) -> None:
    with pytest.raises(WindowError, match="time"):
        parse_time(text)


def test_parse_date() -> None:
    assert parse_date(" 2027-03-10 ") == DAY1
    for bad in ("2027-02-30", "10.03.2027", "20270310", "2027-W10-3", "", "2027-3-10"):
        with pytest.raises(WindowError, match="date"):
            parse_date(bad)


@pytest.mark.parametrize("text", ["12:00-13:00", "12:00 - 13:00", "12:00\u201313:00", "12:00\u201413:00"])
def test_parse_range_accepts_hyphen_and_dashes(text: str) -> None:
    assert parse_range(text) == (dt.time(12), dt.time(13))


@pytest.mark.parametrize("text", ["13:00-12:00", "12:00-12:00", "12:00", "12:00-13:00-14:00", "12-13", ""])
def test_parse_range_rejects_bad_ranges(text: str) -> None:
    with pytest.raises(WindowError):
        parse_range(text)


# --- the slot grid -------------------------------------------------------------------------


def test_formats_md_example_17_slots_around_lunch() -> None:
    days, slots = one_day()
    expected = [
        "09:00",
        "09:20",
        "09:40",
        "10:00",
        "10:20",
        "10:40",
        "11:00",
        "11:20",
        "11:40",
        "13:00",
        "13:20",
        "13:40",
        "14:00",
        "14:20",
        "14:40",
        "15:00",
        "15:20",
    ]
    assert starts(slots) == expected
    assert len(slots) == 17
    assert [s.number for s in slots] == list(range(1, 18))  # gap-free across the break
    assert [s.index for s in slots] == list(range(17))
    assert days[0].slots == tuple(range(17))
    assert slots[-1].end == dt.time(15, 40)  # the last slot ends exactly at the day's end


def test_break_off_the_grid_drops_every_overlapping_slot_and_the_grid_does_not_realign() -> None:
    _, slots = one_day(breaks=("12:10-13:10",))
    assert not {"12:00", "12:20", "12:40", "13:00"} & set(starts(slots))
    after_morning = starts(slots)[starts(slots).index("11:40") + 1]
    assert after_morning == "13:20"
    assert [s.number for s in slots] == list(range(1, len(slots) + 1))


def test_slot_that_touches_a_break_exists() -> None:
    _, slots = one_day(breaks=("12:00-12:50",))
    assert "11:40" in starts(slots)  # ends at 12:00 when the break begins
    assert "12:40" not in starts(slots)  # 12:40-13:00 overlaps the break until 12:50
    assert "13:00" in starts(slots)


def test_a_slot_must_end_by_the_end_of_the_day() -> None:
    _, slots = one_day(end="15:50")
    assert starts(slots)[-1] == "15:20"  # 15:40-16:00 would end after 15:50


def test_several_breaks_and_24_00_end() -> None:
    _, slots = one_day(start="22:00", end="24:00", breaks=("22:20-22:40", "23:00-23:20"), slot_minutes=20)
    assert starts(slots) == ["22:00", "22:40", "23:20", "23:40"]
    assert minutes(slots[-1].end) >= minutes(dt.time(23, 59))


def test_multi_day_grid_numbers_restart_and_indices_run_on() -> None:
    days, slots = build_grid(
        [
            (DAY1, t("09:00"), t("10:00"), []),
            (DAY2, t("13:00"), t("14:00"), [(t("13:20"), t("13:40"))]),
        ],
        20,
    )
    assert [s.index for s in slots] == [0, 1, 2, 3, 4]
    assert [(s.day, s.date, s.number, f"{s.start:%H:%M}") for s in slots] == [
        (0, DAY1, 1, "09:00"),
        (0, DAY1, 2, "09:20"),
        (0, DAY1, 3, "09:40"),
        (1, DAY2, 1, "13:00"),
        (1, DAY2, 2, "13:40"),
    ]
    assert days[1].slots == (3, 4)
    assert days[1].breaks == ((t("13:20"), t("13:40")),)
    assert slots[3].label == "2027-03-11 #1 13:00"


def test_build_grid_refuses_a_zero_slot_length() -> None:
    with pytest.raises(ValueError):
        build_grid([(DAY1, t("09:00"), t("10:00"), [])], 0)


# --- windows -------------------------------------------------------------------------------


@pytest.fixture
def two_days() -> tuple[tuple[Day, ...], tuple[Slot, ...]]:
    """Two days 09:00-11:00 with 20-minute slots, lunch-free: 6 slots per day."""
    return build_grid([(DAY1, t("09:00"), t("11:00"), []), (DAY2, t("09:00"), t("11:00"), [])], 20)


def window_starts(text: str, grid: tuple[tuple[Day, ...], tuple[Slot, ...]]) -> list[str]:
    days, slots = grid
    result = parse_windows(text, days, slots)
    assert result is not None
    return [f"{slots[i].date.day} {slots[i].start:%H:%M}" for i in sorted(result)]


def test_empty_window_means_no_restriction(two_days) -> None:
    assert parse_windows("", *two_days) is None
    assert parse_windows("  ", *two_days) is None


def test_undated_window_applies_to_every_day(two_days) -> None:
    assert window_starts("09:00-09:40", two_days) == ["10 09:00", "10 09:20", "11 09:00", "11 09:20"]


def test_dated_window_applies_to_its_day_only(two_days) -> None:
    assert window_starts("2027-03-11 10:00-11:00", two_days) == ["11 10:00", "11 10:20", "11 10:40"]


def test_a_bare_date_is_the_whole_day(two_days) -> None:
    assert len(window_starts("2027-03-10", two_days)) == 6


def test_several_windows_separated_by_semicolons_or_commas(two_days) -> None:
    expected = ["10 09:00", "11 10:40"]
    assert window_starts("2027-03-10 09:00-09:20; 2027-03-11 10:40-11:00", two_days) == expected
    assert window_starts("2027-03-10 09:00-09:20, 2027-03-11 10:40-11:00", two_days) == expected
    assert window_starts("09:00-09:20;;", two_days) == ["10 09:00", "11 09:00"]


def test_window_past_the_day_is_clipped(two_days) -> None:
    assert window_starts("2027-03-10 07:00-09:40", two_days) == ["10 09:00", "10 09:20"]
    assert window_starts("10:20-23:00", two_days) == ["10 10:20", "10 10:40", "11 10:20", "11 10:40"]


def test_a_slot_counts_only_if_wholly_inside_the_window(two_days) -> None:
    assert window_starts("09:10-10:00", two_days) == ["10 09:20", "10 09:40", "11 09:20", "11 09:40"]
    assert window_starts("09:05-09:35", two_days) == []  # overlaps two slots, holds neither


def test_window_inside_a_break_touches_the_day_but_holds_no_slot() -> None:
    days, slots = one_day()
    assert parse_windows("12:00-13:00", days, slots) == frozenset()


@pytest.mark.parametrize("text", ["06:00-08:00", "11:00-12:00", "2027-03-12 09:00-10:00", "2027-03-12", "08:00-09:00"])
def test_window_touching_no_day_is_an_error(two_days, text: str) -> None:
    with pytest.raises(WindowError, match="outside the event"):
        parse_windows(text, *two_days)


def test_one_bad_window_among_good_ones_is_an_error(two_days) -> None:
    with pytest.raises(WindowError, match="outside the event"):
        parse_windows("09:00-10:00; 2027-04-01 09:00-10:00", *two_days)


@pytest.mark.parametrize(
    "text",
    [
        "9-10",
        "09:00",
        "09:00-25:00",
        "10:00-09:00",
        "2027-03-10 09:00",
        "2027-02-30 09:00-10:00",
        "morning",
        "2027-03-10T09:00-10:00",
        "09:00-10:00 2027-03-10",
    ],
)
def test_malformed_windows_are_errors(two_days, text: str) -> None:
    with pytest.raises(WindowError):
        parse_windows(text, *two_days)


def test_split_windows_checks_syntax_without_an_event() -> None:
    specs = split_windows("09:00-10:00; 2027-03-10 13:00-24:00; 2027-03-11")
    assert [(s.date, s.start, s.end) for s in specs] == [
        (None, t("09:00"), t("10:00")),
        (DAY1, t("13:00"), END_OF_DAY),
        (DAY2, t("00:00"), END_OF_DAY),
    ]
    assert split_windows("") == []
    with pytest.raises(WindowError, match="a window is 'HH:MM-HH:MM'"):
        split_windows("09:00-10:00; lunch")
