"""The console's HTML pages. Patient text reaches them only through Jinja's autoescaping."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from actions.request_store import STATUSES
from console.services import services
from console.transcripts import TranscriptUnavailable

# Input channels as Rasa names them, with what the front desk calls them.
CHANNELS = {"rest": "Website", "socketio": "Web chat", "twilio": "SMS"}

pages = Blueprint("pages", __name__, url_prefix="/console", static_folder="static")


@pages.get("/")
def queue() -> str:
    return render_template(
        "queue.html",
        clinics=services().directory.clinics,
        statuses=STATUSES,
        channels=CHANNELS,
    )


@pages.get("/requests/<reference>")
def request_detail(reference: str) -> str:
    found = services().store.get(reference)
    if found is None:
        abort(404)
    transcript, transcript_error = [], None
    if services().transcripts is None:
        transcript_error = "Transcripts need Rasa's SQL tracker store (set TRACKER_DB_URL)."
    else:
        try:
            transcript = services().transcripts.read(found.sender_id)
        except TranscriptUnavailable:
            transcript_error = "The conversation store cannot be read right now."
    clinic = services().directory.by_id.get(found.clinic_id or "")
    return render_template(
        "request.html",
        request_=found,
        clinic=clinic,
        channel=CHANNELS.get(found.channel, found.channel),
        history=services().store.status_history(found.reference),
        transcript=transcript,
        transcript_error=transcript_error,
        statuses=STATUSES,
    )
