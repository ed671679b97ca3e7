"""A whole new participants and/or wishes file for an existing event, too big to read in its request
(more than `upload_inline_bytes`): the same long work as a new event's big upload (`api.prepared.
imports`), with a target event. Replacing a 1,000,000-row participants.csv used to be parsed in
the request and stored while the event's lock was held, so other organisers' writes failed.

The request stores the files raw in an import row naming the event and the revision they were sent
against (`queue_replacement`), and answers at once. The background (a worker's task, or the
embedded mode's background process: the import's own machinery, `run_import` hands replacements
here) parses and checks them with the event's settings, then, by the row's `stage`:

- "check" (the organiser's page): works out what the files change and settles the row "checked"
  with those changes; the page shows them, and the organiser's confirmation sets the row back to
  queued with the stage "apply". The parsed event is not kept between the two: it cannot be
  stored cheaply, and rows built from it would be as large as the file, so the apply parses the
  stored files once more, in the background too (never in a request).
- "apply": builds every row outside any transaction, then stores them in one short transaction
  that first moves the event's revision on from the one the files were sent against: when the
  event changed meanwhile (another change, a solve started), nothing is stored and the import
  fails with a message saying so.

Problems keep their file, row and column; a settled import keeps no copy of the files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from api.prepared import state
from api.prepared.imports import DETAILS, forget_settled, insert_many, new_person_row, person_details, wish_rows
from api.prepared.rows import ImportRow
from api.security import digest, new_organiser_token
from api.storage import (
    ACTIVE_STATES,
    Database,
    EventRow,
    JobRow,
    ParticipantRow,
    WishRow,
    unstorable_problems,
    utcnow,
)
from scheduler.domain import Event, Participant, Wish
from scheduler.file_changes import FileChanges, file_changes
from scheduler.io.limits import Limits
from scheduler.io.loading import LoadedEvent, load_event_bytes
from scheduler.problems import EventError, summarised

log = logging.getLogger("matchday.imports")

STAGES = ("check", "apply")
LISTED = 200  # people or wishes listed per kind of change on the confirmation page of a big file
KEYS = ("participants", "wishes")


class Conflict(Exception):
    """The event changed after the files were sent: nothing was stored."""


def queue_replacement(session: Session, row: EventRow, files: dict[str, tuple[str, bytes]], stage: str) -> ImportRow:
    """Store the new file(s) (`files`: key → (file name, bytes)) to be read later against `row` as
    it is now (its revision). Commits. The import has no token of its own: the event's organiser
    reaches it through the event (its token hash is a random one nobody holds)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    participants = files["participants"][1] if "participants" in files else row.participants_csv
    wishes = files["wishes"][1] if "wishes" in files else row.wishes_csv
    forget_settled(session)
    upload = ImportRow(
        token_hash=digest(new_organiser_token()),
        event_id=row.id,
        base_revision=row.revision or 1,
        stage=stage,
        replaced={key: name for key, (name, _data) in files.items()},
        event_toml=row.event_toml,
        participants_csv=participants,
        wishes_csv=wishes,
    )
    session.add(upload)
    session.commit()
    return upload


def confirm(session: Session, upload: ImportRow) -> bool:
    """The organiser confirmed a checked replacement: queue it again to be applied. Commits. False
    when it is not waiting for a confirmation any more (applied meanwhile, or refused)."""
    result = session.execute(
        update(ImportRow)
        .where(ImportRow.id == upload.id, ImportRow.state == "checked")
        .values(state="queued", stage="apply", worker=None, attempts=0, finished_at=None)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def refuse(session: Session, import_id: str, message: str) -> None:
    """End a checked replacement that can no longer be applied (the event moved on). Commits."""
    session.execute(
        update(ImportRow)
        .where(ImportRow.id == import_id, ImportRow.state == "checked")
        .values(state="failed", error=message, finished_at=utcnow(), **_emptied())
    )
    session.commit()


def moved_on(sent: int, now: int | None) -> str:
    """That the event changed after new files were sent against revision `sent` (a sentence, no stop)."""
    moved = f"it is now revision {now}" if now is not None else "it was deleted"
    return f"The event changed after these files were sent (they were sent against revision {sent}, {moved})"


def conflict_message(sent: int, now: int | None) -> str:
    """Why a replacement was not stored: the event changed after the files were sent."""
    return (
        f"{moved_on(sent, now)}; nothing was changed. "
        "Upload the files again to see their changes against the event as it is now."
    )


def run_replacement(db: Database, import_id: str, secret: str, limits: Limits) -> None:
    """Read one claimed replacement: its changes ("check") or the stored files ("apply"), else its
    problems or the conflict. Exceptions go to the caller (`imports.run_import` fails the row)."""
    with db.sessions() as s:  # reads only: no transaction is left open while the files are parsed
        upload = s.get(ImportRow, import_id)
        if upload is None:
            return
        files = (upload.event_toml, upload.participants_csv, upload.wishes_csv)
        event_id, base, stage = upload.event_id, upload.base_revision or 1, upload.stage
        event = s.get(EventRow, event_id) if event_id else None
        current = None if event is None else (event.event_toml, event.participants_csv, event.wishes_csv)
        revision = None if event is None else event.revision or 1
    if current is None or revision != base:
        state.settle(db, ImportRow, import_id, "failed", error=conflict_message(base, revision), **_emptied())
        return
    try:
        loaded = checked(files, limits)
    except EventError as exc:
        errors = len(exc.errors)
        detail = f"{errors} problem{'s' if errors != 1 else ''} in the new files; nothing was changed"
        state.settle(
            db,
            ImportRow,
            import_id,
            "failed",
            error=detail,
            problems=[p.as_dict() for p in summarised(exc.problems)],
            **_emptied(),
        )
        return
    warnings = [p.as_dict() for p in summarised(loaded.warnings)]
    if stage == "check":
        old = load_event_bytes(*current).event  # stored files: already judged against the limits
        changes = summary(file_changes(old, loaded.event), LISTED)
        state.settle(db, ImportRow, import_id, "checked", changes=changes, warnings=warnings)
        return
    rows = built(db, event_id or "", loaded.event, secret)
    try:
        store(db, import_id, event_id or "", base, files, warnings, rows)
    except Conflict as exc:
        state.settle(db, ImportRow, import_id, "failed", error=str(exc), **_emptied())


def checked(files: tuple[bytes, bytes, bytes], limits: Limits) -> LoadedEvent:
    """The loader's event of the three files, or `EventError` with every problem (file, row,
    column), including what the loader accepts but a database cannot store."""
    loaded = load_event_bytes(*files, limits=limits)
    problems = unstorable_problems(*files, loaded.event.participants)
    if problems:
        raise EventError(problems + list(loaded.warnings))
    return loaded


@dataclass(frozen=True)
class Rows:
    """What storing the new files writes, built before the transaction opens (as
    `service.sync_people` would: a person's row and private link are never deleted)."""

    updated: list[dict[str, Any]]  # people whose details changed, by pid
    added: list[dict[str, Any]]  # new people, at the end, with a fresh link
    wishes: list[dict[str, Any]]


def built(db: Database, event_id: str, event: Event, secret: str) -> Rows:
    """The rows for `event` against the people stored now. A person's row changes only with the
    event's revision (their link changes do not touch these columns), which `store` checks."""
    with db.sessions() as s:
        stored = {
            pid: (position, dict(zip(DETAILS, rest, strict=True)))
            for pid, position, *rest in s.execute(
                select(
                    ParticipantRow.pid, ParticipantRow.position, *(getattr(ParticipantRow, c) for c in DETAILS)
                ).where(ParticipantRow.event_id == event_id)
            )
        }
    position = max((p for p, _ in stored.values()), default=-1)
    updated, added = [], []
    for p in event.participants.values():
        before = stored.get(p.id)
        if before is None:
            position += 1
            added.append(new_person_row(secret, event_id, position, p))
        elif before[1] != (details := person_details(p)):
            updated.append({"event_id": event_id, "pid": p.id} | details)
    return Rows(updated, added, wish_rows(event_id, event))


def store(
    db: Database,
    import_id: str,
    event_id: str,
    base: int,
    files: tuple[bytes, bytes, bytes],
    warnings: list[dict[str, Any]],
    rows: Rows,
) -> None:
    """Store the new files as the event's next revision and settle the import, in one short
    transaction; `Conflict` (nothing stored) when the event's revision moved on from `base` or a
    solve of it is queued or running (as a change made in a request is refused then)."""
    paramstyle = db.engine.dialect.paramstyle
    marker = "?" if paramstyle == "qmark" else "%s"
    people_sql = (
        f"UPDATE {ParticipantRow.__tablename__} SET {', '.join(f'{c} = {marker}' for c in DETAILS)} "  # noqa: S608
        f"WHERE event_id = {marker} AND pid = {marker}"
    )
    people_params = [tuple(r[c] for c in DETAILS) + (r["event_id"], r["pid"]) for r in rows.updated]
    added = insert_many(paramstyle, ParticipantRow.__tablename__, rows.added)
    wishes = insert_many(paramstyle, WishRow.__tablename__, rows.wishes)
    with db.sessions() as s:
        moved = s.execute(
            update(EventRow)
            .where(EventRow.id == event_id, EventRow.revision == base)
            .values(participants_csv=files[1], wishes_csv=files[2], warnings=warnings, revision=base + 1)
        )
        if not moved.rowcount:  # type: ignore[attr-defined]
            now = s.scalar(select(EventRow.revision).where(EventRow.id == event_id))
            s.rollback()
            raise Conflict(conflict_message(base, now))
        solving = s.scalar(
            select(JobRow.id).where(JobRow.event_id == event_id, JobRow.state.in_(ACTIVE_STATES)).limit(1)
        )
        if solving is not None:
            s.rollback()
            raise Conflict(
                "A solve of this event started while the files were read; nothing was changed. "
                "Upload the files again once it has finished."
            )
        connection = s.connection()
        if people_params:
            connection.exec_driver_sql(people_sql, people_params)
        if added[1]:
            connection.exec_driver_sql(*added)
        s.execute(delete(WishRow).where(WishRow.event_id == event_id))
        if wishes[1]:
            connection.exec_driver_sql(*wishes)
        settled = s.execute(
            update(ImportRow)
            .where(ImportRow.id == import_id, ImportRow.state == "running")
            .values(state="done", warnings=warnings, finished_at=utcnow(), **_emptied())
        )
        if not settled.rowcount:  # type: ignore[attr-defined]
            s.rollback()  # a retried task settled it first: keep theirs
            return
        s.commit()


def summary(changes: FileChanges, listed: int | None = None) -> dict[str, Any]:
    """What the new files change, as the confirmation page shows it and as an import row keeps it
    (JSON): the counts, and at most `listed` people or wishes of each kind of change."""

    def person(p: Participant) -> dict[str, str]:
        return {"id": p.id, "name": p.name, "organisation": p.organisation}

    def wish(w: Wish) -> dict[str, str]:
        return {
            "requester": w.requester,
            "requester_name": changes.name(w.requester),
            "target": w.target,
            "target_name": changes.name(w.target),
        }

    def cut(items: list[Any]) -> list[Any]:
        return items if listed is None else items[:listed]

    def diffs(items: tuple[Any, ...]) -> list[dict[str, str]]:
        return [{"what": c.what, "old": c.old, "new": c.new} for c in items]

    return {
        "counts": {
            "added": len(changes.added),
            "removed": len(changes.removed),
            "changed": len(changes.changed),
            "wishes_added": len(changes.wishes_added),
            "wishes_removed": len(changes.wishes_removed),
            "wishes_changed": len(changes.wishes_changed),
        },
        "added": [person(p) for p in cut(changes.added)],
        "removed": [person(p) for p in cut(changes.removed)],
        "changed": [person(c.person) | {"changes": diffs(c.changes)} for c in cut(changes.changed)],
        "wishes_added": [wish(w) for w in cut(changes.wishes_added)],
        "wishes_removed": [wish(w) for w in cut(changes.wishes_removed)],
        "wishes_changed": [wish(c.wish) | {"changes": diffs(c.changes)} for c in cut(changes.wishes_changed)],
    }


def _emptied() -> dict[str, bytes]:
    """A settled replacement keeps no copy of the files (the event has its own)."""
    return {"event_toml": b"", "participants_csv": b"", "wishes_csv": b""}
