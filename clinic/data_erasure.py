"""Removing a patient's data on request, and everything past the retention period.

A patient's "delete my data" and a staff member's delete remove the requests
of one conversation (with their status history) and, where this process can
reach it, the conversation itself (clinic/tracker_events.py). The retention
purge removes conversations idle for longer than the retention period (unless
a request of theirs is still open) and closed requests last changed before it.
Each leaves one line in ``erasure_log``: who, when, which conversation (by a
digest of its id: an SMS conversation's id is the patient's phone number) and
how much was removed; never any patient data.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import Select

from clinic import tracker_events
from clinic.database import URL_ENV_VAR, LazyEngine, describe_error
from clinic.migrate import ensure_current
from clinic.request_store import StoreUnavailable
from clinic.schema import erasure_log, history_table, processed_messages, requests_table

RETENTION_ENV_VAR = "CLINIC_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90
PATIENT = "patient"
RETENTION = "retention"


@dataclass(frozen=True)
class Erasure:
    conversations_removed: int
    requests_removed: int


def retention_days(value: str | None = None) -> int:
    """``value``, else $CLINIC_RETENTION_DAYS, else 90; at least 1."""
    raw = value if value is not None else os.environ.get(RETENTION_ENV_VAR)
    days = int(raw) if raw else DEFAULT_RETENTION_DAYS
    if days < 1:
        raise ValueError(f"{RETENTION_ENV_VAR} must be a whole number of days, at least 1")
    return days


def conversation_digest(sender_id: str) -> str:
    """Names a conversation in the audit log without its id (a phone number, for SMS)."""
    return "sha256:" + hashlib.sha256(sender_id.encode()).hexdigest()[:24]


@lru_cache(maxsize=8)
def _eraser_for(url: str | None) -> DataEraser:
    return DataEraser(url)


def shared_eraser() -> DataEraser:
    """The process's eraser for the current $CLINIC_DB_URL: one engine, reused."""
    return _eraser_for(os.environ.get(URL_ENV_VAR) or None)


class DataEraser:
    """Erasure and retention on the clinic database at ``url`` (else $CLINIC_DB_URL, else var/)."""

    def __init__(self, url: str | None = None) -> None:
        self._engine = LazyEngine(url, ensure_current)

    def erase_conversation(self, sender_id: str, requested_by: str, tracker: Engine | None = None) -> Erasure:
        """Remove the requests of ``sender_id`` and, given its engine, its conversation in the tracker store."""
        with self._transaction("erasing a conversation") as conn:
            requests = self._delete_requests(
                conn, select(requests_table.c.id).where(requests_table.c.sender_id == sender_id)
            )
            conversations = int(
                tracker is not None and tracker_events.delete_conversation(tracker, sender_id) > 0
            )
            erasure = Erasure(conversations, requests)
            self._audit(conn, requested_by, conversation_digest(sender_id), erasure)
        return erasure

    def purge(self, days: int, tracker: Engine | None = None, now: datetime | None = None) -> Erasure:
        """Remove what is older than ``days``: idle conversations without an open request, closed
        requests, and the record of which SMS deliveries were processed."""
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
        with self._transaction("purging old data") as conn:
            requests = self._delete_requests(
                conn,
                select(requests_table.c.id).where(
                    requests_table.c.status == "closed", requests_table.c.updated_at < cutoff
                ),
            )
            open_senders = set(
                conn.execute(
                    select(requests_table.c.sender_id).where(requests_table.c.status != "closed")
                ).scalars()
            )
            conversations = (
                tracker_events.delete_idle_conversations(tracker, cutoff, keep=open_senders) if tracker else 0
            )
            # Twilio retries a message within hours; older delivery ids only take room.
            conn.execute(delete(processed_messages).where(processed_messages.c.processed_at < cutoff))
            erasure = Erasure(conversations, requests)
            self._audit(conn, RETENTION, None, erasure)
        return erasure

    def audit_log(self) -> list[dict[str, object]]:
        """Every erasure, oldest first (for staff and the tests)."""
        with self._transaction("reading the erasure log") as conn:
            rows = conn.execute(select(erasure_log).order_by(erasure_log.c.id)).mappings().all()
        return [dict(row) for row in rows]

    def dispose(self) -> None:
        self._engine.dispose()

    @staticmethod
    def _delete_requests(conn: Connection, ids: Select) -> int:
        found = list(conn.execute(ids).scalars())
        for start in range(0, len(found), 500):
            chunk = found[start : start + 500]
            conn.execute(delete(history_table).where(history_table.c.request_id.in_(chunk)))
            conn.execute(delete(requests_table).where(requests_table.c.id.in_(chunk)))
        return len(found)

    @staticmethod
    def _audit(conn: Connection, requested_by: str, conversation: str | None, erasure: Erasure) -> None:
        conn.execute(
            insert(erasure_log).values(
                at=datetime.now(timezone.utc),
                requested_by=requested_by,
                conversation=conversation,
                conversations_removed=erasure.conversations_removed,
                requests_removed=erasure.requests_removed,
            )
        )

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Connection]:
        try:
            with self._engine.get().begin() as conn:
                yield conn
        except (SQLAlchemyError, OSError) as exc:
            raise StoreUnavailable(
                f"request store unavailable while {action}: {describe_error(exc)}"
            ) from exc
