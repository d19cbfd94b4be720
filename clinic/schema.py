"""Every table of the clinic database, in one SQLAlchemy ``MetaData``.

The stores read and write through these definitions; only the migrations in
``migrations/versions/`` create or change tables (``python -m clinic.migrate``).
A change here needs a new migration: ``tests/test_migrations.py`` fails while
the migrated database and this module disagree.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator

KINDS = ("intake", "booking", "callback", "urgent")
URGENCIES = ("emergency", "urgent", "normal")  # most serious first: the queue's order
STATUSES = ("new", "contacted", "booked", "closed")
# Kept in the requests' own columns, never inside the answers JSON.
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware one")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"ck_requests_{column}")


metadata = MetaData()

# Intake, booking, call-back and urgent requests (clinic/request_store.py).
requests_table = Table(
    "requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("sender_id", String(255), nullable=False),
    Column("clinic_id", String(64)),
    Column("urgency", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_changed_by", String(255)),
    Column("status_changed_at", UTCDateTime),
    Column("answers", Text, nullable=False),  # JSON object; contact details are in the columns below
    Column("contact_name", String(255)),
    Column("contact_phone", String(64)),
    Column("contact_email", String(320)),
    # The conversation and form run that made the request: a repeated submit finds the first row.
    Column("idempotency_key", String(255)),
    _one_of("kind", KINDS),
    _one_of("urgency", URGENCIES),
    _one_of("status", STATUSES),
    Index("ix_requests_clinic_status", "clinic_id", "status"),
    UniqueConstraint("idempotency_key", name="uq_requests_idempotency_key"),
    Index("ix_requests_sender_created", "sender_id", "created_at"),  # rate limit, urgent episodes
)

history_table = Table(
    "status_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("request_id", Integer, ForeignKey("requests.id"), nullable=False, index=True),
    Column("old", String(16), nullable=False),
    Column("new", String(16), nullable=False),
    Column("changed_by", String(255), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
)

# What the SMS channel remembers per phone number (clinic/sms_state.py).
opt_outs = Table(
    "sms_opt_outs",
    metadata,
    Column("phone_number", String(32), primary_key=True),
    Column("opted_out", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

offered_options = Table(
    "sms_offered_options",
    metadata,
    Column("phone_number", String(32), primary_key=True),
    Column("options", Text, nullable=False),  # JSON list of {"title", "payload"}
    Column("offered_at", DateTime(timezone=True), nullable=False),
)

# Twilio MessageSids already answered: a replayed webhook is not processed again (clinic/sms_state.py).
processed_messages = Table(
    "sms_processed_messages",
    metadata,
    Column("message_sid", String(64), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

# Front-desk console logins (clinic/staff_accounts.py).
staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A disabled login cannot log in. A session is valid only while it carries the
    # current version: logout, a password change and disabling a login raise it.
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("session_version", Integer, nullable=False, server_default="0"),
)

# Who removed whose data and when (clinic/data_erasure.py). No patient data: the
# conversation is named by a digest of its id, which for SMS is a phone number.
erasure_log = Table(
    "erasure_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("requested_by", String(255), nullable=False),  # "patient", "staff:<username>", "retention"
    Column("conversation", String(64)),  # None for a retention purge
    Column("conversations_removed", Integer, nullable=False),
    Column("requests_removed", Integer, nullable=False),
)
