"""The request queue as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime

from clinic.request_store import StoredRequest

COLUMNS = (
    "reference",
    "created_at",
    "urgency",
    "kind",
    "status",
    "clinic_id",
    "channel",
    "contact_name",
    "contact_phone",
    "contact_email",
    "status_changed_by",
    "status_changed_at",
    "answers",
)
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def requests_csv(requests: Iterable[StoredRequest]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for request in requests:
        writer.writerow([_cell(getattr(request, column)) for column in COLUMNS])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
