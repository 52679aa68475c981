"""The athlete's own settings: feedback on or off, language, public numbers, sections, units.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        batch.add_column(sa.Column("feedback_on", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("language", sa.String(8), nullable=False,
                                   server_default="en"))
        batch.add_column(sa.Column("public_numbers", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("hidden_sections", sa.String(255), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("units_chosen", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        for column in ("units_chosen", "hidden_sections", "public_numbers", "language",
                       "feedback_on"):
            batch.drop_column(column)
