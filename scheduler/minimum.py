"""[fairness] min_meetings: how many meetings each person is owed, and why someone got fewer.

The minimum is a priority, not a hard rule: the solvers pursue it before points (every meeting
missing below a person's target weighs more than all points together), but a schedule that
leaves someone short is still valid. A person's target is the minimum, lowered to what they can
reach at all: their distinct wished partners they can meet (allowed pairs with a common slot,
see `candidates`), their own max_meetings, and the slots those pairs could use.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from scheduler.candidates import SHARED, Pair
from scheduler.domain import Event, ParticipantId, Schedule
from scheduler.results import ShortOfMinimum

# Why someone is below the minimum, most basic first.
SHORT_REASONS = ("few_partners", "own_limit", "partners_full", "no_table", "not_found")


def reach(event: Event, pairs: Iterable[Pair]) -> dict[ParticipantId, int]:
    """The most meetings each person with a candidate pair could have, ignoring everyone else."""
    partners: dict[ParticipantId, int] = Counter()
    slots: dict[ParticipantId, set[int]] = defaultdict(set)
    for pair in pairs:
        for pid in pair.people:
            partners[pid] += 1
            slots[pid] |= pair.slots
    out = {}
    for pid, n in partners.items():
        cap = event.participants[pid].max_meetings
        out[pid] = min(n, len(slots[pid]), n if cap is None else cap)
    return out


def targets(event: Event, pairs: Iterable[Pair]) -> dict[ParticipantId, int]:
    """Meetings each person is owed: min_meetings, or fewer where they cannot reach it; empty
    when the event sets no minimum."""
    if event.min_meetings <= 0:
        return {}
    return {pid: min(event.min_meetings, n) for pid, n in reach(event, pairs).items() if n > 0}


def shortfall(counts: Mapping[ParticipantId, int], owed: Mapping[ParticipantId, int]) -> int:
    """Meetings missing below the targets, summed over people."""
    return sum(max(0, target - counts.get(pid, 0)) for pid, target in owed.items())


def below_minimum(event: Event, schedule: Schedule, pairs: list[Pair]) -> tuple[ShortOfMinimum, ...]:
    """Everyone who could meet somebody but has fewer than min_meetings meetings, with the first
    reason that applies (`SHORT_REASONS`); empty when the event sets no minimum."""
    k = event.min_meetings
    if k <= 0:
        return ()
    count: Counter[ParticipantId] = Counter()
    busy: dict[ParticipantId, set[int]] = defaultdict(set)
    shared_use: Counter[int] = Counter()
    booth_use: set[tuple[str, int]] = set()
    shared_labels = set(event.table_labels)
    for m in schedule.meetings:
        for pid in (m.a, m.b):
            count[pid] += 1
            busy[pid].add(m.slot)
        if m.table in shared_labels:
            shared_use[m.slot] += 1
        else:
            booth_use.add((m.table, m.slot))
    met = {frozenset(m.pair) for m in schedule.meetings}
    by_person: dict[ParticipantId, list[Pair]] = defaultdict(list)
    for pair in pairs:
        for pid in pair.people:
            by_person[pid].append(pair)
    out = []
    for pid in sorted(by_person):
        if count[pid] >= k:
            continue
        person = event.participants[pid]
        mine = by_person[pid]
        slots = set().union(*(p.slots for p in mine))
        if len(mine) < k:
            reason = "few_partners"
            detail = f"only {_n(len(mine), 'wished partner')} they can meet (common time, both present)"
        elif person.max_meetings is not None and person.max_meetings < k:
            reason, detail = "own_limit", f"their own max_meetings is {person.max_meetings}"
        elif len(slots) < k:
            reason, detail = "own_limit", f"they and their partners share only {_n(len(slots), 'slot')}"
        else:
            reason, detail = _why_short(event, pid, mine, met, count, busy, shared_use, booth_use)
        out.append(ShortOfMinimum(pid, count[pid], reason, detail))
    return tuple(out)


def _why_short(
    event: Event,
    pid: ParticipantId,
    mine: list[Pair],
    met: set[frozenset[ParticipantId]],
    count: Mapping[ParticipantId, int],
    busy: Mapping[ParticipantId, set[int]],
    shared_use: Mapping[int, int],
    booth_use: set[tuple[str, int]],
) -> tuple[str, str]:
    """Why a person with enough partners is short: the partners they do not meet are full (at their
    max_meetings, or busy whenever both could meet), or only the tables are missing."""
    at_cap = busy_out = tables_out = 0
    open_pairs = 0
    for pair in mine:
        if frozenset(pair.people) in met:
            continue
        other = pair.b if pair.a == pid else pair.a
        cap = event.participants[other].max_meetings
        if cap is not None and count.get(other, 0) >= cap:
            at_cap += 1
            continue
        free = [s for s in pair.slots if s not in busy.get(pid, set()) and s not in busy.get(other, set())]
        if not free:
            busy_out += 1
            continue
        if all(not _table_free(event, pair, s, shared_use, booth_use) for s in free):
            tables_out += 1
            continue
        open_pairs += 1
    if open_pairs:
        return "not_found", (
            f"{_n(open_pairs, 'meeting')} with a free table and time for both remained; "
            "the solver did not place it in its time (a longer solve may)"
        )
    if tables_out and not (at_cap or busy_out):
        return "no_table", f"every table is taken whenever they and their {_n(tables_out, 'other partner')} are free"
    parts = []
    if at_cap:
        parts.append(f"{at_cap} at their max_meetings")
    if busy_out:
        parts.append(f"{busy_out} busy whenever they are free")
    if tables_out:
        parts.append(f"{tables_out} free only when every table is taken")
    return "partners_full", (
        "their partners' days are full: of the wished partners they do not meet, " + ", ".join(parts)
    )


def _table_free(
    event: Event, pair: Pair, slot: int, shared_use: Mapping[int, int], booth_use: set[tuple[str, int]]
) -> bool:
    for loc in pair.locations:
        if loc is SHARED:
            if shared_use.get(slot, 0) < event.tables:
                return True
        elif (loc, slot) not in booth_use:
            return True
    return False


def _n(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
