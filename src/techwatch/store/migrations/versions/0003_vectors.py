"""vectors: embeddings of cards and card items, and full-text search over card items

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# External-content FTS5 over card_items (rowid = card_items.id), kept in step by triggers;
# card_items rows are deleted and inserted again when a card is saved.
_COLUMNS = "name, description, change, ten_year, driving_force"
_NEW = "new.name, new.description, new.change, new.ten_year, new.driving_force"
_OLD = "old.name, old.description, old.change, old.ten_year, old.driving_force"
_SQLITE_FTS = [
    f"""CREATE VIRTUAL TABLE card_items_fts USING fts5({_COLUMNS},
        content='card_items', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER card_items_fts_insert AFTER INSERT ON card_items BEGIN
        INSERT INTO card_items_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW});
    END""",
    f"""CREATE TRIGGER card_items_fts_delete AFTER DELETE ON card_items BEGIN
        INSERT INTO card_items_fts(card_items_fts, rowid, {_COLUMNS})
        VALUES ('delete', old.id, {_OLD});
    END""",
    f"""CREATE TRIGGER card_items_fts_update AFTER UPDATE ON card_items BEGIN
        INSERT INTO card_items_fts(card_items_fts, rowid, {_COLUMNS})
        VALUES ('delete', old.id, {_OLD});
        INSERT INTO card_items_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW});
    END""",
    "INSERT INTO card_items_fts(card_items_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.create_table(
        "vectors",
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "text_hash"),
    )
    op.create_index("ix_cards_status_updated", "cards", ["status", "updated_at"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS card_items_fts_{name}")
        op.execute("DROP TABLE IF EXISTS card_items_fts")
    op.drop_index("ix_cards_status_updated", table_name="cards")
    op.drop_table("vectors")
