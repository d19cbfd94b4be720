"""After urgent or emergency advice: a name and phone so the clinic can check on the person.

The advice goes first, in its own message, and is never held back: the
question comes after it, once per record, and the person may ignore it. What
is already known is used without asking: a booking's name and phone, and on
SMS the number the message came from (then only the name is asked for).
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_actions import phone_from_sms_sender
from actions.tracker_reading import latest_text
from clinic import intake_answers
from clinic.directory import load_directory
from clinic.request_store import RequestNotFound, StoreUnavailable, shared_store

PENDING_SLOT = "check_in_pending"
ASKED_SLOT = "check_in_asked_for"


async def add_contact(reference: str, name: str | None, phone: str | None) -> bool:
    try:
        await asyncio.to_thread(shared_store().add_contact, reference, name=name, phone=phone)
    except (StoreUnavailable, RequestNotFound):
        return False
    return True


class ActionAskForCheckIn(Action):
    """Runs after action_handle_red_flag; does nothing unless it has just made a new record."""

    def name(self) -> str:
        return "action_ask_for_check_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = tracker.get_slot("red_flag_reference")
        if not reference or reference == tracker.get_slot(ASKED_SLOT):
            return []
        asked = [SlotSet(ASKED_SLOT, reference)]
        name = tracker.get_slot("contact_name")
        phone = tracker.get_slot("contact_phone") or phone_from_sms_sender(tracker)
        if name and phone:
            await add_contact(reference, name, phone)
            return asked
        wanted = "your name" if phone else 'your name and phone number, like "Ana Lopez, 301-555-0142"'
        dispatcher.utter_message(
            text=f"If you'd like the clinic to check on you, send {wanted}. You don't have to."
        )
        return [*asked, SlotSet(PENDING_SLOT, True)]


class ActionSaveCheckIn(Action):
    """The reply to that question: its name and phone go on the record; anything else is a miss."""

    def name(self) -> str:
        return "action_save_check_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        done: list[EventType] = [SlotSet(PENDING_SLOT, False)]
        reference = tracker.get_slot("red_flag_reference")
        name, phone = intake_answers.contact_details(latest_text(tracker))
        if not reference or not (name or phone):
            dispatcher.utter_message(response="utter_default")
            return done
        phone = phone or phone_from_sms_sender(tracker)
        if not await add_contact(reference, name, phone):
            main_line = load_directory().main_line
            dispatcher.utter_message(
                text=f"I'm sorry, I couldn't add that to your record. Please call {main_line.phone_display}."
            )
            return done
        added = " and ".join(what for what, value in (("your name", name), ("your number", phone)) if value)
        thanks = f"Thank you, {name}." if name else "Thank you."
        dispatcher.utter_message(
            text=f"{thanks} I've added {added} to your record ({reference}) so the clinic can "
            "check on you. If things get worse, call 911."
        )
        known = [SlotSet("contact_name", name)] if name else []
        return [*done, *known, *([SlotSet("contact_phone", phone)] if phone else [])]
