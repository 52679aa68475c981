"""Each activity's evidence in every language the pages speak (JSON {language: text}), written
from one classification, so that a page shows it in the language its reader chose since. Rows
stored before it have none: their pages show the evidence only in the language it was written in.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("evidence_texts", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("evidence_texts")
