"""Finding the nearest clinic and answering hours, phone and address questions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker_reading import entity_values, latest_intent, latest_text
from clinic.directory import WEEKDAYS, Clinic, load_directory
from clinic.finder import ClinicFinder, FinderResult, format_clinic_line

INFO_BY_INTENT = {"ask_clinic_hours": "hours", "ask_clinic_phone": "phone", "ask_clinic_address": "address"}


@lru_cache(maxsize=1)
def clinic_finder() -> ClinicFinder:
    return ClinicFinder(load_directory())


def describe_result(result: FinderResult) -> str:
    """The nearest clinics, one per line, with the main line when far away."""
    lines = [format_clinic_line(entry) for entry in result.entries]
    heading = "Here is the nearest clinic:" if len(lines) == 1 else "Here are the nearest clinics:"
    text = "\n".join([heading, *lines])
    if result.outside_area:
        main_line = load_directory().main_line
        text += (
            f"\n\nThat's quite a distance from you. Call our {main_line.name.lower()} line on "
            f"{main_line.phone_display} and we'll help you find the best option."
        )
    return text


def mentioned_clinic(tracker: Tracker) -> Clinic | None:
    finder = clinic_finder()
    for value in entity_values(tracker, "clinic"):
        clinic = finder.find_by_name(value)
        if clinic:
            return clinic
    return finder.find_by_name(latest_text(tracker))


class ValidateClinicSearchForm(FormValidationAction):
    def name(self) -> str:
        return "validate_clinic_search_form"

    def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        result = clinic_finder().locate(str(value or ""))
        if not result.ok:
            dispatcher.utter_message(text=result.message or "I couldn't find that place.")
            return {"location": None}
        return {"location": str(value), "nearest_clinic": result.entries[0].clinic.id}


class ActionShowNearestClinics(Action):
    def name(self) -> str:
        return "action_show_nearest_clinics"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        result = clinic_finder().locate(tracker.get_slot("location") or "")
        if not result.ok:
            dispatcher.utter_message(response="utter_ask_location")
            return [SlotSet("location", None)]
        dispatcher.utter_message(
            text=describe_result(result),
            buttons=[{"title": "Book a visit", "payload": "/request_appointment"}],
        )
        return [SlotSet("location", None), SlotSet("nearest_clinic", result.entries[0].clinic.id)]


class ActionClinicInfo(Action):
    """Hours, phone or address of a named clinic (or the one found earlier)."""

    def name(self) -> str:
        return "action_clinic_info"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        directory = load_directory()
        clinic = mentioned_clinic(tracker) or directory.by_id.get(tracker.get_slot("nearest_clinic") or "")
        intent = latest_intent(tracker) or "ask_clinic_address"
        if clinic is None:
            dispatcher.utter_message(
                text="Which clinic do you mean?",
                buttons=[
                    {"title": c.name, "payload": f'/{intent}{{"clinic":"{c.id}"}}'} for c in directory.clinics
                ],
            )
            return []
        info = INFO_BY_INTENT.get(intent, "address")
        if info == "hours":
            week = [
                f"{day.title()}: {hours or 'closed'}"
                for day, hours in zip(WEEKDAYS, clinic.hours, strict=True)
            ]
            text = f"{clinic.name} is {clinic.today_hours()}. Opening hours:\n" + "\n".join(week)
        elif info == "phone":
            text = f"You can call {clinic.name} on {clinic.phone_display}."
        else:
            text = f"{clinic.name} is at {clinic.full_address}. Phone {clinic.phone_display}."
        dispatcher.utter_message(text=f"{text}\nBook online: {clinic.booking_url}")
        return [SlotSet("nearest_clinic", clinic.id)]


class ActionReferToFrontDesk(Action):
    """Rescheduling and cost or insurance questions: an honest answer and who to call."""

    def name(self) -> str:
        return "action_refer_to_front_desk"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        directory = load_directory()
        clinic = mentioned_clinic(tracker) or directory.by_id.get(tracker.get_slot("nearest_clinic") or "")
        if clinic is not None:
            contact = f"{clinic.name} on {clinic.phone_display}"
        else:
            contact = f"our {directory.main_line.name.lower()} line on {directory.main_line.phone_display}"
        response = (
            "utter_front_desk_reschedule"
            if latest_intent(tracker) == "request_reschedule"
            else "utter_front_desk_cost"
        )
        dispatcher.utter_message(
            response=response,
            contact=contact,
            buttons=[{"title": "Talk to a person", "payload": "/request_human"}],
        )
        return []
