"""Database migrations: an empty database and one made by release 0.1.0 both reach the newest
schema (exactly the models'), and the older one keeps its data.

Every test runs on SQLite, and on PostgreSQL too when MATCHDAY_TEST_DATABASE_URL names one
(see tests/api_helpers.py). Release 0.1.0 created its tables without migrations;
tests/migration_data/ holds the DDL it ran, per database, as generated from that release.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from api_helpers import API_DATA, TEST_DATABASE_URL, database_url, on_server, settings_for
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url

from api.app import create_app
from api.migrations import alembic_config, current_revision, head_revision
from api.security import digest, participant_token
from api.storage import Base, Database

MIGRATION_DATA = Path(__file__).resolve().parent / "migration_data"
SERVER_IS_POSTGRES = on_server() and make_url(TEST_DATABASE_URL or "").get_backend_name() == "postgresql"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database: a SQLite file, or a fresh database on the PostgreSQL test server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'matchday.db'}"
    if not SERVER_IS_POSTGRES:
        pytest.skip("needs PostgreSQL: set MATCHDAY_TEST_DATABASE_URL (scripts/setup.sh starts one)")
    return database_url(tmp_path / "matchday.db")


@pytest.fixture
def db(url: str) -> Any:
    database = Database(url)
    yield database
    database.dispose()


def schema_differences(engine: Engine) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current_revision(connection)


def run_sql_file(engine: Engine, path: Path) -> None:
    statements = [s.strip() for s in path.read_text(encoding="utf-8").split(";")]
    with engine.begin() as connection:
        for statement in statements:
            lines = [line for line in statement.splitlines() if not line.startswith("--")]
            if "".join(lines).strip():
                connection.exec_driver_sql("\n".join(lines))


def release_0_1_0_database(db: Database) -> None:
    """The tables release 0.1.0 created on this kind of database, still empty."""
    run_sql_file(db.engine, MIGRATION_DATA / f"release-0.1.0.{db.backend}.sql")
    assert revision_of(db.engine) is None and "alembic_version" not in inspect(db.engine).get_table_names()


# --- an empty database -------------------------------------------------------------------------


def test_an_empty_database_is_upgraded_to_the_models_schema(db: Database) -> None:
    db.upgrade()
    assert revision_of(db.engine) == head_revision()
    assert schema_differences(db.engine) == []
    db.upgrade()  # a restart: nothing left to do
    assert revision_of(db.engine) == head_revision()


def test_downgrade_to_nothing_and_up_again(db: Database) -> None:
    db.upgrade()
    with db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.upgrade()
    assert schema_differences(db.engine) == []


def test_processes_starting_together_upgrade_once(url: str) -> None:
    databases = [Database(url) for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(databases))

    def boot(database: Database) -> None:
        try:
            start.wait()
            database.upgrade()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=boot, args=(database,)) for database in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert not errors, errors
        assert revision_of(databases[0].engine) == head_revision()
        assert schema_differences(databases[0].engine) == []
    finally:
        for database in databases:
            database.dispose()


# --- a database made by release 0.1.0 ------------------------------------------------------------

TOKEN = "organiser-token-of-release-0-1-0"
SECRET = "participant-link-secret-of-release-0-1-0"
SCHEDULE_CSV = "day,slot,start,end,table,participant_a,participant_b,locked\n2027-03-10,1,09:00,09:20,1,p1,p2,\n"
STAMP = dt.datetime(2027, 3, 1, 8, 30, tzinfo=dt.UTC)


def insert_release_0_1_0_rows(engine: Engine, *, late_columns: bool = True) -> None:
    """An event with two participants, a wish, a finished solve and its schedule, and the link
    secret, written with release 0.1.0's columns (without the ones it added on start, if asked)."""
    files = {name: (API_DATA / f"{name}").read_bytes() for name in ("event.toml", "participants.csv", "wishes.csv")}
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO events (id, name, timezone, organiser_token_hash, event_toml, participants_csv,"
                " wishes_csv, warnings, created_at" + (", revision" if late_columns else "") + ") VALUES"
                " ('ev1', 'Nordic–Baltic Circular B2B Day', 'Europe/Helsinki', :hash, :toml, :people, :wishes,"
                " '[]', :stamp" + (", 2" if late_columns else "") + ")"
            ),
            {
                "hash": digest(TOKEN),
                "toml": files["event.toml"],
                "people": files["participants.csv"],
                "wishes": files["wishes.csv"],
                "stamp": STAMP,
            },
        )
        people = [("p1", "Søren Dybdahl", "Ørsted Æble ApS"), ("p2", "Jānis Bērziņš", "Rīgas Ūdens")]
        for position, (pid, name, organisation) in enumerate(people):
            c.execute(
                text(
                    "INSERT INTO participants (event_id, pid, position, name, organisation, email, role, country,"
                    " status, link_version, token_digest) VALUES ('ev1', :pid, :position, :name, :org, '', '',"
                    " '', 'registered', 1, :digest)"
                ),
                {
                    "pid": pid,
                    "position": position,
                    "name": name,
                    "org": organisation,
                    "digest": digest(participant_token(SECRET, "ev1", pid, 1)),
                },
            )
        c.execute(
            text(
                "INSERT INTO wishes (event_id, requester, target, priority"
                + (", status" if late_columns else "")
                + ") VALUES ('ev1', 'p1', 'p2', 1"
                + (", 'requested'" if late_columns else "")
                + ")"
            )
        )
        c.execute(
            text(
                "INSERT INTO jobs (id, event_id, state, time_limit, progress, error, cancel_requested,"
                " schedule_version, submitted_at, started_at, finished_at"
                + (", options" if late_columns else "")
                + ") VALUES ('job1', 'ev1', 'done', 2.5, :progress, NULL, :false, 1, :stamp, :stamp, :stamp"
                + (", :options" if late_columns else "")
                + ")"
            ),
            {
                "progress": json.dumps({"phase": "done", "points": 9}),
                "false": False,
                "stamp": STAMP,
                "options": json.dumps({"mode": "fresh"}),
            },
        )
        c.execute(
            text(
                "INSERT INTO schedules (event_id, version, job_id, csv, bound, optimal, seconds, result, created_at)"
                " VALUES ('ev1', 1, 'job1', :csv, :bound, :true, 1.25, :result, :stamp)"
            ),
            {
                "csv": SCHEDULE_CSV,
                "bound": 2**40,
                "true": True,
                "result": json.dumps({"kind": "solve", "event_revision": 2 if late_columns else 1}),
                "stamp": STAMP,
            },
        )
        c.execute(text("INSERT INTO secrets (name, value) VALUES ('participant_links', :secret)"), {"secret": SECRET})


def test_a_release_0_1_0_database_is_upgraded_and_keeps_its_data(db: Database, url: str, tmp_path: Path) -> None:
    release_0_1_0_database(db)
    insert_release_0_1_0_rows(db.engine)
    db.upgrade()
    assert revision_of(db.engine) == head_revision()
    assert schema_differences(db.engine) == []

    # The service on the upgraded database: the organiser's token, the link secret and every row work.
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(settings_for(tmp_path / "matchday.db", database_url=url))) as client:
        event = client.get("/api/events/ev1", headers=headers).json()
        assert event["name"] == "Nordic–Baltic Circular B2B Day" and event["revision"] == 2
        assert client.get("/api/events/ev1/schedules/1.csv", headers=headers).text == SCHEDULE_CSV
        [version] = client.get("/api/events/ev1/schedules", headers=headers).json()
        assert version["version"] == 1 and version["kind"] == "solve"
        [job] = client.get("/api/events/ev1/jobs", headers=headers).json()
        assert (job["id"], job["state"], job["options"]["mode"]) == ("job1", "done", "fresh")
        assert dt.datetime.fromisoformat(job["finished_at"]) == STAMP
        people = client.get("/api/events/ev1/participants", headers=headers).json()["data"]
        assert [p["name"] for p in people][:2] == ["Søren Dybdahl", "Jānis Bērziņš"]
        agenda = client.get(people[0]["agenda_url"])  # the link derived from the kept secret
        assert agenda.status_code == 200 and "Søren Dybdahl" in agenda.text
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT bound FROM schedules")).scalar_one() == 2**40


def test_an_early_release_0_1_0_database_gains_the_columns_it_added_on_start(db: Database) -> None:
    # Release 0.1.0 added these columns on start to the databases made before they existed.
    release_0_1_0_database(db)
    with db.engine.begin() as connection:
        for table, column in (
            ("events", "revision"),
            ("wishes", "status"),
            ("jobs", "options"),
            ("jobs", "heartbeat_at"),
        ):
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    insert_release_0_1_0_rows(db.engine, late_columns=False)
    db.upgrade()
    assert schema_differences(db.engine) == []
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT revision FROM events")).scalar_one() == 1
        assert connection.execute(text("SELECT status FROM wishes")).scalar_one() == "requested"
        options, heartbeat = connection.execute(text("SELECT options, heartbeat_at FROM jobs")).one()
        assert (json.loads(options) if isinstance(options, str) else options) == {} and heartbeat is None
