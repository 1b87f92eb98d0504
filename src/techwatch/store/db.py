"""Opening a store and bringing its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """A store that cannot be used as it is: unreachable, damaged, or from a newer techwatch.

    Messages never contain the database password.
    """


def mask_url(url: str) -> str:
    """A database URL fit for messages and logs: its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def mask_secret(text: str, url: str) -> str:
    """`text` (an error message) with the password of `url` hidden wherever it appears."""
    try:
        password = make_url(url).password
    except ArgumentError:
        return text
    if password:
        from urllib.parse import quote

        for form in {str(password), quote(str(password), safe="")}:
            text = text.replace(form, "***")
    return text


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def create_store_engine(url: str) -> Engine:
    """An engine with the settings techwatch relies on (WAL, foreign keys, busy timeout)."""
    if url.startswith("sqlite"):
        # Up to 20 connections kept open (made when needed): the web app's request threads
        # then reuse them, instead of opening one (and running these pragmas) per request.
        engine = create_engine(url, connect_args={"timeout": 30}, pool_size=20, max_overflow=20)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Apply every pending migration (idempotent), then check the tables are whole.

    A store written by a newer techwatch (a schema revision this version does not know)
    and a store missing columns are refused with a clear `StoreError`.
    """
    cfg = _alembic_config()
    where = mask_url(engine.url.render_as_string(hide_password=False))
    scripts = ScriptDirectory.from_config(cfg)
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None and not _known_revision(scripts, current):
            raise StoreError(
                f"the store {where} was written by a newer techwatch (schema revision "
                f"{current!r}; this version knows up to {scripts.get_current_head()!r}): "
                "upgrade techwatch to use it"
            )
        cfg.attributes["connection"] = connection
        try:
            command.upgrade(cfg, "head")
        except (CommandError, SQLAlchemyError) as exc:
            raise StoreError(f"cannot bring the store {where} up to date: {exc}") from exc
    check_columns(engine)


def _known_revision(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def check_columns(engine: Engine) -> None:
    """Refuse a store whose tables lack columns the code uses (a damaged or edited file)."""
    from techwatch.store.schema import metadata

    inspector = inspect(engine)
    existing = set(inspector.get_table_names())
    problems = []
    for table in metadata.sorted_tables:
        if table.name not in existing:
            problems.append(f"table {table.name} is missing")
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing = [c.name for c in table.columns if c.name not in have]
        if missing:
            problems.append(f"table {table.name} lacks column(s) {', '.join(missing)}")
    if problems:
        where = mask_url(engine.url.render_as_string(hide_password=False))
        raise StoreError(
            f"the store {where} is damaged ({'; '.join(problems)}): restore it from a "
            "backup, or start a new workspace and import the pages"
        )


def needs_migration(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current != head
