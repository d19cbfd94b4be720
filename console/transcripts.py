"""Conversation transcripts, read from Rasa's SQL tracker store.

Rasa writes one row per event to the ``events`` table (``sender_id``,
``type_name``, ``timestamp``, ``action_name``, ``data`` as JSON); the console
reads the user and bot messages of one conversation, and the messages that the
assistant answered with its fallback or out-of-scope reply.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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
    Column("action_name", String(255)),
    Column("data", Text),
)
_SPEAKERS = {"user": "patient", "bot": "assistant"}
# The replies that mean the assistant did not understand, or could not help.
MISS_RESPONSES = frozenset({"utter_default", "utter_default_options", "utter_out_of_scope"})
DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"


class TranscriptUnavailable(RuntimeError):
    """The tracker store could not be read."""


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str  # "patient" or "assistant"
    text: str
    at: datetime
    clicked: bool = False  # the patient tapped a button; ``text`` is its title


@dataclass(frozen=True)
class MissedMessage:
    """A patient's message that got the fallback or the out-of-scope reply."""

    sender_id: str
    text: str
    at: datetime


def tracker_db_url_from_endpoints(endpoints_file: Path, base_dir: Path) -> str | None:
    """The SQLAlchemy URL of a SQLite tracker store configured in ``endpoints_file``.

    Rasa opens a relative SQLite path from its working directory, ``base_dir``.
    Returns None for any other tracker store: set $TRACKER_DB_URL for those.
    """
    endpoints = yaml.safe_load(endpoints_file.read_text()) or {}
    store = endpoints.get("tracker_store") or {}
    store = store.get("inner") or store  # the SQL store inside the consent store (tracker_store/)
    if store.get("type") != "SQL" or store.get("dialect") != "sqlite" or not store.get("db"):
        return None
    return f"sqlite:///{(base_dir / store['db']).resolve()}"


class TranscriptReader:
    """Reads transcripts from the tracker database at ``url``; connects on first use."""

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._engine = create_engine(self._url, future=True, pool_pre_ping=True)

    def read(self, sender_id: str) -> list[TranscriptLine]:
        """The user and bot messages of ``sender_id``, oldest first; a tapped button
        shows as its title."""
        query = (
            select(_events.c.type_name, _events.c.timestamp, _events.c.data)
            .where(_events.c.sender_id == sender_id, _events.c.type_name.in_(_SPEAKERS))
            .order_by(_events.c.timestamp, _events.c.id)
        )
        lines = []
        buttons: list[dict[str, Any]] = []  # the latest buttons the assistant offered: what a tap chose from
        for type_name, timestamp, data in self._rows(query):
            event = _json(data)
            text = (event.get("text") or "").strip()
            clicked = False
            if type_name == "bot":
                buttons = (event.get("data") or {}).get("buttons") or buttons
            elif text.startswith("/"):
                text, clicked = button_title(text, buttons), True
            if text:
                at = datetime.fromtimestamp(timestamp, tz=timezone.utc)
                lines.append(TranscriptLine(_SPEAKERS[type_name], text, at, clicked))
        return lines

    def missed(self, since: datetime, until: datetime) -> list[MissedMessage]:
        """Patients' messages between ``since`` and ``until`` that the assistant answered
        with its fallback or out-of-scope reply, oldest first."""
        query = (
            select(_events.c.sender_id, _events.c.type_name, _events.c.timestamp, _events.c.data)
            .where(
                _events.c.type_name.in_(_SPEAKERS),
                _events.c.timestamp >= since.timestamp(),
                _events.c.timestamp < until.timestamp(),
            )
            .order_by(_events.c.sender_id, _events.c.timestamp, _events.c.id)
        )
        missed: list[MissedMessage] = []
        last: dict[str, MissedMessage | None] = {}  # per conversation: its latest typed message
        for sender_id, type_name, timestamp, data in self._rows(query):
            event = _json(data)
            if type_name == "user":
                text = (event.get("text") or "").strip()
                at = datetime.fromtimestamp(timestamp, tz=timezone.utc)
                last[sender_id] = MissedMessage(sender_id, text, at) if text and text[0] != "/" else None
            elif (event.get("metadata") or {}).get("utter_action") in MISS_RESPONSES:
                message = last.pop(sender_id, None)
                if message is not None:
                    missed.append(message)
        return sorted(missed, key=lambda message: message.at)

    def slot_values(self, sender_ids: Iterable[str], slot: str) -> dict[str, set[str]]:
        """Every value ``slot`` took in each conversation (e.g. the names a form captured)."""
        wanted = sorted(set(sender_ids))
        if not wanted:
            return {}
        query = select(_events.c.sender_id, _events.c.data).where(
            _events.c.sender_id.in_(wanted), _events.c.type_name == "slot", _events.c.action_name == slot
        )
        values: dict[str, set[str]] = {}
        for sender_id, data in self._rows(query):
            value = _json(data).get("value")
            if isinstance(value, str) and value.strip():
                values.setdefault(sender_id, set()).add(value.strip())
        return values

    def _rows(self, query: Any) -> list[Any]:
        if self._is_missing_sqlite_file():
            return []  # Rasa has not stored any conversation yet
        try:
            with self._engine.connect() as conn:
                return list(conn.execute(query).all())
        except SQLAlchemyError as exc:
            raise TranscriptUnavailable(f"tracker store unreadable ({type(exc).__name__})") from exc

    def _is_missing_sqlite_file(self) -> bool:
        """True for a SQLite file that does not exist (connecting would create it)."""
        database = self._url.database
        return (
            self._url.get_backend_name() == "sqlite"
            and bool(database)
            and database != ":memory:"
            and not Path(database).exists()
        )


def button_title(payload: str, buttons: Iterable[Mapping[str, Any]]) -> str:
    """What the patient tapped: the title of the button with this payload in the message
    it answered, else of a button with it in the domain, else the intent in words."""
    for button in buttons:
        if button.get("payload") == payload and button.get("title"):
            return str(button["title"])
    known = _domain_button_titles(DOMAIN_FILE)
    intent = payload[1:].split("{", 1)[0]
    return known.get(payload) or known.get(f"/{intent}") or intent.replace("_", " ").strip().capitalize()


@functools.cache
def _domain_button_titles(domain_file: Path) -> dict[str, str]:
    """Payload -> the first title the domain's responses give it."""
    domain = yaml.safe_load(domain_file.read_text()) if domain_file.exists() else None
    titles: dict[str, str] = {}
    for variants in ((domain or {}).get("responses") or {}).values():
        for variant in variants or []:
            for button in (variant or {}).get("buttons") or []:
                if button.get("payload") and button.get("title"):
                    titles.setdefault(str(button["payload"]), str(button["title"]))
    return titles


def _json(data: str | None) -> dict[str, Any]:
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
