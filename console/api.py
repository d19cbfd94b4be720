"""The JSON API the console pages call. State changes need the CSRF token in a header."""

from __future__ import annotations

import math
from datetime import datetime

from flask import Blueprint, Response, jsonify, request, url_for

from clinic.conversation_ids import sign
from clinic.request_store import STATUSES, RequestNotFound, StoredRequest
from console.assistant import AssistantUnavailable, ask_assistant
from console.auth import current_staff
from console.csv_export import requests_csv
from console.services import services
from console.wording import CHANNEL_NAMES, display_phone, phone_of, snippet

MAX_QUESTION_LENGTH = 1000
PAGE_SIZE = 25
MAX_EXPORT = 5000

api = Blueprint("api", __name__, url_prefix="/console/api")


class InvalidInput(ValueError):
    """The API call's parameters are invalid; the message is shown to staff."""


@api.errorhandler(InvalidInput)
def _invalid_input(exc: InvalidInput) -> tuple[Response, int]:
    return jsonify(error=str(exc)), 400


@api.get("/requests")
def list_requests() -> Response:
    """One page of the queue (``page``, from 1) matching the filters and ``q``."""
    filters = _filters()
    total = services().store.count_requests(**filters)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(_page(), pages)
    found = services().store.list_requests(**filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return jsonify(
        requests=[_summary(item) for item in found], page=page, pages=pages, total=total, page_size=PAGE_SIZE
    )


@api.get("/requests.csv")
def export_requests() -> Response:
    """Every request matching the filters and ``q`` (not only one page)."""
    found = services().store.list_requests(**_filters(), limit=MAX_EXPORT)
    return Response(
        requests_csv(found, services().directory, CHANNEL_NAMES),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=requests.csv"},
    )


@api.post("/requests/<reference>/status")
def change_status(reference: str) -> Response | tuple[Response, int]:
    status = (request.get_json(silent=True) or {}).get("status")
    if status not in STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(STATUSES)}")
    try:
        changed = services().store.set_status(reference, status, changed_by=current_staff())
    except RequestNotFound:
        return jsonify(error=f"No request {reference}."), 404
    return jsonify(request=_summary(changed))


@api.post("/ask")
def ask() -> Response | tuple[Response, int]:
    question = str((request.get_json(silent=True) or {}).get("question") or "").strip()
    if not question or len(question) > MAX_QUESTION_LENGTH:
        raise InvalidInput(f"Type a question of at most {MAX_QUESTION_LENGTH} characters.")
    try:
        # Rasa accepts only conversation ids signed with the secret it shares with the console.
        sender = sign(services().conversation_id_secret, f"staff-{current_staff()}")
        replies = ask_assistant(services().rasa_url, sender, question)
    except AssistantUnavailable:
        return jsonify(error="The assistant is not answering right now. Try again in a minute."), 502
    return jsonify(replies=replies)


def _filters() -> dict[str, str | None]:
    """The ``clinic``, ``status``, ``channel`` and ``q`` (name, phone or reference) query parameters."""
    clinic = request.args.get("clinic") or None
    status = request.args.get("status") or None
    channel = request.args.get("channel") or None
    if clinic is not None and clinic not in services().directory.by_id:
        raise InvalidInput(f"Unknown clinic {clinic!r}.")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(STATUSES)}")
    search = (request.args.get("q") or "").strip() or None
    return {"clinic_id": clinic, "status": status, "channel": channel, "search": search}


def _page() -> int:
    try:
        page = int(request.args.get("page") or 1)
    except ValueError:
        raise InvalidInput("The page must be a number.") from None
    if page < 1:
        raise InvalidInput("The page must be 1 or more.")
    return page


def _summary(found: StoredRequest) -> dict:
    clinic = services().directory.by_id.get(found.clinic_id or "")
    return {
        "reference": found.reference,
        "url": url_for("pages.request_detail", reference=found.reference),
        "created_at": _iso(found.created_at),
        "kind": found.kind,
        "urgency": found.urgency,
        "status": found.status,
        "status_changed_by": found.status_changed_by,
        "status_changed_at": _iso(found.status_changed_at),
        "clinic_id": found.clinic_id,
        "clinic_name": clinic.name if clinic else None,
        "channel": found.channel,
        "contact_name": found.contact_name,
        "contact_phone": display_phone(phone_of(found)),
        "contact_email": found.contact_email,
        "snippet": snippet(found),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
