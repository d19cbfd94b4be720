"""Durable store for intake, booking, call-back and urgent requests (SQLAlchemy Core).

Every write is committed before the call returns, and every database failure
surfaces as StoreUnavailable: the bot must only tell a patient "we'll call you"
once the request is safely stored. Statements and lock waits time out within
seconds (clinic/database.py), so a locked table is an error, not a stall.

A request saved with an idempotency key is stored once: saving the same key
again (a form submitted twice because the conversation was not saved after the
first submit) returns the first request, marked ``repeated``. New requests per
sender are limited (SenderLimit), so one sender cannot flood the queue.

Contact details and answers are personal data: they are never logged and are
left out of reprs and error messages.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.sql import ColumnElement, Select

from clinic.channels import SMS_CHANNEL
from clinic.database import URL_ENV_VAR, LazyEngine, describe_error
from clinic.migrate import NewerSchema, ensure_current
from clinic.schema import CONTACT_FIELDS, KINDS, STATUSES, URGENCIES, history_table, requests_table

log = logging.getLogger(__name__)

REFERENCE_PREFIX = "PT-"
# No 0/O, 1/I/L or U, so a reference read out over the phone is unambiguous.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
_REFERENCE_ATTEMPTS = 5
# New requests one sender may make per day (bookings, call-backs, urgent records);
# a patient rarely needs more than one or two, and the phone line is always there.
NEW_REQUESTS_PER_DAY_ENV = "CLINIC_NEW_REQUESTS_PER_DAY"
DEFAULT_NEW_REQUESTS_PER_DAY = 5
# Who the status history names when a new message reopens a record.
ASSISTANT = "assistant"


class StoreError(Exception):
    """Base class for request store errors."""


class StoreUnavailable(StoreError):
    """The database could not be reached or the operation failed; nothing was changed."""


class SchemaTooNew(StoreUnavailable):
    """The database was migrated by a newer version of this code."""


class RequestNotFound(StoreError, LookupError):
    """No request has the given reference."""


class TooManyRequests(StoreError):
    """The sender reached the limit of new requests; nothing was stored."""


@dataclass(frozen=True)
class SenderLimit:
    """At most ``count`` new requests from one sender in any ``window``."""

    count: int
    window: timedelta

    @classmethod
    def from_env(cls) -> SenderLimit:
        """$CLINIC_NEW_REQUESTS_PER_DAY, else DEFAULT_NEW_REQUESTS_PER_DAY, per rolling 24 hours."""
        raw = os.environ.get(NEW_REQUESTS_PER_DAY_ENV, "").strip()
        count = int(raw) if raw else DEFAULT_NEW_REQUESTS_PER_DAY
        if count < 1:
            raise ValueError(f"{NEW_REQUESTS_PER_DAY_ENV} must be at least 1, got {count}")
        return cls(count, timedelta(days=1))


@dataclass(frozen=True)
class SavedRequest:
    reference: str
    id: int
    created_at: datetime
    repeated: bool = False  # the idempotency key was already stored: this is that first request


def idempotency_key(*parts: object) -> str:
    """A key for the request that ``parts`` identify (e.g. kind, sender, form run).

    Hashed: fixed length whatever the sender id, and no phone number in the column."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


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
    return RequestStore(url, sender_limit=SenderLimit.from_env())


def shared_store() -> RequestStore:
    """The process's store for the current $CLINIC_DB_URL: one engine and pool, reused."""
    return _store_for(os.environ.get(URL_ENV_VAR) or None)


class RequestStore:
    """Requests in any SQLAlchemy database, migrated to the newest schema on first use.

    The URL comes from ``url``, else $CLINIC_DB_URL, else a SQLite file at
    ``var/clinic_requests.db``. No connection is made until the first call.
    ``sender_limit`` limits new requests per sender (none: unlimited, for staff tools).
    """

    def __init__(self, url: str | None = None, sender_limit: SenderLimit | None = None) -> None:
        self._engine = LazyEngine(url, _migrate, bounded=True)
        self._sender_limit = sender_limit

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
        idempotency_key: str | None = None,
    ) -> SavedRequest:
        """Store a new request and commit it before returning.

        ``urgency`` defaults to "urgent" for urgent requests, else "normal"; the
        record of an emergency is an urgent request with urgency "emergency".
        Contact details are kept once, in their own arguments: ``answers``
        keys named like them are left out. A request with the ``idempotency_key``
        of one already stored is not stored again: that one is returned, ``repeated``.
        Raises ValueError for invalid arguments, TooManyRequests when the sender
        reached the limit, StoreUnavailable if it could not be stored.
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
            "idempotency_key": idempotency_key,
        }
        with _failures_as_unavailable("saving a request"):
            engine = self._engine.get()
            earlier = self._by_key(engine, idempotency_key)
            if earlier:
                return earlier
            self._check_sender_limit(engine, sender_id, now)
            for _ in range(_REFERENCE_ATTEMPTS):
                reference = _new_reference()
                try:
                    with engine.begin() as conn:
                        result = conn.execute(insert(requests_table).values(reference=reference, **values))
                except IntegrityError as exc:
                    earlier = self._by_key(engine, idempotency_key)  # a concurrent submit stored it first
                    if earlier:
                        return earlier
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

    def add_to_urgent(
        self, reference: str, *, urgency: str, red_flags: Sequence[str], message: str
    ) -> StoredRequest:
        """Add a later red-flag message to an urgent record, so one episode stays one record.

        The record takes the more serious urgency and the new red flags; the
        message's words are added unless already there. A record staff have
        moved on from goes back to "new", so the queue shows it again.
        """
        _require_choice("urgency", urgency, URGENCIES)
        with self._connection("adding to an urgent request", transaction=True) as conn:
            row = _locked_urgent_row(conn, reference)
            answers = json.loads(row.answers)
            flags = list(answers.get("red_flags") or [])
            answers["red_flags"] = flags + [flag for flag in red_flags if flag not in flags]
            earlier = str(answers.get("message") or "")
            if message and message not in earlier.split("\n"):
                answers["message"] = f"{earlier}\n{message}" if earlier else message
            values = {
                "answers": json.dumps(answers, ensure_ascii=False, sort_keys=True),
                "urgency": min(row.urgency, urgency, key=URGENCIES.index),
                "updated_at": datetime.now(timezone.utc),
            }
            conn.execute(update(requests_table).where(requests_table.c.id == row.id).values(**values))
            if row.status != "new":
                self._record_status(conn, row, "new", ASSISTANT)
            row = conn.execute(_by_reference(reference)).one()
        log.info("added a message to urgent request %s (urgency=%s)", row.reference, row.urgency)
        return _to_request(row)

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
        *,
        search: str | None = None,
        offset: int = 0,
    ) -> list[StoredRequest]:
        """Matching requests, emergencies first, then urgent ones, then newest first.

        ``search`` finds a name, a phone number (any format) or a reference.
        """
        if limit < 1 or offset < 0:
            raise ValueError(f"limit must be at least 1 and offset at least 0, got {limit}, {offset}")
        query = _matching(clinic_id, status, channel, search).order_by(
            case({u: rank for rank, u in enumerate(URGENCIES)}, value=requests_table.c.urgency),
            requests_table.c.created_at.desc(),
            requests_table.c.id.desc(),
        )
        with self._connection("listing requests") as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
        return [_to_request(row) for row in rows]

    def count_requests(
        self,
        clinic_id: str | None = None,
        status: str | None = None,
        channel: str | None = None,
        *,
        search: str | None = None,
    ) -> int:
        """How many requests ``list_requests`` would find without a limit."""
        query = select(func.count()).select_from(_matching(clinic_id, status, channel, search).subquery())
        with self._connection("counting requests") as conn:
            return int(conn.execute(query).scalar_one())

    def set_status(self, reference: str, status: str, changed_by: str) -> StoredRequest:
        """Change a request's status and record it in the history, atomically.

        Setting the current status again changes nothing.
        """
        _require_choice("status", status, STATUSES)
        if not changed_by.strip():
            raise ValueError("changed_by must name who changed the status")
        with self._connection("changing a request status", transaction=True) as conn:
            row = _locked_row(conn, reference)
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

    def add_contact(self, reference: str, *, name: str | None, phone: str | None) -> StoredRequest:
        """Add the name and phone a person sent after urgent advice to their urgent record.

        What they send replaces what the record had; what they leave out is kept.
        """
        values = {key: value for key, value in (("contact_name", name), ("contact_phone", phone)) if value}
        with self._connection("adding contact details", transaction=True) as conn:
            row = _locked_urgent_row(conn, reference)
            if values:
                now = datetime.now(timezone.utc)
                query = update(requests_table).where(requests_table.c.id == row.id)
                conn.execute(query.values(updated_at=now, **values))
            row = conn.execute(_by_reference(reference)).one()
        log.info("added contact details to urgent request %s", row.reference)
        return _to_request(row)

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
    def _by_key(engine: Engine, key: str | None) -> SavedRequest | None:
        if key is None:
            return None
        query = select(requests_table.c.reference, requests_table.c.id, requests_table.c.created_at)
        with engine.connect() as conn:
            row = conn.execute(query.where(requests_table.c.idempotency_key == key)).first()
        return SavedRequest(row.reference, row.id, row.created_at, repeated=True) if row else None

    def _check_sender_limit(self, engine: Engine, sender_id: str, now: datetime) -> None:
        limit = self._sender_limit
        if limit is None:
            return
        query = select(func.count()).where(
            requests_table.c.sender_id == sender_id, requests_table.c.created_at > now - limit.window
        )
        with engine.connect() as conn:
            if conn.execute(query).scalar_one() >= limit.count:
                log.warning("a sender reached the limit of %d new requests", limit.count)
                raise TooManyRequests(f"at most {limit.count} new requests per sender in {limit.window}")

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


def _matching(clinic_id: str | None, status: str | None, channel: str | None, search: str | None) -> Select:
    if status is not None:
        _require_choice("status", status, STATUSES)
    query = select(requests_table)
    for column, value in (("clinic_id", clinic_id), ("status", status), ("channel", channel)):
        if value is not None:
            query = query.where(requests_table.c[column] == value)
    return query.where(_search_condition(search)) if search and search.strip() else query


def _search_condition(search: str) -> ColumnElement[bool]:
    """Every word of ``search`` in the name or reference; digits alone match phone numbers
    ("(301) 555-0123", "5550123"), stored as "+13015550123" or, on SMS, as the sender."""
    text = search.strip()[:100]
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and not re.search(r"[^\W\d_]", text):
        number = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
        return or_(
            requests_table.c.contact_phone.contains(number, autoescape=True),
            and_(
                requests_table.c.channel == SMS_CHANNEL,
                requests_table.c.sender_id.contains(number, autoescape=True),
            ),
        )
    fields = (func.lower(requests_table.c.contact_name), func.lower(requests_table.c.reference))
    return and_(
        *(or_(*(field.contains(word, autoescape=True) for field in fields)) for word in text.lower().split())
    )


def _normalise_reference(reference: str) -> str:
    return reference.strip().upper()


def _by_reference(reference: str) -> Select:
    return select(requests_table).where(requests_table.c.reference == _normalise_reference(reference))


def _locked_row(conn: Connection, reference: str) -> Row:
    """The request's row, locked until the transaction ends."""
    row = conn.execute(_by_reference(reference).with_for_update()).first()
    if row is None:
        raise RequestNotFound(f"no request with reference {reference!r}")
    return row


def _locked_urgent_row(conn: Connection, reference: str) -> Row:
    row = _locked_row(conn, reference)
    if row.kind != "urgent":
        raise ValueError(f"request {row.reference} is a {row.kind} request, not an urgent one")
    return row


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
