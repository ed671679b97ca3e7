"""Helpers for the API tests: a test app on a temporary SQLite file, uploads, waiting for jobs.

With MATCHDAY_TEST_DATABASE_URL set (a server database the role may create databases from, e.g.
``postgresql+psycopg://matchday:matchday@127.0.0.1/matchday``), every test database is instead a
fresh database on that server, one per temporary path: the same path (a restart test) gives the
same database, another path a new, empty one. They are dropped when the test process ends.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from api.app import create_app
from api.settings import Settings
from api.storage import Database, EventRow, JobRow, ParticipantRow, WishRow

API_DATA = Path(__file__).resolve().parent / "api_data"


TEST_DATABASE_URL = os.environ.get("MATCHDAY_TEST_DATABASE_URL", "").strip() or None

_server_databases: dict[Path, str] = {}
_server_lock = threading.Lock()


def on_server() -> bool:
    """Whether the API tests run against a database server (MATCHDAY_TEST_DATABASE_URL)."""
    return TEST_DATABASE_URL is not None


def database_url(db_path: Path) -> str:
    """The SQLAlchemy URL of a test database: the SQLite file `db_path`, or a fresh server
    database standing for it when MATCHDAY_TEST_DATABASE_URL is set."""
    if TEST_DATABASE_URL is None:
        return f"sqlite:///{db_path}"
    with _server_lock:
        if db_path not in _server_databases:
            _server_databases[db_path] = _create_server_database(db_path)
        return _server_databases[db_path]


def _admin_url() -> URL:
    assert TEST_DATABASE_URL is not None
    return make_url(TEST_DATABASE_URL)


def _drop_sql(name: str) -> str:
    force = " WITH (FORCE)" if _admin_url().get_backend_name() == "postgresql" else ""
    return f'DROP DATABASE IF EXISTS "{name}"{force}'


def _create_server_database(db_path: Path) -> str:
    admin = _admin_url()
    base = (admin.database or "matchday")[:30]
    tag = hashlib.sha1(f"{os.getpid()}:{db_path}".encode()).hexdigest()[:12]
    name = f"{base}_t_{tag}".lower()
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(_drop_sql(name)))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


@atexit.register
def _drop_server_databases() -> None:
    if TEST_DATABASE_URL is None or not _server_databases:
        return
    engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for url in _server_databases.values():
                connection.execute(text(_drop_sql(make_url(url).database or "")))
    except Exception:  # noqa: BLE001 - best effort: a leftover test database harms nothing
        pass
    finally:
        engine.dispose()
        _server_databases.clear()


def settings_for(db_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url(db_path),
        "default_time_limit": 2.0,
        "progress_interval": 0.1,
        "cancel_grace_seconds": 2.0,
        "solver_workers": 1,
        "pdf_processes": 0,  # PDFs in the test's own threads; the live-server tests use the process pool
        "background_processes": 0,  # prepared documents and big uploads: a thread, not a spawned process
        "document_wait_seconds": 60,  # GET agendas.pdf waits for the background as long as a loaded machine needs
        # The link key is kept outside the database: beside a SQLite file by default, here beside the
        # path standing for a server database too, so that each test database has its own.
        "secret_key_file": Path(f"{db_path}.key"),
    }
    values.update(overrides)
    return Settings(**values)


def client_for(db_path: Path, **overrides: Any) -> TestClient:
    return TestClient(create_app(settings_for(db_path, **overrides)))


def event_files(folder: Path = API_DATA, **replace: bytes) -> dict[str, tuple[str, bytes, str]]:
    names = {"event": "event.toml", "participants": "participants.csv", "wishes": "wishes.csv"}
    files = {}
    for field, name in names.items():
        data = replace.get(field, (folder / name).read_bytes() if field not in replace else b"")
        files[field] = (name, data, "text/plain")
    return files


def upload(client: TestClient, folder: Path = API_DATA, **replace: bytes) -> tuple[str, dict[str, str]]:
    """Create an event; returns its id and the organiser auth header."""
    r = client.post("/api/events", files=event_files(folder, **replace))
    assert r.status_code == 201, r.text
    body = r.json()
    return body["id"], {"Authorization": f"Bearer {body['organiser_token']}"}


def wait_for_state(
    client: TestClient,
    url: str,
    headers: dict[str, str],
    timeout: float = 60.0,
    until: tuple[str, ...] = ("done", "failed"),
) -> dict[str, Any]:
    """Poll a status route (a job, a mail batch, a prepared document, an import) until its `state`
    is one of `until`; its JSON body."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["state"] in until:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} still {body['state']} after {timeout} s: {body}")
        time.sleep(0.1)


def wait_for_job(
    client: TestClient,
    job_id: str,
    headers: dict[str, str],
    timeout: float = 60.0,
    until: tuple[str, ...] = ("done", "failed", "cancelled"),
) -> dict[str, Any]:
    return wait_for_state(client, f"/api/jobs/{job_id}", headers, timeout, until)


def solve(
    client: TestClient,
    event_id: str,
    headers: dict[str, str],
    time_limit: float = 1.5,
    publish: bool = True,
    **body: Any,
) -> dict[str, Any]:
    """Run a solve (`body`: the other request fields, e.g. a repair's) and return its finished job;
    its version is published (participants' links show it) unless `publish` is false."""
    body = {"time_limit": time_limit, "publish": publish, **body}
    r = client.post(f"/api/events/{event_id}/solve", json=body, headers=headers)
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["job_id"], headers)
    assert job["state"] == "done", job
    return job


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    assert data.startswith(b"%PDF"), data[:40]
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def squash(text: str) -> str:
    """Text with all whitespace removed, so words broken across lines still match."""
    return "".join(text.split())


def big_event(people: int = 160, wishes_each: int = 10, seed: int = 7) -> dict[str, bytes]:
    """A generated event large enough that a solve uses its whole time limit (for cancel tests)."""
    import random

    rng = random.Random(seed)
    toml = (
        'name = "Big day"\ntimezone = "Europe/Warsaw"\nslot_minutes = 15\ntables = 25\n'
        '[[days]]\ndate = "2027-05-04"\nstart = "09:00"\nend = "17:00"\nbreaks = ["12:00-13:00"]\n'
        '[[days]]\ndate = "2027-05-05"\nstart = "09:00"\nend = "13:00"\n'
    )
    participants = "id,name,organisation\n" + "".join(f"b{i},Osoba Żółć {i},Org {i % 40}\n" for i in range(people))
    rows = []
    for i in range(people):
        for j in rng.sample(range(people), wishes_each):
            if j != i and i % 40 != j % 40:
                rows.append(f"b{i},b{j},{rng.randint(1, 3)}\n")
    return {
        "event": toml.encode(),
        "participants": participants.encode(),
        "wishes": ("requester,target,priority\n" + "".join(rows)).encode(),
    }


class IdleRunner:
    """A runner that never runs anything: jobs stay queued until a test runs them itself."""

    def start(self) -> None:
        pass

    def submit(self, job_id: str) -> None:
        pass

    def cancel(self, job_id: str, *, immediately: bool = False) -> None:
        pass

    def shutdown(self) -> None:
        pass


@contextmanager
def claimed_solve(
    settings: Settings, time_limit: float
) -> Iterator[tuple[TestClient, Database, str, str, dict[str, str]]]:
    """An app whose jobs stay queued, an uploaded event, and its solve job marked running as a worker
    of this process would claim it: yields (client, database, event id, job id, auth headers), so that
    the test runs `jobs.run_job` itself, in this process."""
    with TestClient(create_app(settings, runner_factory=lambda db, s: IdleRunner())) as client:
        event_id, headers = upload(client)
        r = client.post(f"/api/events/{event_id}/solve", json={"time_limit": time_limit}, headers=headers)
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        db = Database(settings.database_url)
        try:
            with db.session() as s:
                s.execute(update(JobRow).where(JobRow.id == job_id).values(state="running"))
            yield client, db, event_id, job_id, headers
        finally:
            db.dispose()


def event_row(client: TestClient, event_id: str) -> EventRow:
    """The event's row as stored now, detached from its session."""
    with client.app.state.db.sessions() as s:  # type: ignore[attr-defined]
        row: EventRow | None = s.get(EventRow, event_id)
        assert row is not None
        s.expunge(row)
        return row


def stored_rows(session: Session, event_id: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """An event's participant rows (all but their link keys) and wish rows, in order: what two ways
    of storing the same files must leave alike."""
    people = session.execute(
        select(
            ParticipantRow.pid,
            ParticipantRow.position,
            ParticipantRow.name,
            ParticipantRow.organisation,
            ParticipantRow.email,
            ParticipantRow.role,
            ParticipantRow.country,
            ParticipantRow.status,
            ParticipantRow.link_version,
        )
        .where(ParticipantRow.event_id == event_id)
        .order_by(ParticipantRow.position)
    ).all()
    wishes = session.execute(
        select(WishRow.requester, WishRow.target, WishRow.priority, WishRow.status)
        .where(WishRow.event_id == event_id)
        .order_by(WishRow.id)
    ).all()
    return [tuple(p) for p in people], [tuple(w) for w in wishes]
