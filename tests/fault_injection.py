"""Faults for the live tests: a SQLite database another connection holds locked, and what got stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Row

from clinic.schema import requests_table


@contextmanager
def write_locked(db_file: Path) -> Iterator[None]:
    """Hold SQLite's write lock on ``db_file``: others can still read it, but every write
    waits for its busy timeout and then fails with "database is locked"."""
    conn = sqlite3.connect(db_file, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
    finally:
        conn.close()  # rolls the empty transaction back


def stored_requests(db_url: str, sender: str) -> list[Row]:
    """The rows of the requests table made for ``sender``, oldest first."""
    engine = create_engine(db_url, future=True)
    try:
        with engine.connect() as conn:
            query = select(requests_table).where(requests_table.c.sender_id == sender)
            return list(conn.execute(query.order_by(requests_table.c.id)))
    finally:
        engine.dispose()
