"""The workout label the athlete chose for an activity on their page, and the block as it was
written into the description: both live and go with the activity's row.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("workout_chosen", sa.String(32), nullable=True))
        batch.add_column(sa.Column("block", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("block")
        batch.drop_column("workout_chosen")
