"""Strava's cache: when each row was fetched from Strava, and until when an athlete's history
is complete; no Strava data on the athlete row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from worker.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: Each cached table, and the column its existing rows were last fetched at.
_CACHED = {"activities": "analysed_at", "inbox_events": "received_at",
           "stranded_jobs": "recorded_at"}


def upgrade() -> None:
    for table, since in _CACHED.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("fetched_at", UTCDateTime(), nullable=True))
        op.execute(f"UPDATE {table} SET fetched_at = {since}")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("fetched_at", existing_type=UTCDateTime(), nullable=False)
        op.create_index(f"ix_{table}_fetched_at", table, ["fetched_at"])
    with op.batch_alter_table("athletes") as batch:
        batch.drop_column("firstname")
        batch.drop_column("backfilled_at")
        batch.add_column(sa.Column("history_since", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("history_read_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        batch.drop_column("history_read_at")
        batch.drop_column("history_since")
        batch.add_column(sa.Column("backfilled_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("firstname", sa.String(255), nullable=False,
                                   server_default=""))
    for table in _CACHED:
        op.drop_index(f"ix_{table}_fetched_at", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("fetched_at")
