"""Editing an uploaded participants.csv or wishes.csv in place, cell by cell.

An on-the-day change (a cancellation, new availability, a late registrant, a declined wish)
rewrites the organiser's own file rather than a regenerated one: their column order, column
names (aliases included), extra columns, delimiter and every cell nobody changed stay as they
were, so the stored file is still the one they know, only with the change in it. Known columns
are found by the loader's own column definitions (`scheduler.io.loading.PARTICIPANT_COLUMNS`,
`WISH_COLUMNS`), matched as the loader matches them. Whether the result is a valid event is for
the loader to say; nothing here judges values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from scheduler.io.loading import Column, detect_delimiter, normalise_header


@dataclass
class CsvTable:
    """The records of one CSV file: `header` is the first non-blank record, `rows` the ones after it."""

    columns: tuple[Column, ...]
    delimiter: str
    before: list[list[str]]  # blank records above the header, kept so row numbers stay as they were
    header: list[str]
    rows: list[list[str]]

    @classmethod
    def parse(cls, data: bytes, columns: tuple[Column, ...]) -> CsvTable:
        """Read a stored file (one the loader accepted, so it decodes and has a header)."""
        text = data.decode("utf-8-sig")
        delimiter = detect_delimiter(text)
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        start = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), len(records))
        header = records[start] if start < len(records) else [c.name for c in columns if c.required]
        return cls(columns, delimiter, records[:start], list(header), [list(r) for r in records[start + 1 :]])

    def index(self, name: str) -> int | None:
        """Position of a known column (by canonical name), or None when the file lacks it."""
        column = next(c for c in self.columns if c.name == name)
        for i, cell in enumerate(self.header):
            key = normalise_header(cell)
            if key == column.name or key in column.aliases:
                return i
        return None

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
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
        for record in (*self.before, self.header, *self.rows):
            writer.writerow(record)
        return out.getvalue().encode("utf-8")
