"""Long work away from the request: `prepared_documents` (everyone's agendas as one PDF or a ZIP,
one row per event, version and kind, with the bytes once rendered) and `imports` (a big upload kept
raw until it is parsed, then the event it created or its problems).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "prepared_documents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
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
        sa.UniqueConstraint("event_id", "version", "kind"),
    )
    op.create_index(op.f("ix_prepared_documents_event_id"), "prepared_documents", ["event_id"], unique=False)
    op.create_index(op.f("ix_prepared_documents_state"), "prepared_documents", ["state"], unique=False)
    op.create_table(
        "imports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("event_toml", sa.LargeBinary(), nullable=False),
        sa.Column("participants_csv", sa.LargeBinary(), nullable=False),
        sa.Column("wishes_csv", sa.LargeBinary(), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_imports_state"), "imports", ["state"], unique=False)
    op.create_index(op.f("ix_imports_token_hash"), "imports", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_imports_token_hash"), table_name="imports")
    op.drop_index(op.f("ix_imports_state"), table_name="imports")
    op.drop_table("imports")
    op.drop_index(op.f("ix_prepared_documents_state"), table_name="prepared_documents")
    op.drop_index(op.f("ix_prepared_documents_event_id"), table_name="prepared_documents")
    op.drop_table("prepared_documents")
