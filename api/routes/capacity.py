"""Table planning before the day: how many shared tables the event needs (`scheduler.planning`).

A synchronous call: it takes about half a minute for 300 people (at most a minute), and stores
nothing, so it is answered directly instead of as a background job, whose rows, progress and
"a solve is running" lock all mean a schedule solve. Clients should allow a 90-second timeout.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.capacity import PlanningBusy, plan_event
from api.deps import EventDep
from api.routes._common import no_store
from scheduler.planning import PlanOptions
from scheduler.problems import MatchdayError

router = APIRouter(prefix="/api/events/{event_id}", tags=["planning"], dependencies=[Depends(no_store)])


class CapacityRequest(BaseModel):
    solve_seconds: float = Field(2.0, gt=0, le=10, description="Time limit of each short heuristic solve.")
    slot_variants: bool = Field(True, description="Also plan one slot fewer and one slot more a day.")


class CapacityRowPublic(BaseModel):
    tables: int = Field(description="Shared tables (booths are not counted and never change).")
    slot_change: int = Field(description="0: the event's slots; -1 / +1: one slot fewer / more a day.")
    slots: int = Field(description="Slots of the whole event on this grid.")
    bound: int = Field(description="Proven upper bound on points with this many tables.")
    points: int | None = Field(description="Points of the best schedule found (short heuristic solves).")
    meetings: int | None
    people_without_meeting: int | None = Field(description="People with a possible wished pair and no meeting.")
    share: float | None = Field(description="points / reference_points.")


class CapacityPlanPublic(BaseModel):
    current: int = Field(description="The event's shared tables now.")
    unlimited: int = Field(description="More shared tables than this can never be used at once.")
    reference_points: int = Field(description="The best points found with unlimited tables.")
    target: float = Field(description="The share of reference_points the recommendation reaches.")
    recommended: int = Field(description="The smallest table count whose schedule reaches goal_points.")
    goal_points: float = Field(description="target x the proven bound with unlimited tables, at most reference_points.")
    rows: list[CapacityRowPublic] = Field(description="The event's slots, by table count.")
    slot_rows: list[CapacityRowPublic] = Field(description="One slot fewer / more a day.")
    seconds: float


@router.post(
    "/capacity",
    response_model=CapacityPlanPublic,
    responses={
        409: {"description": "Another planning runs on this server."},
        422: {"description": 'Bad options, or an "all" mode event (planning compares points).'},
    },
)
async def plan_capacity(row: EventDep, body: Annotated[CapacityRequest | None, Body()] = None) -> dict[str, Any]:
    """How many shared tables the event needs: points, meetings and people without a meeting for a
    range of table counts (and one slot fewer or more a day), and the smallest count reaching 99 %
    of the points of unlimited tables. Takes up to a minute (about 30 s for 300 people); stores nothing."""
    body = body or CapacityRequest()
    options = PlanOptions(seconds_per_solve=body.solve_seconds, slot_variants=body.slot_variants)
    try:
        plan = await run_in_threadpool(plan_event, row, options)
    except PlanningBusy as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    except MatchdayError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
    return plan.as_dict()
