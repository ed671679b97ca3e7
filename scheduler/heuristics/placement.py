"""The names this module had before the heuristics shared one `ScheduleState`, kept for callers.

`Placement` and the state live in `state`, table labelling in `tables`; `Occupancy` is the
schedule state (its `busy`, `count`, `fixed`, `met`, `can_place`, `free_location` and `place`
are the state's).
"""

from __future__ import annotations

from scheduler.heuristics.state import Placement, ScheduleState
from scheduler.heuristics.tables import assign_tables

Occupancy = ScheduleState

__all__ = ["Occupancy", "Placement", "assign_tables"]
