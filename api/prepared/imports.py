"""Big uploads parsed and validated away from the request: a 1,000,000-row participants.csv used to
be parsed for ~100 s at 4 GB inside the web process, and other organisers' writes failed meanwhile.

The request stores the three files raw in one short transaction (`queue_import`) and answers 202
with the organiser token the event will have; `run_import` (a worker's task, or a background
process of the embedded mode) parses them with the library's loader and builds every row outside
any transaction, then creates the event and settles the import in one short transaction of bulk
inserts, or stores the loader's problems (file, row, column) as the 422 body a small upload would
have had. Nothing is half-stored. (Creating the ORM objects of 300,000 wishes one by one held
SQLite's database-wide write lock for over a minute: other organisers' writes then failed.)
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from api.prepared import state
from api.prepared.rows import ImportRow
from api.security import digest, new_organiser_token, participant_token
from api.storage import Database, EventRow, ParticipantRow, WishRow, new_id, unstorable_problems, utcnow
from scheduler.domain import Event, Participant
from scheduler.io.limits import Limits
from scheduler.io.loading import load_event_bytes
from scheduler.problems import EventError, summarised

log = logging.getLogger("matchday.imports")

KEEP_SETTLED = dt.timedelta(days=1)  # how long a settled import can still be read


@dataclass(frozen=True)
class Queued:
    row: ImportRow
    organiser_token: str


def queue_import(session: Session, files: tuple[bytes, bytes, bytes]) -> Queued:
    """Store an upload's three files for parsing later, with the organiser token its event will
    have (handed out now, so the client can follow the import with it). Commits. Imports settled
    more than `KEEP_SETTLED` ago go (a failed one's problems may quote the files)."""
    forget_settled(session)
    token = new_organiser_token()
    row = ImportRow(token_hash=digest(token), event_toml=files[0], participants_csv=files[1], wishes_csv=files[2])
    session.add(row)
    session.commit()
    return Queued(row, token)


def forget_settled(session: Session) -> None:
    """Delete the imports settled (or checked and never confirmed) more than `KEEP_SETTLED` ago: a
    failed one's problems may quote the files, a checked one still holds them."""
    cutoff = utcnow() - KEEP_SETTLED
    settled = ImportRow.state.in_(("done", "failed", "checked"))
    session.execute(delete(ImportRow).where(settled, ImportRow.finished_at < cutoff))


def invalid_body(exc: EventError) -> dict[str, Any]:
    """The 422 body of an upload with problems (the same for a small upload and a big one)."""
    errors = len(exc.errors)
    return {
        "detail": f"{errors} problem{'s' if errors != 1 else ''} in the event files; nothing was stored",
        "problems": [p.as_dict() for p in summarised(exc.problems)],
    }


def run_import(db: Database, import_id: str, secret: str, limits: Limits, owner: str, *, retake: bool = False) -> None:
    """Parse one queued import and create its event, or store its problems (a replacement of an
    existing event's files: `api.prepared.replacements`). Nothing raises: an unexpected error fails
    the import with the reason."""
    if not state.claim(db, ImportRow, import_id, owner, retake=retake):
        log.info("import %s is not queued any more; nothing to do", import_id)
        return
    try:
        with db.sessions() as s:  # reads only: no transaction is left open while the files are parsed
            row = s.get(ImportRow, import_id)
            if row is None:
                return
            replacement = row.base_revision is not None  # new files for an existing event
            files = (row.event_toml, row.participants_csv, row.wishes_csv)
            token_hash = row.token_hash
        if replacement:
            from api.prepared.replacements import run_replacement  # it builds on this module

            run_replacement(db, import_id, secret, limits)
            return
        try:
            new_event = parsed(files, secret, limits, token_hash)
        except EventError as exc:
            body = invalid_body(exc)
            state.settle(
                db, ImportRow, import_id, "failed", error=body["detail"], problems=body["problems"], **_emptied()
            )
            return
        store(db, import_id, new_event)
    except Exception as exc:  # noqa: BLE001 - the client reads the reason on the import's status
        log.exception("import %s failed", import_id)
        state.settle(db, ImportRow, import_id, "failed", error=f"the upload could not be read: {exc}", **_emptied())


@dataclass(frozen=True)
class NewEvent:
    """Every row of a new event, built before the write transaction opens."""

    event: dict[str, Any]
    people: list[dict[str, Any]]
    wishes: list[dict[str, Any]]
    warnings: list[dict[str, Any]]


def parsed(files: tuple[bytes, bytes, bytes], secret: str, limits: Limits, token_hash: str) -> NewEvent:
    """The loader's event as the rows `service.create_event` stores (the event, its people with their
    private links, its wishes), or `EventError` with the problems. No database is touched."""
    event_toml, participants_csv, wishes_csv = files
    loaded = load_event_bytes(event_toml, participants_csv, wishes_csv, limits=limits)
    problems = unstorable_problems(event_toml, participants_csv, wishes_csv, loaded.event.participants)
    if problems:
        raise EventError(problems + list(loaded.warnings))
    event = loaded.event
    event_id = new_id()
    warnings = [p.as_dict() for p in summarised(loaded.warnings)]
    row = {
        "id": event_id,
        "name": event.name,
        "timezone": event.timezone,
        "organiser_token_hash": token_hash,  # the token the 202 answer handed out
        "event_toml": event_toml,
        "participants_csv": participants_csv,
        "wishes_csv": wishes_csv,
        "warnings": warnings,
        "created_at": utcnow(),
        "revision": 1,
    }
    people = [new_person_row(secret, event_id, position, p) for position, p in enumerate(event.participants.values())]
    return NewEvent(row, people, wish_rows(event_id, event), warnings)


# The participants' columns the loader fills, in ParticipantRow's names.
DETAILS = ("name", "organisation", "email", "role", "country", "status")


def person_details(p: Participant) -> dict[str, Any]:
    """A person's stored details (no link), as ParticipantRow columns."""
    return dict(zip(DETAILS, (p.name, p.organisation, p.email, p.role, p.country, p.status), strict=True))


def new_person_row(secret: str, event_id: str, position: int, p: Participant) -> dict[str, Any]:
    """A newcomer's ParticipantRow: their details and their first private link."""
    link = {"link_version": 1, "token_digest": digest(participant_token(secret, event_id, p.id, 1))}
    return {"event_id": event_id, "pid": p.id, "position": position} | link | person_details(p)


def wish_rows(event_id: str, event: Event) -> list[dict[str, Any]]:
    """Every wish of the event as WishRow columns."""
    return [
        {
            "event_id": event_id,
            "requester": w.requester,
            "target": w.target,
            "priority": w.priority,
            "status": "declined" if w.declined else "requested",
        }
        for w in event.wishes
    ]


def store(db: Database, import_id: str, new: NewEvent) -> bool:
    """Create the event and settle the import in one short transaction (bulk inserts of rows built
    beforehand); False, storing nothing, when the import was settled elsewhere meanwhile."""
    paramstyle = db.engine.dialect.paramstyle
    many = [
        insert_many(paramstyle, t.__tablename__, rows)
        for t, rows in ((ParticipantRow, new.people), (WishRow, new.wishes))
    ]
    with db.sessions() as s:
        s.execute(insert(EventRow), [new.event])
        for sql, params in many:
            if params:
                s.connection().exec_driver_sql(sql, params)
        settled = s.execute(
            update(ImportRow)
            .where(ImportRow.id == import_id, ImportRow.state == "running")
            .values(state="done", event_id=new.event["id"], warnings=new.warnings, finished_at=utcnow(), **_emptied())
        )
        if not settled.rowcount:  # type: ignore[attr-defined]
            s.rollback()  # a retried task settled it first: keep theirs
            return False
        s.commit()
    return True


def insert_many(paramstyle: str, table: str, rows: list[dict[str, Any]]) -> tuple[str, list[tuple[Any, ...]]]:
    """The statement and parameters for the driver's own executemany, built before the transaction:
    SQLAlchemy's per-row work for 300,000 wishes took longer than the database's own, and SQLite's
    write lock is held meanwhile."""
    if not rows:
        return "", []
    columns = list(rows[0])
    marker = "?" if paramstyle == "qmark" else "%s"
    placeholders = ", ".join([marker] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - our own names
    return sql, [tuple(row[c] for c in columns) for row in rows]


def _emptied() -> dict[str, bytes]:
    """A settled import keeps no copy of the files (the event has its own)."""
    return {"event_toml": b"", "participants_csv": b"", "wishes_csv": b""}
