"""What the SMS channel remembers per phone number, in SQL (SQLAlchemy Core).

Small tables in the request store's database ($CLINIC_DB_URL, else
var/clinic_requests.db): which numbers opted out, the numbered choices
last offered to each number, and the Twilio messages already answered. Keeping
them in the database rather than in memory lets several Rasa servers share them
and survives restarts.

Phone numbers are personal data: they are never logged or put in errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from clinic.database import LazyEngine, describe_error
from clinic.migrate import NewerSchema, ensure_current
from clinic.schema import offered_options, opt_outs, processed_messages


@dataclass(frozen=True)
class Option:
    """A button (title and payload) offered as a numbered choice; its number is its position + 1."""

    title: str
    payload: str


class SmsStateUnavailable(RuntimeError):
    """The database failed. The driver's exception is not chained: its text
    can quote bound values, i.e. phone numbers."""


class _RowExists(SmsStateUnavailable):
    """An insert lost a race with another request's insert for the same number."""


class SmsState:
    """Opt-outs and offered choices per number. Connects (and migrates) on first use."""

    def __init__(self, url: str | None = None) -> None:
        self._engine = LazyEngine(url, ensure_current)

    def is_opted_out(self, number: str) -> bool:
        with self._connection("reading an opt-out") as conn:
            row = conn.execute(select(opt_outs.c.opted_out).where(opt_outs.c.phone_number == number)).first()
        return bool(row and row.opted_out)

    def set_opted_out(self, number: str, opted_out: bool) -> None:
        values = {"opted_out": opted_out, "changed_at": datetime.now(timezone.utc)}
        self._upsert("recording an opt-out", opt_outs, number, values)

    def offered(self, number: str) -> tuple[Option, ...]:
        with self._connection("reading offered options") as conn:
            row = conn.execute(
                select(offered_options.c.options).where(offered_options.c.phone_number == number)
            ).first()
        return tuple(Option(**item) for item in json.loads(row.options)) if row else ()

    def remember_offered(self, number: str, options: Sequence[Option]) -> None:
        """Replace the choices on offer; an empty list withdraws them."""
        values = {
            "options": json.dumps([{"title": o.title, "payload": o.payload} for o in options]),
            "offered_at": datetime.now(timezone.utc),
        }
        self._upsert("recording offered options", offered_options, number, values)

    def first_delivery(self, message_sid: str) -> bool:
        """Claim the message for answering; False if it was claimed before (a retry or a replay).

        Claimed before it is processed, so two copies arriving together are not
        both processed; ``forget_delivery`` releases the claim if answering fails.
        """
        row = {"message_sid": message_sid, "processed_at": datetime.now(timezone.utc)}
        try:
            with self._connection("recording a message", transaction=True) as conn:
                conn.execute(insert(processed_messages).values(**row))
        except _RowExists:
            return False
        return True

    def forget_delivery(self, message_sid: str) -> None:
        """Let the message be processed again when it comes back: answering it failed."""
        with self._connection("forgetting a message", transaction=True) as conn:
            conn.execute(delete(processed_messages).where(processed_messages.c.message_sid == message_sid))

    def dispose(self) -> None:
        self._engine.dispose()

    def _upsert(self, action: str, table: Table, number: str, values: dict[str, Any]) -> None:
        """Update the number's row, or insert it (portable: no dialect-specific upsert)."""
        key = table.c.phone_number == number
        for attempt in range(2):
            try:
                with self._connection(action, transaction=True) as conn:
                    if not conn.execute(update(table).where(key).values(**values)).rowcount:
                        conn.execute(insert(table).values(phone_number=number, **values))
                return
            except _RowExists:
                if attempt:  # the retry updates the row the other request inserted
                    raise

    @contextmanager
    def _connection(self, action: str, transaction: bool = False) -> Iterator[Connection]:
        try:
            engine = self._engine.get()
            with engine.begin() if transaction else engine.connect() as conn:
                yield conn
        except NewerSchema as exc:
            raise SmsStateUnavailable(f"SMS state unavailable while {action}: {exc}") from None
        except (SQLAlchemyError, OSError) as exc:
            error = _RowExists if isinstance(exc, IntegrityError) else SmsStateUnavailable
            raise error(f"SMS state unavailable while {action}: {describe_error(exc)}") from None
