"""The request queue as CSV for a spreadsheet: local times, one column per answer.

Phone numbers are written as "(240) 555-0222": text to every spreadsheet, with
no apostrophe to see and nothing a spreadsheet could run. Any other cell that
starts like a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, tzinfo

from clinic.directory import Directory
from clinic.request_answers import label
from clinic.request_store import StoredRequest
from console.wording import answer_wording, display_phone, phone_of

# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "%Y-%m-%d %H:%M"


def requests_csv(requests: Sequence[StoredRequest], directory: Directory, channels: dict[str, str]) -> str:
    """One row per request; the answer columns are those any of ``requests`` has."""
    wording = answer_wording()
    zone = directory.timezone
    keys = list(dict.fromkeys(a.key for r in requests for a in wording.answers(r.answers)))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "Reference",
            f"Received ({zone.key})",
            "Urgency",
            "Kind",
            "Status",
            "Clinic",
            "Channel",
            "Name",
            "Phone",
            "Email",
            "Status changed by",
            f"Status changed ({zone.key})",
            *(label(key) for key in keys),
        ]
    )
    for request in requests:
        clinic = directory.by_id.get(request.clinic_id or "")
        answers = {a.key: a.text for a in wording.answers(request.answers)}
        writer.writerow(
            [
                _safe(request.reference),
                _local(request.created_at, zone),
                request.urgency,
                request.kind,
                request.status,
                _safe(clinic.name if clinic else request.clinic_id or ""),
                _safe(channels.get(request.channel, request.channel)),
                _safe(request.contact_name or ""),
                _safe(display_phone(phone_of(request))),
                _safe(request.contact_email or ""),
                _safe(request.status_changed_by or ""),
                _local(request.status_changed_at, zone),
                *(_safe(answers.get(key, "")) for key in keys),
            ]
        )
    return buffer.getvalue()


def _local(value: datetime | None, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime(TIME_FORMAT) if value else ""


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text
