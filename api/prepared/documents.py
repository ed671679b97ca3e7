"""Everyone's agendas as one PDF or a ZIP, rendered once per event, version and kind away from the
request (a 300-person PDF took 22 s inside one, and held up every other request meanwhile); and the
re-issued agendas of the people a change affects, once per pair of versions (`from_version`), which
for a change that touches most people is as long.

`request_document` (the web side) finds or queues the row; `prepare` (a worker's task, or a
background process of the embedded mode) renders it with `api.documents` and stores the bytes.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, not_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from api import documents, service
from api.prepared import state
from api.prepared.rows import ACTIVE, CHANGED_AGENDAS, NO_VERSION, PreparedDocumentRow
from api.storage import Database, EventRow, ScheduleRow, utcnow
from scheduler.diff import diff_schedules
from scheduler.domain import Schedule
from scheduler.export.filenames import file_name

log = logging.getLogger("matchday.prepared")


@dataclass(frozen=True)
class Requested:
    row: PreparedDocumentRow
    queued: bool  # True when this request (re)queued it: the caller hands it to the background


def fingerprint(session: Session, event: EventRow, base_url: str) -> str:
    """What a document shows besides the schedule version: the event's revision (names, tables),
    where the QR codes point, and each person's link version (a re-issued link)."""
    people = sorted((p.pid, p.link_version) for p in service.participants_of(session, event.id))
    text = repr((event.revision, base_url, people))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find(
    session: Session, event_id: str, version: int, kind: str, from_version: int = NO_VERSION
) -> PreparedDocumentRow | None:
    """The row of one document: `version`, and for changed-agendas.pdf the version it compares with."""
    return session.scalar(
        select(PreparedDocumentRow).where(
            PreparedDocumentRow.event_id == event_id,
            PreparedDocumentRow.version == version,
            PreparedDocumentRow.from_version == from_version,
            PreparedDocumentRow.kind == kind,
        )
    )


def data_of(session: Session, doc_id: str) -> bytes | None:
    """The bytes of a done document (read only to send them)."""
    return session.scalar(
        select(PreparedDocumentRow.data).where(PreparedDocumentRow.id == doc_id).options(undefer("*"))
    )


def is_current(doc: PreparedDocumentRow, current: str) -> bool:
    """Whether `doc` is (or will be, once done) what a request now would render."""
    return doc.fingerprint == current and doc.state != "failed"


def request_document(
    session: Session, event: EventRow, version: int, kind: str, base_url: str, from_version: int = NO_VERSION
) -> Requested:
    """The row of this document, queued when there is none, when it failed, or when what it shows
    changed; the same row (not queued again) otherwise. Commits. Only the latest requested version
    (pair of versions, for changed-agendas.pdf) of a kind is kept per event: asking for another drops
    the older ones' bytes."""
    if from_version != NO_VERSION and kind != CHANGED_AGENDAS:
        raise ValueError(f"{kind} shows one version, not the changes from another")
    current = fingerprint(session, event, base_url)
    doc = find(session, event.id, version, kind, from_version)
    if doc is not None and is_current(doc, current):
        return Requested(doc, queued=False)
    if doc is not None:
        doc.fingerprint, doc.base_url, doc.state, doc.error = current, base_url, "queued", None
        doc.data, doc.size, doc.attempts, doc.worker = None, None, 0, None
        doc.created_at, doc.started_at, doc.finished_at = utcnow(), None, None
        session.commit()
        return Requested(doc, queued=True)
    session.execute(
        delete(PreparedDocumentRow).where(
            PreparedDocumentRow.event_id == event.id,
            PreparedDocumentRow.kind == kind,
            not_(and_(PreparedDocumentRow.version == version, PreparedDocumentRow.from_version == from_version)),
            PreparedDocumentRow.state.not_in(ACTIVE),
        )
    )
    doc = PreparedDocumentRow(
        event_id=event.id,
        version=version,
        from_version=from_version,
        kind=kind,
        fingerprint=current,
        base_url=base_url,
    )
    session.add(doc)
    try:
        session.commit()
    except IntegrityError:  # another request queued it at the same moment: theirs
        session.rollback()
        theirs = find(session, event.id, version, kind, from_version)
        assert theirs is not None
        return Requested(theirs, queued=False)
    return Requested(doc, queued=True)


def prepare(db: Database, doc_id: str, secret: str, owner: str, *, retake: bool = False) -> None:
    """Render one queued document and store it (a task: any process with the database may run it).
    A document that cannot be rendered ends "failed" with the reason; nothing raises."""
    if not state.claim(db, PreparedDocumentRow, doc_id, owner, retake=retake):
        log.info("prepared document %s is not queued any more; nothing to do", doc_id)
        return
    try:
        with db.session() as s:
            doc = s.get(PreparedDocumentRow, doc_id)
            event_row = s.get(EventRow, doc.event_id) if doc is not None else None
            if doc is None or event_row is None:
                return  # deleted meanwhile (with its event)
            current = fingerprint(s, event_row, doc.base_url)
            built = _build(s, event_row, doc, secret)
        state.settle(
            db, PreparedDocumentRow, doc_id, "done", data=built.data, size=len(built.data), fingerprint=current
        )
    except Exception as exc:  # noqa: BLE001 - the organiser reads the reason on the status
        log.exception("prepared document %s failed", doc_id)
        state.settle(db, PreparedDocumentRow, doc_id, "failed", error=f"the document could not be made: {exc}")


def _version(session: Session, event_row: EventRow, version: int) -> ScheduleRow:
    srow = service.schedule_row(session, event_row.id, version)
    if srow is None:
        raise LookupError(f"schedule version {version} no longer exists")
    return srow


def _build(session: Session, event_row: EventRow, doc: PreparedDocumentRow, secret: str) -> documents.Document:
    srow = _version(session, event_row, doc.version)
    event = service.load_event(event_row)
    schedule = service.parse_schedule(event, srow)
    if doc.kind == "agendas.zip":
        return documents.agendas_zip(event_row, event, srow, schedule)
    links = {
        p.pid: f"{doc.base_url}/agenda/{service.agenda_token(secret=secret, participant=p)}"
        for p in service.participants_of(session, event_row.id)
    }
    if doc.kind == CHANGED_AGENDAS:
        since = doc.from_version or None
        old = service.parse_schedule(event, _version(session, event_row, since)) if since else Schedule.of([])
        diff = diff_schedules(event, old, schedule)
        return documents.changed_agendas_pdf(event_row, event, diff, since, srow, schedule, links)
    return documents.agendas_pdf(event_row, event, srow, schedule, links)


def document_of(session: Session, event: EventRow, doc: PreparedDocumentRow) -> documents.Document | None:
    """The done document as `api.documents` names it, or None when it is not done."""
    if doc.state != "done":
        return None
    data = data_of(session, doc.id)
    if data is None:
        return None
    if doc.kind == CHANGED_AGENDAS:
        name = documents.changed_agendas_name(event, doc.from_version or None, doc.version)
    else:
        name = file_name(event.name, "agendas", f"v{doc.version}", ext=doc.kind.rsplit(".", 1)[1])
    media = documents.PDF if doc.kind.endswith(".pdf") else documents.ZIP
    return documents.Document(data, name, media)


def ask(
    db: Database,
    session: Session,
    event: EventRow,
    version: int,
    kind: str,
    base_url: str,
    background: Any,
    from_version: int = NO_VERSION,
) -> PreparedDocumentRow:
    """`request_document`, handing a newly queued row to the background (`BackgroundWork`); a row
    the background cannot take fails at once rather than waiting for nobody."""
    asked = request_document(session, event, version, kind, base_url, from_version)
    if asked.queued:
        try:
            background.submit("document", asked.row.id)
        except Exception as exc:
            state.settle(db, PreparedDocumentRow, asked.row.id, "failed", error=f"could not be queued: {exc}")
            raise
    return asked.row


def wait_settled(db: Database, doc_id: str, seconds: float, step: float = 0.2) -> str:
    """Wait up to `seconds` for a document to be done or failed (the request only waits: the work
    runs elsewhere); its state then."""
    deadline = time.monotonic() + seconds
    while True:
        with db.session() as s:
            now = s.scalar(select(PreparedDocumentRow.state).where(PreparedDocumentRow.id == doc_id)) or "failed"
        if now not in ACTIVE or time.monotonic() >= deadline:
            return now
        time.sleep(min(step, max(0.0, deadline - time.monotonic())))
