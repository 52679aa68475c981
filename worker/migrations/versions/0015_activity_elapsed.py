"""Each activity's elapsed time (start to end of the recording, stops included), so that a
history read from the cache joins sessions minutes apart into one outing as files do.
Rows stored before it have none: the analysis then measures the gap from the moving time.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("elapsed_s", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("elapsed_s")
