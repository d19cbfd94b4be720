"""The one SQL database behind requests, SMS state and staff accounts.

The URL is an argument, else $CLINIC_DB_URL, else a SQLite file in ``var/``.
Engines are made on first use, never at import, so a dead database shows up
as an error on the call that needs it rather than at start-up. Tables are made
only by the migrations (clinic/migrate.py), which each store runs on first use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import InterfaceError, OperationalError

URL_ENV_VAR = "CLINIC_DB_URL"
DEFAULT_DB_PATH = Path(__file__).resolve().parent.parent / "var" / "clinic_requests.db"
# A bounded engine's statements fail after this long, and after this long waiting
# for a lock (SQLite: for the write lock), so a slow or locked database gives a
# prompt error instead of holding a patient's turn.
STATEMENT_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 3000


def database_url(url: str | None = None) -> str:
    url = url or os.environ.get(URL_ENV_VAR)
    if url:
        return url
    DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_PATH}"


class LazyEngine:
    """An engine created on first ``get()``, after ``prepare`` (schema set-up) succeeds.

    ``bounded``: statements and lock waits time out (see STATEMENT_TIMEOUT_MS).
    """

    def __init__(self, url: str | None, prepare: Callable[[Engine], None], bounded: bool = False) -> None:
        self._url = url or os.environ.get(URL_ENV_VAR) or None
        self._prepare = prepare
        self._bounded = bounded
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def get(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = self._create()
                try:
                    self._prepare(engine)
                except BaseException:
                    engine.dispose()
                    raise
                self._engine = engine
            return self._engine

    def dispose(self) -> None:
        """Close pooled connections; the next ``get()`` reconnects."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _create(self) -> Engine:
        url = make_url(database_url(self._url))
        backend = url.get_backend_name() if self._bounded else None
        connect_args = {"timeout": LOCK_TIMEOUT_MS / 1000} if backend == "sqlite" else {}  # busy timeout
        engine = create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)
        if backend == "postgresql":
            event.listen(engine, "connect", _bound_postgres_waits)
        return engine


def _bound_postgres_waits(dbapi_connection: Any, connection_record: Any) -> None:
    """Session settings, committed so that they outlive the transaction that set them.

    Set per connection rather than in the URL, so the migrations (which connect by
    URL) are not cut short."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
    finally:
        cursor.close()
    dbapi_connection.commit()


def describe_error(exc: BaseException) -> str:
    """A log-safe summary of a database failure. Statement errors can echo row
    values (phone numbers, emails), so only connection-level errors include the
    driver's message."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        lines = str(exc.orig).strip().splitlines()
        return f"{type(exc.orig).__name__}: {lines[0]}" if lines else type(exc.orig).__name__
    if isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc.strerror}"
    return type(exc).__name__
