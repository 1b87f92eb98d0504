"""Tables of the store (SQLAlchemy Core), dialect-neutral.

Migrations under `migrations/versions` create these tables; keep both in step
(a new column here needs a new migration there).
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy import DateTime as SQLDateTime


class DateTime(TypeDecorator):
    """Every date-time column of the store: stored in UTC, read back timezone-aware.

    SQLite keeps no time zone, so SQLAlchemy returns naive values there; this type makes
    them UTC-aware on every backend (naive values written are taken as UTC).
    """

    impl = SQLDateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

# A source is something the user added: a newsletter issue or archive, a feed, an OPML
# file, a URL list, a folder or a single file. Feeds found in an OPML file and issues
# found in an archive are sources too, with `parent_id` pointing at where they came from.
sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("location", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False, default=""),
    Column("parent_id", Integer, ForeignKey("sources.id"), nullable=True),
    Column("origin_date", String(10), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="pending"),
    Column("reason", Text, nullable=False, default=""),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("links_found", Integer, nullable=False, default=0),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=True),
)

# One row per canonical URL. Duplicates (same content under another URL) keep their
# row with status "duplicate" and `duplicate_of` set, so every discovered URL has
# exactly one status; the kept article lists every URL seen for it in article_urls.
articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=True),
    Column("origin_kind", String(16), nullable=False, default=""),
    Column("origin_url", Text, nullable=False, default=""),
    Column("origin_title", Text, nullable=False, default=""),
    Column("origin_date", String(10), nullable=False, default=""),
    Column("link_text", Text, nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("author", Text, nullable=False, default=""),
    Column("published", String(10), nullable=False, default=""),
    Column("published_from", String(32), nullable=False, default=""),
    Column("language", String(16), nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("text_chars", Integer, nullable=False, default=0),
    Column("content_hash", String(64), nullable=True, index=True),
    Column("signature", LargeBinary, nullable=True),
    Column("kind", String(16), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="pending", index=True),
    Column("reason", Text, nullable=False, default=""),
    Column("duplicate_of", String(32), nullable=True),
    Column("http_status", Integer, nullable=True),
    Column("content_type", Text, nullable=False, default=""),
    Column("encoding", String(32), nullable=False, default=""),
    Column("final_url", Text, nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("elapsed", Float, nullable=False, default=0.0),
    Column("discovered_at", DateTime(timezone=True), nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

article_urls = Table(
    "article_urls",
    metadata,
    Column("url", Text, primary_key=True),
    Column("article_id", String(32), ForeignKey("articles.id"), nullable=False, index=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)

# The card of an article (one per article; a new analysis replaces it), with provenance.
cards = Table(
    "cards",
    metadata,
    Column("article_id", String(32), ForeignKey("articles.id"), primary_key=True),
    Column("status", String(16), nullable=False, default="pending", index=True),
    Column("reason", Text, nullable=False, default=""),
    Column("card", JSON, nullable=True),
    Column("analyzer", String(32), nullable=False, default=""),
    Column("model", Text, nullable=False, default=""),
    Column("prompt_version", String(32), nullable=False, default=""),
    Column("prompt_tokens", Integer, nullable=False, default=0),
    Column("completion_tokens", Integer, nullable=False, default=0),
    Column("cost_usd", Float, nullable=False, default=0.0),
    Column("calls", Integer, nullable=False, default=0),
    Column("cached", Boolean, nullable=False, default=False),
    Column("ungrounded_dropped", Integer, nullable=False, default=0),
    Column("ungrounded_flagged", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    # Page header data of imported cards (issue label, link style), to render them back as read.
    Column("meta", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The card flattened for queries: one row per keyword, theme or item.
card_items = Table(
    "card_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("cards.article_id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("relevancy", Integer, nullable=True),
    Column("evidence", Text, nullable=False, default=""),
    Column("grounded", Boolean, nullable=True),
    Column("change", Text, nullable=False, default=""),
    Column("ten_year", Text, nullable=False, default=""),
    Column("driving_force", Text, nullable=False, default=""),
    Index("ix_card_items_kind_name", "kind", "name"),
    Index("ix_card_items_article", "article_id"),
)

# Expensive results (LLM answers) by (content hash, backend, model, prompt version).
result_cache = Table(
    "result_cache",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# -- outputs (stories, deliveries) ------------------------------------------------------
# A short story per newsletter issue, made by an LLM from that summaries; kept
# until regenerated on request.
stories = Table(
    "stories",
    metadata,
    Column("issue_date", String(10), primary_key=True),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("article_ids", JSON, nullable=False),
    Column("backend", String(32), nullable=False, default=""),
    Column("model", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# One row per delivery attempt target: the key is a hash of content + recipient, so a
# rerun sends nothing twice. Only status "sent" counts as delivered.
sends = Table(
    "sends",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False, default=""),
    Column("what", String(32), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="pending"),
    Column("error", Text, nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)
# -- end outputs --------------------------------------------------------------------------

# One row per stage run, for `status` and for cost accounting.
runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("stage", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("status", String(16), nullable=False, default="running"),
    Column("counts", JSON, nullable=True),
    Column("prompt_tokens", Integer, nullable=False, default=0),
    Column("completion_tokens", Integer, nullable=False, default=0),
    Column("cost_usd", Float, nullable=False, default=0.0),
)

# -- web (0006_web.py): users, sessions, API tokens and curation -------------------------
# Passwords and tokens are stored only as hashes (argon2 for passwords, sha256 for random
# tokens). Curation rows are keyed by the ids they curate, so they survive re-analysis.
web_users = Table(
    "web_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

web_tokens = Table(
    "web_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_users.id"), nullable=False),
    Column("label", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A rating (1-5) of a card (target_id = article id) or a signal ("<article id>:<position>").
ratings = Table(
    "ratings",
    metadata,
    Column("target_kind", String(16), primary_key=True),
    Column("target_id", String(64), primary_key=True),
    Column("rating", Integer, nullable=False),
    Column("user_id", Integer, ForeignKey("web_users.id"), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# A person's verdict on a weak signal: confirmed or dismissed.
signal_states = Table(
    "signal_states",
    metadata,
    Column("article_id", String(32), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("state", String(16), nullable=False),
    Column("user_id", Integer, ForeignKey("web_users.id"), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# A person's name for a trend, or the trend it was merged into.
trend_edits = Table(
    "trend_edits",
    metadata,
    Column("trend_id", String(64), primary_key=True),
    Column("label", Text, nullable=False, default=""),
    Column("merged_into", String(64), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Trends and saved queries a person watches.
watchlist = Table(
    "watchlist",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("value", Text, nullable=False),
    Column("label", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ux_watchlist_kind_value", "kind", "value", unique=True),
)
# -- end web ----------------------------------------------------------------------------

# -- web shared state (0007_web_shared.py): what every worker process of the app sees ----
# The live app may run as several processes (`techwatch serve --workers N`): the login
# throttle and the background jobs (pipeline runs, streamed answers) live here, not in one
# process's memory. A failed login is kept as the sha256 of the name typed (never the text:
# it may be a password typed in the wrong field), with its Unix time.
web_login_failures = Table(
    "web_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name_hash", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_web_login_failures_name_at", "name_hash", "at"),
)

# A job runs in the process `pid` of the machine `host`; a running job whose process is gone
# is failed by the next process of that machine that looks. Its events (progress, tokens,
# the result) are JSON texts numbered 0..
web_jobs = Table(
    "web_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False, server_default=""),  # 0008_web_jobs_host.py
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index("ix_web_jobs_kind_status", "kind", "status"),
)

web_job_events = Table(
    "web_job_events",
    metadata,
    Column("job_id", Integer, ForeignKey("web_jobs.id"), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("event", Text, nullable=False),
)
# -- end web shared state -----------------------------------------------------------------

# -- trends (owned by the trends feature; created by migration 0004) ----------------------
# A trend is a cluster of card items of one kind. Ids come from content (a hash of the
# founding members) and never change; merges, splits and renames go to trend_history.
trends = Table(
    "trends",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("kind", String(16), nullable=False, index=True),
    Column("label", Text, nullable=False, default=""),
    # A label a person gave (rename): automatic relabelling leaves it alone.
    Column("label_pinned", Boolean, nullable=False, default=False),
    Column("terms", JSON, nullable=True),
    Column("status", String(16), nullable=False, default="active"),
    Column("merged_into", String(24), nullable=True),
    Column("size", Integer, nullable=False, default=0),
    # Sum of the members' unit vectors (float32 bytes): the centroid, updated incrementally.
    Column("centroid", LargeBinary, nullable=True),
    Column("model", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Every item seen by the trend stage; trend_id NULL is the residue (not in a trend yet).
trend_members = Table(
    "trend_members",
    metadata,
    Column("item_key", String(24), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("trend_id", String(24), nullable=True, index=True),
    Column("article_id", String(32), nullable=False, index=True),
    Column("similarity", Float, nullable=True),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Index("ix_trend_members_kind", "kind", "trend_id"),
)

trend_history = Table(
    "trend_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("trend_id", String(24), nullable=False, index=True),
    Column("other_id", String(24), nullable=True),
    Column("detail", JSON, nullable=True),
)

trend_runs = Table(
    "trend_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("model", Text, nullable=False, default=""),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("counts", JSON, nullable=True),
)
# -- end trends ------------------------------------------------------------------------

# -- vectors (owned by the retrieval feature; created by migration 0003) -------------------
# One embedding per (model, text): keyed by the sha256 of the embedded text, so a card or
# an item is embedded once per model, an unchanged text keeps its vector when its card is
# saved again, and two models never mix. float32 bytes: the same on every database.
vectors = Table(
    "vectors",
    metadata,
    Column("model_id", String(128), primary_key=True),
    Column("text_hash", String(64), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
# Lets retrieval see in one index lookup whether any card changed since its vectors were read.
Index("ix_cards_status_updated", cards.c.status, cards.c.updated_at)
# -- end vectors -----------------------------------------------------------------------
