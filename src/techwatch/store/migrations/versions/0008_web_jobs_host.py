"""web jobs: the machine that runs each job (a process id is only checkable there)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_jobs") as batch:
        batch.add_column(
            sa.Column("host", sa.String(length=255), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("web_jobs") as batch:
        batch.drop_column("host")
