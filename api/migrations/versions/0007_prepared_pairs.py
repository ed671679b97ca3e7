"""Prepared documents of a pair of versions: `prepared_documents.from_version`, part of the unique
key, so that the re-issued agendas of the people affected between two versions are prepared away
from the request like everyone's agendas (0 for every document that compares with nothing).

The table holds only rendered copies, each made again when it is asked for, so it is made anew
rather than altered: changing an unnamed unique key in place differs between SQLite (the table is
copied) and PostgreSQL (the key has a generated name). A document being prepared while a server
upgrades is forgotten; its task finds no row and ends, and asking again prepares it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def _create(with_from_version: bool) -> None:
    pair = [sa.Column("from_version", sa.Integer(), nullable=False)] if with_from_version else []
    key = ("event_id", "version", "from_version", "kind") if with_from_version else ("event_id", "version", "kind")
    op.create_table(
        "prepared_documents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        *pair,
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("base_url", sa.String(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*key),
    )
    op.create_index(op.f("ix_prepared_documents_event_id"), "prepared_documents", ["event_id"], unique=False)
    op.create_index(op.f("ix_prepared_documents_state"), "prepared_documents", ["state"], unique=False)


def _drop() -> None:
    op.drop_index(op.f("ix_prepared_documents_state"), table_name="prepared_documents")
    op.drop_index(op.f("ix_prepared_documents_event_id"), table_name="prepared_documents")
    op.drop_table("prepared_documents")


def upgrade() -> None:
    _drop()
    _create(with_from_version=True)


def downgrade() -> None:
    _drop()
    _create(with_from_version=False)
