"""The trade behind a `busy` wish: the cheapest change found that would let the pair meet.

At each common slot the pair's way is blocked by one or two meetings (one of each side). Each
blocker either moves to another slot its own pair may use (both free, a table free there, inside
their availability and windows) or is cancelled; then the pair meets in the freed slot. The cost
is the points of the cancelled meetings less the points the pair earns; a move costs no points
but changes two agendas. Locked meetings and meetings before the re-plan cut-off never change.
The [fairness] hole caps must hold afterwards (`Scene.caps_allow`), and the change's tables are
concrete, so that applying it gives a schedule the checker accepts.

This is a short, local search: one slot of the pair, at most one step per blocker. A change
that needs a longer chain is not found, and the words say "found", never "possible".
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import chain, product

from scheduler.candidates import SHARED, Pair
from scheduler.domain import Meeting, ParticipantId, Schedule, SlotIndex
from scheduler.unmet.scene import Scene


@dataclass(frozen=True)
class Move:
    meeting: Meeting
    slot: SlotIndex
    table: str


@dataclass(frozen=True)
class Change:
    """Move `moves`, cancel `drops`, then the pair meets at `slot`, table `table`."""

    a: ParticipantId
    b: ParticipantId
    slot: SlotIndex
    table: str
    moves: tuple[Move, ...]
    drops: tuple[Meeting, ...]
    gained: int  # the pair's points
    lost: int  # the cancelled meetings' points

    @property
    def net(self) -> int:
        return self.gained - self.lost

    def apply(self, schedule: Schedule) -> Schedule:
        """`schedule` with the change made (for checking it)."""
        gone = {(m.slot, m.a, m.b) for m in (*self.drops, *(mv.meeting for mv in self.moves))}
        kept = [m for m in schedule.meetings if (m.slot, m.a, m.b) not in gone]
        moved = [Meeting(mv.slot, mv.table, mv.meeting.a, mv.meeting.b) for mv in self.moves]
        return Schedule.of([*kept, *moved, Meeting(self.slot, self.table, self.a, self.b)])


MOVES_PER_BLOCKER = 4  # the first free slots a blocker may move to that are tried; then cancelling it

# One blocker's step: ("move", slot, table) or ("drop", cost).
_Step = tuple[str, int, str]


class ChangeSearch:
    """Finds changes for many pairs over one scene, remembering each blocker's possible moves."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self._moves: dict[int, list[tuple[SlotIndex, str]]] = {}

    def cheapest(self, pair: Pair) -> Change | None:
        """The best change over the pair's slots: most points, then fewest changes, then earliest.

        Slots are tried in the order of a bound on their rank (a blocker that can move somewhere
        might cost nothing, one that cannot costs at least its points), and the search stops at
        the first slot whose bound cannot beat the best change found.
        """
        state = self.scene.state
        bounds: list[tuple[tuple[int, int, SlotIndex], list[int]]] = []
        for slot in pair.slots:
            blockers = sorted({state.at[(p, slot)] for p in pair.people if (p, slot) in state.at})
            if not blockers or any(state.meetings[i].locked for i in blockers):
                continue
            least = sum(0 if self._free_moves(i) else state.meetings[i].pair.points for i in blockers)
            bounds.append(((least - pair.points, len(blockers), slot), blockers))
        best: tuple[tuple[int, int, SlotIndex], Change] | None = None
        for bound, blockers in sorted(bounds):
            if best is not None and bound >= best[0]:
                break
            change = self._at(pair, bound[2], blockers)
            if change is not None:
                rank = (-change.net, len(blockers), bound[2])
                if best is None or rank < best[0]:
                    best = (rank, change)
        return None if best is None else best[1]

    def _at(self, pair: Pair, slot: SlotIndex, blockers: list[int]) -> Change | None:
        options = [self._steps(i) for i in blockers]
        for steps in sorted(product(*options), key=_cost):
            change = self._try(pair, slot, blockers, steps)
            if change is not None:
                return change
        return None

    def _steps(self, i: int) -> list[_Step]:
        """Moves of meeting `i` (cheapest first: they cost no points), then cancelling it."""
        p = self.scene.state.meetings[i]
        moves: list[_Step] = [("move", s, t) for s, t in self._free_moves(i)]
        return [*moves, ("drop", p.pair.points, "")]

    def _free_moves(self, i: int) -> list[tuple[SlotIndex, str]]:
        """The first few other slots (`MOVES_PER_BLOCKER`) meeting `i` could move to as things
        stand, each with a free table there."""
        if i not in self._moves:
            scene, state = self.scene, self.scene.state
            p = state.meetings[i]
            out: list[tuple[SlotIndex, str]] = []
            if scene.live(p.pair.key):
                for s in sorted(p.pair.slots - {p.slot}):
                    if any((pid, s) in state.at for pid in p.pair.people):
                        continue
                    table = _free_table(scene, p.pair, s, set())
                    if table is not None:
                        out.append((s, table))
                        if len(out) == MOVES_PER_BLOCKER:
                            break
            self._moves[i] = out
        return self._moves[i]

    def _try(self, pair: Pair, slot: SlotIndex, blockers: list[int], steps: tuple[_Step, ...]) -> Change | None:
        scene, state = self.scene, self.scene.state
        taken: dict[SlotIndex, set[str]] = {}  # tables the change itself takes, per slot
        freed: set[str] = set()  # tables the blockers leave free at `slot`
        moves: list[Move] = []
        drops: list[Meeting] = []
        changes: dict[ParticipantId, tuple[set[SlotIndex], set[SlotIndex]]] = {}
        for i, (kind, value, table) in zip(blockers, steps, strict=True):
            m = scene.meetings[i]
            freed.add(m.table)
            for pid in (m.a, m.b):
                changes[pid] = ({slot}, set())
            if kind == "move":
                if table in taken.get(value, set()):
                    other = _free_table(scene, state.meetings[i].pair, value, taken.get(value, set()))
                    if other is None:
                        return None
                    table = other
                taken.setdefault(value, set()).add(table)
                moves.append(Move(m, value, table))
                for pid in (m.a, m.b):
                    changes[pid] = ({slot}, {value})
            else:
                drops.append(m)
        for pid in pair.people:
            gone, new = changes.get(pid, (set(), set()))
            changes[pid] = (gone - {slot}, new | {slot}) if slot in gone else (gone, new | {slot})
        here = _free_table(scene, pair, slot, taken.get(slot, set()), freed)
        if here is None or not scene.caps_allow(changes):
            return None
        lost = sum(value for kind, value, _ in steps if kind == "drop")
        return Change(pair.a, pair.b, slot, here, tuple(moves), tuple(drops), pair.points, lost)


def _cost(steps: tuple[_Step, ...]) -> tuple[int, int]:
    """Points lost, then how many meetings are cancelled."""
    drops = [value for kind, value, _ in steps if kind == "drop"]
    return sum(drops), len(drops)


def _free_table(
    scene: Scene, pair: Pair, slot: SlotIndex, taken: AbstractSet[str], freed: AbstractSet[str] = frozenset()
) -> str | None:
    """A table the pair may use at `slot`: one in `freed` (left by a meeting that goes), or a shared
    one or one of its booths not in use then; never one in `taken`."""
    labels: Iterable[str]
    if pair.locations == (SHARED,):
        labels = chain(sorted(freed & scene.shared_labels), scene.free_shared(slot))
    else:
        used = scene.labels.get(slot, set())
        labels = (str(loc) for loc in pair.locations if loc not in used or loc in freed)
    return next((t for t in labels if t not in taken), None)
