"""Idempotency keys of the requests a conversation makes: one per form run, one per red-flag episode.

A turn can be replayed: when the conversation is not saved after the request was
stored (the tracker store failed, or Rasa was killed in between), the person is
asked again and answers again. The replayed turn sees the same earlier events,
so it derives the same key and the store returns the first request.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from clinic.request_store import idempotency_key

# Events after which nothing of the conversation before carries on.
_FRESH_START = ("session_started", "restart")


def form_run_started(tracker: Tracker, form: str) -> float | None:
    """When the latest run of ``form`` was activated (that event's timestamp), if it ran."""
    started, active = None, None
    for event in tracker.events:
        kind = event.get("event")
        if kind in _FRESH_START:
            active = None
        elif kind == "active_loop":
            if event.get("name") == form and active != form:
                started = event.get("timestamp")
            active = event.get("name")
    return started


def form_run_key(tracker: Tracker, kind: str, form: str) -> str | None:
    """The key of the ``kind`` request this run of ``form`` makes; none outside a form run."""
    started = form_run_started(tracker, form)
    return None if started is None else idempotency_key(kind, tracker.sender_id, started)


def red_flag_episode_key(tracker: Tracker) -> str:
    """The key of the urgent record of this conversation session.

    One episode per session: while the person keeps writing, later red-flag
    messages belong with the first (staff read them in one record). A session
    ends after the domain's session_expiration_time without a message, or on a
    restart: a red flag after that is a new episode and a new record.
    """
    started = max(
        (float(e.get("timestamp") or 0) for e in tracker.events if e.get("event") in _FRESH_START),
        default=0.0,
    )
    return idempotency_key("urgent", tracker.sender_id, started)
