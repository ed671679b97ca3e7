"""How large an event the loader accepts: bounds on every size an upload can ask for.

A few kilobytes of event.toml can describe 400 days of one-minute slots, and `tables = 10000`
makes every table-sized structure (and the table signs) enormous. A service that takes uploads
from anyone with a browser passes a `Limits` to the loader, which checks the sizes from the
parsed numbers and row counts before any grid, table or per-slot structure is built, and reports
each excess as a problem naming the file and the setting or row. The CLI loads with `UNLIMITED`
(the organiser's own files on their own machine), bounded only by the format's own caps.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The largest event accepted; None: no bound beyond the format's own."""

    max_days: int | None = None
    max_slots_per_day: int | None = None
    max_slots: int | None = None  # over all days
    min_slot_minutes: int | None = None
    max_tables: int | None = None
    max_participants: int | None = None  # data rows of the participants file
    max_wishes: int | None = None  # data rows of the wishes file
    max_label_chars: int | None = None  # the event's name and each table label
    max_cell_chars: int | None = None  # any cell of the participants and wishes files


UNLIMITED = Limits()
TOO_LARGE = "too_large"  # the code of a problem that reports a size beyond the limits


def over(value: int, bound: int | None) -> bool:
    """Whether `value` is beyond `bound` (None: no bound)."""
    return bound is not None and value > bound
