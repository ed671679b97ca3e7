"""Editing a stored participants or wishes file in place, cell by cell (`EditableTable`).

An on-the-day change (a cancellation, new availability, a late registrant, a declined wish)
rewrites the organiser's own file rather than a regenerated one: their column order, column
names (aliases included), extra columns, delimiter and every cell nobody changed stay as they
were, so the stored file is still the one they know, only with the change in it. The file is
read and written by the loader's own codec (`scheduler.io.codec`: any accepted encoding,
delimiter or workbook; a workbook is written back as CSV), and known columns are found by the
loader's own column definitions (`scheduler.io.columns`). Whether the result is a valid event is
for the loader to say; nothing here judges values. `scheduler.edits` builds the on-the-day
changes (update, add, wish, decline) on it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from scheduler.io.codec import TableFile, read_stored_table
from scheduler.io.columns import PARTICIPANT_COLUMNS, WISH_COLUMNS, Column
from scheduler.io.loading import PARTICIPANTS_FILE, WISHES_FILE

# Which file a table of these columns is (a workbook's sheet is chosen by it, as the loader does).
_FILES = {PARTICIPANT_COLUMNS: PARTICIPANTS_FILE, WISH_COLUMNS: WISHES_FILE}


@dataclass
class EditableTable:
    """The records of one stored file, editable by known column name whatever the file calls it:
    `header` is the first non-blank record, `rows` the ones after it."""

    columns: tuple[Column, ...]
    source: TableFile  # how the file was written, to write it back alike
    before: list[list[str]]  # blank records above the header, kept so row numbers stay as they were
    header: list[str]
    rows: list[list[str]]

    @classmethod
    def parse(cls, data: bytes, columns: tuple[Column, ...]) -> EditableTable:
        """Read a stored file (one the loader accepted, so it reads and has a header)."""
        source = read_stored_table(data, _FILES[columns])
        records = source.rows
        start = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), len(records))
        header = records[start] if start < len(records) else [c.name for c in columns if c.required]
        return cls(columns, source, records[:start], list(header), [list(r) for r in records[start + 1 :]])

    def index(self, name: str) -> int | None:
        """Position of a known column (by canonical name), or None when the file lacks it."""
        column = next(c for c in self.columns if c.name == name)
        return next((i for i, cell in enumerate(self.header) if column.matches(cell)), None)

    def ensure(self, name: str) -> int:
        """Position of a known column, appending it to the header when the file lacks it."""
        i = self.index(name)
        if i is None:
            self.header.append(name)
            i = len(self.header) - 1
        return i

    def get(self, row: list[str], name: str) -> str:
        i = self.index(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    def set(self, row: list[str], name: str, value: str) -> None:
        i = self.ensure(name)
        row.extend([""] * (i + 1 - len(row)))
        row[i] = value

    def records(self) -> Iterator[list[str]]:
        """The non-blank data rows, in file order."""
        return (r for r in self.rows if any(c.strip() for c in r))

    def find(self, **match: str) -> list[list[str]]:
        """The data rows whose known columns hold exactly these values."""
        return [r for r in self.records() if all(self.get(r, k) == v for k, v in match.items())]

    def append(self, values: Mapping[str, str]) -> list[str]:
        for name in values:
            self.ensure(name)
        row = [""] * len(self.header)
        for name, value in values.items():
            self.set(row, name, value)
        while self.rows and not any(c.strip() for c in self.rows[-1]):  # trailing blank lines
            self.rows.pop()
        self.rows.append(row)
        return row

    def to_bytes(self) -> bytes:
        """The file with the changes, in the organiser's delimiter (a workbook becomes CSV)."""
        return self.source.to_bytes([*self.before, self.header, *self.rows])
