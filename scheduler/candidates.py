"""Which pairs may meet, when, where, and what each is worth.

This is the shared preprocessing of the model and of the greedy baselines: it applies rules 1,
3 and 6 of formats.md once, so that the model only ever creates variables that can be true.
The independent checker does *not* use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.domain import Event, ParticipantId, SlotIndex

SHARED = None  # location of a meeting at one of the interchangeable shared tables


@dataclass(frozen=True)
class Pair:
    a: ParticipantId  # a < b
    b: ParticipantId
    priorities: dict[ParticipantId, int]  # who asked, with which priority
    points: int
    slots: frozenset[SlotIndex]  # common available slots inside every wish window
    locations: tuple[str | None, ...]  # (SHARED,) or fixed table labels to choose from

    @property
    def people(self) -> tuple[ParticipantId, ParticipantId]:
        return (self.a, self.b)

    @property
    def mutual(self) -> bool:
        return len(self.priorities) == 2

    @property
    def key(self) -> tuple[ParticipantId, ParticipantId]:
        return (self.a, self.b)

    @property
    def uses_shared_table(self) -> bool:
        return self.locations == (SHARED,)


def pair_key(x: ParticipantId, y: ParticipantId) -> tuple[ParticipantId, ParticipantId]:
    return (x, y) if x < y else (y, x)


def colleagues(event: Event, x: ParticipantId, y: ParticipantId) -> bool:
    ox = event.participants[x].organisation.strip().casefold()
    oy = event.participants[y].organisation.strip().casefold()
    return bool(ox) and ox == oy


def pair_points(event: Event, priorities: dict[ParticipantId, int]) -> int:
    w = event.weights
    total = sum(w.priority_points.get(p, 0) for p in priorities.values())
    return total * (w.mutual_multiplier if len(priorities) == 2 else 1)


def wished_pairs(event: Event) -> dict[tuple[ParticipantId, ParticipantId], dict[ParticipantId, int]]:
    """Every pair somebody asked for (declined wishes excluded), with who asked at which priority."""
    asked: dict[tuple[ParticipantId, ParticipantId], dict[ParticipantId, int]] = {}
    for w in event.wishes:
        if not w.declined:
            asked.setdefault(pair_key(w.requester, w.target), {})[w.requester] = w.priority
    return asked


def candidate_pairs(event: Event) -> list[Pair]:
    """Every wished, allowed pair that has at least one slot and one place to meet."""
    windows: dict[tuple[ParticipantId, ParticipantId], frozenset[SlotIndex]] = {}
    for w in event.wishes:
        if w.window is not None and not w.declined:
            key = pair_key(w.requester, w.target)
            windows[key] = windows.get(key, w.window) & w.window
    out: list[Pair] = []
    for (a, b), priorities in wished_pairs(event).items():
        pa, pb = event.participants[a], event.participants[b]
        if not (pa.active and pb.active):
            continue
        if pa.max_meetings == 0 or pb.max_meetings == 0:
            continue
        if not event.same_organisation_meetings and colleagues(event, a, b):
            continue
        slots = pa.available & pb.available
        if (a, b) in windows:
            slots &= windows[(a, b)]
        if not slots:
            continue
        tables = tuple(dict.fromkeys(t for t in (pa.table, pb.table) if t is not None))
        locations: tuple[str | None, ...] = tables if tables else (SHARED,)
        if locations == (SHARED,) and event.tables == 0:
            continue
        out.append(Pair(a, b, priorities, pair_points(event, priorities), frozenset(slots), locations))
    return out
