"""Putting the person in touch with a human: the phone number and a call-back request."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import validated
from actions.request_keys import form_run_key
from clinic import intake_answers
from clinic.apologies import too_many_requests
from clinic.channels import SMS_CHANNEL
from clinic.directory import Clinic, load_directory
from clinic.intake_answers import InvalidAnswer
from clinic.request_store import StoreUnavailable, TooManyRequests, shared_store

CONFIRMED_SLOT = "callback_confirmed"


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


def phone_answer(value: Any, tracker: Tracker, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """A form's contact_phone: on SMS "same as this" / "this one" means the sender's number."""
    sender = phone_from_sms_sender(tracker)
    if sender and intake_answers.means_this_number(str(value or "")):
        return {"contact_phone": sender}
    return validated("contact_phone", intake_answers.contact_phone, value, dispatcher)


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
        """A name and phone known when the form starts (a booking's) are only confirmed, not asked."""
        phone = tracker.get_slot("contact_phone") or phone_from_sms_sender(tracker)
        asking = tracker.get_slot("requested_slot") in (None, CONFIRMED_SLOT)
        if tracker.get_slot("contact_name") and phone and asking:
            return [CONFIRMED_SLOT]
        skipped = {CONFIRMED_SLOT, "contact_phone"} if phone_from_sms_sender(tracker) else {CONFIRMED_SLOT}
        return [s for s in domain_slots if s not in skipped]

    def validate_contact_name(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return validated("contact_name", intake_answers.contact_name, value, dispatcher)

    def validate_contact_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return phone_answer(value, tracker, dispatcher)


class ActionAskCallbackConfirmed(Action):
    """With the name and phone already known: may the front desk call them on that number?"""

    def name(self) -> str:
        return "action_ask_callback_confirmed"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        phone = tracker.get_slot("contact_phone") or phone_from_sms_sender(tracker)
        number = intake_answers.display_phone(phone) if phone else "your number"
        dispatcher.utter_message(
            text=f"Would you like the front desk to call you back, {tracker.get_slot('contact_name')}, "
            f"on {number}?",
            buttons=[
                {"title": "Yes, call me", "payload": "/affirm"},
                {"title": "No thanks", "payload": "/deny"},
            ],
        )
        return []


class ActionRequestCallback(Action):
    """Queues a call-back for the front desk; confirms only once it is stored.

    Once per run of the call-back form: run again for the same form run (the
    conversation was not saved after the first), it gives the first reference.
    """

    def name(self) -> str:
        return "action_request_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        clinic = known_clinic(tracker)
        name = tracker.get_slot("contact_name")
        phone = tracker.get_slot("contact_phone") or phone_from_sms_sender(tracker)
        reset = [SlotSet("contact_name", None), SlotSet("contact_phone", None), SlotSet(CONFIRMED_SLOT, None)]
        if tracker.get_slot(CONFIRMED_SLOT) is False:
            dispatcher.utter_message(text=f"Okay, no call back. You can call {contact_line(tracker)}.")
            return [SlotSet(CONFIRMED_SLOT, None)]
        if not (name and phone):
            dispatcher.utter_message(
                text=f"I need your name and number to arrange a call back. You can also call {contact_line(tracker)}."
            )
            return reset
        try:
            saved = await asyncio.to_thread(
                shared_store().save_request,
                kind="callback",
                channel=tracker.get_latest_input_channel() or "unknown",
                sender_id=tracker.sender_id,
                answers={"reason": "asked to talk to a person"},
                clinic_id=clinic.id if clinic else None,
                contact_name=name,
                contact_phone=phone,
                idempotency_key=form_run_key(tracker, "callback", "callback_form"),
            )
        except TooManyRequests:
            dispatcher.utter_message(text=too_many_requests("another call-back", contact_line(tracker)))
            return reset
        except StoreUnavailable:
            dispatcher.utter_message(
                text=f"I'm sorry, I couldn't pass on your call-back request. Please call {contact_line(tracker)}."
            )
            return reset
        who = f"the {clinic.name} front desk" if clinic else "our front desk"
        number = intake_answers.display_phone(phone)
        queued = (
            "This is the same call-back you already asked for, so I haven't sent it twice: "
            f"{who} will call you on {number}"
            if saved.repeated
            else f"I've asked {who} to call you on {number}"
        )
        dispatcher.utter_message(
            text=(
                f"Thanks, {name}. {queued} (reference {saved.reference}). They call back during "
                "opening hours, usually within one business day."
            )
        )
        return reset
