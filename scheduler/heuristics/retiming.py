"""Kempe-chain slot swaps: place more of the chosen pairs, and reduce holes without changing who meets.

The meetings held in two slots s1 and s2 form paths and cycles (nobody is in two meetings of
one slot). Swapping s1 and s2 along one such chain keeps everyone conflict-free; only the
chain's two ends change when they are busy, so a move is cheap to evaluate. Each move is
checked against availability and wish windows (the pair's allowed slots), shared-table
capacity, booth labels and the hole caps, so every accepted state is a valid schedule with the
same meetings, points and people covered.

`insert_pairs` uses the same move to make room for a pair whose two people have no common free
slot: one is free in s1, the other in s2, and swapping the chain through the second person's
s1 meeting frees them in s1 (the augmenting step of Vizing's edge-colouring proof).
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable

from scheduler.candidates import SHARED, Pair
from scheduler.domain import Event, ParticipantId, SlotIndex
from scheduler.heuristics.placement import Placement
from scheduler.report import holes_in

MovePrice = Callable[[Placement, SlotIndex], int]
"""What moving a meeting to another slot costs, in points (negative: moving it back pays)."""


def _spread(histogram: Counter[int]) -> int:
    """Most minus fewest holes of any two people, from a histogram of holes per person."""
    present = [h for h, n in histogram.items() if n > 0]
    return max(present) - min(present) if present else 0


class _State:
    def __init__(self, event: Event, placements: list[Placement]):
        self.event = event
        self.meetings: list[Placement] = list(placements)
        self.at: dict[tuple[ParticipantId, SlotIndex], int] = {}
        self.shared: Counter[SlotIndex] = Counter()
        self.labels: dict[tuple[str, SlotIndex], int] = {}
        self.slots_of: dict[ParticipantId, set[SlotIndex]] = defaultdict(set)
        for i, p in enumerate(self.meetings):
            self._add(i, p.slot)
        self.holes = {pid: self.count_holes(slots) for pid, slots in self.slots_of.items()}
        self.histogram = Counter(self.holes.values())

    def _add(self, i: int, slot: SlotIndex) -> None:
        p = self.meetings[i]
        for pid in p.pair.people:
            self.at[(pid, slot)] = i
            self.slots_of[pid].add(slot)
        if p.location is SHARED:
            self.shared[slot] += 1
        else:
            self.labels[(str(p.location), slot)] = i

    def _remove(self, i: int, slot: SlotIndex) -> None:
        p = self.meetings[i]
        for pid in p.pair.people:
            del self.at[(pid, slot)]
            self.slots_of[pid].discard(slot)
        if p.location is SHARED:
            self.shared[slot] -= 1
        else:
            del self.labels[(str(p.location), slot)]

    def count_holes(self, slots: set[SlotIndex]) -> int:
        return holes_in(self.event, slots)

    def chain(self, start: int, s1: SlotIndex, s2: SlotIndex) -> list[int] | None:
        """Meetings swapped with `start` (which is in s1) between s1 and s2; None if too long."""
        seen = {start}
        todo = [start]
        while todo:
            i = todo.pop()
            here = self.meetings[i].slot
            other = s2 if here == s1 else s1
            for pid in self.meetings[i].pair.people:
                j = self.at.get((pid, other))
                if j is not None and j not in seen:
                    seen.add(j)
                    todo.append(j)
            if len(seen) > 60:
                return None
        return list(seen)

    def try_swap(
        self, chain: list[int], s1: SlotIndex, s2: SlotIndex, holes: bool = True
    ) -> tuple[int, dict[ParticipantId, int]] | None:
        """(change in total holes, new holes per changed person), or None if the swap breaks a rule.

        With `holes=False` hole caps are ignored and no change is reported (placing, not polishing).
        """
        event = self.event
        moved_shared = Counter()
        for i in chain:
            p = self.meetings[i]
            new = s2 if p.slot == s1 else s1
            if new not in p.pair.slots:
                return None
            if p.location is SHARED:
                moved_shared[p.slot] -= 1
                moved_shared[new] += 1
            else:
                holder = self.labels.get((str(p.location), new))
                if holder is not None and holder not in chain:
                    return None
        for s, d in moved_shared.items():
            if self.shared[s] + d > event.tables:
                return None
        changed: dict[ParticipantId, int] = {}
        if not holes:
            return 0, changed
        people = Counter(pid for i in chain for pid in self.meetings[i].pair.people)
        for pid, n in people.items():
            if n == 2:
                continue  # busy in both slots before and after
            slots = set(self.slots_of[pid])
            if s1 in slots:
                slots.discard(s1)
                slots.add(s2)
            else:
                slots.discard(s2)
                slots.add(s1)
            changed[pid] = self.count_holes(slots)
        # Caps: nobody may go above the cap or get worse while above it; a schedule that starts
        # above a cap (before `enforce_hole_caps`) may still improve towards it.
        cap = event.max_holes
        if cap is not None and any(h > cap and h > self.holes[pid] for pid, h in changed.items()):
            return None
        if event.max_hole_spread is not None and changed:
            hist = Counter(self.histogram)
            for pid, h in changed.items():
                hist[self.holes[pid]] -= 1
                hist[h] += 1
            spread = _spread(hist)
            if spread > event.max_hole_spread and spread > _spread(self.histogram):
                return None
        delta = sum(self.cost(h) - self.cost(self.holes[pid]) for pid, h in changed.items())
        return delta, changed

    def within_caps(self, after: dict[ParticipantId, int]) -> bool:
        """Whether these new hole counts keep everyone within max_holes and the spread cap."""
        cap, spread = self.event.max_holes, self.event.max_hole_spread
        if cap is not None and any(h > cap for h in after.values()):
            return False
        if spread is None:
            return True
        hist = Counter(self.histogram)
        for pid, h in after.items():
            if pid in self.holes:
                hist[self.holes[pid]] -= 1
            hist[h] += 1
        return _spread(hist) <= spread

    def cost(self, holes: int) -> int:
        """What a person's holes cost the local search: holes above the cap weigh far more."""
        cap = self.event.max_holes
        return holes if cap is None or holes <= cap else holes + OVER_CAP_WEIGHT * (holes - cap)

    def drop(self, i: int) -> None:
        self._remove(i, self.meetings[i].slot)
        self.meetings[i] = None  # type: ignore[call-overload]  # indices of others stay valid

    def undrop(self, i: int, placement: Placement) -> None:
        self.meetings[i] = placement
        self._add(i, placement.slot)

    def place(self, placement: Placement) -> None:
        self.meetings.append(placement)
        self._add(len(self.meetings) - 1, placement.slot)
        for pid in placement.pair.people:
            self.set_holes(pid, self.count_holes(self.slots_of[pid]))

    def set_holes(self, pid: ParticipantId, h: int) -> None:
        """Record a person's new hole count, keeping the histogram in step."""
        if pid in self.holes:
            self.histogram[self.holes[pid]] -= 1
        self.histogram[h] += 1
        self.holes[pid] = h

    def location_free(self, pair: Pair, slot: SlotIndex) -> str | None | bool:
        for loc in pair.locations:
            if loc is SHARED:
                if self.shared[slot] < self.event.tables:
                    return SHARED
            elif (str(loc), slot) not in self.labels:
                return loc
        return False

    def apply(self, chain: list[int], s1: SlotIndex, s2: SlotIndex, changed: dict[ParticipantId, int]) -> None:
        olds = [(i, self.meetings[i].slot) for i in chain]
        for i, old in olds:
            self._remove(i, old)
        for i, old in olds:
            p = self.meetings[i]
            new = s2 if old == s1 else s1
            self.meetings[i] = Placement(p.pair, new, p.location, p.locked)
            self._add(i, new)
        for pid, h in changed.items():
            self.set_holes(pid, h)


def reduce_holes(
    event: Event,
    placements: list[Placement],
    seconds: float,
    seed: int = 0,
    max_moves: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    frozen: set[tuple[ParticipantId, ParticipantId]] | None = None,
) -> list[Placement]:
    """Iterated local search on total holes; locked and `frozen` meetings never move.

    Hill-climbing that always takes sideways moves; when it has found nothing better for a while
    it kicks the schedule with a few random valid swaps and climbs again, keeping the best
    schedule seen. `max_moves` bounds the work deterministically (deterministic mode).
    """
    frozen = frozen or set()
    state = _State(event, [p if p.pair.key not in frozen else _pinned(p) for p in placements])
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    people = sorted(state.slots_of)
    day_slots = [day.slots for day in event.days]
    patience = max(2_000, 20 * len(state.meetings))
    total = sum(state.cost(h) for h in state.holes.values())
    best_total, best = total, list(state.meetings)
    moves = last_gain = last_applied = 0
    holed: list[ParticipantId] = []
    while max_moves is None or moves < max_moves:
        if moves - last_applied > STALL_MOVES:
            break  # nothing can move (everything locked or frozen): do not spin until the deadline
        if moves % 256 == 0 and (
            (max_moves is None and time.monotonic() > deadline) or (should_stop is not None and should_stop())
        ):
            break
        if moves % 64 == 0:  # people with more holes are picked more often
            holed = [pid for pid in people for _ in range(state.holes[pid])]
            if not holed:
                break
        moves += 1
        if moves - last_gain > patience:  # stuck: kick, then climb again from there
            for _ in range(KICK_SWAPS):
                total += _random_swap(state, rng, people, day_slots, accept_worse=True) or 0
            last_gain = moves
            continue
        delta = _random_swap(state, rng, holed, day_slots, accept_worse=False)
        if delta is not None:
            last_applied = moves
            total += delta
            if total < best_total:
                best_total, best, last_gain = total, list(state.meetings), moves
    return _restore(best, placements, frozen)


KICK_SWAPS = 8  # random swaps that a kick applies, whatever they do to holes
OVER_CAP_WEIGHT = 1_000  # a hole above [fairness] max_holes, against one below it
STALL_MOVES = 200_000  # attempts without a single applied swap after which the search gives up


def _random_swap(
    state: _State,
    rng: random.Random,
    people: list[ParticipantId],
    day_slots: list[tuple[SlotIndex, ...]],
    accept_worse: bool,
) -> int | None:
    """Try one Kempe swap for a random meeting of a random person; its change in holes if applied."""
    pid = rng.choice(people)
    mine = sorted(state.slots_of[pid])
    if not mine:
        return None
    s1 = rng.choice(mine)
    i = state.at[(pid, s1)]
    if state.meetings[i].locked:
        return None
    day = state.event.slots[s1].day
    s2 = rng.choice(day_slots[day]) if rng.random() < 0.3 else _near(rng, mine, day_slots[day], state.event)
    if s2 == s1:
        return None
    chain = state.chain(i, s1, s2)
    if chain is None or any(state.meetings[j].locked for j in chain):
        return None
    result = state.try_swap(chain, s1, s2)
    if result is None:
        return None
    delta, changed = result
    if delta <= 0 or accept_worse:  # sideways moves keep the search moving across plateaus
        state.apply(chain, s1, s2, changed)
        return delta
    return None


def _restore(
    meetings: list[Placement], originals: list[Placement], frozen: set[tuple[ParticipantId, ParticipantId]]
) -> list[Placement]:
    """Give frozen meetings back their own placement (with its real `locked` flag)."""
    original = {p.pair.key: p for p in originals if p.pair.key in frozen}
    return [original.get(p.pair.key, p) for p in meetings]


def _pinned(p: Placement) -> Placement:
    """Frozen meetings ride along as locked ones, which the moves never touch."""
    return Placement(p.pair, p.slot, p.location, locked=True)


def _near(rng: random.Random, mine: list[SlotIndex], day: tuple[SlotIndex, ...], event: Event) -> SlotIndex:
    """A free slot next to one of the person's meetings: where a moved meeting can close a hole.

    Slot indices of one day are consecutive, breaks included, so index neighbours are slot
    neighbours."""
    taken = set(mine)
    first, last = day[0], day[-1]
    options = sorted({n for m in mine for n in (m - 1, m + 1) if first <= n <= last} - taken)
    return rng.choice(options) if options else rng.choice(day)


def insert_pairs(
    event: Event,
    placements: list[Placement],
    candidates: list[Pair],
    seconds: float,
    max_tries: int = 40,
    frozen: set[tuple[ParticipantId, ParticipantId]] | None = None,
    price: MovePrice | None = None,
    within_hole_caps: bool = False,
) -> list[Placement]:
    """Add `candidates` (best first) where caps allow, making room with one Kempe swap if needed;
    meetings of `frozen` pairs are never moved. With `price`, a swap that makes room must cost
    less than the points of the pair it lets in (repair: moving a kept meeting has a price).
    `within_hole_caps` only adds a pair where it takes nobody above the [fairness] caps (refilling
    after `enforce_hole_caps`); give it `max_tries=0`, since swaps do not check the caps here."""
    frozen = frozen or set()
    state = _State(event, [p if p.pair.key not in frozen else _pinned(p) for p in placements])
    deadline = time.monotonic() + seconds
    count = Counter(pid for p in state.meetings for pid in p.pair.people)
    met = {p.pair.key for p in state.meetings}
    for n, pair in enumerate(candidates):
        if n % 64 == 0 and time.monotonic() > deadline:
            break
        if pair.key in met or any(_full(event, pid, count) for pid in pair.people):
            continue
        slot, location = _free_slot(state, pair, within_hole_caps)
        if slot is None:
            slot, location = _make_room(state, pair, max_tries, price)
        if slot is not None:
            state.place(Placement(pair, slot, location))
            met.add(pair.key)
            for pid in pair.people:
                count[pid] += 1
    return _restore(state.meetings, placements, frozen)


def _full(event: Event, pid: ParticipantId, count: Counter[ParticipantId]) -> bool:
    cap = event.participants[pid].max_meetings
    return cap is not None and count[pid] >= cap


def _free_slot(state: _State, pair: Pair, within_hole_caps: bool = False) -> tuple[SlotIndex | None, str | None]:
    """The common free slot with a free table that adds the fewest holes (earliest on ties)."""
    best: tuple[int, SlotIndex, str | None] | None = None
    for slot in sorted(pair.slots):
        if (pair.a, slot) in state.at or (pair.b, slot) in state.at:
            continue
        location = state.location_free(pair, slot)
        if location is False:
            continue
        after = {pid: state.count_holes(state.slots_of[pid] | {slot}) for pid in pair.people}
        if within_hole_caps and not state.within_caps(after):
            continue
        cost = sum(h - state.holes.get(pid, 0) for pid, h in after.items())
        if best is None or cost < best[0]:
            best = (cost, slot, location)  # type: ignore[assignment]
            if cost < 0:
                break
    return (best[1], best[2]) if best else (None, None)


def _make_room(
    state: _State, pair: Pair, max_tries: int, price: MovePrice | None = None
) -> tuple[SlotIndex | None, str | None]:
    """Free one person in a slot where the other is free, by swapping a chain with a slot where
    the first is free."""
    tries = 0
    for x, y in ((pair.a, pair.b), (pair.b, pair.a)):
        free_x = [s for s in sorted(pair.slots) if (x, s) not in state.at]
        # y's meeting in s1 moves to s2: any slot where y is free, not only one the pair could use.
        free_y = [s for s in sorted(state.event.participants[y].available) if (y, s) not in state.at]
        for s1 in free_x:  # x is free in s1; y is busy there (else _free_slot would have found it)
            i = state.at.get((y, s1))
            if i is None or state.meetings[i].locked:
                continue
            for s2 in free_y:
                if s2 == s1:
                    continue
                tries += 1
                if tries > max_tries:
                    return None, None
                chain = state.chain(i, s1, s2)
                if chain is None or any(state.meetings[j].locked for j in chain):
                    continue
                if any(x in state.meetings[j].pair.people for j in chain):
                    continue  # the swap would make x busy in s1
                if (
                    price is not None
                    and sum(price(state.meetings[j], s2 if state.meetings[j].slot == s1 else s1) for j in chain)
                    >= pair.points
                ):
                    continue
                result = state.try_swap(chain, s1, s2, holes=False)
                if result is None:
                    continue
                state.apply(chain, s1, s2, {})
                location = state.location_free(pair, s1)
                if location is not False:
                    return s1, location  # type: ignore[return-value]
                state.apply(chain, s1, s2, {})  # no table left in s1: swap back
    return None, None


def cover_people(event: Event, placements: list[Placement], pairs: list[Pair]) -> list[Placement]:
    """Give a meeting to people who have none, never lowering points.

    For an uncovered person z and a partner x: add (x, z) in a common free slot, or let it take
    the place of one of x's meetings (x, y) that is worth no more and whose y keeps another
    meeting; so points never drop and nobody else is uncovered.
    """
    state = _State(event, placements)
    count = Counter(pid for p in state.meetings for pid in p.pair.people)
    by_person: dict[ParticipantId, list[Pair]] = defaultdict(list)
    for pair in pairs:
        for pid in pair.people:
            by_person[pid].append(pair)
    for z in sorted(pid for pid in by_person if count[pid] == 0):
        for pair in sorted(by_person[z], key=lambda p: (-p.points, p.key)):
            x = pair.b if pair.a == z else pair.a
            if not _full(event, x, count):
                slot, location = _free_slot(state, pair)
                if slot is not None:
                    state.place(Placement(pair, slot, location))
                    count[x] += 1
                    count[z] += 1
                    break
            if _replace_for(state, pair, x, z, count):
                count[z] += 1
                break
    return [p for p in state.meetings if p is not None]


def _replace_for(state: _State, pair: Pair, x: ParticipantId, z: ParticipantId, count: Counter[ParticipantId]) -> bool:
    for slot in sorted(state.slots_of[x]):
        i = state.at[(x, slot)]
        old = state.meetings[i]
        y = old.pair.b if old.pair.a == x else old.pair.a
        if old.locked or old.pair.points > pair.points or count[y] < 2:
            continue
        target = slot if slot in pair.slots and (z, slot) not in state.at else None
        if target is None:
            continue
        state.drop(i)
        location = state.location_free(pair, target)
        if location is False:
            state.undrop(i, old)
            continue
        state.place(Placement(pair, target, location))  # type: ignore[arg-type]
        count[y] -= 1
        return True
    return False


def enforce_hole_caps(event: Event, placements: list[Placement]) -> list[Placement]:
    """Drop the least valuable meetings until `max_holes` and the spread cap hold.

    Only a meeting at the end of a block (or alone) is dropped for the person over the cap, which
    never adds a hole for them. Among those, one that takes a hole away from them comes first,
    one that would push the partner over the cap last, and the least valuable before the others.
    Used when the organiser sets [fairness] caps in "maximise" mode; "all" mode models them.
    """
    if event.max_holes is None and event.max_hole_spread is None:
        return placements
    state = _State(event, placements)
    while True:
        present = [h for pid, h in state.holes.items() if state.slots_of[pid]]
        if not present:
            break
        cap = min(
            event.max_holes if event.max_holes is not None else len(event.slots),
            min(present) + (event.max_hole_spread if event.max_hole_spread is not None else len(event.slots)),
        )
        over = sorted(pid for pid, h in state.holes.items() if h > cap)
        if not over:
            break
        pid = over[0]
        options = []
        for slot in state.slots_of[pid]:
            i = state.at[(pid, slot)]
            if state.meetings[i].locked:
                continue
            after = {p: state.count_holes(state.slots_of[p] - {slot}) for p in state.meetings[i].pair.people}
            if after[pid] <= state.holes[pid]:
                no_progress = after[pid] == state.holes[pid]
                worse = any(h > max(cap, state.holes[p]) for p, h in after.items())
                options.append((no_progress, worse, state.meetings[i].pair.points, slot, i, after))
        if not options:
            break  # only locked meetings left to drop: nothing more this step can do
        *_, i, after = min(options)
        state.drop(i)
        for p, h in after.items():
            state.set_holes(p, h)
    return [p for p in state.meetings if p is not None]
