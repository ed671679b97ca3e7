"""Publishing: a schedule version is a draft until the organiser publishes it.

`events.published_version` names the version participants see (none until the first publish);
`schedules.published_at` says when a version was published (kept after a later one replaces it,
so a participant's "what changed" compares published versions only), and `schedules.published_by`
who did (the organiser's browser or the API).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("published_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("published_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.drop_column("published_by")
        batch.drop_column("published_at")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("published_version")
