"""Staff logins can be disabled and their sessions ended; data erasures are logged.

``staff_users.disabled`` refuses a login; ``staff_users.session_version`` is
copied into each console session and checked on every request, so raising it
(logout, a password change, disabling) ends every copy of the cookie.
``erasure_log`` records who removed which conversation's data and when (a
patient's "delete my data", a staff member's delete, the retention purge).
Existing logins stay enabled at version 0. The downgrade drops the table and
both columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "erasure_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("conversation", sa.String(64)),
        sa.Column("conversations_removed", sa.Integer(), nullable=False),
        sa.Column("requests_removed", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erasure_log")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("session_version")
        batch.drop_column("disabled")
