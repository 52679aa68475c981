"""Index the two dates the cache purge selects by that had none: an athlete's history_read_at
and an activity's block_written_at. Without them each purge read every athlete row (twice) and
every activity row, so a pass grew with the athletes stored instead of with the rows expiring.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_athletes_history_read_at", "athletes", ["history_read_at"])
    op.create_index("ix_activities_block_written_at", "activities", ["block_written_at"])


def downgrade() -> None:
    op.drop_index("ix_activities_block_written_at", "activities")
    op.drop_index("ix_athletes_history_read_at", "athletes")
