"""The organiser's downloads of one stored version, built once for the API and the pages alike.

Each function returns a `Document`: the bytes, the download name (with the people's letters
and an ASCII twin) and the media type; routes only wrap it in a response.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api import service
from api.rendering import PdfRenderer
from api.storage import EventRow, ScheduleRow
from scheduler.diff import ScheduleDiff
from scheduler.domain import Event, Schedule
from scheduler.export import pdf
from scheduler.export.agenda import AgendaData, build_agenda, build_agendas, with_changes
from scheduler.export.bundle import participant_file_stem
from scheduler.export.calendar import agenda_ics
from scheduler.export.filenames import FileName, file_name
from scheduler.export.history import ScheduleVersion, latest_change
from scheduler.export.plan import build_plan
from scheduler.export.signs import build_table_signs
from scheduler.io.codec import from_spreadsheet_cell, spreadsheet_cell

CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"


@dataclass(frozen=True)
class Document:
    data: bytes
    name: FileName
    media_type: str


Builder = Callable[[EventRow, Event, ScheduleRow, Schedule], "Document"]


def personal_agenda(session: Session, row: EventRow, pid: str, language: str | None = None) -> AgendaData:
    """One person's agenda of the published version, headed by the latest published change to their
    meetings (drafts are the organiser's: participants never see them); in `language` (a supported
    code; None: the person's own)."""
    event = service.load_event(row)
    return _agenda_of(event, service.published_versions(session, row, event), pid, language)


def _agenda_of(event: Event, versions: list[ScheduleVersion], pid: str, language: str | None) -> AgendaData:
    latest = versions[-1] if versions else None
    agenda = build_agenda(event, latest.schedule if latest else None, pid, latest.number if latest else None)
    if language is not None:
        agenda = dataclasses.replace(agenda, language=language)
    since, changes = latest_change(event, versions, pid)
    return with_changes(event, agenda, changes, since)


def personal_agenda_pdf(
    renderer: PdfRenderer,
    session: Session,
    row: EventRow,
    pid: str,
    links: Mapping[str, str],
    language: str | None = None,
) -> Document:
    """`personal_agenda` as a PDF with the person's private link (`links`: everyone's) as its QR code,
    rendered once per published version, revision, language and link. The first one asked for of a
    published version also starts everyone else's, in their own languages, in the background:
    participants open their links together (after the e-mail, at the door)."""
    event = service.load_event(row)
    versions = service.published_versions(session, row, event)
    agenda = dataclasses.replace(_agenda_of(event, versions, pid, language), link=links.get(pid))

    def everyone() -> Iterator[tuple[Hashable, AgendaData]]:
        for other in event.participants:
            ahead = dataclasses.replace(_agenda_of(event, versions, other, None), link=links.get(other))
            yield _pdf_key(row, ahead), ahead

    if row.published_version is not None:
        renderer.render_ahead((row.id, row.revision, row.published_version), everyone)
    return Document(renderer.agenda(_pdf_key(row, agenda), agenda), agenda_file_name(agenda), PDF)


def _pdf_key(row: EventRow, agenda: AgendaData) -> Hashable:
    """Everything a person's agenda PDF shows: the event's revision, the published version, the
    person, the language and the link."""
    return (row.id, row.revision, row.published_version, agenda.person.id, agenda.language, agenda.link)


def agenda_file_name(agenda: AgendaData) -> FileName:
    return file_name("agenda", agenda.person.name, ext="pdf")


def _name(row: EventRow, what: str, srow: ScheduleRow, ext: str) -> FileName:
    return file_name(row.name, what, f"v{srow.version}", ext=ext)


def schedule_csv(row: EventRow, srow: ScheduleRow) -> Document:
    """schedule.csv exactly as the version was stored."""
    return Document(srow.csv.encode("utf-8"), _name(row, "schedule", srow, "csv"), CSV)


def schedule_xlsx(row: EventRow, srow: ScheduleRow) -> Document:
    """The same rows as schedule.csv in an Excel workbook: a bold, frozen header row with filters."""
    from openpyxl import Workbook  # only this download needs it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    records = [[from_spreadsheet_cell(v) for v in r] for r in csv.reader(io.StringIO(srow.csv))]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Schedule"
    for record in records:
        sheet.append([_cell(value) for value in record])
    for line in sheet.iter_rows():
        for cell in line:
            if cell.data_type == "f":  # openpyxl takes text starting with "=" for a formula: it is text
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if records:
        sheet.auto_filter.ref = sheet.dimensions
        for index, values in enumerate(zip(*records, strict=False), start=1):
            width = min(40, max(len(v) for v in values) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return Document(out.getvalue(), _name(row, "schedule", srow, "xlsx"), XLSX)


def _cell(value: str) -> str | int:
    """Numbers as numbers (slot, points), everything else as text (never a formula: see above)."""
    return int(value) if value.isdigit() and len(value) < 10 else value


def agendas_pdf(
    row: EventRow, event: Event, srow: ScheduleRow, schedule: Schedule, links: Mapping[str, str] | None = None
) -> Document:
    """Everybody's agenda, one sheet per person and day; `links` (participant id → private agenda
    address) prints each person's link as a QR code."""
    agendas = build_agendas(event, schedule, schedule_version=srow.version)
    if links:
        agendas = [dataclasses.replace(a, link=links.get(a.person.id)) for a in agendas]
    return Document(pdf.agendas_pdf(event.name, agendas, srow.version), _name(row, "agendas", srow, "pdf"), PDF)


def plan_pdf(row: EventRow, event: Event, srow: ScheduleRow, schedule: Schedule) -> Document:
    data = pdf.plan_pdf(build_plan(event, schedule, srow.version))
    return Document(data, _name(row, "plan", srow, "pdf"), PDF)


def table_signs_pdf(row: EventRow, event: Event, srow: ScheduleRow, schedule: Schedule) -> Document:
    data = pdf.table_signs_pdf(event.name, build_table_signs(event, schedule))
    return Document(data, _name(row, "table-signs", srow, "pdf"), PDF)


def changed_agendas_pdf(
    row: EventRow,
    event: Event,
    diff: ScheduleDiff,
    old_version: int | None,
    srow: ScheduleRow,
    schedule: Schedule,
    links: Mapping[str, str] | None = None,
) -> Document:
    """The agendas of `srow` of the people `diff` affects only, one sheet per person and day, each
    headed by what changed for that person since `old_version` (everyone's first agenda when it is
    None); `links` (participant id → private agenda address) prints each person's link as a QR code,
    as on everyone's agendas. Long for a change that touches many people: `api.prepared` renders it."""
    agendas = [
        with_changes(event, agenda, diff.for_person(agenda.person.id), old_version) if old_version else agenda
        for agenda in build_agendas(event, schedule, diff.people_affected, srow.version)
    ]
    if links:
        agendas = [dataclasses.replace(a, link=links.get(a.person.id)) for a in agendas]
    data = pdf.agendas_pdf(event.name, agendas, srow.version)
    return Document(data, changed_agendas_name(row, old_version, srow.version), PDF)


def changed_agendas_name(row: EventRow, old_version: int | None, version: int) -> FileName:
    """The download name of `changed_agendas_pdf`: both versions (or "first")."""
    since = f"v{old_version}" if old_version else "first"
    return file_name(row.name, "changed-agendas", since, f"v{version}", ext="pdf")


def agendas_zip(row: EventRow, event: Event, srow: ScheduleRow, schedule: Schedule) -> Document:
    """Every participant's agenda PDF and calendar file, `agendas/<id>.pdf` and `.ics`, as the CLI's
    export folder names them."""
    versions = [ScheduleVersion(srow.version, srow.created_at, schedule)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for agenda in build_agendas(event, schedule, schedule_version=srow.version):
            stem = participant_file_stem(agenda.person.id)
            archive.writestr(f"agendas/{stem}.pdf", pdf.agenda_pdf(agenda))
            archive.writestr(f"agendas/{stem}.ics", agenda_ics(event, row.id, agenda.person.id, versions))
    return Document(out.getvalue(), _name(row, "agendas", srow, "zip"), ZIP)


@dataclass(frozen=True)
class LinkRow:
    id: str
    name: str
    organisation: str
    email: str
    status: str
    agenda_url: str
    agenda_pdf_url: str
    agenda_ics_url: str


LINK_COLUMNS = ("id", "name", "organisation", "email", "status", "agenda_url", "agenda_pdf_url", "agenda_ics_url")


def participant_links_csv(row: EventRow, people: Iterable[LinkRow]) -> Document:
    """Every participant with their private links, for a mail merge."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LINK_COLUMNS)
    for p in people:
        writer.writerow([spreadsheet_cell(getattr(p, c)) for c in LINK_COLUMNS])
    stamp = dt.date.today().isoformat()
    return Document(out.getvalue().encode("utf-8-sig"), file_name(row.name, "participant-links", stamp, ext="csv"), CSV)
