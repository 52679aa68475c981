"""The inbox's enqueued_at was a lease in disguise: name it lease_until and store the lease.

An event enqueued at T was left alone by the sweeper until T + 120 s (its staleness), so the
lease of an existing row is its old mark plus those 120 s.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The sweeper's staleness when enqueued_at was written.
OLD_STALE_AFTER_S = 120


def upgrade() -> None:
    op.drop_index("ix_inbox_status_enqueued", "inbox_events")
    with op.batch_alter_table("inbox_events") as batch:
        batch.alter_column("enqueued_at", new_column_name="lease_until")
    op.execute(_shift(+OLD_STALE_AFTER_S))
    op.create_index("ix_inbox_status_lease", "inbox_events", ["status", "lease_until"])


def downgrade() -> None:
    op.drop_index("ix_inbox_status_lease", "inbox_events")
    op.execute(_shift(-OLD_STALE_AFTER_S))
    with op.batch_alter_table("inbox_events") as batch:
        batch.alter_column("lease_until", new_column_name="enqueued_at")
    op.create_index("ix_inbox_status_enqueued", "inbox_events", ["status", "enqueued_at"])


def _shift(seconds: int) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return (f"UPDATE inbox_events SET lease_until = lease_until "
                f"+ interval '{seconds} seconds' WHERE lease_until IS NOT NULL")
    # SQLite keeps naive UTC text; strftime keeps the microseconds the column stores.
    return (f"UPDATE inbox_events SET lease_until = strftime('%Y-%m-%d %H:%M:%f', lease_until, "
            f"'{seconds:+d} seconds') WHERE lease_until IS NOT NULL")
