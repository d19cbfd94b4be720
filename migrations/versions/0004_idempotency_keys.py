"""Each request can carry an idempotency key, and Twilio messages are handled once.

A form run that is submitted again (the tracker was not saved after the request
was committed, or Rasa was killed in between) brings the same key; the unique
constraint keeps the first row, and the store answers with its reference.
``sms_processed_messages`` holds the MessageSid of every Twilio message already
answered, so a replayed, validly signed request is not processed a second time.
The index on (sender_id, created_at) serves the per-sender look-ups (rate limit,
the current urgent episode).

Existing rows keep an empty key (NULLs never collide). The downgrade drops the
table, the index and the column, keys and all.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(255), nullable=True))
        batch.create_unique_constraint("uq_requests_idempotency_key", ["idempotency_key"])
        batch.create_index("ix_requests_sender_created", ["sender_id", "created_at"])
    op.create_table(
        "sms_processed_messages",
        sa.Column("message_sid", sa.String(64), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sms_processed_messages")
    with op.batch_alter_table("requests") as batch:
        batch.drop_index("ix_requests_sender_created")
        batch.drop_constraint("uq_requests_idempotency_key", type_="unique")
        batch.drop_column("idempotency_key")
