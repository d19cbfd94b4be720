"""Putting the person in touch with a human: the phone number and a call-back request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import validated
from clinic import intake_answers
from clinic.channels import SMS_CHANNEL
from clinic.directory import Clinic, load_directory
from clinic.intake_answers import InvalidAnswer
from clinic.request_store import StoreUnavailable, shared_store


def known_clinic(tracker: Tracker) -> Clinic | None:
    return load_directory().by_id.get(tracker.get_slot("nearest_clinic") or "")


def phone_from_sms_sender(tracker: Tracker) -> str | None:
    """On SMS the sender id is the patient's number, so there is no need to ask."""
    if tracker.get_latest_input_channel() != SMS_CHANNEL:
        return None
    try:
        return intake_answers.contact_phone(tracker.sender_id)
    except InvalidAnswer:
        return None


def contact_line(tracker: Tracker) -> str:
    clinic = known_clinic(tracker)
    if clinic:
        return f"{clinic.name} on {clinic.phone_display} ({clinic.today_hours()})"
    main_line = load_directory().main_line
    return f"our {main_line.name.lower()} line on {main_line.phone_display}"


class ActionOfferHuman(Action):
    def name(self) -> str:
        return "action_offer_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=f"Of course. You can talk to a person at {contact_line(tracker)}.")
        return []


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if phone_from_sms_sender(tracker):
            return [s for s in domain_slots if s != "contact_phone"]
        return domain_slots

    def validate_contact_name(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return validated("contact_name", intake_answers.contact_name, value, dispatcher)

    def validate_contact_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return validated("contact_phone", intake_answers.contact_phone, value, dispatcher)


class ActionRequestCallback(Action):
    """Queues a call-back for the front desk; confirms only once it is stored."""

    def name(self) -> str:
        return "action_request_callback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        clinic = known_clinic(tracker)
        name = tracker.get_slot("contact_name")
        phone = tracker.get_slot("contact_phone") or phone_from_sms_sender(tracker)
        reset = [SlotSet("contact_name", None), SlotSet("contact_phone", None)]
        if not (name and phone):
            dispatcher.utter_message(
                text=f"I need your name and number to arrange a call back. You can also call {contact_line(tracker)}."
            )
            return reset
        try:
            saved = shared_store().save_request(
                kind="callback",
                channel=tracker.get_latest_input_channel() or "unknown",
                sender_id=tracker.sender_id,
                answers={"reason": "asked to talk to a person"},
                clinic_id=clinic.id if clinic else None,
                contact_name=name,
                contact_phone=phone,
            )
        except StoreUnavailable:
            dispatcher.utter_message(
                text=f"I'm sorry, I couldn't pass on your call-back request. Please call {contact_line(tracker)}."
            )
            return reset
        who = f"the {clinic.name} front desk" if clinic else "our front desk"
        dispatcher.utter_message(
            text=(
                f"Thanks, {name}. I've asked {who} to call you on {intake_answers.display_phone(phone)} "
                f"(reference {saved.reference}). They call back during opening hours, usually "
                "within one business day."
            )
        )
        return reset
