"""quote email attachment: the quote's PDF (with its checkout link) kept on the outbox row

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 18:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("attachment_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("attachment", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.drop_column("attachment")
        batch.drop_column("attachment_name")
