"""Operations on stored events that routes, the worker and the renderers share.

Plain functions with keyword-only arguments over a SQLAlchemy session; nothing here knows HTTP.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.security import digest, new_organiser_token, participant_token
from api.settings import current_limits
from api.storage import (
    ACTIVE_STATES,
    EventRow,
    JobRow,
    ParticipantRow,
    ScheduleRow,
    WishRow,
    unstorable_problems,
    utcnow,
)
from scheduler.diff import ScheduleDiff, diff_schedules
from scheduler.domain import Event, Schedule
from scheduler.edits import NotFound
from scheduler.export.history import ScheduleVersion
from scheduler.io.loading import LoadedEvent, load_event_bytes
from scheduler.io.schedule_files import read_schedule_csv, write_schedule_csv
from scheduler.problems import EventError, Problem, summarised
from scheduler.report import schedule_stats


@dataclass(frozen=True)
class CreatedEvent:
    row: EventRow
    organiser_token: str
    warnings: list[Problem]


def create_event(
    *, session: Session, secret: str, event_toml: bytes, participants_csv: bytes, wishes_csv: bytes
) -> CreatedEvent:
    """Check the three files with the library's loader and store them; nothing is stored when
    they are invalid (`scheduler.problems.EventError` propagates)."""
    loaded = load_event_bytes(event_toml, participants_csv, wishes_csv, limits=current_limits())
    _check_storable(loaded, event_toml, participants_csv, wishes_csv)
    event = loaded.event
    token = new_organiser_token()
    row = EventRow(
        name=event.name,
        timezone=event.timezone,
        organiser_token_hash=digest(token),
        event_toml=event_toml,
        participants_csv=participants_csv,
        wishes_csv=wishes_csv,
        warnings=[p.as_dict() for p in summarised(loaded.warnings)],
    )
    session.add(row)
    session.flush()  # assigns the id
    sync_people(session=session, secret=secret, row=row, event=event)
    _remember(row, event)
    return CreatedEvent(row=row, organiser_token=token, warnings=loaded.warnings)


def _check_storable(loaded: LoadedEvent, event_toml: bytes, participants_csv: bytes, wishes_csv: bytes) -> None:
    """Refuse, like the loader does, what the loader accepts but a database cannot store (a NUL
    character, an overlong id): `EventError`, whatever the database, so nothing half-stores."""
    problems = unstorable_problems(event_toml, participants_csv, wishes_csv, loaded.event.participants)
    if problems:
        raise EventError(problems + list(loaded.warnings))


def sync_people(*, session: Session, secret: str, row: EventRow, event: Event) -> None:
    """Mirror the event's participants and wishes into their tables (after upload or a change).

    A participant's row is never deleted (it holds their private link); a new person gets one
    at the end, with a fresh link.
    """
    existing = {p.pid: p for p in participants_of(session, row.id)}
    position = max((p.position for p in existing.values()), default=-1)
    for p in event.participants.values():
        stored = existing.get(p.id)
        if stored is None:
            position += 1
            stored = ParticipantRow(
                event_id=row.id,
                pid=p.id,
                position=position,
                link_version=1,
                token_digest=digest(participant_token(secret, row.id, p.id, 1)),
            )
            session.add(stored)
        stored.name, stored.organisation, stored.email = p.name, p.organisation, p.email
        stored.role, stored.country, stored.status = p.role, p.country, p.status
    session.execute(delete(WishRow).where(WishRow.event_id == row.id))
    for w in event.wishes:
        session.add(
            WishRow(
                event_id=row.id,
                requester=w.requester,
                target=w.target,
                priority=w.priority,
                status="declined" if w.declined else "requested",
            )
        )


# The parsed Event is cached per process under (event id, digest of its three files): a change
# stores new files, so it can never be served an older event, even when its transaction is
# rolled back after the event was parsed.
_CACHE: OrderedDict[tuple[str, str], Event] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def _key(row: EventRow) -> tuple[str, str]:
    h = hashlib.blake2b(digest_size=16)
    for data in (row.event_toml, row.participants_csv, row.wishes_csv):
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return row.id, h.hexdigest()


def _remember(row: EventRow, event: Event) -> None:
    key = _key(row)
    with _CACHE_LOCK:
        _CACHE[key] = event
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)


def forget(event_id: str) -> None:
    """Drop what is cached of a deleted event: its parsed files and its parsed schedule versions."""
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if k[0] == event_id]:
            del _CACHE[key]
        for vkey in [k for k in _VERSIONS if k[0] == event_id]:
            del _VERSIONS[vkey]


def load_event(row: EventRow) -> Event:
    """The typed Event of a stored event, rebuilt from its files by the library's loader."""
    with _CACHE_LOCK:
        cached = _CACHE.get(_key(row))
    if cached is not None:
        return cached
    event = load_event_bytes(row.event_toml, row.participants_csv, row.wishes_csv).event
    _remember(row, event)
    return event


def store_files(
    *, session: Session, secret: str, row: EventRow, participants_csv: bytes, wishes_csv: bytes
) -> LoadedEvent:
    """Replace the event's participants and wishes after the loader accepted them; bumps the revision.

    Raises `EventError` (nothing changed) when the files do not make a valid event.
    """
    loaded = load_event_bytes(row.event_toml, participants_csv, wishes_csv, limits=current_limits())
    _check_storable(loaded, row.event_toml, participants_csv, wishes_csv)
    row.participants_csv, row.wishes_csv = participants_csv, wishes_csv
    row.revision = (row.revision or 1) + 1
    row.warnings = [p.as_dict() for p in summarised(loaded.warnings)]
    sync_people(session=session, secret=secret, row=row, event=loaded.event)
    _remember(row, loaded.event)
    return loaded


def agenda_token(*, secret: str, participant: ParticipantRow) -> str:
    return participant_token(secret, participant.event_id, participant.pid, participant.link_version)


def reissue_link(*, secret: str, participant: ParticipantRow) -> str:
    """Revoke a participant's link and derive a new one."""
    participant.link_version += 1
    token = agenda_token(secret=secret, participant=participant)
    participant.token_digest = digest(token)
    return token


def participant_by_token(session: Session, token: str) -> ParticipantRow | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(ParticipantRow).where(ParticipantRow.token_digest == digest(token)))


def participants_of(session: Session, event_id: str) -> list[ParticipantRow]:
    return list(
        session.scalars(
            select(ParticipantRow).where(ParticipantRow.event_id == event_id).order_by(ParticipantRow.position)
        )
    )


def schedule_row(session: Session, event_id: str, version: int | None = None) -> ScheduleRow | None:
    """One version of the event's schedule; the latest when `version` is None."""
    query = select(ScheduleRow).where(ScheduleRow.event_id == event_id)
    if version is not None:
        return session.scalar(query.where(ScheduleRow.version == version))
    return session.scalar(query.order_by(ScheduleRow.version.desc()).limit(1))


def schedule_rows(session: Session, event_id: str) -> list[ScheduleRow]:
    return list(
        session.scalars(select(ScheduleRow).where(ScheduleRow.event_id == event_id).order_by(ScheduleRow.version))
    )


# A stored version never changes, so each is parsed once per process: cached under (event id,
# version), and served only to the same parsed Event (a change of the event's files makes a new
# Event) and the same stored text (a version number reused after a rolled-back transaction).
@dataclass(frozen=True)
class _Parsed:
    event: Event
    csv: str
    schedule: Schedule


_VERSIONS: OrderedDict[tuple[str, int], _Parsed] = OrderedDict()
_VERSIONS_SIZE = 64


def parse_schedule(event: Event, row: ScheduleRow) -> Schedule:
    """A stored version exactly as it was written, locked rows included; rules are not judged here."""
    key = (row.event_id, row.version)
    with _CACHE_LOCK:
        hit = _VERSIONS.get(key)
        if hit is not None and hit.event is event and hit.csv == row.csv:
            _VERSIONS.move_to_end(key)
            return hit.schedule
    schedule, _warnings = read_schedule_csv(row.csv.encode("utf-8"), event)
    with _CACHE_LOCK:
        _VERSIONS[key] = _Parsed(event, row.csv, schedule)
        _VERSIONS.move_to_end(key)
        while len(_VERSIONS) > _VERSIONS_SIZE:
            _VERSIONS.popitem(last=False)
    return schedule


def published_row(session: Session, row: EventRow) -> ScheduleRow | None:
    """The version participants see; None until the organiser publishes one."""
    if row.published_version is None:
        return None
    return schedule_row(session, row.id, row.published_version)


def publish(*, session: Session, row: EventRow, version: int | None = None, by: str) -> ScheduleRow:
    """Make one version (the latest by default) the one participants see; `by`: "browser" or "api".

    Raises `NotFound` when there is no such version. An older version may be published again
    (to go back); publishing the version already published changes nothing.
    """
    srow = schedule_row(session, row.id, version)
    if srow is None:
        raise NotFound("No schedule yet: solve first" if version is None else f"Schedule version {version} not found")
    if row.published_version != srow.version:
        srow.published_at, srow.published_by = utcnow(), by
        row.published_version = srow.version
    return srow


def publication_diff(session: Session, row: EventRow, event: Event, srow: ScheduleRow) -> ScheduleDiff:
    """What publishing `srow` changes for participants: against the published version (everything
    is "added" before the first publication)."""
    before = published_row(session, row)
    old = parse_schedule(event, before) if before is not None else Schedule.of([])
    return diff_schedules(event, old, parse_schedule(event, srow))


def published_versions(session: Session, row: EventRow, event: Event) -> list[ScheduleVersion]:
    """The versions participants have been shown, oldest first, up to the one they see now: what
    their agenda says changed, and what their calendar updates, compares these only."""
    current = row.published_version
    if current is None:
        return []
    return [
        ScheduleVersion(s.version, s.created_at, parse_schedule(event, s))
        for s in schedule_rows(session, row.id)
        if s.published_at is not None and s.version <= current
    ]


def next_schedule_version(session: Session, event_id: str) -> int:
    current = session.scalar(select(func.max(ScheduleRow.version)).where(ScheduleRow.event_id == event_id))
    return (current or 0) + 1


def add_schedule_version(
    *,
    session: Session,
    row: EventRow,
    event: Event,
    schedule: Schedule,
    kind: str,
    based_on: ScheduleRow | None = None,
    previous: Schedule | None = None,
    job_id: str | None = None,
    bound: int | None = None,
    optimal: bool = False,
    seconds: float = 0.0,
    result: dict[str, Any] | None = None,
) -> ScheduleRow:
    """Store `schedule` as the event's next version.

    `kind` says what made it ("solve", "repair", "cancel", "move", "pin"); `based_on` is the
    version it started from, against which the changes (`diff.summary`) are recorded.
    """
    version = next_schedule_version(session, row.id)
    figures: dict[str, Any] = dict(result or {})
    if "stats" not in figures:
        figures["stats"] = schedule_stats(event, schedule).as_dict()
    figures.update(kind=kind, event_revision=row.revision or 1, based_on=based_on.version if based_on else None)
    if based_on is not None:
        old = previous if previous is not None else parse_schedule(event, based_on)
        diff = diff_schedules(event, old, schedule)
        figures["changes"] = diff.summary | {"people_affected": len(diff.people_affected)}
    srow = ScheduleRow(
        event_id=row.id,
        version=version,
        job_id=job_id,
        csv=write_schedule_csv(event, schedule),
        bound=bound,
        optimal=optimal,
        seconds=seconds,
        result=figures,
    )
    session.add(srow)
    session.flush()
    return srow


def active_job(session: Session, event_id: str) -> JobRow | None:
    return session.scalar(select(JobRow).where(JobRow.event_id == event_id, JobRow.state.in_(ACTIVE_STATES)).limit(1))
