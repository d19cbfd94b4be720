"""The first tables: requests, status history, SMS state, staff logins.

The stores used to create these on first use. A database made by that older
code already has some or all of them (each store created only its own): those
are kept with their rows, and only the missing ones are created. Its
``schema_info`` version table gives way to Alembic's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _requests() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("clinic_id", sa.String(64)),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_changed_by", sa.String(255)),
        sa.Column("status_changed_at", sa.DateTime(timezone=True)),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("contact_name", sa.String(255)),
        sa.Column("contact_phone", sa.String(64)),
        sa.Column("contact_email", sa.String(320)),
        sa.CheckConstraint("kind IN ('intake', 'booking', 'callback', 'urgent')", name="ck_requests_kind"),
        sa.CheckConstraint("urgency IN ('normal', 'urgent')", name="ck_requests_urgency"),
        sa.CheckConstraint("status IN ('new', 'contacted', 'booked', 'closed')", name="ck_requests_status"),
    )
    op.create_index("ix_requests_clinic_status", "requests", ["clinic_id", "status"])


def _status_history() -> None:
    op.create_table(
        "status_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("old", sa.String(16), nullable=False),
        sa.Column("new", sa.String(16), nullable=False),
        sa.Column("changed_by", sa.String(255), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_status_history_request_id", "status_history", ["request_id"])


def _sms_opt_outs() -> None:
    op.create_table(
        "sms_opt_outs",
        sa.Column("phone_number", sa.String(32), primary_key=True),
        sa.Column("opted_out", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def _sms_offered_options() -> None:
    op.create_table(
        "sms_offered_options",
        sa.Column("phone_number", sa.String(32), primary_key=True),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
    )


def _staff_users() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


# In creation order (status_history refers to requests).
TABLES = {
    "requests": _requests,
    "status_history": _status_history,
    "sms_opt_outs": _sms_opt_outs,
    "sms_offered_options": _sms_offered_options,
    "staff_users": _staff_users,
}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:
            create()
    if "schema_info" in existing:
        op.drop_table("schema_info")


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
