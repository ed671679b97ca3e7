"""The names this module had before it was split, kept for callers: Kempe moves are in `kempe`,
the local search in `local_search`, insertion in `insertion`, `cover_people` in `cover` and the
hole caps in `hole_caps`."""

from __future__ import annotations

from scheduler.heuristics.cover import cover_people
from scheduler.heuristics.hole_caps import OVER_CAP_WEIGHT, enforce_hole_caps
from scheduler.heuristics.insertion import MovePrice, insert_pairs
from scheduler.heuristics.local_search import KICK_SWAPS, STALL_MOVES, reduce_holes

__all__ = [
    "KICK_SWAPS",
    "OVER_CAP_WEIGHT",
    "STALL_MOVES",
    "MovePrice",
    "cover_people",
    "enforce_hole_caps",
    "insert_pairs",
    "reduce_holes",
]
