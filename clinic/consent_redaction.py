"""What a conversation may keep once the patient has refused consent or asked for deletion.

Works on events as Rasa serialises them (``{"event": "user", "text": ...}``,
``{"event": "slot", "name": ..., "value": ...}``); the tracker store adapter
(``tracker_store/``) applies it before anything reaches the tracker database.

After a "no" to "May the clinic store your answers?", the answers of that form
run are redacted: the slot events of the answers and the user messages that
filled them (or tried to: a rejected answer is personal data too).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

REDACTED = "[redacted]"
FORM = "intake_form"
CONSENT_SLOT = "consent"
# Set by the "delete my data" action once the requests are gone; the store then drops the conversation.
ERASED_SLOT = "data_erased"
# The form's answers: free text, contact details, and the places and clinics they name.
ANSWER_SLOTS = frozenset(
    {
        "body_area",
        "pain_duration",
        "pain_level",
        "contact_name",
        "contact_phone",
        "contact_email",
        "preferred_clinic",
        "preferred_times",
        "location",
        "nearest_clinic",
    }
)

Event = Mapping[str, Any]


def _last_turn(events: Sequence[Event]) -> Sequence[Event]:
    """The events after the latest user message: what this turn added."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index + 1 :]
    return events


def _slot_set_to(event: Event, slot: str, value: object) -> bool:
    return event.get("event") == "slot" and event.get("name") == slot and event.get("value") is value


def consent_refused_this_turn(events: Sequence[Event]) -> bool:
    return any(_slot_set_to(event, CONSENT_SLOT, False) for event in _last_turn(events))


def erasure_requested_this_turn(events: Sequence[Event]) -> bool:
    return any(_slot_set_to(event, ERASED_SLOT, True) for event in _last_turn(events))


def _form_run_start(events: Sequence[Event]) -> int:
    """The index of the latest activation of the intake form (0 if none is found)."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return index
    return 0


def redact_form_run(events: Sequence[Event]) -> list[dict[str, Any]]:
    """A copy of ``events`` with the latest form run's answers and the messages that gave them redacted."""
    redacted = [dict(event) for event in events]
    last_user: int | None = None
    for index in range(_form_run_start(events), len(redacted)):
        event = redacted[index]
        if event.get("event") == "user":
            last_user = index
        elif event.get("event") == "slot" and event.get("name") in ANSWER_SLOTS:
            event["value"] = None
            if last_user is not None:
                redacted[last_user] = _redacted_message(redacted[last_user])
    return redacted


def _redacted_message(event: Event) -> dict[str, Any]:
    message = copy.deepcopy(dict(event))
    message["text"] = REDACTED
    parse_data = message.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data["text"] = REDACTED
        parse_data["entities"] = []
    return message
