"""Brings the clinic database to the newest schema: the one way its tables are made.

    python -m clinic.migrate [URL]    # else $CLINIC_DB_URL, else var/clinic_requests.db

``make migrate`` runs this, and ``make run`` and ``make test`` run ``make
migrate``. The stores also call ``ensure_current`` when they first connect, so a
fresh database works wherever it is first used; both paths run the Alembic
migrations in ``migrations/versions/``, which are the only code that creates or
changes tables. A database made by the code before Alembic (tables created on
first use, a ``schema_info`` table) is adopted by the first migration.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from clinic.database import database_url, describe_error

REPO = Path(__file__).resolve().parent.parent
ALEMBIC_INI = REPO / "alembic.ini"
VERSION_TABLE = "alembic_version"  # Alembic's default name; env.py keeps it
# Serialises migrations of one PostgreSQL database across processes (any fixed number).
_POSTGRES_LOCK_KEY = 4_207_311
_SQLITE_LOCK_WAIT_S = 30


class NewerSchema(RuntimeError):
    """The database is at a revision this code does not know: newer code migrated it."""


def alembic_config() -> Config:
    return Config(str(ALEMBIC_INI))


@lru_cache(maxsize=1)
def _revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(head revisions, every known revision) of the migration scripts."""
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(script.get_heads()), frozenset(rev.revision for rev in script.walk_revisions())


def current_revisions(conn: Connection) -> frozenset[str]:
    """The revisions in Alembic's version table (read directly: quicker and quieter
    than a MigrationContext, which logs on every check)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def ensure_current(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` unless it is at the newest revision.

    Raises NewerSchema, without changing anything, when newer code migrated it.
    """
    heads, known = _revisions()
    with engine.connect() as conn:
        current = current_revisions(conn)
    if current == heads:
        return
    unknown = current - known
    if unknown:
        raise NewerSchema(
            f"the clinic database is at schema revision {', '.join(sorted(unknown))}, which this code "
            f"does not know (its newest is {', '.join(sorted(heads))}); upgrade the code before using it"
        )
    if _in_memory(engine.url):  # another engine would see another, empty database
        _run(command.upgrade, engine.begin(), "head")
    else:
        upgrade(engine.url)


def upgrade(url: str | URL | None = None, revision: str = "head") -> None:
    """Run the migrations up to ``revision``, all in one transaction (nothing half-done on failure)."""
    _run(command.upgrade, migration_transaction(url), revision)


def downgrade(url: str | URL | None, revision: str) -> None:
    _run(command.downgrade, migration_transaction(url), revision)


def _run(alembic_command: Any, transaction: AbstractContextManager[Connection], revision: str) -> None:
    config = alembic_config()
    with transaction as conn:
        config.attributes["connection"] = conn
        alembic_command(config, revision)


def _in_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


@contextmanager
def migration_transaction(url: str | URL | None = None) -> Iterator[Connection]:
    """A connection inside one transaction that holds the database's migration lock.

    Concurrent callers (several servers starting on a fresh database) take turns;
    the later ones then find the database already migrated. SQLite gets real
    transactional DDL here: pysqlite would otherwise run each CREATE outside any transaction.
    """
    target = make_url(url if url is not None else database_url())
    sqlite = target.get_backend_name() == "sqlite"
    engine = create_engine(
        target, future=True, connect_args={"timeout": _SQLITE_LOCK_WAIT_S} if sqlite else {}
    )
    if sqlite:
        event.listen(engine, "connect", _sqlite_manual_transactions)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
            yield conn
    finally:
        engine.dispose()


def _sqlite_manual_transactions(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None  # pysqlite stops issuing (and skipping) BEGIN itself


def _sqlite_begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")  # takes the write lock at once


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clinic.migrate", description="Upgrade the clinic database to the newest schema."
    )
    parser.add_argument(
        "url", nargs="?", help="database URL (default: $CLINIC_DB_URL, else var/clinic_requests.db)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shown = "the given URL"
    try:
        url = make_url(database_url(args.url))
        shown = url.render_as_string(hide_password=True)
        engine = create_engine(url, future=True)
        try:
            ensure_current(engine)
            with engine.connect() as conn:
                revision = ", ".join(sorted(current_revisions(conn)))
        finally:
            engine.dispose()
    except (NewerSchema, CommandError) as exc:
        print(f"error: {shown}: {exc}", file=sys.stderr)
        return 1
    except ArgumentError:
        print(
            f"error: cannot use {shown} as a database URL (e.g. sqlite:///path/to/file.db, "
            "postgresql://user@host/db)",
            file=sys.stderr,
        )
        return 1
    except (SQLAlchemyError, OSError) as exc:
        print(f"error: could not migrate {shown}: {describe_error(exc)}", file=sys.stderr)
        return 1
    print(f"{shown}: schema at revision {revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
