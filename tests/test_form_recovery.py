"""A booking form recovers from a save the request store refused (issue 11, item 6).

The issue's sequence: the store refused the save, the answers stayed in the
conversation, and the next "I'd like to book an appointment" crashed
``validate_pain_level`` on the float its slot held, then submitted the booking
without showing the summary again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import FormValidationAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import make_url

from actions.clinic_actions import ValidateClinicSearchForm
from actions.handoff_actions import ValidateCallbackForm
from actions.intake_form import ValidateIntakeForm
from tests.action_harness import make_tracker
from tests.fault_injection import stored_requests, write_locked
from tests.live_ids import new_rest_sender
from tests.test_live_rest import BOOKING_TURNS, say

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"
# A value of each slot type, as the tracker holds it.
TYPED_VALUES: dict[str, Any] = {"float": 6.0, "text": "weekday mornings", "bool": True, "any": "back"}


def text_of(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


@pytest.mark.live
def test_after_a_refused_save_the_next_booking_starts_clean_and_shows_the_summary(live_assistant):
    sender = new_rest_sender(live_assistant)
    for message, expected in BOOKING_TURNS:
        assert expected in text_of(say(live_assistant, sender, message))
    with write_locked(Path(make_url(live_assistant.db_url).database)):
        refused = text_of(say(live_assistant, sender, "yes"))
    assert "couldn't save" in refused and "cleared this form" in refused

    for message, expected in BOOKING_TURNS:  # every question again, the summary last
        reply = text_of(say(live_assistant, sender, message))
        assert expected in reply, f"after {message!r}: {reply!r}"
    confirmation = text_of(say(live_assistant, sender, "yes"))

    [row] = stored_requests(live_assistant.db_url, sender)
    assert row.kind == "booking" and row.reference in confirmation
    assert "same request" not in confirmation


def slot_types() -> dict[str, str]:
    slots = yaml.safe_load(DOMAIN.read_text())["slots"]
    return {name: spec.get("type", "any") for name, spec in slots.items()}


@pytest.mark.parametrize("form", [ValidateIntakeForm, ValidateCallbackForm, ValidateClinicSearchForm])
def test_validators_accept_the_types_their_slots_hold(form: type[FormValidationAction]) -> None:
    types = slot_types()
    validators = [name for name in dir(form) if name.startswith("validate_") and name[9:] in types]
    assert validators
    for name in validators:
        slot = name[len("validate_") :]
        value = TYPED_VALUES[types[slot]]
        result = getattr(form(), name)(value, CollectingDispatcher(), make_tracker(), {})
        assert slot in result, f"{name}({value!r})"


def test_a_pain_level_the_slot_already_holds_is_kept() -> None:
    result = ValidateIntakeForm().validate_pain_level(6.0, CollectingDispatcher(), make_tracker(), {})
    assert result == {"pain_level": 6.0}
