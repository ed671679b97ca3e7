"""The columns of participants, wishes and schedule files, their aliases, and how a cell is read.

This is the one place where a header cell is matched to a column: the loader, the schedule-file
reader and the API's editing of stored files all ask `column_of`, so a header one of them
understands is understood by all. Headers match case-insensitively, with spaces and hyphens read
as underscores (`Max meetings`, `max-meetings` and `MAX_MEETINGS` are one column).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.domain import INACTIVE_STATUSES


@dataclass(frozen=True)
class Column:
    """A column of a table file: its canonical name, whether it must be there, its other names."""

    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    def matches(self, header: str) -> bool:
        key = normalise_header(header)
        return key == self.name or key in self.aliases


PARTICIPANT_COLUMNS = (
    Column("id", required=True, aliases=("participant_id", "participant")),
    Column("name", required=True, aliases=("full_name",)),
    Column("organisation", aliases=("organization", "company")),
    Column("email", aliases=("e_mail", "mail")),
    Column("role"),
    Column("country"),
    Column("available", aliases=("availability",)),
    Column("max_meetings", aliases=("cap",)),
    Column("status"),
    Column("table", aliases=("booth",)),
    Column("language", aliases=("lang", "locale")),
)
WISH_COLUMNS = (
    Column("requester", required=True, aliases=("from",)),
    Column("target", required=True, aliases=("to",)),
    Column("priority"),
    Column("window"),
    Column("status"),  # beyond formats.md: "declined" marks a meeting the organiser cancelled for good
)
# What a schedule file may hold; "slot" or "start" must be there as well (checked by its reader).
SCHEDULE_COLUMNS = (
    Column("day", required=True, aliases=("date",)),
    Column("slot", aliases=("slot_number",)),
    Column("start", aliases=("start_time", "time")),
    Column("end", aliases=("end_time",)),
    Column("table", required=True, aliases=("booth", "location")),
    Column("participant_a", required=True, aliases=("a", "participant_1", "person_a", "id_a")),
    Column("participant_b", required=True, aliases=("b", "participant_2", "person_b", "id_b")),
    Column("locked", aliases=("lock", "pinned")),
)

STATUSES = frozenset({"", "registered", *INACTIVE_STATUSES})
STATUS_ALIASES = {"canceled": "cancelled"}
WISH_STATUSES = frozenset({"", "requested", "declined"})
PRIORITY_WORDS = {"high": 1, "normal": 2, "low": 3}
TRUE_WORDS, FALSE_WORDS = frozenset({"yes", "true", "1"}), frozenset({"", "no", "false", "0"})


def normalise_header(header: str) -> str:
    """A header as columns are compared: case-insensitive, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", header.replace("\ufeff", "").strip().lower())


def column_of(header: str, columns: Sequence[Column]) -> Column | None:
    """The known column a header cell names, or None for a column of the organiser's own."""
    return next((c for c in columns if c.matches(header)), None)


def header_names(header: Sequence[str], columns: Sequence[Column]) -> list[str]:
    """The name of each header cell: canonical for a known column, as written (trimmed) for
    another one, "" for a cell without a header."""
    names = []
    for cell in header:
        known = column_of(cell, columns)
        names.append(known.name if known else cell.replace("\ufeff", "").strip())
    return names


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


_WHOLE = re.compile(r"^\+?([0-9]{1,9})(?:\.0*)?$")


def whole_number(text: str) -> int | None:
    """A non-negative whole number such as 4 (or 4.0, as spreadsheets write it); None otherwise."""
    m = _WHOLE.match(text)
    return int(m.group(1)) if m else None


def priority_of(text: str) -> int | None:
    """A wish's priority: 1, 2 or 3, or high / normal / low; 2 when empty; None when it is neither."""
    if not text.strip():
        return 2
    value = PRIORITY_WORDS.get(text.strip().lower(), whole_number(text.strip()))
    return value if value in (1, 2, 3) else None
