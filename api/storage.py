"""Storage: SQLAlchemy models for events, participants, wishes, schedules, jobs and secrets.

Nothing here knows about HTTP. The raw bytes of an event's three files are kept, so the typed
`Event` is always rebuilt by the library's own loader (`load_event_bytes`), exactly as the CLI
would. On-the-day changes (a cancellation, a late registrant, a new wish) rewrite the stored
participants.csv / wishes.csv and bump the event's `revision`. Every schedule a solve or a hand
edit produces is kept as a new version (schedule.csv text plus figures); calendars use the
versions to update moved meetings and cancel dropped ones, and diffs compare any two of them.

The schema is versioned with Alembic (api/migrations/): on start the service upgrades its
database to the newest revision (`Database.upgrade`), so an older database, including one made by
release 0.1.0 before migrations existed, gains what it lacks and keeps its data.

The same models run on SQLite (the default, a file) and on PostgreSQL (any SQLAlchemy URL, e.g.
``postgresql+psycopg://user:password@127.0.0.1/matchday``). What differs is handled here: SQLite's
PRAGMAs are set only on SQLite; free text (names, organisations, e-mails, ...) has no length limit
on either database, while a participant id may have at most `MAX_ID_LENGTH` characters (it is
part of a unique index, whose entries PostgreSQL limits in size); PostgreSQL cannot store the
NUL character in text, so `unstorable_problems` refuses event files containing one, on every
database alike, and a key containing one matches nothing (`may_match`); scores (`bound`) are
64-bit; times are stored with their zone and always read back in UTC. Concurrency: changes of
one event are serialised by `lock_event` (a row lock on PostgreSQL, the write lock on SQLite),
and `Database.upgrade` runs in one transaction that holds an advisory lock on PostgreSQL (the
write lock on SQLite), so that web processes starting together migrate the database once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
import time
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
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
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from scheduler.io.codec import NotText, decode, file_label, read_table
from scheduler.problems import Problem, Problems

ACTIVE_STATES = ("queued", "running")
FINISHED_STATES = ("done", "failed", "cancelled")

# Longest participant id that can be stored (ids are in the unique index of `participants`).
MAX_ID_LENGTH = 200


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
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)  # PostgreSQL answers in the session's time zone


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON}


# --- events and their people ----------------------------------------------------------------


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String)  # free text: no length limit on any database
    timezone: Mapped[str] = mapped_column(String)
    organiser_token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    event_toml: Mapped[bytes] = mapped_column(LargeBinary)
    participants_csv: Mapped[bytes] = mapped_column(LargeBinary)
    wishes_csv: Mapped[bytes] = mapped_column(LargeBinary)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Bumped by every accepted change of the participants or wishes; versions record theirs.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The schedule version participants see; None until the organiser first publishes one.
    published_version: Mapped[int | None] = mapped_column(Integer, default=None)


class ParticipantRow(Base):
    """One person of an event; `link_version` is bumped to revoke the private agenda link."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("event_id", "pid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    pid: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))  # the id of participants.csv
    position: Mapped[int] = mapped_column(Integer)  # file order
    name: Mapped[str] = mapped_column(String)
    organisation: Mapped[str] = mapped_column(String, default="")
    email: Mapped[str] = mapped_column(String, default="")
    role: Mapped[str] = mapped_column(String, default="")
    country: Mapped[str] = mapped_column(String, default="")
    status: Mapped[str] = mapped_column(String(32), default="registered")
    link_version: Mapped[int] = mapped_column(Integer, default=1)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True, index=True)


class WishRow(Base):
    __tablename__ = "wishes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    requester: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
    target: Mapped[str] = mapped_column(String(MAX_ID_LENGTH))
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
    # Written every few seconds by the web process whose worker runs the job: a "running" job whose
    # heartbeat stops belongs to a server that died, and another one may settle it.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # How many times a process took the job up: more than one when a worker died mid-solve and
    # another one took it over (api/jobs/state.py). `worker`: host:pid:start time of the process
    # that runs it now, so a restarted server on the same machine settles a dead owner's job at once.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(200), default=None)


class ScheduleRow(Base):
    """One version of an event's schedule, as schedule.csv text plus the solve's figures."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("event_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(32), default=None)
    csv: Mapped[str] = mapped_column(Text)
    bound: Mapped[int | None] = mapped_column(BigInteger, default=None)  # weights may reach 10^12 points
    optimal: Mapped[bool] = mapped_column(Boolean, default=False)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # stats, parameters, warnings; kind ("solve", "repair", "cancel", "move", "pin"), based_on
    # (the version it started from), event_revision, repair report, edit
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set when the version is published (and kept when a later one is): participants' "what
    # changed" compares published versions only. `published_by`: "browser" or "api".
    published_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    published_by: Mapped[str | None] = mapped_column(String(32), default=None)


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
        self.backend = make_url(url).get_backend_name()
        if self.backend == "sqlite":
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:  # a server: connections may be dropped by a restart of it, so test each before use
            self.engine = create_engine(url, pool_pre_ping=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def upgrade(self) -> None:
        """Bring the database to the newest schema revision (creating every table in an empty one).

        One transaction (both databases' DDL is transactional) that several processes starting at
        once take in turn: the first migrates, the others wait for it and find nothing left to do.
        PostgreSQL serialises them with an advisory lock. On SQLite the transaction starts with
        BEGIN IMMEDIATE, which takes the database's write lock at once (the driver would otherwise
        commit each DDL statement on its own), and foreign keys are off meanwhile, as SQLite
        requires for rebuilding a table, then checked before the commit.
        """
        from api import migrations  # imports the models: not needed by every user of this module

        with self.engine.connect() as connection:
            if self.backend == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            elif self.backend == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            try:
                migrations.upgrade(connection)
                if self.backend == "sqlite":
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows whose references are broken: {broken[:5]}")
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                if self.backend == "sqlite":
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")

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


BUSY_TIMEOUT_MS = 30_000  # how long a SQLite write waits for another's lock before "database is locked" (503)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    _write_ahead_log(cursor)  # the worker writes progress while the web app reads
    cursor.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten, not left in free pages
    cursor.close()


def _write_ahead_log(cursor: Any, tries: int = 100) -> None:
    """Switch the database file to WAL once (the mode is kept in the file). Switching does not
    wait for SQLite's busy timeout: processes opening a new database at once got "database is
    locked" here, so a locked switch is tried again after a moment."""
    for attempt in range(tries):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.05)


# Any fixed number: the key of the advisory lock that serialises `Database.upgrade` on PostgreSQL.
_SCHEMA_LOCK = 0x6D61_7463_6864_6179 >> 1  # "matchday", made to fit a signed bigint


# --- what a database can store ---------------------------------------------------------------


def may_match(key: str) -> bool:
    """False for a key (from a URL) that no stored row can have: PostgreSQL cannot even compare
    text with a NUL character, and nothing stored contains one (see `unstorable_problems`)."""
    return "\x00" not in key


def unstorable_problems(
    event_toml: bytes, participants_csv: bytes, wishes_csv: bytes, participant_ids: Iterable[str] = ()
) -> list[Problem]:
    """Errors for event files the loader accepted but not every database can store.

    A NUL character (in a CSV cell, or as ``\\u0000`` in event.toml) cannot be stored in a
    PostgreSQL text column, and a participant id longer than `MAX_ID_LENGTH` does not fit its
    column; both are refused on every database, so that behaviour does not depend on it.
    """
    problems: list[Problem] = []
    toml_text = _decoded(event_toml)
    if toml_text is not None and "\x00" in toml_text:  # tomllib refuses raw control characters anyway
        problems.append(_nul_problem("event.toml", toml_text[: toml_text.index("\x00")].count("\n") + 1))
    elif toml_text is not None:
        try:
            raw = tomllib.loads(toml_text)
        except (tomllib.TOMLDecodeError, RecursionError):
            raw = {}
        key = _nul_key(raw)
        if key is not None:
            problems.append(
                Problem(
                    "error",
                    "nul_character",
                    f"the value of '{key}' contains a NUL character (\\u0000); remove it",
                    file="event.toml",
                )
            )
    for name, data in (("participants.csv", participants_csv), ("wishes.csv", wishes_csv)):
        row = _nul_row(data, name)
        if row is not None:
            problems.append(_nul_problem(file_label(data, name), row))
    for pid in participant_ids:
        if len(pid) > MAX_ID_LENGTH:
            problems.append(
                Problem(
                    "error",
                    "id_too_long",
                    f"the id '{pid[:40]}…' has {len(pid)} characters; an id may have at most {MAX_ID_LENGTH}",
                    file="participants.csv",
                    column="id",
                )
            )
    return problems


def _decoded(data: bytes) -> str | None:
    """The text of event.toml as the library's loader reads it."""
    try:
        return decode(data, fallback=False).text
    except NotText:
        return None


def _nul_row(data: bytes, file: str) -> int | None:
    """The first row of a participants or wishes file, read as the loader reads it, with a NUL."""
    table = read_table(data, file, Problems())
    if table is None:
        return None
    return next((n for n, cells in enumerate(table.rows, start=1) if any("\x00" in c for c in cells)), None)


def _nul_problem(file: str, row: int) -> Problem:
    return Problem(
        "error",
        "nul_character",
        "the file contains a NUL character (byte 0), which cannot be stored; is it a binary or "
        "wrongly saved file? Save it as UTF-8 text",
        file=file,
        row=row,
    )


def _nul_key(value: Any) -> str | None:
    """The dotted key of the first TOML value holding a string with a NUL character. Iterative:
    TOML nests as deep as a dotted key is long, deeper than Python's recursion limit."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        node, key = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return key
            continue
        items: Any = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        children = []
        for k, v in items:
            if isinstance(k, str) and "\x00" in k:
                return f"{key}.{k!r}" if key else repr(k)
            children.append((v, f"{key}.{k}" if key else str(k)))
        stack.extend(reversed(children))  # depth first, in the file's order
    return None


def get_or_create_secret(db: Database, name: str) -> str:
    """The secret `name`, generated and stored on first use; every process gets the same one."""
    with db.session() as s:
        row = s.get(SecretRow, name)
        if row is not None:
            return row.value
    try:
        with db.session() as s:
            row = SecretRow(name=name, value=secrets.token_urlsafe(48))
            s.add(row)
            return row.value
    except IntegrityError:  # another process stored it first: use theirs
        with db.session() as s:
            stored = s.get(SecretRow, name)
            assert stored is not None
            return stored.value


def lock_event(session: Session, row: EventRow) -> None:
    """Serialise the changes of one event: hold its row's write lock until the transaction ends
    (a second change of the same event waits for it), then reload the row.

    Without it, two changes made at the same moment both build on the same latest version: one
    is lost, or both pick the same version number. PostgreSQL locks the row (FOR NO KEY UPDATE,
    so a worker storing a version, which only needs the key, does not wait); SQLite has no row
    locks, so a write that changes nothing takes its database-wide write lock instead.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE events SET revision = revision WHERE id = :id"), {"id": row.id})
        session.refresh(row)
    else:
        session.refresh(row, with_for_update={"key_share": True})


def delete_event(session: Session, event_id: str) -> None:
    """Remove an event and every row that refers to it (explicitly: not every database cascades)."""
    for model in (JobRow, ScheduleRow, WishRow, ParticipantRow):
        session.execute(delete(model).where(model.event_id == event_id))
    session.execute(delete(EventRow).where(EventRow.id == event_id))
