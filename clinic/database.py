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

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

URL_ENV_VAR = "CLINIC_DB_URL"
DEFAULT_DB_PATH = Path(__file__).resolve().parent.parent / "var" / "clinic_requests.db"


def database_url(url: str | None = None) -> str:
    url = url or os.environ.get(URL_ENV_VAR)
    if url:
        return url
    DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_PATH}"


class LazyEngine:
    """An engine created on first ``get()``, after ``prepare`` (schema set-up) succeeds."""

    def __init__(self, url: str | None, prepare: Callable[[Engine], None]) -> None:
        self._url = url or os.environ.get(URL_ENV_VAR) or None
        self._prepare = prepare
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def get(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = create_engine(database_url(self._url), future=True, pool_pre_ping=True)
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
