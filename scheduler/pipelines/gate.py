"""The gate every schedule passes before it leaves the library: the independent checker.

The solver and the checker share no code (`scheduler.check` imports only the domain types), so a
bug in a heuristic or in the model shows up here as a broken hard rule rather than in
participants' agendas.
"""

from __future__ import annotations

import datetime as dt

from scheduler.check.checker import check_schedule
from scheduler.domain import Event
from scheduler.problems import InvalidScheduleError
from scheduler.results import SolveResult


def gate(event: Event, result: SolveResult, history_before: dt.datetime | None = None) -> SolveResult:
    """`result` unchanged when its schedule obeys every hard rule of `event`.

    Meetings that started before `history_before` (a re-solve's cut-off) are judged as history,
    as `check_schedule` does.

    Raises:
        InvalidScheduleError: the schedule breaks a hard rule (a bug); it carries the violations.
    """
    violations = check_schedule(event, result.schedule, history_before=history_before)
    if violations:
        raise InvalidScheduleError(violations, result.schedule)
    return result
