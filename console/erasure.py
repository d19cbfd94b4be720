"""Staff delete a patient's data: the conversation of a request, and every request from it.

A plain form on the request page (CSRF token in the form, and a checkbox that
confirms). The audit line names the staff member, not the patient (clinic/data_erasure.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request, url_for
from sqlalchemy import create_engine

from clinic.data_erasure import DataEraser
from console.auth import current_staff
from console.services import services
from console.settings import Settings


def erasure_blueprint(settings: Settings) -> Blueprint:
    blueprint = Blueprint("erasure", __name__, url_prefix="/console")
    eraser = DataEraser(settings.db_url)
    tracker = create_engine(settings.tracker_db_url, future=True) if settings.tracker_db_url else None

    @blueprint.post("/requests/<reference>/erase")
    def erase(reference: str) -> Response:
        found = services().store.get(reference)
        if found is None:
            abort(404)
        if request.form.get("confirm") != "yes":
            abort(400, "Tick the box to confirm that this patient's data is to be deleted.")
        eraser.erase_conversation(found.sender_id, requested_by=f"staff:{current_staff()}", tracker=tracker)
        return redirect(url_for("pages.queue"), code=303)

    return blueprint
