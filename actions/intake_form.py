"""The intake and booking request: validation, prompts, summary and storage."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clinic_actions import clinic_finder
from actions.form_validation import validated
from actions.handoff_actions import phone_answer, phone_from_sms_sender
from actions.request_keys import form_run_key
from actions.triage_actions import escalate_red_flag
from clinic import intake_answers
from clinic.apologies import too_many_requests
from clinic.directory import Clinic, load_directory
from clinic.request_answers import label, pain_words
from clinic.request_store import StoreUnavailable, TooManyRequests, shared_store

FORM_SLOTS = (
    "body_area",
    "pain_duration",
    "pain_level",
    "red_flag_screen",
    "contact_name",
    "contact_phone",
    "contact_email",
    "preferred_clinic",
    "preferred_times",
    "consent",
    "confirmed",
)


def reset_form_slots(keep: tuple[str, ...] = ()) -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "location") if slot not in keep]


def chosen_clinic(tracker: Tracker) -> Clinic | None:
    directory = load_directory()
    return directory.by_id.get(
        tracker.get_slot("preferred_clinic") or tracker.get_slot("nearest_clinic") or ""
    )


class ValidateIntakeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_intake_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """Stop asking once a screening answer or a refusal ends the request."""
        if tracker.get_slot("red_flag_screen") is True:
            return domain_slots[: domain_slots.index("red_flag_screen") + 1]
        if tracker.get_slot("consent") is False:
            return domain_slots[: domain_slots.index("consent") + 1]
        return domain_slots

    def validate_body_area(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return validated("body_area", intake_answers.body_area, value, dispatcher)

    def validate_pain_duration(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return validated(
            "pain_duration", lambda v: intake_answers.short_text(v, "how long"), value, dispatcher
        )

    def validate_pain_level(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return validated("pain_level", intake_answers.pain_level, value, dispatcher)

    def validate_contact_name(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        """On SMS the number the message came from is the phone: it is not asked for."""
        answer = validated("contact_name", intake_answers.contact_name, value, dispatcher)
        sender = phone_from_sms_sender(tracker)
        if answer["contact_name"] and sender and not tracker.get_slot("contact_phone"):
            answer["contact_phone"] = sender
        return answer

    def validate_contact_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return phone_answer(value, tracker, dispatcher)

    def validate_contact_email(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return validated("contact_email", intake_answers.contact_email, value, dispatcher)

    def validate_preferred_times(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return validated(
            "preferred_times", lambda v: intake_answers.short_text(v, "the days and times"), value, dispatcher
        )

    def validate_preferred_clinic(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        """A clinic by name, or the nearest one to a ZIP code or town."""
        text = str(value or "")[: intake_answers.MAX_TEXT]
        finder = clinic_finder()
        clinic = finder.find_by_name(text)
        if clinic is None:
            result = finder.locate(text)
            if not result.ok:
                dispatcher.utter_message(
                    text=(result.message or "I couldn't find that clinic.")
                    + " Send a clinic name, or your ZIP code or town."
                )
                return {"preferred_clinic": None}
            nearest = result.entries[0]
            clinic = nearest.clinic
            if nearest.distance_miles is not None:
                dispatcher.utter_message(
                    text=f"The nearest clinic is {clinic.name} ({nearest.distance_miles:.1f} mi). I'll send it there."
                )
        return {"preferred_clinic": clinic.id, "nearest_clinic": clinic.id}


class ActionAskPreferredClinic(Action):
    def name(self) -> str:
        return "action_ask_preferred_clinic"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        directory = load_directory()
        nearest = directory.by_id.get(tracker.get_slot("nearest_clinic") or "")
        if nearest:
            others = [c for c in directory.clinics if c.id != nearest.id]
            text = f"Which clinic would you like? The nearest one we found for you is {nearest.name}."
            clinics = [nearest, *others]
        else:
            text = (
                "Which clinic would you like? "
                "Send a clinic name, or your ZIP code or town and I'll find the nearest."
            )
            clinics = list(directory.clinics)
        dispatcher.utter_message(text=text, buttons=[{"title": c.name, "payload": c.name} for c in clinics])
        return []


def summary(tracker: Tracker) -> str:
    clinic = chosen_clinic(tracker)
    phone = tracker.get_slot("contact_phone")
    pain = tracker.get_slot("pain_level")
    email = tracker.get_slot("contact_email")
    rows = [
        (label("body_area"), tracker.get_slot("body_area")),
        (label("pain_duration"), tracker.get_slot("pain_duration")),
        (label("pain_level"), pain_words(pain) if pain is not None else None),
        ("Name", tracker.get_slot("contact_name")),
        ("Phone", intake_answers.display_phone(phone) if phone else None),
        ("Email", email if email and email != "none" else "not given"),
        (label("preferred_clinic"), clinic.name if clinic else "any"),
        (label("preferred_times"), tracker.get_slot("preferred_times")),
    ]
    return "\n".join(f"{label}: {value if value is not None else 'not given'}" for label, value in rows)


class ActionAskConfirmed(Action):
    def name(self) -> str:
        return "action_ask_confirmed"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(
            text=f"Here's your request:\n{summary(tracker)}\n\nShall I send it to the front desk?",
            buttons=[{"title": "Yes, send it", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
        )
        return []


class ActionExplainWhyInfo(Action):
    """Answers "why do you need my phone?" for the question being asked."""

    def name(self) -> str:
        return "action_explain_why_info"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        response = f"utter_why_{tracker.get_slot('requested_slot')}"
        known = response in (domain.get("responses") or {})
        dispatcher.utter_message(response=response if known else "utter_why_generic")
        return []


class ActionSubmitIntake(Action):
    """Stores the request, committing before it confirms anything to the person.

    Once per form run: a "yes" sent again because the conversation was not saved
    after the first (so it asks again) gets the first request's reference. Any
    failure ends the form with its answers cleared, so the next request starts clean.
    """

    def name(self) -> str:
        return "action_submit_intake"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        if tracker.get_slot("red_flag_screen") is True:
            return await escalate_red_flag(dispatcher, tracker, "screening") + reset_form_slots()
        clinic = chosen_clinic(tracker)
        phone = clinic.phone_display if clinic else load_directory().main_line.phone_display
        if tracker.get_slot("consent") is not True or tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(
                text=f"Alright, I haven't saved anything. You can always call us on {phone} to book."
            )
            return reset_form_slots()
        answers = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        try:
            saved = await asyncio.to_thread(
                shared_store().save_request,
                kind="booking",
                channel=tracker.get_latest_input_channel() or "unknown",
                sender_id=tracker.sender_id,
                answers=answers,
                clinic_id=clinic.id if clinic else None,
                contact_name=answers["contact_name"],
                contact_phone=answers["contact_phone"],
                contact_email=None if answers["contact_email"] == "none" else answers["contact_email"],
                idempotency_key=form_run_key(tracker, "booking", "intake_form"),
            )
        except TooManyRequests:
            dispatcher.utter_message(text=too_many_requests("another one", phone))
            return reset_form_slots()
        except StoreUnavailable:
            dispatcher.utter_message(
                text=(
                    "I'm sorry, I couldn't save your request because of a technical problem, so it "
                    f"has not reached the front desk. Please call {phone} and we'll book you directly. "
                    "I've cleared this form; to try again here later, just ask to book a visit."
                )
            )
            return reset_form_slots()
        where = clinic.name if clinic else "our clinic"
        first = (
            f"This is the same request you already sent, so I haven't sent it twice: it's saved with "
            f"reference {saved.reference}."
            if saved.repeated
            else f"Your request is saved with reference {saved.reference}."
        )
        dispatcher.utter_message(
            text=(
                f"Thank you, {answers['contact_name']}. {first} The {where} front desk will call you on "
                f"{intake_answers.display_phone(answers['contact_phone'])} within one business day "
                f"to agree a time. If anything gets worse before then, call {phone}."
            )
        )
        # The name and phone stay known: a call-back or an urgent record later uses them.
        return reset_form_slots(keep=("contact_name", "contact_phone"))


class ActionCancelRequest(Action):
    def name(self) -> str:
        return "action_cancel_request"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response="utter_request_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_form_slots()]
