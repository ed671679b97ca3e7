"""What changed between two schedule versions, per meeting and per person, and the agendas to
re-issue: only the people affected get a new agenda (with their private links in the diff), and
their calendar files update in place (`calendar.py`: a changed meeting's SEQUENCE increases,
a dropped one comes as CANCELLED)."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from api import service
from api.deps import EventDep, SecretDep, SessionDep, SettingsDep
from api.prepared.rows import CHANGED_AGENDAS
from api.routes._common import MAX_VERSION, NO_STORE, Responses, agenda_links, current_schedule, disposition, no_store
from api.routes._prepared import PREPARING, file_or_follow, version_pair
from api.schemas import AffectedPerson, ChangeSummary, DiffPublic, MeetingChangePublic
from api.settings import Settings
from api.storage import EventRow, ParticipantRow
from scheduler.diff import ScheduleDiff, diff_as_dict, diff_schedules, diff_to_csv
from scheduler.domain import Event, Schedule
from scheduler.export.filenames import file_name
from scheduler.io.codec import spreadsheet_cell

router = APIRouter(prefix="/api/events/{event_id}", tags=["diffs"], dependencies=[Depends(no_store)])

FromQuery = Annotated[
    int | None,
    Query(alias="from", ge=1, le=MAX_VERSION, description="The older version; by default the one before `to`."),
]
ToQuery = Annotated[
    int | None, Query(alias="to", ge=1, le=MAX_VERSION, description="The newer version; by default the latest.")
]
_CSV: Responses = {200: {"content": {"text/csv": {}}, "description": "One row per person and change."}}
_PDF: Responses = {200: {"content": {"application/pdf": {}}, "description": "A PDF document."}}
_NOT_FOUND: Responses = {404: {"description": "A version does not exist, or there is only one."}}


def _versions(
    session: SessionDep, row: EventRow, old: int | None, new: int | None
) -> tuple[Event, int, int, ScheduleDiff, Schedule]:
    old_v, new_v = version_pair(session, row, old, new)
    event, _, from_schedule = current_schedule(session, row, old_v)
    _, _, to_schedule = current_schedule(session, row, new_v)
    assert from_schedule is not None and to_schedule is not None
    return event, old_v, new_v, diff_schedules(event, from_schedule, to_schedule), to_schedule


def _people(session: SessionDep, row: EventRow) -> dict[str, ParticipantRow]:
    return {p.pid: p for p in service.participants_of(session, row.id)}


def _links(request: Request, settings: Settings, secret: str, p: ParticipantRow) -> dict[str, str]:
    return agenda_links(request, settings, service.agenda_token(secret=secret, participant=p))


@router.get("/diff", response_model=DiffPublic, responses=_NOT_FOUND)
def read_diff(
    row: EventDep,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    request: Request,
    old: FromQuery = None,
    new: ToQuery = None,
) -> DiffPublic:
    """Changes between two versions (by default the latest two): per meeting, and per affected
    person the meetings added, cancelled and moved (old → new day, slot and table) with the
    links of their re-issued agenda. Send the new agenda to these people only."""
    event, old_v, new_v, diff, _ = _versions(session, row, old, new)
    data = diff_as_dict(event, diff)
    people = _people(session, row)
    affected = []
    for entry in data["people"]:
        p = people[entry["id"]]
        links = _links(request, settings, secret, p)
        affected.append(
            AffectedPerson(
                **entry,
                email=p.email,
                status=p.status,
                agenda_url=links["html"],
                agenda_pdf_url=links["pdf"],
                agenda_ics_url=links["ics"],
            )
        )
    return DiffPublic(
        event_id=row.id,
        from_version=old_v,
        to_version=new_v,
        summary=ChangeSummary(**data["summary"], people_affected=len(diff.people_affected)),
        people_affected=data["people_affected"],
        meetings=[MeetingChangePublic(**m) for m in data["meetings"]],
        people=affected,
        generator=data["generator"],
    )


@router.get(
    "/diff.csv",
    response_class=Response,
    responses=_CSV | _NOT_FOUND,
)
def read_diff_csv(
    row: EventDep,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    request: Request,
    old: FromQuery = None,
    new: ToQuery = None,
) -> Response:
    """The same diff as CSV, one row per (person, change), with each person's e-mail and agenda
    link at the end of the row, ready for a mail merge."""
    event, old_v, new_v, diff, _ = _versions(session, row, old, new)
    people = _people(session, row)
    rows = list(csv.reader(io.StringIO(diff_to_csv(event, diff))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rows[0], "email", "agenda_url"])
    for record in rows[1:]:
        p = people[record[0]]
        link = _links(request, settings, secret, p)["html"]
        writer.writerow([*record, spreadsheet_cell(p.email), spreadsheet_cell(link)])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=disposition(file_name(row.name, "changes", f"v{old_v}", f"v{new_v}", ext="csv")) | NO_STORE,
    )


@router.get(
    "/diff/agendas.pdf",
    response_class=Response,
    responses=_PDF | PREPARING | _NOT_FOUND,
)
def affected_agendas_pdf(
    row: EventDep,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
    old: FromQuery = None,
    new: ToQuery = None,
) -> Response:
    """The re-issued agendas (of the newer version) of the people affected only, one sheet per person
    and day, each headed by what changed for that person and with the person's private link as a QR code.

    Rendered once per pair of versions away from the request, as everyone's agendas are (a change can
    touch most people): the PDF when it is ready or gets ready within a few seconds, else 202 with
    where to follow it (`Location`: the status of `changed-agendas.pdf`, `Retry-After`); ask again,
    or download it from the status's `download_url`."""
    old_v, new_v = version_pair(session, row, old, new)
    return file_or_follow(CHANGED_AGENDAS, row, session, request, settings, new_v, old_v)
