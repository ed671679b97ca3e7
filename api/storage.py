"""Storage: SQLAlchemy models for events, participants, wishes, schedules, jobs and secrets.

Nothing here knows about HTTP. The raw bytes of an event's three files are kept, so the typed
`Event` is always rebuilt by the library's own loader (`load_event_bytes`), exactly as the CLI
would. On-the-day changes (a cancellation, a late registrant, a new wish) rewrite the stored
participants.csv / wishes.csv and bump the event's `revision`. Every schedule a solve or a hand
edit produces is kept as a new version (schedule.csv text plus figures); calendars use the
versions to update moved meetings and cancel dropped ones, and diffs compare any two of them.

Columns added after a database was created are added to it on start (`Database.create_all`),
each with a server default, so an older database keeps working.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.schema import CreateColumn

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED_STATES = ("done", "failed", "cancelled")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    """A random, URL-safe identifier (not a secret: access needs a token as well)."""
    return secrets.token_hex(8)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and read back as aware datetimes, on every database (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON}


# --- events and their people ----------------------------------------------------------------


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    organiser_token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    event_toml: Mapped[bytes] = mapped_column(LargeBinary)
    participants_csv: Mapped[bytes] = mapped_column(LargeBinary)
    wishes_csv: Mapped[bytes] = mapped_column(LargeBinary)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Bumped by every accepted change of the participants or wishes; versions record theirs.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class ParticipantRow(Base):
    """One person of an event; `link_version` is bumped to revoke the private agenda link."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("event_id", "pid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    pid: Mapped[str] = mapped_column(String(200))  # the id of participants.csv
    position: Mapped[int] = mapped_column(Integer)  # file order
    name: Mapped[str] = mapped_column(String(500))
    organisation: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(500), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(32), default="registered")
    link_version: Mapped[int] = mapped_column(Integer, default=1)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True, index=True)


class WishRow(Base):
    __tablename__ = "wishes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    requester: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[str] = mapped_column(String(16), default="requested", server_default="requested")


# --- solving ---------------------------------------------------------------------------------


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    time_limit: Mapped[float] = mapped_column(Float)
    # mode ("fresh" / "repair"), previous_version, cutoff (ISO local time), move_cost, drop_cost
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    schedule_version: Mapped[int | None] = mapped_column(Integer, default=None)
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ScheduleRow(Base):
    """One version of an event's schedule, as schedule.csv text plus the solve's figures."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("event_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(32), default=None)
    csv: Mapped[str] = mapped_column(Text)
    bound: Mapped[int | None] = mapped_column(Integer, default=None)
    optimal: Mapped[bool] = mapped_column(Boolean, default=False)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # stats, parameters, warnings; kind ("solve", "repair", "cancel", "move", "pin"), based_on
    # (the version it started from), event_revision, repair report, edit
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SecretRow(Base):
    """Server-wide secrets generated on first start (e.g. the participant-link key)."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


# --- engine and sessions ---------------------------------------------------------------------


class Database:
    """An engine plus a session factory; one per process (the web app and each worker)."""

    def __init__(self, url: str):
        self.url = url
        connect_args: dict[str, Any] = {}
        if url.startswith("sqlite"):
            connect_args = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(url, connect_args=connect_args)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_all(self) -> None:
        Base.metadata.create_all(self.engine)
        add_missing_columns(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block succeeds and rolls back otherwise."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # the worker writes progress while the web app reads
    cursor.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten, not left in free pages
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def add_missing_columns(engine: Engine) -> list[str]:
    """Add the columns a database created by an earlier release lacks; returns "table.column" of each."""
    inspector = inspect(engine)
    added = []
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if column.server_default is None and not column.nullable:
                    raise RuntimeError(f"cannot add {table.name}.{column.name}: it has no server default")
                ddl = CreateColumn(column).compile(dialect=engine.dialect)
                connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
                added.append(f"{table.name}.{column.name}")
    return added


def get_or_create_secret(db: Database, name: str) -> str:
    with db.session() as s:
        row = s.get(SecretRow, name)
        if row is None:
            row = SecretRow(name=name, value=secrets.token_urlsafe(48))
            s.add(row)
        return row.value


def delete_event(session: Session, event_id: str) -> None:
    """Remove an event and every row that refers to it (explicitly: not every database cascades)."""
    for model in (JobRow, ScheduleRow, WishRow, ParticipantRow):
        session.execute(delete(model).where(model.event_id == event_id))
    session.execute(delete(EventRow).where(EventRow.id == event_id))
