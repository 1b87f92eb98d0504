"""trends: clusters of items with stable ids, their members and history

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trends",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("label_pinned", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.String(length=24), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=True),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_trends_kind", "trends", ["kind"])
    op.create_table(
        "trend_members",
        sa.Column("item_key", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("trend_id", sa.String(length=24), nullable=True),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_key"),
    )
    op.create_index("ix_trend_members_trend_id", "trend_members", ["trend_id"])
    op.create_index("ix_trend_members_article_id", "trend_members", ["article_id"])
    op.create_index("ix_trend_members_kind", "trend_members", ["kind", "trend_id"])
    op.create_table(
        "trend_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("trend_id", sa.String(length=24), nullable=False),
        sa.Column("other_id", sa.String(length=24), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_trend_history_trend_id", "trend_history", ["trend_id"])
    op.create_table(
        "trend_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("trend_runs")
    op.drop_index("ix_trend_history_trend_id", table_name="trend_history")
    op.drop_table("trend_history")
    op.drop_index("ix_trend_members_kind", table_name="trend_members")
    op.drop_index("ix_trend_members_article_id", table_name="trend_members")
    op.drop_index("ix_trend_members_trend_id", table_name="trend_members")
    op.drop_table("trend_members")
    op.drop_index("ix_trends_kind", table_name="trends")
    op.drop_table("trends")
