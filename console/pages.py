"""The console's HTML pages. Patient text reaches them only through Jinja's autoescaping."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, render_template, request

from clinic.request_store import STATUSES
from console.services import services
from console.transcripts import TranscriptUnavailable
from console.unanswered import group_misses
from console.wording import CHANNEL_NAMES, answer_wording, display_phone, phone_of

DEFAULT_PERIOD_DAYS = 7
MAX_PERIOD_DAYS = 366
# Seconds between the queue page's checks for new requests.
QUEUE_REFRESH_SECONDS = 15

pages = Blueprint("pages", __name__, url_prefix="/console", static_folder="static")


@pages.get("/")
def queue() -> str:
    """The page only; its script fetches the requests from the JSON API."""
    directory = services().directory
    return render_template(
        "queue.html",
        clinics=directory.clinics,
        statuses=STATUSES,
        channels=CHANNEL_NAMES,
        timezone=directory.timezone.key,
        refresh_seconds=QUEUE_REFRESH_SECONDS,
    )


@pages.get("/requests/<reference>")
def request_detail(reference: str) -> str:
    console = services()
    found = console.store.get(reference)
    if found is None:
        abort(404)
    transcript, transcript_error = [], None
    if console.transcripts is None:
        transcript_error = "Transcripts need Rasa's SQL tracker store (set TRACKER_DB_URL)."
    else:
        try:
            transcript = console.transcripts.read(found.sender_id)
        except TranscriptUnavailable:
            transcript_error = "The conversation store cannot be read right now."
    return render_template(
        "request.html",
        request_=found,
        clinic=console.directory.by_id.get(found.clinic_id or ""),
        channel=CHANNEL_NAMES.get(found.channel, found.channel),
        phone=display_phone(phone_of(found)),
        phone_number=phone_of(found),
        answers=answer_wording().answers(found.answers),
        history=console.store.status_history(found.reference),
        transcript=transcript,
        transcript_error=transcript_error,
        statuses=STATUSES,
    )


@pages.get("/unanswered")
def unanswered() -> tuple[str, int] | str:
    """What the assistant could not answer in a period of local dates (the last week by default)."""
    console = services()
    zone = console.directory.timezone
    today = datetime.now(zone).date()
    try:
        first = _date_arg("from", today - timedelta(days=DEFAULT_PERIOD_DAYS - 1))
        last = _date_arg("to", today)
    except ValueError:
        return _unanswered_page(today, today, error="Choose dates as year-month-day."), 400
    if first > last or (last - first).days >= MAX_PERIOD_DAYS:
        return _unanswered_page(first, last, error=f"Choose a period of 1 to {MAX_PERIOD_DAYS} days."), 400
    if console.transcripts is None:
        return _unanswered_page(
            first, last, error="This needs Rasa's SQL tracker store (set TRACKER_DB_URL)."
        )
    since = datetime.combine(first, time(), zone)
    until = datetime.combine(last + timedelta(days=1), time(), zone)
    try:
        missed = console.transcripts.missed(since, until)
        names = console.transcripts.slot_values((m.sender_id for m in missed), "contact_name")
    except TranscriptUnavailable:
        return _unanswered_page(first, last, error="The conversation store cannot be read right now.")
    return _unanswered_page(first, last, groups=group_misses(missed, names), total=len(missed))


def _date_arg(name: str, default: date) -> date:
    value = request.args.get(name)
    return date.fromisoformat(value) if value else default


def _unanswered_page(first: date, last: date, **context: object) -> str:
    return render_template(
        "unanswered.html", **{"first": first, "last": last, "groups": [], "total": 0, **context}
    )
