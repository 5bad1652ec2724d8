"""job trace context: the W3C traceparent of the request that wrote an outbox job

Revision ID: 0009
Revises: 0007 (for now: 0008 is reserved for webhook deliveries; rechained at merge)
Create Date: 2026-11-27 20:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_jobs") as batch:
        batch.add_column(sa.Column("traceparent", sa.String(length=55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_jobs") as batch:
        batch.drop_column("traceparent")
