"""On SMS the number a message comes from is the patient's phone."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.intake_form import ValidateIntakeForm

SENDER = "+13015550177"


def sms_tracker(text: str, slots: dict | None = None, channel: str = "twilio") -> Tracker:
    event = {"event": "user", "text": text, "input_channel": channel, "parse_data": {}}
    return Tracker(SENDER, dict(slots or {}), {"text": text}, [event], False, None, {}, "action_listen")


def test_the_name_on_sms_brings_the_senders_number_so_the_phone_is_not_asked():
    answer = ValidateIntakeForm().validate_contact_name(
        "Ana Lopez", CollectingDispatcher(), sms_tracker("Ana Lopez"), {}
    )
    assert answer == {"contact_name": "Ana Lopez", "contact_phone": SENDER}


def test_same_as_this_is_the_senders_number_on_sms_only():
    validate = ValidateIntakeForm().validate_contact_phone
    assert validate("same as this", CollectingDispatcher(), sms_tracker("same as this"), {}) == {
        "contact_phone": SENDER
    }
    web = sms_tracker("same as this", channel="rest")
    dispatcher = CollectingDispatcher()
    assert validate("same as this", dispatcher, web, {}) == {"contact_phone": None}
    assert "phone number" in dispatcher.messages[0]["text"]
