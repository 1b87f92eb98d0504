"""web shared state: login throttle and background jobs, seen by every app process

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_web_login_failures_name_at", "web_login_failures", ["name_hash", "at"], unique=False
    )
    op.create_table(
        "web_jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_jobs_kind_status", "web_jobs", ["kind", "status"], unique=False)
    op.create_table(
        "web_job_events",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["web_jobs.id"]),
        sa.PrimaryKeyConstraint("job_id", "n"),
    )


def downgrade() -> None:
    op.drop_table("web_job_events")
    op.drop_index("ix_web_jobs_kind_status", table_name="web_jobs")
    op.drop_table("web_jobs")
    op.drop_index("ix_web_login_failures_name_at", table_name="web_login_failures")
    op.drop_table("web_login_failures")
