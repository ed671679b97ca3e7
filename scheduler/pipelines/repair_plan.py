"""Re-solving from a previous schedule: what is history, what is locked, what should stay.

`plan_repair` splits the previous schedule (formats.md, "The same file is also an input"):
- history: rows that started before the cut-off; kept exactly as they were, whatever the
  statuses say now;
- locked rows after the cut-off: fixed exactly, or dropped with a warning when a person is now
  cancelled or absent;
- the other rows after the cut-off that are still valid on their own: *preferred*, kept where
  they are unless moving them buys clearly more (`MoveCosts`).

It also derives the *future event* the optimiser works on: only slots after the cut-off are
available, caps are net of the history, and pairs that already met are no longer wished.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from scheduler.candidates import Pair, candidate_pairs, pair_key
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex
from scheduler.problems import Problem


@dataclass(frozen=True)
class RepairPlan:
    future: Event  # the event restricted to what may still change
    history: tuple[Meeting, ...]
    locked: tuple[Meeting, ...]
    preferred: tuple[Meeting, ...]  # still-valid rows to keep where they are if it pays
    warnings: tuple[Problem, ...]
    pairs: tuple[Pair, ...]  # candidate_pairs(future), which the solve goes on to use


def slot_start(event: Event, slot: SlotIndex) -> dt.datetime:
    s = event.slots[slot]
    return dt.datetime.combine(s.date, s.start)


def plan_repair(event: Event, previous: Schedule, cutoff: dt.datetime | None) -> RepairPlan:
    """Classify the previous rows and build the future event (see module docstring)."""
    future_slots = frozenset(s.index for s in event.slots if cutoff is None or slot_start(event, s.index) >= cutoff)
    history = tuple(m for m in previous.meetings if m.slot not in future_slots)
    met = {pair_key(m.a, m.b) for m in history}
    done = Counter(pid for m in history for pid in (m.a, m.b))
    participants = {}
    for pid, p in event.participants.items():
        cap = None if p.max_meetings is None else max(0, p.max_meetings - done[pid])
        participants[pid] = dataclasses.replace(p, available=p.available & future_slots, max_meetings=cap)
    wishes = tuple(
        dataclasses.replace(w, declined=True) if pair_key(w.requester, w.target) in met else w for w in event.wishes
    )
    future = dataclasses.replace(event, participants=participants, wishes=wishes)

    warnings: list[Problem] = []
    locked: list[Meeting] = []
    preferred: list[Meeting] = []
    pairs = tuple(candidate_pairs(future))
    valid = {p.key: p for p in pairs}
    for m in previous.meetings:
        if m.slot not in future_slots:
            continue
        pair = valid.get(pair_key(m.a, m.b))
        if m.locked:
            if any(not event.participants[pid].active for pid in (m.a, m.b) if pid in event.participants):
                warnings.append(
                    Problem(
                        "warning",
                        "locked_dropped",
                        f"locked meeting {_names(event, m)} at "
                        f"{event.slots[m.slot].label} dropped: a participant is now cancelled "
                        "or absent",
                    )
                )
            else:
                locked.append(m)  # validated against the rules when it is fixed
        elif pair is not None and m.slot in pair.slots:
            preferred.append(m)
    return RepairPlan(future, history, tuple(locked), tuple(preferred), tuple(warnings), pairs)


def _names(event: Event, m: Meeting) -> str:
    def name(pid: ParticipantId) -> str:
        p = event.participants.get(pid)
        return f"{p.name} ({pid})" if p else pid

    return f"{name(m.a)} – {name(m.b)}"


def repair_report(event: Event, previous: Schedule, new: Schedule, fresh_points: int | None) -> dict[str, object]:
    """What the repair bought: meetings kept, moved, lost and added, and points before, after
    and against a fresh solve of the updated event (None in "all" mode, where points are not
    what is optimised)."""
    from scheduler.diff import diff_schedules  # local: diff is a leaf module, kept out of import cycles
    from scheduler.report import schedule_points

    diff = diff_schedules(event, previous, new)
    kinds = Counter(change.kind for change in diff.changes)
    return {
        "kept": diff.kept,
        "moved": kinds["moved"],
        "table_changed": kinds["table_changed"],
        "lost": kinds["cancelled"],
        "added": kinds["added"],
        "people_affected": len(diff.people_affected),
        "points_before": schedule_points(event, previous),
        "points_after": schedule_points(event, new),
        "points_fresh_solve": fresh_points,
    }
