"""What to send for a publication, and the batch that sends it.

`request_batch` decides who gets a message: "agenda" goes to every active participant of the
published version; "changes" only to the people whose meetings differ between the version
published before and the one published now (`scheduler.diff`). Each (event, version, kind,
participant) has at most one row (a unique key): asking again sends nothing to whoever already got
the message, and the answer says so; a recipient that failed is queued again. People without an
e-mail address are listed instead.

`run_mail_batch` is resumable and idempotent: it sends only the batch's recipients still
"queued", claiming each ("sending") before talking to the server, so two runs of one batch never
send one message twice. A recipient left "sending" by a run that stopped mid-conversation is
marked failed, not re-sent: whether it arrived cannot be known. Temporary failures (4xx replies,
lost connections) are retried a few times with a doubling wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api import service
from api.mail.compose import Draft, Links, agenda_draft, changes_draft, reply_address, to_message
from api.mail.config import MailNotConfigured, smtp_config
from api.mail.rows import BATCH_ACTIVE, MailBatchRow, MailMessageRow
from api.mail.transport import ConnectionTrouble, Mailer, Result
from api.settings import Settings
from api.storage import Database, EventRow, ParticipantRow, lock_event, utcnow
from scheduler.diff import ScheduleDiff, diff_schedules
from scheduler.domain import Event, ParticipantId, Schedule
from scheduler.export import pdf
from scheduler.export.agenda import build_agenda, with_changes
from scheduler.export.filenames import file_name

Progress = Callable[[int, int], None]  # (recipients settled, recipients in the batch)
INTERRUPTED = "Interrupted while sending (the service stopped): not sent again, as it may have arrived."


class NothingToSend(Exception):
    """The request cannot make a batch (nothing published, no earlier publication to compare)."""


@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass
class Request:
    """What a send request did: the new batch (None when nothing was left to send) and who was left out."""

    kind: str
    version: int
    previous_version: int | None
    batch: MailBatchRow | None
    queued: int
    already_sent: list[Person] = field(default_factory=list)
    without_email: list[Person] = field(default_factory=list)

    @property
    def message(self) -> str:
        what = "agenda" if self.kind == "agenda" else "agenda-changed"
        parts = []
        if self.queued:
            parts.append(
                f"Sending {self.queued} {what} message{'s' if self.queued != 1 else ''} for version {self.version}."
            )
        else:
            parts.append(f"Nothing to send: no {what} message is left to send for version {self.version}.")
        if self.already_sent:
            n = len(self.already_sent)
            parts.append(
                f"{n} {'person was' if n == 1 else 'people were'} already sent this message (or their address "
                "was refused): nobody gets it twice."
            )
        if self.without_email:
            n = len(self.without_email)
            parts.append(f"{n} {'person has' if n == 1 else 'people have'} no e-mail address.")
        return " ".join(parts)


# --- what a publication sends to whom -------------------------------------------------------------


def previous_publication(session: Session, row: EventRow, event: Event) -> tuple[int, Schedule, int | None, Schedule]:
    """(published version, its schedule, the version published before it or None, that schedule)."""
    versions = service.published_versions(session, row, event)
    if not versions:
        raise NothingToSend("Nothing is published yet: publish a version first, then send participants their agendas.")
    current = versions[-1]
    before = versions[-2] if len(versions) > 1 else None
    return (
        current.number,
        current.schedule,
        before.number if before else None,
        before.schedule if before else Schedule.of([]),
    )


def recipients(
    session: Session, row: EventRow, event: Event, kind: str
) -> tuple[int, int | None, list[ParticipantId], ScheduleDiff | None]:
    """(version, previous version, who the message is for, the diff for "changes")."""
    version, schedule, before, old = previous_publication(session, row, event)
    if kind == "agenda":
        return version, None, [pid for pid, p in event.participants.items() if p.active], None
    if before is None:
        raise NothingToSend(
            f"Version {version} is the first published version: nothing changed yet. "
            "Send everyone their agenda instead."
        )
    diff = diff_schedules(event, old, schedule)
    return version, before, [pid for pid in diff.people_affected if pid in event.participants], diff


@dataclass
class Plan:
    """Who a kind of message for the published version would go to now, before anything is queued."""

    kind: str
    version: int
    previous_version: int | None
    todo: list[tuple[ParticipantRow, MailMessageRow | None]]  # with the row of an earlier failed try
    already_sent: list[Person]  # sent, or given up on after a batch stopped mid-conversation
    without_email: list[Person]
    in_progress: list[Person] = field(default_factory=list)  # queued or being sent by a running batch
    refused: list[Person] = field(default_factory=list)  # the server refused the address: not tried again


def plan(session: Session, row: EventRow, kind: str) -> Plan:
    """Sort the people the message is for: to send (new, or failed before), already sent (or
    refused: sent, or being sent, by another batch), and without an address. Raises NothingToSend."""
    event = service.load_event(row)
    version, before, pids, _diff = recipients(session, row, event, kind)
    existing = {
        m.pid: m
        for m in session.scalars(
            select(MailMessageRow).where(
                MailMessageRow.event_id == row.id, MailMessageRow.version == version, MailMessageRow.kind == kind
            )
        )
    }
    active = set(
        session.scalars(
            select(MailBatchRow.id).where(MailBatchRow.event_id == row.id, MailBatchRow.state.in_(BATCH_ACTIVE))
        )
    )
    people = {p.pid: p for p in service.participants_of(session, row.id)}
    out = Plan(kind, version, before, [], [], [])
    for pid in pids:
        p = people.get(pid)
        if p is None:
            continue
        if not p.email.strip():
            out.without_email.append(Person(pid, p.name))
            continue
        old = existing.get(pid)
        waiting = old is not None and (
            old.status == "failed" or (old.status == "queued" and old.batch_id not in active)
        )
        if old is not None and not waiting:
            out.already_sent.append(Person(pid, p.name))
        else:
            out.todo.append((p, old))
    return out


def request_batch(*, session: Session, row: EventRow, kind: str, attach_pdf: bool, base_url: str) -> Request:
    """Queue the messages of `kind` for the published version (the caller commits, then hands the
    batch to a runner). Raises NothingToSend."""
    lock_event(session, row)  # two requests at once: the second sees the first's rows
    todo = plan(session, row, kind)
    done = todo.already_sent + todo.in_progress + todo.refused  # none of them is sent it by this request
    result = Request(kind, todo.version, todo.previous_version, None, 0, done, todo.without_email)
    if not todo.todo:
        return result
    batch = MailBatchRow(
        event_id=row.id,
        kind=kind,
        version=todo.version,
        previous_version=todo.previous_version,
        attach_pdf=attach_pdf,
        base_url=base_url,
        without_email=[{"id": x.id, "name": x.name} for x in todo.without_email],
    )
    session.add(batch)
    session.flush()
    for p, old in todo.todo:
        email = p.email.strip()
        if old is None:
            session.add(
                MailMessageRow(
                    batch_id=batch.id,
                    event_id=row.id,
                    version=todo.version,
                    kind=kind,
                    pid=p.pid,
                    name=p.name,
                    email=email,
                )
            )
        else:  # failed before, or left queued by a batch that stopped: this batch tries it again
            old.batch_id, old.status, old.attempts, old.email, old.updated_at = batch.id, "queued", 0, email, utcnow()
    result.batch, result.queued = batch, len(todo.todo)
    return result


# --- the preview --------------------------------------------------------------------------------


def draft_for(
    *,
    session: Session,
    row: EventRow,
    kind: str,
    pid: ParticipantId,
    secret: str,
    base_url: str,
    reply_to: str | None,
    attach_pdf: bool = False,
) -> Draft:
    """The message one participant gets (or would get) for the published version.

    Raises NothingToSend (nothing published, no earlier publication) and KeyError (no such person).
    """
    event = service.load_event(row)
    if pid not in event.participants:
        raise KeyError(pid)
    version, schedule, before, old = previous_publication(session, row, event)
    if kind == "changes" and before is None:
        raise NothingToSend(f"Version {version} is the first published version: nothing changed yet.")
    p = session.scalar(select(ParticipantRow).where(ParticipantRow.event_id == row.id, ParticipantRow.pid == pid))
    assert p is not None  # every participant of the event has a row (service.sync_people)
    links = Links.of(base_url, service.agenda_token(secret=secret, participant=p))
    contact = reply_address(event, reply_to)
    if kind == "agenda":
        return agenda_draft(event, schedule, pid, links, contact, attach_pdf)
    changes = diff_schedules(event, old, schedule).for_person(pid)
    return changes_draft(event, changes, pid, links, contact, attach_pdf)


# --- sending ------------------------------------------------------------------------------------


def counts(session: Session, batch_id: str) -> dict[str, int]:
    """Recipients of the batch by status (queued, sending, sent, failed, refused)."""
    rows = session.execute(
        select(MailMessageRow.status, func.count())
        .where(MailMessageRow.batch_id == batch_id)
        .group_by(MailMessageRow.status)
    )
    out = {"queued": 0, "sending": 0, "sent": 0, "failed": 0, "refused": 0}
    out.update({status: n for status, n in rows})
    return out


def run_mail_batch(
    db: Database,
    batch_id: str,
    *,
    settings: Settings,
    secret: str,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Send the batch's queued recipients; returns the batch's state ("done", "failed", or "running"
    when `should_stop` said stop: the rest stays queued for the next run). Safe to run again."""
    with db.session() as s:
        batch = s.get(MailBatchRow, batch_id)
        if batch is None or batch.state in ("done", "failed"):
            return batch.state if batch else "failed"
        batch.state, batch.started_at = "running", batch.started_at or utcnow()
        # a run that stopped mid-conversation: its message may have arrived; never send it twice
        s.execute(
            update(MailMessageRow)
            .where(MailMessageRow.batch_id == batch_id, MailMessageRow.status == "sending")
            .values(status="failed", answer=INTERRUPTED, updated_at=utcnow())
        )
    try:
        config = smtp_config(settings)
    except MailNotConfigured as exc:
        return _finish(db, batch_id, "failed", str(exc))
    work = _Work.load(db, batch_id, secret, config.reply_to)
    with db.session() as s:
        total = sum(counts(s, batch_id).values())  # the whole batch, what earlier runs settled included
    with Mailer(config) as mailer:
        for message_id in work.ids:
            if should_stop():
                return "running"
            if not _claim(db, message_id):
                continue  # settled, or claimed by another run
            try:
                result, attempts = _deliver(db, work, message_id, mailer, config.attempts, config.retry_seconds, sleep)
            except ConnectionTrouble as exc:
                _settle(db, message_id, Result("failed", str(exc)), config.attempts, requeue=True)
                return _finish(db, batch_id, "failed", str(exc))
            _settle(db, message_id, result, attempts)
            if progress is not None:
                with db.session() as s:
                    c = counts(s, batch_id)
                progress(c["sent"] + c["failed"] + c["refused"], total)
    return _finish(db, batch_id, "done", None)


@dataclass
class _Work:
    """What composing every message of a batch needs, read once."""

    batch: MailBatchRow
    event: Event
    schedule: Schedule
    diff: ScheduleDiff  # old → schedule: each person's changes ("changes" batches)
    ids: list[int]
    secret: str
    reply_to: str | None

    @staticmethod
    def load(db: Database, batch_id: str, secret: str, reply_to: str | None) -> _Work:
        with db.session() as s:
            batch = s.get(MailBatchRow, batch_id)
            assert batch is not None
            row = s.get(EventRow, batch.event_id)
            assert row is not None
            event = service.load_event(row)
            srow = service.schedule_row(s, row.id, batch.version)
            prev = service.schedule_row(s, row.id, batch.previous_version) if batch.previous_version else None
            if srow is None:
                raise NothingToSend(f"Version {batch.version} no longer exists")
            ids = list(
                s.scalars(
                    select(MailMessageRow.id)
                    .where(MailMessageRow.batch_id == batch_id, MailMessageRow.status == "queued")
                    .order_by(MailMessageRow.id)
                )
            )
            schedule = service.parse_schedule(event, srow)
            old = service.parse_schedule(event, prev) if prev is not None else Schedule.of([])
            return _Work(batch, event, schedule, diff_schedules(event, old, schedule), ids, secret, reply_to)


def _claim(db: Database, message_id: int) -> bool:
    with db.session() as s:
        claimed = s.execute(
            update(MailMessageRow)
            .where(MailMessageRow.id == message_id, MailMessageRow.status == "queued")
            .values(status="sending", updated_at=utcnow())
        )
        return bool(getattr(claimed, "rowcount", 0) == 1)


def _deliver(
    db: Database,
    work: _Work,
    message_id: int,
    mailer: Mailer,
    attempts: int,
    wait: float,
    sleep: Callable[[float], None],
) -> tuple[Result, int]:
    """Compose and send one message, trying again after temporary failures; (result, tries)."""
    with db.session() as s:
        m = s.get(MailMessageRow, message_id)
        assert m is not None
        p = s.scalar(select(ParticipantRow).where(ParticipantRow.event_id == m.event_id, ParticipantRow.pid == m.pid))
    if p is None or m.pid not in work.event.participants:
        return Result("failed", "This person is no longer a participant of the event."), 0
    event, batch = work.event, work.batch
    links = Links.of(batch.base_url, service.agenda_token(secret=work.secret, participant=p))
    contact = reply_address(event, work.reply_to)
    changes = work.diff.for_person(m.pid) if batch.kind == "changes" else []
    if batch.kind == "agenda":
        draft = agenda_draft(event, work.schedule, m.pid, links, contact, batch.attach_pdf)
    else:
        draft = changes_draft(event, changes, m.pid, links, contact, batch.attach_pdf)
    if draft.to is None:
        return Result("refused", f"'{m.email}' is not a usable e-mail address."), 0
    attachment = None
    if batch.attach_pdf:
        agenda = build_agenda(event, work.schedule, m.pid, batch.version)
        if changes:
            agenda = with_changes(event, agenda, changes, batch.previous_version)
        attachment = (pdf.agenda_pdf(agenda), file_name("agenda", event.participants[m.pid].name, ext="pdf").name)
    message = to_message(draft, mailer.config.sender, contact, attachment)
    result = Result("failed", "not tried")
    for attempt in range(1, attempts + 1):
        result = mailer.send(message, draft.to.addr_spec)
        if result.outcome != "temporary":
            return result, attempt
        _note(db, message_id, attempt, result.answer)
        if attempt < attempts:
            sleep(wait * 2 ** (attempt - 1))
    return Result("failed", result.answer), attempts


def _note(db: Database, message_id: int, attempt: int, answer: str) -> None:
    """A temporary failure, seen in the log while the message waits for its next try."""
    with db.session() as s:
        s.execute(
            update(MailMessageRow)
            .where(MailMessageRow.id == message_id)
            .values(attempts=attempt, answer=answer, updated_at=utcnow())
        )


def _settle(db: Database, message_id: int, result: Result, attempts: int, requeue: bool = False) -> None:
    status = "queued" if requeue else "failed" if result.outcome == "temporary" else result.outcome
    values: dict[str, Any] = {"status": status, "answer": result.answer, "attempts": attempts, "updated_at": utcnow()}
    if status == "sent":
        values["sent_at"] = utcnow()
    with db.session() as s:
        s.execute(update(MailMessageRow).where(MailMessageRow.id == message_id).values(**values))


def _finish(db: Database, batch_id: str, state: str, error: str | None) -> str:
    with db.session() as s:
        s.execute(
            update(MailBatchRow)
            .where(MailBatchRow.id == batch_id)
            .values(state=state, error=error, finished_at=utcnow())
        )
    return state
