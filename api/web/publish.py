"""Publishing and the version history: a version is a draft until the organiser publishes it; the
preview shows what changes for whom against what participants see now, and after publishing the
re-issued agendas of the people affected are offered, theirs only: publishing starts preparing them
in the background (`api.web.downloads`), and the published page follows them to their download."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api import service
from api.deps import SessionDep, SettingsDep
from api.prepared.rows import CHANGED_AGENDAS, NO_VERSION
from api.routes._common import MAX_VERSION, VersionQuery, commit
from api.storage import EventRow, ScheduleRow
from api.web import downloads
from api.web.deps import CSRF, WebEventDep
from api.web.pages import PAGE_HEADERS, render
from scheduler.diff import ScheduleDiff, diff_schedules
from scheduler.domain import Event
from scheduler.edits import NotFound
from scheduler.export.agenda import change_lines

router = APIRouter(include_in_schema=False)

Version = Annotated[int, Query(ge=1, le=MAX_VERSION)]


@dataclass(frozen=True)
class PersonChanges:
    id: str
    name: str
    organisation: str
    lines: tuple[str, ...]


def _version(session: SessionDep, row: EventRow, version: int | None) -> ScheduleRow:
    srow = service.schedule_row(session, row.id, version)
    if srow is None:
        detail = "There is no schedule yet: solve first." if version is None else f"There is no version {version}."
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=detail)
    return srow


def _people_changes(event: Event, diff: ScheduleDiff) -> list[PersonChanges]:
    out = []
    for pid in diff.people_affected:
        person = event.participants.get(pid)
        lines = change_lines(event, diff.for_person(pid), pid)
        out.append(PersonChanges(pid, person.name if person else pid, person.organisation if person else "", lines))
    return sorted(out, key=lambda p: p.name.casefold())


@router.get("/events/{event_id}/publish", response_class=HTMLResponse)
def publish_preview(
    row: WebEventDep, request: Request, session: SessionDep, version: VersionQuery = None
) -> HTMLResponse:
    """What publishing a version (the latest by default) changes, person by person."""
    event = service.load_event(row)
    srow = _version(session, row, version)
    published = service.published_row(session, row)
    diff = service.publication_diff(session, row, event, srow)
    return render(
        request,
        "publish.html",
        event=row,
        section="overview",
        version=srow,
        published=published,
        diff=diff,
        people=_people_changes(event, diff) if published is not None else [],
        everyone=len(diff.people_affected),
        done=False,
    )


@router.post("/events/{event_id}/publish", dependencies=CSRF)
def publish(
    row: WebEventDep, session: SessionDep, request: Request, settings: SettingsDep, version: VersionQuery = None
) -> Response:
    """Publish, and start preparing the agendas of the people affected (everyone's at the first)."""
    before = row.published_version
    try:
        srow = service.publish(session=session, row=row, version=version, by="browser")
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    commit(session)
    if before != srow.version:  # the same version again changes nobody's agenda
        asked = downloads.Asked(CHANGED_AGENDAS, srow.version, before or NO_VERSION)
        downloads.ask(request, session, row, settings, asked)
    since = f"&since={before}" if before else ""
    return RedirectResponse(
        f"/events/{row.id}/published?version={srow.version}{since}",
        status_code=status.HTTP_303_SEE_OTHER,
        headers=PAGE_HEADERS,
    )


def _published_diff(
    session: SessionDep, row: EventRow, event: Event, version: int, since: int | None
) -> tuple[ScheduleRow, ScheduleDiff]:
    srow = _version(session, row, version)
    new = service.parse_schedule(event, srow)
    old = service.parse_schedule(event, _version(session, row, since)) if since else type(new).of([])
    return srow, diff_schedules(event, old, new)


@router.get("/events/{event_id}/published", response_class=HTMLResponse)
def published_page(
    row: WebEventDep,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    version: Version,
    since: VersionQuery = None,
) -> HTMLResponse:
    """After publishing: who is affected, and their re-issued agendas only (being prepared, then the download)."""
    event = service.load_event(row)
    srow, diff = _published_diff(session, row, event, version, since)
    asked = downloads.Asked(CHANGED_AGENDAS, srow.version, since or NO_VERSION)
    return render(
        request,
        "publish.html",
        **downloads.progress_context(session, row, request, settings, asked),
        event=row,
        section="overview",
        version=srow,
        published=srow,
        since=since,
        diff=diff,
        people=_people_changes(event, diff) if since else [],
        everyone=len(diff.people_affected),
        done=True,
    )


# Their re-issued agendas (changed-agendas.pdf) are prepared away from the request: api/web/downloads.py.


# --- the history ------------------------------------------------------------------------------


@router.get("/events/{event_id}/versions", response_class=HTMLResponse)
def versions(row: WebEventDep, request: Request, session: SessionDep) -> HTMLResponse:
    """Every version, newest first: what made it, who, when, its figures, and whether it is published."""
    rows = list(reversed(service.schedule_rows(session, row.id)))
    return render(request, "versions.html", event=row, section="versions", versions=rows)
