"""Mark backfilled activities whose summary could not decide, for a later streams pass.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("needs_streams", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_index("ix_activities_needs_streams", "activities", ["athlete_id", "needs_streams"])


def downgrade() -> None:
    op.drop_index("ix_activities_needs_streams", "activities")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("needs_streams")
