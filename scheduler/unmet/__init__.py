"""Why a wished pair did not meet: one reason per unmet wish, for the CLI, the API and the pages.

    from scheduler.unmet import explain_unmet

    for u in explain_unmet(event, schedule):
        print(u.requester, u.target, u.reason, u.detail)

- `explain`: the reasons (`REASONS`, most specific first) and `explain_unmet`;
- `scene`: the schedule and every wished pair as the reasons read them;
- `search`: the cheapest change found behind a `busy` wish;
- `words`: names, times and blockers in words;
- `files`: unmet.csv and the report's counts.
"""

from scheduler.unmet.explain import REASONS, UnmetWish, describe_change, explain_unmet
from scheduler.unmet.files import UNMET_COLUMNS, reason_counts, unmet_as_dict, write_unmet_csv
from scheduler.unmet.search import Change, ChangeSearch, Move
from scheduler.unmet.words import BLOCKER_SEPARATOR

__all__ = [
    "BLOCKER_SEPARATOR",
    "REASONS",
    "UNMET_COLUMNS",
    "Change",
    "ChangeSearch",
    "Move",
    "UnmetWish",
    "describe_change",
    "explain_unmet",
    "reason_counts",
    "unmet_as_dict",
    "write_unmet_csv",
]
