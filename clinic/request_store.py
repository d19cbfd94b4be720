"""Durable store for intake, booking, call-back and urgent requests (SQLAlchemy Core).

Every write is committed before the call returns, and every database failure
surfaces as StoreUnavailable: the bot must only tell a patient "we'll call you"
once the request is safely stored. Contact details and answers are personal
data: they are never logged and are left out of reprs and error messages.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import case, insert, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.sql import Select

from clinic.database import URL_ENV_VAR, LazyEngine, describe_error
from clinic.migrate import NewerSchema, ensure_current
from clinic.schema import CONTACT_FIELDS, KINDS, STATUSES, URGENCIES, history_table, requests_table

log = logging.getLogger(__name__)

REFERENCE_PREFIX = "PT-"
# No 0/O, 1/I/L or U, so a reference read out over the phone is unambiguous.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
_REFERENCE_ATTEMPTS = 5


class StoreError(Exception):
    """Base class for request store errors."""


class StoreUnavailable(StoreError):
    """The database could not be reached or the operation failed; nothing was changed."""


class SchemaTooNew(StoreUnavailable):
    """The database was migrated by a newer version of this code."""


class RequestNotFound(StoreError, LookupError):
    """No request has the given reference."""


@dataclass(frozen=True)
class SavedRequest:
    reference: str
    id: int
    created_at: datetime


@dataclass(frozen=True)
class StoredRequest:
    id: int
    reference: str
    created_at: datetime
    updated_at: datetime
    kind: str
    channel: str
    sender_id: str = field(repr=False)  # on SMS this is the patient's phone number
    clinic_id: str | None
    urgency: str
    status: str
    status_changed_by: str | None
    status_changed_at: datetime | None
    answers: dict[str, Any] = field(repr=False)
    contact_name: str | None = field(repr=False)
    contact_phone: str | None = field(repr=False)
    contact_email: str | None = field(repr=False)


@dataclass(frozen=True)
class StatusChange:
    old: str
    new: str
    changed_by: str
    changed_at: datetime


@lru_cache(maxsize=8)
def _store_for(url: str | None) -> RequestStore:
    return RequestStore(url)


def shared_store() -> RequestStore:
    """The process's store for the current $CLINIC_DB_URL: one engine and pool, reused."""
    return _store_for(os.environ.get(URL_ENV_VAR) or None)


class RequestStore:
    """Requests in any SQLAlchemy database, migrated to the newest schema on first use.

    The URL comes from ``url``, else $CLINIC_DB_URL, else a SQLite file at
    ``var/clinic_requests.db``. No connection is made until the first call.
    """

    def __init__(self, url: str | None = None) -> None:
        self._engine = LazyEngine(url, _migrate)

    def save_request(
        self,
        *,
        kind: str,
        channel: str,
        sender_id: str,
        answers: Mapping[str, Any] | None = None,
        clinic_id: str | None = None,
        urgency: str | None = None,
        contact_name: str | None = None,
        contact_phone: str | None = None,
        contact_email: str | None = None,
    ) -> SavedRequest:
        """Store a new request and commit it before returning.

        ``urgency`` defaults to "urgent" for urgent requests, else "normal"; the
        record of an emergency is an urgent request with urgency "emergency".
        Contact details are kept once, in their own arguments: ``answers``
        keys named like them are left out.
        Raises ValueError for invalid arguments, StoreUnavailable if it could not be stored.
        """
        _require_choice("kind", kind, KINDS)
        urgency = urgency or ("urgent" if kind == "urgent" else "normal")
        _require_choice("urgency", urgency, URGENCIES)
        if kind == "urgent" and urgency == "normal":
            raise ValueError("an urgent request must have urgency 'urgent' or 'emergency'")
        now = datetime.now(timezone.utc)
        values = {
            "created_at": now,
            "updated_at": now,
            "kind": kind,
            "channel": channel,
            "sender_id": sender_id,
            "clinic_id": clinic_id,
            "urgency": urgency,
            "status": "new",
            "answers": json.dumps(
                {key: value for key, value in (answers or {}).items() if key not in CONTACT_FIELDS},
                ensure_ascii=False,
                sort_keys=True,
            ),
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "contact_email": contact_email,
        }
        with _failures_as_unavailable("saving a request"):
            engine = self._engine.get()
            for _ in range(_REFERENCE_ATTEMPTS):
                reference = _new_reference()
                try:
                    with engine.begin() as conn:
                        result = conn.execute(insert(requests_table).values(reference=reference, **values))
                except IntegrityError as exc:
                    if self._reference_taken(engine, reference):
                        continue
                    raise StoreUnavailable(
                        f"request rejected by the database ({type(exc.orig).__name__})"
                    ) from exc
                log.info(
                    "saved %s request %s (clinic=%s, urgency=%s)",
                    kind,
                    reference,
                    clinic_id,
                    urgency,
                )
                return SavedRequest(reference, int(result.inserted_primary_key[0]), now)
        raise StoreUnavailable(f"no free reference after {_REFERENCE_ATTEMPTS} attempts")

    def get(self, reference: str) -> StoredRequest | None:
        with self._connection("reading a request") as conn:
            row = conn.execute(_by_reference(reference)).first()
        return _to_request(row) if row else None

    def list_requests(
        self,
        clinic_id: str | None = None,
        status: str | None = None,
        channel: str | None = None,
        limit: int = 500,
    ) -> list[StoredRequest]:
        """Matching requests, emergencies first, then urgent ones, then newest first."""
        if status is not None:
            _require_choice("status", status, STATUSES)
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        query = select(requests_table)
        for column, value in (("clinic_id", clinic_id), ("status", status), ("channel", channel)):
            if value is not None:
                query = query.where(requests_table.c[column] == value)
        query = query.order_by(
            case({u: rank for rank, u in enumerate(URGENCIES)}, value=requests_table.c.urgency),
            requests_table.c.created_at.desc(),
            requests_table.c.id.desc(),
        ).limit(limit)
        with self._connection("listing requests") as conn:
            rows = conn.execute(query).all()
        return [_to_request(row) for row in rows]

    def set_status(self, reference: str, status: str, changed_by: str) -> StoredRequest:
        """Change a request's status and record it in the history, atomically.

        Setting the current status again changes nothing.
        """
        _require_choice("status", status, STATUSES)
        if not changed_by.strip():
            raise ValueError("changed_by must name who changed the status")
        with self._connection("changing a request status", transaction=True) as conn:
            row = conn.execute(_by_reference(reference).with_for_update()).first()
            if row is None:
                raise RequestNotFound(f"no request with reference {reference!r}")
            old = row.status
            if old != status:
                self._record_status(conn, row, status, changed_by)
                row = conn.execute(_by_reference(reference)).one()
        if old != status:
            log.info("request %s status %s -> %s by %s", row.reference, old, status, changed_by)
        return _to_request(row)

    def status_history(self, reference: str) -> list[StatusChange]:
        """Status changes of one request, oldest first."""
        query = (
            select(history_table)
            .join(requests_table, requests_table.c.id == history_table.c.request_id)
            .where(requests_table.c.reference == _normalise_reference(reference))
            .order_by(history_table.c.changed_at, history_table.c.id)
        )
        with self._connection("reading status history") as conn:
            if conn.execute(_by_reference(reference)).first() is None:
                raise RequestNotFound(f"no request with reference {reference!r}")
            rows = conn.execute(query).all()
        return [StatusChange(row.old, row.new, row.changed_by, row.changed_at) for row in rows]

    def dispose(self) -> None:
        """Close pooled connections; the next call reconnects."""
        self._engine.dispose()

    @contextmanager
    def _connection(self, action: str, transaction: bool = False) -> Iterator[Connection]:
        """A connection (or a transaction, committed on exit) whose database
        failures surface as StoreUnavailable."""
        with _failures_as_unavailable(action):
            engine = self._engine.get()
            with engine.begin() if transaction else engine.connect() as conn:
                yield conn

    @staticmethod
    def _record_status(conn: Connection, row: Row, status: str, changed_by: str) -> None:
        now = datetime.now(timezone.utc)
        conn.execute(
            update(requests_table)
            .where(requests_table.c.id == row.id)
            .values(status=status, status_changed_by=changed_by, status_changed_at=now, updated_at=now)
        )
        conn.execute(
            insert(history_table).values(
                request_id=row.id, old=row.status, new=status, changed_by=changed_by, changed_at=now
            )
        )

    @staticmethod
    def _reference_taken(engine: Engine, reference: str) -> bool:
        with engine.connect() as conn:
            return conn.execute(_by_reference(reference)).first() is not None


def _migrate(engine: Engine) -> None:
    """Bring the database to the newest schema; refuse one migrated by newer code."""
    try:
        ensure_current(engine)
    except NewerSchema as exc:
        raise SchemaTooNew(str(exc)) from exc


@contextmanager
def _failures_as_unavailable(action: str) -> Iterator[None]:
    try:
        yield
    except (SQLAlchemyError, OSError) as exc:
        raise StoreUnavailable(f"request store unavailable while {action}: {describe_error(exc)}") from exc


def _require_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _new_reference() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _normalise_reference(reference: str) -> str:
    return reference.strip().upper()


def _by_reference(reference: str) -> Select:
    return select(requests_table).where(requests_table.c.reference == _normalise_reference(reference))


def _to_request(row: Row) -> StoredRequest:
    return StoredRequest(
        id=row.id,
        reference=row.reference,
        created_at=row.created_at,
        updated_at=row.updated_at,
        kind=row.kind,
        channel=row.channel,
        sender_id=row.sender_id,
        clinic_id=row.clinic_id,
        urgency=row.urgency,
        status=row.status,
        status_changed_by=row.status_changed_by,
        status_changed_at=row.status_changed_at,
        answers=json.loads(row.answers),
        contact_name=row.contact_name,
        contact_phone=row.contact_phone,
        contact_email=row.contact_email,
    )
