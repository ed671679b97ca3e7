"""Big replacements of an existing event's participants and wishes files go through `imports` too:
the revision they were sent against, whether they wait for a confirmation, the files they replace
and the changes worked out for the organiser to confirm.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.add_column(sa.Column("base_revision", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("stage", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("replaced", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("changes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("changes")
        batch.drop_column("replaced")
        batch.drop_column("stage")
        batch.drop_column("base_revision")
