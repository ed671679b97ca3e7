"""Table labels: turn placements into `Meeting`s so that people walk as little as possible.

The heuristics and the model only count shared-table meetings per slot (the tables are
interchangeable); labels are given once, at the end, and never change who meets when, so points
and holes are the same whatever the labels. The labels are chosen slot by slot, in time order, by
a min-cost assignment of the slot's meetings to the free tables (OR-Tools' min-cost flow), whose
cost counts, for each meeting at each table:
- `KEEP_LABEL` when a re-solve moves a meeting away from the label of the previous schedule
  (people were told where to go);
- `HOST_AWAY` for each host (event.toml `hosts`) of the meeting away from their home table;
- `WALK` for each of the two people whose previous meeting that day was at another table.
Locked meetings keep their labels, and booths are not labels to choose.

Hosts get their home tables up front: the hosts with the most shared-table meetings first, a
min-cost matching per round of at most one host per table, where a table's cost for a host is the
number of slots in which an earlier round's host already sits there (then one of the two moves).
Where there are at least as many tables as hosts meeting at shared tables, every host has a table
of their own and moves only to meet at a booth or with another host (two hosts cannot both be at
home); `report.table_changes` tells those moves from the ones for want of tables.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from scheduler.candidates import SHARED
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex, host_ids
from scheduler.heuristics.state import Placement

Labels = Mapping[tuple[ParticipantId, ParticipantId, SlotIndex], str]

KEEP_LABEL = 100  # above every walk and host cost a meeting can have
HOST_AWAY = 3  # a host away from home costs more than both people of a meeting walking
WALK = 1


def assign_tables(
    event: Event,
    placements: list[Placement],
    previous: Labels | None = None,
    before: Iterable[Meeting] = (),
) -> Schedule:
    """Label shared-table meetings so that people stay where they were and hosts stay at home.

    `previous`: labels by (pair, slot) a meeting keeps if it can (a locked meeting always keeps
    a valid one); `before`: meetings already labelled that are not re-labelled (a re-solve's
    history), read only to know where people were.
    """
    previous = previous or {}
    position = {label: i for i, label in enumerate(event.table_labels)}
    by_slot: dict[SlotIndex, list[Placement]] = defaultdict(list)
    for p in placements:
        by_slot[p.slot].append(p)
    homes = home_tables(event, placements, previous)
    where: dict[ParticipantId, tuple[int, str]] = {}  # person -> (day, table) of their latest meeting
    for m in sorted(before, key=lambda m: m.slot):
        day = event.slots[m.slot].day
        where[m.a] = where[m.b] = (day, m.table)
    meetings: list[Meeting] = []
    for slot in sorted(by_slot):
        group = by_slot[slot]
        day = event.slots[slot].day
        last = {pid: table for pid, (d, table) in where.items() if d == day}
        shared = sorted((p for p in group if p.location is SHARED), key=lambda p: (p.pair.a, p.pair.b))
        taken: set[str] = set()
        free_meetings: list[Placement] = []
        for p in shared:
            label = previous.get((p.pair.a, p.pair.b, slot))
            if p.locked and label is not None and label in position and label not in taken:
                taken.add(label)
                meetings.append(Meeting(slot, label, p.pair.a, p.pair.b, p.locked))
            else:
                free_meetings.append(p)
        free = [label for label in event.table_labels if label not in taken]
        costs = [_costs(p, slot, previous, homes, last) for p in free_meetings]
        for p, label in zip(free_meetings, _assign(costs, free, position), strict=True):
            meetings.append(Meeting(slot, label, p.pair.a, p.pair.b, p.locked))
        for p in group:
            if p.location is not SHARED:
                meetings.append(Meeting(slot, str(p.location), p.pair.a, p.pair.b, p.locked))
        for m in meetings[len(meetings) - len(group) :]:
            where[m.a] = where[m.b] = (day, m.table)
    return Schedule.of(meetings)


def _costs(
    p: Placement,
    slot: SlotIndex,
    previous: Labels,
    homes: Mapping[ParticipantId, str],
    last: Mapping[ParticipantId, str],
) -> tuple[int, dict[str, int]]:
    """(the cost at any table nobody of the meeting cares about, the cost at each table they do)."""
    wanted: list[tuple[str, int]] = []  # (table, what not sitting there costs)
    label = previous.get((p.pair.a, p.pair.b, slot))
    if label is not None:
        wanted.append((label, KEEP_LABEL))
    for pid in p.pair.people:
        if pid in homes:
            wanted.append((homes[pid], HOST_AWAY))
        if pid in last:
            wanted.append((last[pid], WALK))
    base = sum(c for _, c in wanted)
    at: dict[str, int] = {}
    for table, _ in wanted:
        at[table] = base - sum(c for t, c in wanted if t == table)
    return base, at


def _assign(costs: list[tuple[int, dict[str, int]]], free: list[str], position: Mapping[str, int]) -> list[str]:
    """One free table per meeting at the least total cost; ties go to the earlier table labels.

    A min-cost flow with only the arcs that matter: a meeting reaches each table it cares about
    directly, and every other table through one hub at its base cost, so a slot of n meetings
    among T tables needs about 5n + 2T arcs instead of n × T.
    """
    n = len(costs)
    if n == 0:
        return []
    if n > len(free):
        raise ValueError(f"{n} meetings at the shared tables of one slot, but only {len(free)} tables are free")
    scale = n * len(position) + 1  # the table-order tie-break never outweighs one unit of cost
    flow = SimpleMinCostFlow()
    hub, first_table = n, n + 1
    sink = first_table + len(free)
    table_node = {label: first_table + i for i, label in enumerate(free)}
    direct: list[tuple[int, int, str]] = []  # (arc, meeting, table)
    via_hub: list[tuple[int, int]] = []  # (arc, meeting)
    for i, (base, at) in enumerate(costs):
        flow.set_node_supply(i, 1)
        for label in sorted((t for t in at if t in table_node), key=position.__getitem__):  # not booths, not taken
            arc = flow.add_arc_with_capacity_and_unit_cost(i, table_node[label], 1, at[label] * scale + position[label])
            direct.append((arc, i, label))
        via_hub.append((flow.add_arc_with_capacity_and_unit_cost(i, hub, 1, base * scale), i))
    from_hub = [(flow.add_arc_with_capacity_and_unit_cost(hub, table_node[t], 1, position[t]), t) for t in free]
    for label in free:
        flow.add_arc_with_capacity_and_unit_cost(table_node[label], sink, 1, 0)
    flow.set_node_supply(sink, -n)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"table labelling: the min-cost flow ended with status {status}")
    chosen: dict[int, str] = {i: label for arc, i, label in direct if flow.flow(arc)}
    hub_meetings = [i for arc, i in via_hub if flow.flow(arc)]
    hub_tables = [t for arc, t in from_hub if flow.flow(arc)]  # in label order
    chosen.update(zip(hub_meetings, hub_tables, strict=True))  # any order costs the same
    return [chosen[i] for i in range(n)]


def home_tables(event: Event, placements: Iterable[Placement], previous: Labels) -> dict[ParticipantId, str]:
    """A home table for each host who meets at the shared tables (see the module's docstring);
    a re-solve's previous labels make a host's most used table their home where possible."""
    hosts = host_ids(event)
    if not hosts or not event.table_labels:
        return {}
    busy: dict[ParticipantId, set[SlotIndex]] = defaultdict(set)
    used: dict[ParticipantId, Counter[str]] = defaultdict(Counter)
    for p in placements:
        if p.location is not SHARED:
            continue
        label = previous.get((p.pair.a, p.pair.b, p.slot))
        for pid in p.pair.people:
            if pid in hosts:
                busy[pid].add(p.slot)
                if label is not None:
                    used[pid][label] += 1
    order = sorted(busy, key=lambda h: (-len(busy[h]), h))
    tables = event.table_labels
    column = {label: j for j, label in enumerate(tables)}
    occupied = np.zeros((len(tables), len(event.slots)), dtype=np.int64)  # table x slot: a host sits there
    homes: dict[ParticipantId, str] = {}
    for start in range(0, len(order), len(tables)):
        group = order[start : start + len(tables)]
        here = np.zeros((len(group), len(event.slots)), dtype=np.int64)
        uses = np.zeros((len(group), len(tables)), dtype=np.int64)
        for i, host in enumerate(group):
            here[i, sorted(busy[host])] = 1
            for label, n in used[host].items():
                if label in column:
                    uses[i, column[label]] = n
        most = int(uses.max(initial=0))
        cost = (here @ occupied.T) * (most + 1) + (most - uses)  # clashes first, then previous use
        chosen = _matching(cost) if cost.any() else list(range(len(group)))  # all equal: in order
        for i, j in enumerate(chosen):
            homes[group[i]] = tables[j]
            occupied[j] |= here[i]
    return homes


def _matching(cost: np.ndarray) -> list[int]:
    """The column of each row in a least-cost matching of rows to distinct columns (rows <= columns)."""
    rows, cols = cost.shape
    flow = SimpleMinCostFlow()
    tails = np.repeat(np.arange(rows, dtype=np.int32), cols)
    heads = np.tile(np.arange(rows, rows + cols, dtype=np.int32), rows)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails, heads, np.ones(rows * cols, dtype=np.int64), cost.astype(np.int64).ravel()
    )
    sink = rows + cols
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(rows, rows + cols, dtype=np.int32),
        np.full(cols, sink, dtype=np.int32),
        np.ones(cols, dtype=np.int64),
        np.zeros(cols, dtype=np.int64),
    )
    flow.set_nodes_supplies(
        np.append(np.arange(rows, dtype=np.int32), np.int32(sink)), np.append(np.ones(rows, dtype=np.int64), -rows)
    )
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("home tables: the matching of hosts to tables failed")
    taken = np.flatnonzero(flow.flows(arcs))
    return [int(a % cols) for a in taken]  # arcs are row-major, one per row in row order
