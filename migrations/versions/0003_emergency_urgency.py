"""Requests can be marked "emergency", above "urgent", so staff see emergencies first.

Triage has three levels; the record of an emergency (911 advice) and of an
urgent sign (a doctor soon) are both urgent requests, told apart by urgency.
The downgrade marks emergencies "urgent" again before restoring the old check.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

requests = sa.table("requests", sa.column("urgency", sa.String(16)))


def _urgencies(values: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("requests") as batch:
        batch.drop_constraint("ck_requests_urgency", type_="check")
        batch.create_check_constraint("ck_requests_urgency", sa.text(f"urgency IN ({allowed})"))


def upgrade() -> None:
    _urgencies(("normal", "urgent", "emergency"))


def downgrade() -> None:
    op.execute(requests.update().where(requests.c.urgency == "emergency").values(urgency="urgent"))
    _urgencies(("normal", "urgent"))
