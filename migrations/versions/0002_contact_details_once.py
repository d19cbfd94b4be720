"""Contact details are kept once, in the requests' contact columns.

Bookings also copied the name, phone and email into the answers JSON. Those
keys are taken out of ``answers``; a value found only there (its column empty)
is moved into the column first (one too long for the column stays where it
is), so nothing is lost. An email recorded as "none" (the person skipped it)
stays an empty column.

The downgrade changes nothing: older code reads contact details from the
columns too.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Each contact column and its length.
CONTACT_FIELDS = {"contact_name": 255, "contact_phone": 64, "contact_email": 320}
requests = sa.table(
    "requests",
    sa.column("id", sa.Integer),
    sa.column("answers", sa.Text),
    *(sa.column(field, sa.String(length)) for field, length in CONTACT_FIELDS.items()),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(requests).where(sa.or_(*(requests.c.answers.contains(f'"{f}"') for f in CONTACT_FIELDS)))
    ).all()
    for row in rows:
        try:
            answers = json.loads(row.answers)
        except ValueError:
            continue  # not JSON: left exactly as it is
        if not isinstance(answers, dict) or not answers.keys() & CONTACT_FIELDS.keys():
            continue
        values: dict[str, object] = {}
        for field, length in CONTACT_FIELDS.items():
            value = answers.get(field)
            if getattr(row, field) is None and value not in (None, "", "none"):
                if len(str(value)) > length:
                    continue  # does not fit the column: stays in the answers
                values[field] = str(value)
            answers.pop(field, None)
        values["answers"] = json.dumps(answers, ensure_ascii=False, sort_keys=True)
        conn.execute(sa.update(requests).where(requests.c.id == row.id).values(**values))


def downgrade() -> None:
    pass
