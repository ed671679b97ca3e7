"""Why wished pairs did not meet: one reason per unmet wish of a schedule version, for the whole
event and for one person (`scheduler.unmet`; the same rows as `solve --unmet`).

The reasons are computed from the stored event and version, with the version's re-plan cut-off
when it has one, once per version per process (`api.unmet`, shared with the organiser's pages).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field

from api import service
from api import unmet as reasons
from api.deps import EventDep, SessionDep
from api.routes._common import VersionQuery, current_schedule, no_store
from api.schemas import PersonRef
from api.storage import EventRow, ScheduleRow
from scheduler.domain import Event
from scheduler.unmet import REASONS, UnmetWish, reason_counts

router = APIRouter(prefix="/api/events/{event_id}", tags=["unmet"], dependencies=[Depends(no_store)])

_REASONS_TEXT = ", ".join(f"`{r}`" for r in REASONS)


class UnmetWishPublic(BaseModel):
    """One wish whose pair does not meet, and why (docs/formats.md, "Unmet wishes")."""

    requester: PersonRef
    target: PersonRef
    priority: int
    mutual: bool = Field(description="Whether the target asked for the requester too.")
    reason: str = Field(description=f"The first true of, most specific first: {_REASONS_TEXT}.")
    detail: str = Field(description="The reason in a sentence for the organiser, with names and times.")
    blockers: list[str] = Field(
        description="What stands in the way: ids, slots (`YYYY-MM-DD #N HH:MM`) or meetings "
        "(`A with B at YYYY-MM-DD #N HH:MM`), as the reason says."
    )


class UnmetPublic(BaseModel):
    event_id: str
    version: int
    cutoff: dt.datetime | None = Field(
        None, description="The version's re-plan cut-off (local time of the event): earlier slots are past."
    )
    counts: dict[str, int] = Field(description="Unmet wishes per reason, every reason listed.")
    unmet: list[UnmetWishPublic] = Field(description="One per unmet wish, in wishes.csv order.")


class PersonUnmetPublic(BaseModel):
    event_id: str
    version: int
    participant: PersonRef
    asked: list[UnmetWishPublic] = Field(description="The person's own wishes that were not met.")
    asked_by: list[UnmetWishPublic] = Field(description="Others' wishes to meet this person that were not met.")


def version_unmet(
    session: SessionDep, row: EventRow, version: int | None
) -> tuple[Event, ScheduleRow, tuple[UnmetWish, ...]]:
    """The event, the stored version and its unmet wishes (404 when there is no such version)."""
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None and schedule is not None
    return event, srow, reasons.version_unmet(event, srow, schedule)


def _person(event: Event, pid: str) -> PersonRef:
    p = event.participants.get(pid)
    return PersonRef(id=pid, name=p.name if p is not None else "")


def unmet_public(event: Event, u: UnmetWish) -> UnmetWishPublic:
    fields: dict[str, Any] = {
        "requester": _person(event, u.requester),
        "target": _person(event, u.target),
        "priority": u.priority,
        "mutual": u.mutual,
        "reason": u.reason,
        "detail": u.detail,
        "blockers": list(u.blockers),
    }
    return UnmetWishPublic(**fields)


# --- routes --------------------------------------------------------------------------------------


@router.get("/unmet", response_model=UnmetPublic, responses={404: {"description": "No such schedule version."}})
def read_unmet(row: EventDep, session: SessionDep, version: VersionQuery = None) -> UnmetPublic:
    """Every wish whose pair does not meet in the schedule (the latest version by default), with the
    reason, in words, and what stands in the way; for a `busy` one the detail names the cheapest
    change a short search found that would let them meet."""
    event, srow, unmet = version_unmet(session, row, version)
    return UnmetPublic(
        event_id=row.id,
        version=srow.version,
        cutoff=reasons.cutoff_of(srow),
        counts=reason_counts(unmet),
        unmet=[unmet_public(event, u) for u in unmet],
    )


@router.get(
    "/participants/{participant_id}/unmet",
    response_model=PersonUnmetPublic,
    responses={404: {"description": "No such participant, or no such schedule version."}},
)
def read_person_unmet(
    row: EventDep, participant_id: str, session: SessionDep, version: VersionQuery = None
) -> PersonUnmetPublic:
    """One person's unmet wishes: those they made (`asked`) and those others made to meet them
    (`asked_by`)."""
    if participant_id not in service.load_event(row).participants:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Participant not found")
    event, srow, unmet = version_unmet(session, row, version)
    return PersonUnmetPublic(
        event_id=row.id,
        version=srow.version,
        participant=_person(event, participant_id),
        asked=[unmet_public(event, u) for u in unmet if u.requester == participant_id],
        asked_by=[unmet_public(event, u) for u in unmet if u.target == participant_id],
    )
