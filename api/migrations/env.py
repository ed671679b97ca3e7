"""Alembic's entry point: runs the revisions on the connection `api.migrations.upgrade` hands
over, or, from the `alembic` command line, on the database of alembic.ini's `sqlalchemy.url`
or else the service's own setting (MATCHDAY_DATABASE_URL)."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection

from api.mail import rows as _mail_rows  # noqa: F401 - the mail tables join Base.metadata
from api.prepared import rows as _prepared_rows  # noqa: F401 - so do prepared documents and imports
from api.settings import get_settings
from api.storage import Base

config = context.config
target_metadata = Base.metadata  # what `alembic revision --autogenerate` compares a database with


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot alter or drop most columns in place: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


given: Connection | None = config.attributes.get("connection")
if given is None and config.config_file_name is not None:
    fileConfig(config.config_file_name)  # the command line: its log lines say what it did
if given is not None:
    run_migrations(given)
elif context.is_offline_mode():  # `alembic upgrade --sql`: print the SQL instead of running it
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
            connection.commit()
    finally:
        engine.dispose()
