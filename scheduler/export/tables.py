"""Tables as the documents name and order them, and how much each one is used.

Shared tables come first in the event's order, then fixed tables (a person's own booth) and any
other label a schedule uses, sorted so that "2" comes before "10".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from scheduler.domain import Event, Schedule, table_sort_key
from scheduler.i18n.phrases import table_name


def place(label: str) -> str:
    """ "Table 7" for a plain table label, the label itself for a named booth ("Booth 7a"); in the
    language being rendered (`i18n.using`), English elsewhere."""
    return table_name(label)


def all_tables(event: Event, schedule: Schedule | None) -> list[str]:
    """Shared tables in their order, then fixed tables (and any other label a schedule uses)."""
    labels = list(event.table_labels)
    extra = {p.table for p in event.participants.values() if p.table}
    extra |= {m.table for m in (schedule.meetings if schedule else ())}
    return labels + sorted(extra - set(labels), key=table_sort_key)


@dataclass(frozen=True)
class TableUse:
    table: str
    meetings: int
    slots: int  # slots in which the table could host a meeting
    share: float  # meetings / slots, 0 when it could host none


def table_use(event: Event, schedule: Schedule) -> list[TableUse]:
    """How full each table is: a shared table can host a meeting in every slot, a fixed table
    whenever one of its owners is available."""
    shared = set(event.table_labels)
    owned: dict[str, set[int]] = {}
    for p in event.participants.values():
        if p.table:
            owned.setdefault(p.table, set()).update(p.available)
    counts = Counter(m.table for m in schedule.meetings)
    use = []
    for t in all_tables(event, schedule):
        slots = len(owned[t]) if t in owned and t not in shared else len(event.slots)
        n = counts.get(t, 0)
        use.append(TableUse(table=t, meetings=n, slots=slots, share=round(n / slots, 4) if slots else 0.0))
    return use
