"""The same event with another number of shared tables, or one slot more or fewer a day.

Planning asks "what if" of an event already loaded; these build the modified `Event` with
`dataclasses.replace`, so every other setting, person and wish stays exactly as it is. Booths
(fixed tables) never change: only the shared tables are counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from scheduler.domain import Day, Event, Slot, SlotIndex


def with_tables(event: Event, count: int) -> Event:
    """`event` with `count` shared tables: the first of its own labels are kept, and new ones are
    numbers that no shared table or booth uses yet."""
    if count < 0:
        raise ValueError(f"a table count cannot be negative ({count})")
    labels = list(event.table_labels[:count])
    taken = set(event.table_labels) | {p.table for p in event.participants.values() if p.table is not None}
    number = 0
    while len(labels) < count:
        number += 1
        if str(number) not in taken:
            labels.append(str(number))
    return dataclasses.replace(event, table_labels=tuple(labels))


def with_slot_change(event: Event, delta: int) -> Event | None:
    """`event` with one slot fewer (`delta` -1) or more (+1) at the end of every day; None when
    that cannot be (a day of one slot, or a day that would run past midnight).

    One slot fewer drops each day's last slot. One slot more adds a slot right after each day's
    last one: whoever is available in the day's last slot (and every wish window that holds it)
    is taken to stay for the added one too, as people still there at the end usually would.
    """
    if delta not in (-1, 1):
        raise ValueError(f"only one slot more or fewer a day is planned, not {delta:+d}")
    step = dt.timedelta(minutes=event.slot_minutes)
    mapping: dict[SlotIndex, list[SlotIndex]] = {}  # old slot -> new slots it stands for
    slots: list[Slot] = []
    days: list[Day] = []
    for d, day in enumerate(event.days):
        old = [event.slots[i] for i in day.slots]
        if delta < 0 and len(old) < 2:
            return None
        kept = old[:-1] if delta < 0 else old
        new_indices: list[SlotIndex] = []
        for slot in kept:
            index = len(slots)
            slots.append(dataclasses.replace(slot, index=index, day=d))
            mapping.setdefault(slot.index, []).append(index)
            new_indices.append(index)
        end = kept[-1].end
        if delta > 0:
            last = old[-1]
            start = dt.datetime.combine(day.date, last.end)
            finish = start + step
            if finish.date() != day.date:
                return None
            index = len(slots)
            slots.append(Slot(index, d, day.date, last.number + 1, last.end, finish.time()))
            mapping[last.index].append(index)
            new_indices.append(index)
            end = finish.time()
        days.append(dataclasses.replace(day, end=end, slots=tuple(new_indices)))
    participants = {
        pid: dataclasses.replace(p, available=_remap(p.available, mapping)) for pid, p in event.participants.items()
    }
    wishes = tuple(
        w if w.window is None else dataclasses.replace(w, window=_remap(w.window, mapping)) for w in event.wishes
    )
    return dataclasses.replace(event, days=tuple(days), slots=tuple(slots), participants=participants, wishes=wishes)


def _remap(slots: frozenset[SlotIndex], mapping: Mapping[SlotIndex, list[SlotIndex]]) -> frozenset[SlotIndex]:
    return frozenset(new for old in slots for new in mapping.get(old, ()))
