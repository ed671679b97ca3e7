"""Operations on stored events that routes, the worker and the renderers share.

Plain functions with keyword-only arguments over a SQLAlchemy session; nothing here knows HTTP.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.domain import Event, Schedule
from scheduler.loading import load_event_bytes
from scheduler.problems import Problem
from scheduler.schedule_io import read_schedule_csv

from .security import digest, new_organiser_token, participant_token
from .storage import EventRow, JobRow, ParticipantRow, ScheduleRow, WishRow


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
    loaded = load_event_bytes(event_toml, participants_csv, wishes_csv)
    event = loaded.event
    token = new_organiser_token()
    row = EventRow(
        name=event.name,
        timezone=event.timezone,
        organiser_token_hash=digest(token),
        event_toml=event_toml,
        participants_csv=participants_csv,
        wishes_csv=wishes_csv,
        warnings=[p.as_dict() for p in loaded.warnings],
    )
    session.add(row)
    session.flush()  # assigns the id
    for position, p in enumerate(event.participants.values()):
        session.add(
            ParticipantRow(
                event_id=row.id,
                pid=p.id,
                position=position,
                name=p.name,
                organisation=p.organisation,
                email=p.email,
                role=p.role,
                country=p.country,
                status=p.status,
                link_version=1,
                token_digest=digest(participant_token(secret, row.id, p.id, 1)),
            )
        )
    for w in event.wishes:
        session.add(WishRow(event_id=row.id, requester=w.requester, target=w.target, priority=w.priority))
    _remember(row.id, event)
    return CreatedEvent(row=row, organiser_token=token, warnings=loaded.warnings)


# The files of an event never change once stored, so the parsed Event is cached per process.
_CACHE: OrderedDict[str, Event] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def _remember(event_id: str, event: Event) -> None:
    with _CACHE_LOCK:
        _CACHE[event_id] = event
        _CACHE.move_to_end(event_id)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)


def forget(event_id: str) -> None:
    with _CACHE_LOCK:
        _CACHE.pop(event_id, None)


def load_event(row: EventRow) -> Event:
    """The typed Event of a stored event, rebuilt from its files by the library's loader."""
    with _CACHE_LOCK:
        cached = _CACHE.get(row.id)
    if cached is not None:
        return cached
    event = load_event_bytes(row.event_toml, row.participants_csv, row.wishes_csv).event
    _remember(row.id, event)
    return event


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
            select(ParticipantRow)
            .where(ParticipantRow.event_id == event_id)
            .order_by(ParticipantRow.position)
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
        session.scalars(
            select(ScheduleRow).where(ScheduleRow.event_id == event_id).order_by(ScheduleRow.version)
        )
    )


def parse_schedule(event: Event, row: ScheduleRow) -> Schedule:
    schedule, _warnings = read_schedule_csv(row.csv.encode("utf-8"), event)
    return schedule


def next_schedule_version(session: Session, event_id: str) -> int:
    current = session.scalar(select(func.max(ScheduleRow.version)).where(ScheduleRow.event_id == event_id))
    return (current or 0) + 1


def active_job(session: Session, event_id: str) -> JobRow | None:
    return session.scalar(
        select(JobRow).where(JobRow.event_id == event_id, JobRow.state.in_(("queued", "running"))).limit(1)
    )
