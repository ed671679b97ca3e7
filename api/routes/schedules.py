"""Schedules: the latest (or any kept) version as JSON or schedule.csv, its statistics, the versions.

Every solve, repair and hand edit stores a new version; none is ever overwritten, so each stays
downloadable (`/schedules/{version}`, `/schedules/{version}.csv`) exactly as it was stored: the
schedule.csv text kept with it, names, mutual and points as they were then, whatever changed since.
The list of versions says what made each one, against which version, and what changed (for a
repair: what it bought).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Response, status

from api import service
from api.deps import EventDep, SessionDep
from api.routes._common import (
    MAX_VERSION,
    NO_SCHEDULE,
    NO_STORE,
    Responses,
    VersionQuery,
    commit,
    current_schedule,
    disposition,
    no_store,
    stored_version,
)
from api.schemas import (
    ChangeSummary,
    DistributionPublic,
    EditPublic,
    HostMoving,
    MeetingPublic,
    PersonRef,
    PublishRequest,
    PublishResult,
    RepairReport,
    SchedulePublic,
    ScheduleVersionPublic,
    ShortOfMinimumPublic,
    StatsPublic,
    TableChangesPublic,
    TableUse,
)
from api.storage import EventRow, ScheduleRow
from scheduler import edits
from scheduler.domain import Event, Schedule
from scheduler.export.filenames import file_name
from scheduler.export.meetings import meeting_rows
from scheduler.export.tables import table_use
from scheduler.report import schedule_stats
from scheduler.results import TableChanges, relative_gap

router = APIRouter(prefix="/api/events/{event_id}", tags=["schedules"], dependencies=[Depends(no_store)])

VersionPath = Annotated[int, Path(ge=1, le=MAX_VERSION, description="A kept version (1 is the first).")]


def change_summary(result: dict[str, Any]) -> ChangeSummary | None:
    changes = result.get("changes")
    return ChangeSummary(**changes) if changes else None


def repair_report(result: dict[str, Any]) -> RepairReport | None:
    repair = result.get("repair")
    return RepairReport(**repair) if repair else None


def _version_fields(srow: ScheduleRow) -> dict[str, Any]:
    """What every view of a schedule version says about where it came from."""
    result = srow.result or {}
    return {
        "version": srow.version,
        "kind": result.get("kind", "solve"),
        "based_on": result.get("based_on"),
        "event_revision": result.get("event_revision", 1),
        "job_id": srow.job_id,
        "created_at": srow.created_at,
    }


def version_public(srow: ScheduleRow) -> ScheduleVersionPublic:
    result = srow.result or {}
    stats = result.get("stats", {})
    edit = result.get("edit")
    return ScheduleVersionPublic(
        **_version_fields(srow),
        meetings=stats.get("meetings", srow.csv.count("\n") - 1),
        points=stats.get("points"),
        mutual_meetings=stats.get("mutual_meetings"),
        holes=stats.get("holes"),
        bound=srow.bound,
        optimal=srow.optimal,
        cutoff=result.get("cutoff"),
        changes=change_summary(result),
        repair=repair_report(result),
        edit=EditPublic(**edit) if edit else None,
        warnings=result.get("warnings") or [],
        by=result.get("by", "api"),
        published_at=srow.published_at,
        published_by=srow.published_by,
    )


def meetings_public(event: Event, schedule: Schedule) -> list[MeetingPublic]:
    return [MeetingPublic.model_validate(dataclasses.asdict(m)) for m in meeting_rows(event, schedule)]


def stored_meetings(srow: ScheduleRow) -> list[MeetingPublic]:
    """The meetings of a version from its stored schedule.csv, whose columns are MeetingPublic's."""
    out = []
    for rec in csv.DictReader(io.StringIO(srow.csv)):
        flags = {"mutual": rec["mutual"] == "yes", "locked": rec["locked"] == "yes"}
        out.append(MeetingPublic.model_validate(rec | flags))
    return out


def _schedule_public(row: EventRow, session: SessionDep, version: int | None) -> SchedulePublic:
    srow = stored_version(session, row, version)
    meetings = stored_meetings(srow)
    points = sum(m.points for m in meetings)
    return SchedulePublic(
        event_id=row.id,
        **_version_fields(srow),
        meetings=meetings,
        points=points,
        bound=srow.bound,
        gap=relative_gap(points, srow.bound),
        optimal=srow.optimal,
    )


def _schedule_csv(row: EventRow, session: SessionDep, version: int | None) -> Response:
    srow = stored_version(session, row, version)
    return Response(
        srow.csv,
        media_type="text/csv; charset=utf-8",
        headers=disposition(file_name(row.name, "schedule", f"v{srow.version}", ext="csv")) | NO_STORE,
    )


_CSV: Responses = {200: {"content": {"text/csv": {}}, "description": "schedule.csv as in formats.md."}}


@router.get("/schedule", response_model=SchedulePublic, responses={404: {"description": "No schedule yet."}})
def read_schedule(row: EventDep, session: SessionDep, version: VersionQuery = None) -> SchedulePublic:
    """The schedule as JSON: one entry per meeting, sorted by day, slot and table."""
    return _schedule_public(row, session, version)


@router.get("/schedule.csv", response_class=Response, responses=_CSV)
def read_schedule_csv(row: EventDep, session: SessionDep, version: VersionQuery = None) -> Response:
    """The schedule in the schedule.csv format (formats.md), ready for a spreadsheet or a re-solve."""
    return _schedule_csv(row, session, version)


@router.get("/schedules", response_model=list[ScheduleVersionPublic])
def list_schedule_versions(row: EventDep, session: SessionDep) -> list[ScheduleVersionPublic]:
    """Every kept version of the schedule, oldest first: what made it (solve, repair, cancel, move,
    pin), from which version, its figures, what changed and, for a repair, what it bought."""
    return [version_public(srow) for srow in service.schedule_rows(session, row.id)]


# Declared before "/schedules/{version}", which would otherwise take "3.csv" for a version.
@router.get(
    "/schedules/{version}.csv",
    response_class=Response,
    responses=_CSV | {404: {"description": "No such version."}},
)
def read_schedule_version_csv(row: EventDep, session: SessionDep, version: VersionPath) -> Response:
    """One kept version in the schedule.csv format."""
    return _schedule_csv(row, session, version)


@router.get(
    "/schedules/{version}",
    response_model=SchedulePublic,
    responses={404: {"description": "No such version."}},
)
def read_schedule_version(row: EventDep, session: SessionDep, version: VersionPath) -> SchedulePublic:
    """One kept version as JSON (the same as GET /schedule?version=…)."""
    return _schedule_public(row, session, version)


@router.post(
    "/publish", response_model=PublishResult, responses={404: {"description": "No schedule yet, or no such version."}}
)
def publish_version(row: EventDep, session: SessionDep, body: PublishRequest | None = None) -> PublishResult:
    """Publish a version (the latest by default): participants' links show it from now on, and
    their agendas say what changed since the version published before. Until then every solve
    and edit is a draft that only the organiser sees."""
    event = service.load_event(row)
    before = row.published_version
    try:
        srow = service.schedule_row(session, row.id, body.version if body else None)
        if srow is None:
            raise edits.NotFound(NO_SCHEDULE if body is None or body.version is None else "Schedule version not found")
        diff = service.publication_diff(session, row, event, srow)
        service.publish(session=session, row=row, version=srow.version, by="api")
    except edits.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    commit(session)
    assert srow.published_at is not None
    return PublishResult(
        version=srow.version,
        previous_version=before,
        published_at=srow.published_at,
        changes=ChangeSummary(**diff.summary, people_affected=len(diff.people_affected)),
        people_affected=[
            PersonRef(id=p, name=event.participants[p].name if p in event.participants else p)
            for p in diff.people_affected
        ],
    )


@router.get("/stats", response_model=StatsPublic, responses={404: {"description": "No schedule yet."}})
def read_stats(row: EventDep, session: SessionDep, version: VersionQuery = None) -> StatsPublic:
    """Meetings, mutual meetings, points, bound and gap, holes, people left out and use of each table."""
    event, srow, schedule = current_schedule(session, row, version)
    assert srow is not None and schedule is not None
    stats = schedule_stats(event, schedule)
    use = [TableUse.model_validate(dataclasses.asdict(u)) for u in table_use(event, schedule)]
    result = srow.result or {}
    return StatsPublic(
        version=srow.version,
        meetings=stats.meetings,
        mutual_meetings=stats.mutual_meetings,
        points=stats.points,
        bound=srow.bound,
        gap=relative_gap(stats.points, srow.bound),
        optimal=srow.optimal,
        holes=stats.holes,
        max_holes_per_person=stats.max_holes_per_person,
        people_left_out=[
            PersonRef(id=pid, name=event.participants[pid].name)
            for pid in stats.people_without_meeting
            if pid in event.participants
        ],
        wished_pairs=stats.wished_pairs,
        table_use=use,
        distribution=DistributionPublic(**stats.distribution.as_dict()),
        min_meetings=stats.min_meetings,
        below_minimum=[
            ShortOfMinimumPublic(
                person=PersonRef(id=s.person, name=event.participants[s.person].name),
                meetings=s.meetings,
                reason=s.reason,
                detail=s.detail,
            )
            for s in stats.below_minimum
            if s.person in event.participants
        ],
        solve={k: result.get(k) for k in ("parameters", "version", "finished_at", "objective", "warnings")}
        | {"seconds": srow.seconds, "cutoff": result.get("cutoff")},
        kind=result.get("kind", "solve"),
        based_on=result.get("based_on"),
        changes=change_summary(result),
        repair=repair_report(result),
        table_changes=table_changes_public(event, stats.table_changes),
    )


def table_changes_public(event: Event, changes: TableChanges) -> TableChangesPublic:
    """The table-change figures, hosts named."""
    figures = changes.as_dict() | {"share": changes.share, "mean_per_person": changes.mean_per_person}
    figures["hosts_moving"] = [
        HostMoving(id=pid, name=event.participants[pid].name, changes=n) for pid, n in changes.hosts_moving.items()
    ]
    return TableChangesPublic(**figures)
