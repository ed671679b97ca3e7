"""Figures about a schedule: points, mutual meetings, wishes met, holes, people left out, table use,
table changes."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise
from statistics import median

from scheduler.candidates import Pair, candidate_pairs, pair_key, pair_points, wished_pairs
from scheduler.domain import Event, ParticipantId, Schedule, SlotIndex, host_ids
from scheduler.minimum import below_minimum
from scheduler.results import Distribution, MetOf, ScheduleStats, TableChanges, WishesMet


def holes_in(event: Event, slots: Iterable[SlotIndex]) -> int:
    """The holes of one person busy in `slots`: maximal runs of empty slots between two meetings
    on one day. Slot numbers are gap-free across breaks, so a break alone is never a hole."""
    by_day: dict[int, list[int]] = defaultdict(list)
    for s in slots:
        slot = event.slots[s]
        by_day[slot.day].append(slot.number)
    total = 0
    for nums in by_day.values():
        nums.sort()
        total += sum(1 for x, y in pairwise(nums) if y - x > 1)
    return total


def hole_counts(event: Event, busy: Iterable[tuple[SlotIndex, Iterable[ParticipantId]]]) -> dict[ParticipantId, int]:
    """Holes per person who meets anyone, from (slot, people) per meeting: tables play no part."""
    slots: dict[ParticipantId, list[SlotIndex]] = defaultdict(list)
    for slot, people in busy:
        for pid in people:
            slots[pid].append(slot)
    return {pid: holes_in(event, mine) for pid, mine in slots.items()}


def holes_by_person(event: Event, schedule: Schedule) -> dict[ParticipantId, int]:
    """Holes per person who meets anyone (see `holes_in`)."""
    return hole_counts(event, ((m.slot, (m.a, m.b)) for m in schedule.meetings))


def schedule_points(event: Event, schedule: Schedule) -> int:
    asked = wished_pairs(event)
    return sum(pair_points(event, asked.get(pair_key(m.a, m.b), {})) for m in schedule.meetings)


def schedule_stats(event: Event, schedule: Schedule, pairs: list[Pair] | None = None) -> ScheduleStats:
    """`pairs` (the event's candidate pairs) may be passed when already computed: they are costly."""
    pairs = candidate_pairs(event) if pairs is None else pairs
    asked = wished_pairs(event)
    mutual = sum(1 for m in schedule.meetings if len(asked.get(pair_key(m.a, m.b), {})) == 2)
    holes = holes_by_person(event, schedule)
    met = {pid for m in schedule.meetings for pid in (m.a, m.b)}
    could = {pid for pair in pairs for pid in pair.people}
    return ScheduleStats(
        meetings=len(schedule),
        mutual_meetings=mutual,
        points=schedule_points(event, schedule),
        holes=sum(holes.values()),
        max_holes_per_person=max(holes.values(), default=0),
        people_without_meeting=tuple(sorted(could - met)),
        wished_pairs=len(pairs),
        table_use=dict(Counter(m.table for m in schedule.meetings)),
        wishes=wishes_met(event, schedule),
        distribution=distribution(event, schedule),
        min_meetings=event.min_meetings,
        below_minimum=below_minimum(event, schedule, pairs),
        table_changes=table_changes(event, schedule),
    )


def table_changes(event: Event, schedule: Schedule) -> TableChanges:
    """Table changes per person: between two consecutive meetings of theirs on one day, a change
    is a different table label (a booth is a table). For the hosts named by `hosts`, which of them
    change, and how many of their changes no labelling avoids: to or from a meeting at a booth or
    with another host (two hosts cannot both be at home)."""
    hosts = host_ids(event)
    shared = set(event.table_labels)
    visits: dict[ParticipantId, list[tuple[SlotIndex, str, bool]]] = defaultdict(list)  # (slot, table, forced)
    for m in schedule.meetings:
        forced = m.table not in shared or (m.a in hosts and m.b in hosts)
        visits[m.a].append((m.slot, m.table, forced))
        visits[m.b].append((m.slot, m.table, forced))
    per_person: dict[ParticipantId, int] = {}
    consecutive = forced_changes = 0
    for pid, mine in visits.items():
        mine.sort()
        steps = [(x, y) for x, y in pairwise(mine) if event.slots[x[0]].day == event.slots[y[0]].day]
        consecutive += len(steps)
        moves = [(x, y) for x, y in steps if x[1] != y[1]]
        per_person[pid] = len(moves)
        if pid in hosts:
            forced_changes += sum(1 for x, y in moves if x[2] or y[2])
    meeting_hosts = sorted(hosts & per_person.keys())
    return TableChanges(
        changes=sum(per_person.values()),
        consecutive=consecutive,
        mean_per_person=sum(per_person.values()) / len(per_person) if per_person else 0.0,
        max_per_person=max(per_person.values(), default=0),
        hosts=len(meeting_hosts),
        hosts_moving={pid: per_person[pid] for pid in meeting_hosts if per_person[pid]},
        hosts_forced=forced_changes,
    )


def wishes_met(event: Event, schedule: Schedule) -> WishesMet:
    """How many wishes the schedule meets, in total, mutual or one-sided, and by priority (see
    `WishesMet` for what counts as wished)."""
    met_pairs = {pair_key(m.a, m.b) for m in schedule.meetings}
    live = [
        w
        for w in event.wishes
        if not w.declined
        and w.requester in event.participants
        and w.target in event.participants
        and event.participants[w.requester].active
        and event.participants[w.target].active
    ]
    asked = {(w.requester, w.target) for w in live}
    counts: Counter[tuple[str, object, bool]] = Counter()  # (kind, key, met)
    for w in live:
        met = pair_key(w.requester, w.target) in met_pairs
        counts["total", None, met] += 1
        counts["mutual" if (w.target, w.requester) in asked else "one_sided", None, met] += 1
        counts["priority", w.priority, met] += 1

    def of(kind: str, key: object = None) -> MetOf:
        return MetOf(counts[kind, key, True], counts[kind, key, True] + counts[kind, key, False])

    priorities = sorted({w.priority for w in live})
    return WishesMet(of("total"), of("mutual"), of("one_sided"), {p: of("priority", p) for p in priorities})


# --- fairness: how evenly the day falls on people ----------------------------------------------


def distribution(event: Event, schedule: Schedule) -> Distribution:
    """Meetings per active person (min, median, max, share below 3) and the Gini coefficient of
    their points, where a person's points are the points of every meeting they have (a meeting
    counts in full for both of its people)."""
    asked = wished_pairs(event)
    meetings: Counter[ParticipantId] = Counter()
    earned: Counter[ParticipantId] = Counter()
    for m in schedule.meetings:
        value = pair_points(event, asked.get(pair_key(m.a, m.b), {}))
        for pid in (m.a, m.b):
            meetings[pid] += 1
            earned[pid] += value
    people = [pid for pid, p in event.participants.items() if p.active]
    counts = sorted(meetings[pid] for pid in people)
    return Distribution(
        people=len(people),
        min_meetings=counts[0] if counts else 0,
        median_meetings=float(median(counts)) if counts else 0.0,
        max_meetings=counts[-1] if counts else 0,
        share_below_3=sum(1 for n in counts if n < 3) / len(counts) if counts else 0.0,
        gini_points=gini([earned[pid] for pid in people]),
    )


def gini(values: list[int]) -> float:
    """The Gini coefficient: the mean absolute difference between two values over twice their mean;
    0 when all are equal (or all zero), (n - 1) / n when one holds everything."""
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    ranked = sum(i * x for i, x in enumerate(xs, start=1))
    return (2 * ranked) / (n * total) - (n + 1) / n
