"""Conversation transcripts, read from Rasa's SQL tracker store.

Rasa writes one row per event to the ``events`` table (``sender_id``,
``type_name``, ``timestamp``, ``data`` as JSON); the console only reads the
user and bot messages of one conversation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

_events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)
_SPEAKERS = {"user": "patient", "bot": "assistant"}


class TranscriptUnavailable(RuntimeError):
    """The tracker store could not be read."""


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str  # "patient" or "assistant"
    text: str
    at: datetime


def tracker_db_url_from_endpoints(endpoints_file: Path, base_dir: Path) -> str | None:
    """The SQLAlchemy URL of a SQLite tracker store configured in ``endpoints_file``.

    Rasa opens a relative SQLite path from its working directory, ``base_dir``.
    Returns None for any other tracker store: set $TRACKER_DB_URL for those.
    """
    endpoints = yaml.safe_load(endpoints_file.read_text()) or {}
    store = endpoints.get("tracker_store") or {}
    if store.get("type") != "SQL" or store.get("dialect") != "sqlite" or not store.get("db"):
        return None
    return f"sqlite:///{(base_dir / store['db']).resolve()}"


class TranscriptReader:
    """Reads transcripts from the tracker database at ``url``; connects on first use."""

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._engine = create_engine(self._url, future=True, pool_pre_ping=True)

    def read(self, sender_id: str) -> list[TranscriptLine]:
        """The user and bot messages of ``sender_id``, oldest first."""
        if self._is_missing_sqlite_file():
            return []  # Rasa has not stored any conversation yet
        query = (
            select(_events.c.type_name, _events.c.timestamp, _events.c.data)
            .where(_events.c.sender_id == sender_id, _events.c.type_name.in_(_SPEAKERS))
            .order_by(_events.c.timestamp, _events.c.id)
        )
        try:
            with self._engine.connect() as conn:
                rows = conn.execute(query).all()
        except SQLAlchemyError as exc:
            raise TranscriptUnavailable(f"tracker store unreadable ({type(exc).__name__})") from exc
        lines = []
        for type_name, timestamp, data in rows:
            text = (json.loads(data or "{}").get("text") or "").strip()
            if text:
                at = datetime.fromtimestamp(timestamp, tz=timezone.utc)
                lines.append(TranscriptLine(_SPEAKERS[type_name], text, at))
        return lines

    def _is_missing_sqlite_file(self) -> bool:
        """True for a SQLite file that does not exist (connecting would create it)."""
        database = self._url.database
        return (
            self._url.get_backend_name() == "sqlite"
            and bool(database)
            and database != ":memory:"
            and not Path(database).exists()
        )
