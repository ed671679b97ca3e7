"""schedule.csv in and out (formats.md, "schedule.csv").

Writing gives the file organisers open in a spreadsheet: a cell that would start a formula (a
name beginning with "=", say) is marked as text with a leading apostrophe, which reading removes.
Reading accepts ours or anybody else's schedule, in any encoding, delimiter or workbook the
`codec` reads, with the columns and aliases of `columns.SCHEDULE_COLUMNS` (a previous schedule
to re-solve around, or one to check): it reports every malformed cell at once as an
`EventError`, but leaves judging the hard rules to `validate`, so a schedule that breaks them
still loads and can be explained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from scheduler.candidates import pair_key, pair_points, wished_pairs
from scheduler.domain import Event, Meeting, Schedule, Slot, table_sort_key
from scheduler.io.codec import from_spreadsheet_cell, read_table, write_csv
from scheduler.io.columns import FALSE_WORDS, SCHEDULE_COLUMNS, TRUE_WORDS, header_names
from scheduler.io.timegrid import WindowError, parse_date, parse_time
from scheduler.problems import EventError, Problem, Problems

SCHEDULE_FILE = "schedule.csv"
COLUMNS = ("day", "slot", "start", "end", "table", "participant_a", "participant_b")
EXTRA_COLUMNS = ("name_a", "organisation_a", "name_b", "organisation_b", "mutual", "points", "locked")
_Err = Callable[[str, str, str], None]  # (code, column, message) for the row being read


def write_schedule_csv(event: Event, schedule: Schedule) -> str:
    """The schedule as CSV text, one row per meeting, sorted by day, slot and table."""
    asked = wished_pairs(event)
    rows: list[list[str]] = [[*COLUMNS, *EXTRA_COLUMNS]]
    for m in sorted(schedule.meetings, key=lambda m: (m.slot, table_sort_key(m.table), m.a, m.b)):
        s = event.slots[m.slot]
        pa, pb = event.participants.get(m.a), event.participants.get(m.b)
        who = asked.get(pair_key(m.a, m.b), {})
        rows.append(
            [
                s.date.isoformat(),
                str(s.number),
                f"{s.start:%H:%M}",
                f"{s.end:%H:%M}",
                m.table,
                m.a,
                m.b,
                pa.name if pa else "",
                pa.organisation if pa else "",
                pb.name if pb else "",
                pb.organisation if pb else "",
                "yes" if len(who) == 2 else "no",
                str(pair_points(event, who)),
                "yes" if m.locked else "",
            ]
        )
    return write_csv(rows, formula_safe=True)


# --- reading ---------------------------------------------------------------------------------


def read_schedule_csv(data: bytes, event: Event, file: str = SCHEDULE_FILE) -> tuple[Schedule, list[Problem]]:
    """Parse a schedule file into meetings; returns the schedule and the warnings.

    Raises EventError listing every malformed cell (file, row, column). Rule violations such
    as an unknown table or two meetings in one slot are read as they are, for the checker.
    """
    problems = Problems()
    file, rows = _rows(data, file, problems)
    meetings: list[Meeting] = []
    for row, rec in rows:
        m = _meeting(rec, row, event, file, problems)
        if m is not None:
            # Kept even when locked with a person now cancelled: before a re-solve's cut-off it is
            # history; after it, the re-solve drops it with a warning (repair.plan_repair).
            meetings.append(m)
    problems.raise_if_errors()
    return Schedule.of(meetings), problems.warnings


def _rows(data: bytes, file: str, problems: Problems) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """The name problems give the file, and (spreadsheet row, {canonical column: stripped value})
    per non-blank data row. Raises EventError when the file cannot be used at all."""
    table = read_table(data, file, problems)
    if table is None:
        raise EventError(problems.items)
    records = [(n, cells) for n, cells in enumerate(table.rows, start=1) if any(c.strip() for c in cells)]
    if not records:
        problems.error("empty_file", "the file is empty; it needs a header row and one row per meeting", file)
        raise EventError(problems.items)
    if table.sheet is not None:
        file = table.label
    header_row, header_cells = records[0]
    header = header_names(header_cells, SCHEDULE_COLUMNS)
    missing = [c.name for c in SCHEDULE_COLUMNS if c.required and c.name not in header]
    if "slot" not in header and "start" not in header:
        missing.insert(1, "slot")
    for name in missing:
        extra = " (or 'start')" if name == "slot" else ""
        problems.error(
            "missing_column",
            f"the required column '{name}'{extra} is missing (found: {', '.join(header_cells)})",
            file,
            header_row,
            name,
        )
    problems.raise_if_errors()
    out = []
    for row, values in records[1:]:
        rec: dict[str, str] = {}
        for name, value in zip(header, values, strict=False):  # ragged rows happen
            rec.setdefault(name, from_spreadsheet_cell(value.strip()))  # the first of two same-named columns counts
        if any(rec.values()):
            out.append((row, rec))
    if not out:
        problems.warn("no_meetings", "the file has a header but no meetings", file)
    return file, out


def _meeting(rec: dict[str, str], row: int, event: Event, file: str, problems: Problems) -> Meeting | None:
    """One row as a Meeting, or None after recording why it cannot be one."""
    n_before = len(problems.items)

    def err(code: str, column: str, message: str) -> None:
        problems.error(code, message, file, row, column)

    def get(column: str) -> str:
        return rec.get(column, "")

    for col in ("day", "table", "participant_a", "participant_b"):
        if not get(col):
            err("empty_value", col, f"the {col} is empty")
    ids = [get("participant_a"), get("participant_b")]
    for col, pid in zip(("participant_a", "participant_b"), ids, strict=True):
        if pid and pid not in event.participants:
            err("unknown_participant", col, f"'{pid}' is not an id in participants.csv")
    if ids[0] and ids[0] == ids[1]:
        err("self_meeting", "participant_b", f"'{ids[0]}' is on both sides of the meeting")
    locked = get("locked").lower()
    if locked not in TRUE_WORDS | FALSE_WORDS:
        err("bad_value", "locked", f"locked must be yes/true/1 or empty/no/false/0, not '{get('locked')}'")
    end: dt.time | None = None
    if get("end"):
        try:
            end = parse_time(get("end"))
        except WindowError as exc:
            err("bad_time", "end", str(exc))
    slot = _slot(rec, event, err) if get("day") else None
    if slot is None or len(problems.items) > n_before:
        return None
    if end is not None and end != slot.end:  # other tools may leave a changeover gap: warn only
        problems.warn(
            "end_mismatch",
            f"the end {get('end')} differs from the end of slot {slot.number} ({slot.end:%H:%M}); the slot counts",
            file,
            row,
            "end",
        )
    return Meeting(slot=slot.index, table=get("table"), a=ids[0], b=ids[1], locked=locked in TRUE_WORDS)


def _slot(rec: dict[str, str], event: Event, err: _Err) -> Slot | None:
    """The slot of a row from day plus slot number and/or start time, which must agree."""
    try:
        date = parse_date(rec["day"])
    except WindowError as exc:
        err("bad_date", "day", str(exc))
        return None
    day = next((d for d in event.days if d.date == date), None)
    if day is None:
        known = ", ".join(d.date.isoformat() for d in event.days)
        err("unknown_day", "day", f"{date.isoformat()} is not a day of the event ({known})")
    start: dt.time | None = None
    if rec.get("start"):
        try:
            start = parse_time(rec["start"])
        except WindowError as exc:
            err("bad_time", "start", str(exc))
            return None
    number_text = rec.get("slot", "")
    if not number_text and start is None:
        err("empty_value", "slot", "the row needs a slot number or a start time")
        return None
    if day is None:
        return None
    slots = [event.slots[i] for i in day.slots]
    if number_text:
        try:
            number = int(number_text)
        except ValueError:
            err("bad_number", "slot", f"the slot must be a whole number from 1, not '{number_text}'")
            return None
        if not 1 <= number <= len(slots):
            err("no_such_slot", "slot", f"{date.isoformat()} has slots 1 to {len(slots)}, not {number}")
            return None
        slot = slots[number - 1]
        if start is not None and start != slot.start:
            err(
                "slot_start_mismatch",
                "start",
                f"slot {number} of {date.isoformat()} starts at "
                f"{slot.start:%H:%M}, not {start:%H:%M}; slot and start must agree",
            )
            return None
        return slot
    found = next((s for s in slots if s.start == start), None)
    if found is None:
        starts = ", ".join(f"{s.start:%H:%M}" for s in slots)
        err("no_such_slot", "start", f"no slot of {date.isoformat()} starts at {start:%H:%M} (slots start at {starts})")
    return found
