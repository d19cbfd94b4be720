"""The console's HTML pages. Patient text reaches them only through Jinja's autoescaping."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from clinic.channels import SMS_CHANNEL
from clinic.request_store import STATUSES
from console.services import services
from console.transcripts import TranscriptUnavailable

# Input channels as Rasa names them, with what the front desk calls them.
CHANNELS = {"rest": "Website (REST)", "socketio": "Web chat", SMS_CHANNEL: "SMS"}

pages = Blueprint("pages", __name__, url_prefix="/console", static_folder="static")


@pages.get("/")
def queue() -> str:
    """The page only; its script fetches the requests from the JSON API."""
    directory = services().directory
    return render_template(
        "queue.html",
        clinics=directory.clinics,
        statuses=STATUSES,
        channels=CHANNELS,
        timezone=directory.timezone.key,
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
        channel=CHANNELS.get(found.channel, found.channel),
        history=console.store.status_history(found.reference),
        transcript=transcript,
        transcript_error=transcript_error,
        statuses=STATUSES,
    )
