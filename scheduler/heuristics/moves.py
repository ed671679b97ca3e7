"""A proposed change to a schedule, priced before it is made: what the local search accepts or not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scheduler.domain import ParticipantId


@dataclass(frozen=True)
class Move:
    """A valid change (every hard rule checked) not yet applied.

    `delta` is its change in weighted holes, `changed` the new hole count of each person whose
    count it changes, `apply` makes it (and records those counts in the state), `gain` is its
    change in points (a move that changes who meets) and `empty` its change in the empty slots
    inside the changed people's holes: their length, which a move changes even when it closes
    no hole."""

    delta: int
    changed: dict[ParticipantId, int]
    apply: Callable[[], None]
    gain: int = 0
    empty: int = 0
