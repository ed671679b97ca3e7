"""Heuristics that run at any size, one module per idea, all on one schedule state:

- `selection`: the LP of "who meets" (a proven bound, and the pairs to place);
- `state`: `ScheduleState`, who is busy when and which tables are taken (`Placement`s);
- `rules`: each hard rule once, as a small unit the state, every move and the pipelines' locked
  rows ask (`why_not` says which rule keeps a meeting out, `why_not_at` also checks its table);
- `greedy`: first-come-first-served (the baseline) and mutual-first (the warm start);
- `kempe`: Kempe-chain slot swaps; `insertion`: add pairs, making room with a swap;
- `local_search`: remove holes keeping who meets; `cover`: a meeting for everybody;
- `hole_caps`: the [fairness] caps; `tables`: table labels at the end.
"""

from scheduler.heuristics.cover import cover_people
from scheduler.heuristics.greedy import first_come_first_served, mutual_first
from scheduler.heuristics.hole_caps import enforce_hole_caps
from scheduler.heuristics.insertion import MovePrice, insert_pairs
from scheduler.heuristics.local_search import reduce_holes
from scheduler.heuristics.rules import HARD_RULES, free_location, why_not, why_not_at
from scheduler.heuristics.selection import counting_limits, selection_lp
from scheduler.heuristics.state import Placement, ScheduleState
from scheduler.heuristics.tables import assign_tables

__all__ = [
    "HARD_RULES",
    "MovePrice",
    "Placement",
    "ScheduleState",
    "assign_tables",
    "counting_limits",
    "cover_people",
    "enforce_hole_caps",
    "first_come_first_served",
    "free_location",
    "insert_pairs",
    "mutual_first",
    "reduce_holes",
    "selection_lp",
    "why_not",
    "why_not_at",
]
