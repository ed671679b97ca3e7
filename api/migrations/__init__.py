"""Database migrations (Alembic): the history of the service's schema, one revision per change.

The service upgrades its database to the newest revision ("head") on every start
(`api.storage.Database.upgrade`): an empty database gets every table, an older one the revisions
it lacks. Release 0.1.0 created its tables without migrations; its databases have no
`alembic_version` table, and the first revision recognises them and adds what that release
added on start, so they carry on like any other.

A schema change: edit the models in api/storage.py, then, from the repository root,
`.venv/bin/alembic revision --autogenerate -m "what changed"` (alembic.ini; the database compared
against is MATCHDAY_DATABASE_URL's, which should be at head) and review the new file in versions/.
Revisions never import the models: each one states the tables as they were at its time.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for this package; with `connection`, the migrations run on it
    (in the caller's transaction) instead of on a connection of their own."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection) -> None:
    """Apply every revision the database on `connection` lacks, in the caller's transaction."""
    command.upgrade(alembic_config(connection), "head")


def head_revision() -> str:
    """The newest revision of this package."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "api/migrations/versions has no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database on `connection` is at; None before the first upgrade."""
    return MigrationContext.configure(connection).get_current_revision()
