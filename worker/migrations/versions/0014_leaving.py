"""An athlete who leaves may have the blocks written into their descriptions removed first:
what is to be read, and what was done (worker.leaving). The rows go with the athlete.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from worker.models import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leavings",
        sa.Column("athlete_id", sa.BigInteger(),
                  sa.ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("back_to", UTCDateTime(), nullable=True),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("without_block", sa.Integer(), nullable=False),
        sa.Column("gone", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
    )
    op.create_table(
        "leaving_activities",
        sa.Column("athlete_id", sa.BigInteger(),
                  sa.ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("activity_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leaving_activities")
    op.drop_table("leavings")
