"""The language each activity's evidence is written in, so the athlete's page shows evidence in
their language only.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("evidence_language", sa.String(8), nullable=False,
                                   server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("evidence_language")
