"""Table planning for a stored event (`scheduler.planning`), shared by the API and the organiser's page.

It runs in the web process, in a worker thread: unlike a solve it never starts CP-SAT (the short
solves are heuristics and one HiGHS LP at a time), and it takes about half a minute for 300
people, so it is answered directly rather than stored as a job: nothing is written, and the
organiser's page streams its progress. One planning at a time per server process, so that two
organisers cannot together take every core from the solves.
"""

from __future__ import annotations

import threading

from api import service
from api.storage import EventRow
from scheduler.planning import CapacityPlan, PlanOptions, PlanProgress, plan_capacity
from scheduler.results import StopCheck

BUSY_MESSAGE = "Another table planning is running on this server; try again in a minute."
_ONE_AT_A_TIME = threading.Lock()


class PlanningBusy(Exception):
    """A planning is already running in this process."""


def plan_event(
    row: EventRow,
    options: PlanOptions | None = None,
    progress: PlanProgress | None = None,
    should_stop: StopCheck | None = None,
) -> CapacityPlan:
    """Plan the tables of a stored event (see `scheduler.planning.plan_capacity`).

    Raises:
        PlanningBusy: another planning runs in this process.
        MatchdayError: the event cannot be planned ("all" mode), or `PlanStopped`.
    """
    event = service.load_event(row)
    if not _ONE_AT_A_TIME.acquire(blocking=False):
        raise PlanningBusy(BUSY_MESSAGE)
    try:
        return plan_capacity(event, options, progress, should_stop)
    finally:
        _ONE_AT_A_TIME.release()
