"""The schema of release 0.1.0: events, participants, wishes, jobs, schedules and secrets.

On an empty database it creates the six tables. Release 0.1.0 made its tables without
migrations (SQLAlchemy's create_all) and added the columns introduced after a database was
created on its next start; a database it made has the tables but no `alembic_version`. For such a
database this revision creates only the tables that are missing and adds those columns where
they are missing, so that every database leaves it with the same schema.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def late_columns() -> dict[str, list[sa.Column[Any]]]:
    """The columns release 0.1.0 added to older databases on start, by table; each has a server
    default or allows NULL, so existing rows get a value. (New objects on each call: a column
    belongs to the one table it is added to.)"""
    return {
        "events": [sa.Column("revision", sa.Integer(), server_default="1", nullable=False)],
        "wishes": [sa.Column("status", sa.String(length=16), server_default="requested", nullable=False)],
        "jobs": [
            sa.Column("options", sa.JSON(), server_default="{}", nullable=False),
            sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        ],
    }


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    existing = set(inspector.get_table_names())
    if "events" not in existing:
        op.create_table(
            "events",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("name", sa.String(), nullable=False),
            sa.Column("timezone", sa.String(), nullable=False),
            sa.Column("organiser_token_hash", sa.String(length=64), nullable=False),
            sa.Column("event_toml", sa.LargeBinary(), nullable=False),
            sa.Column("participants_csv", sa.LargeBinary(), nullable=False),
            sa.Column("wishes_csv", sa.LargeBinary(), nullable=False),
            sa.Column("warnings", sa.JSON(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_events_organiser_token_hash", "events", ["organiser_token_hash"], unique=True)
    if "secrets" not in existing:
        op.create_table(
            "secrets",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("value", sa.String(length=200), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )
    if "jobs" not in existing:
        op.create_table(
            "jobs",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("event_id", sa.String(length=32), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("time_limit", sa.Float(), nullable=False),
            sa.Column("options", sa.JSON(), server_default="{}", nullable=False),
            sa.Column("progress", sa.JSON(), nullable=False),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("cancel_requested", sa.Boolean(), nullable=False),
            sa.Column("schedule_version", sa.Integer(), nullable=True),
            sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_jobs_event_id", "jobs", ["event_id"], unique=False)
        op.create_index("ix_jobs_state", "jobs", ["state"], unique=False)
    if "participants" not in existing:
        op.create_table(
            "participants",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("event_id", sa.String(length=32), nullable=False),
            sa.Column("pid", sa.String(length=200), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(), nullable=False),
            sa.Column("organisation", sa.String(), nullable=False),
            sa.Column("email", sa.String(), nullable=False),
            sa.Column("role", sa.String(), nullable=False),
            sa.Column("country", sa.String(), nullable=False),
            sa.Column("status", sa.String(length=32), nullable=False),
            sa.Column("link_version", sa.Integer(), nullable=False),
            sa.Column("token_digest", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("event_id", "pid"),
        )
        op.create_index("ix_participants_event_id", "participants", ["event_id"], unique=False)
        op.create_index("ix_participants_token_digest", "participants", ["token_digest"], unique=True)
    if "schedules" not in existing:
        op.create_table(
            "schedules",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("event_id", sa.String(length=32), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("job_id", sa.String(length=32), nullable=True),
            sa.Column("csv", sa.Text(), nullable=False),
            sa.Column("bound", sa.BigInteger(), nullable=True),
            sa.Column("optimal", sa.Boolean(), nullable=False),
            sa.Column("seconds", sa.Float(), nullable=False),
            sa.Column("result", sa.JSON(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("event_id", "version"),
        )
        op.create_index("ix_schedules_event_id", "schedules", ["event_id"], unique=False)
    if "wishes" not in existing:
        op.create_table(
            "wishes",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("event_id", sa.String(length=32), nullable=False),
            sa.Column("requester", sa.String(length=200), nullable=False),
            sa.Column("target", sa.String(length=200), nullable=False),
            sa.Column("priority", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=16), server_default="requested", nullable=False),
            sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_wishes_event_id", "wishes", ["event_id"], unique=False)
    for table, columns in late_columns().items():
        if table not in existing:
            continue  # created above, with every column
        present = {c["name"] for c in inspector.get_columns(table)}
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                if column.name not in present:
                    batch_op.add_column(column)


def downgrade() -> None:
    for table in ("wishes", "schedules", "participants", "jobs", "secrets", "events"):
        op.drop_table(table)  # their indexes go with them
