"""Deleting the person's own data: ask first, then remove their requests.

The conversation itself is removed by the tracker store (tracker_store/) when
it sees ``data_erased`` set: the action server cannot reach Rasa's tracker
store, and Rasa stores the turn after this action has run.
"""

from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import ActiveLoop, EventType, SlotSet

from actions.intake_form import reset_form_slots
from clinic.consent_redaction import ERASED_SLOT
from clinic.data_erasure import PATIENT, shared_eraser
from clinic.directory import load_directory
from clinic.request_store import StoreUnavailable

ASKED_SLOT = "data_deletion_asked"


class ActionAskDataDeletion(Action):
    def name(self) -> str:
        return "action_ask_data_deletion"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_data_deletion")
        # Asked during a form, the request being filled in is dropped: nothing of it is saved.
        stop_form = (
            [SlotSet("requested_slot", None), *reset_form_slots()] if tracker.active_loop.get("name") else []
        )
        return [ActiveLoop(None), *stop_form, SlotSet(ASKED_SLOT, True)]


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        try:
            erased = shared_eraser().erase_conversation(tracker.sender_id, requested_by=PATIENT)
        except StoreUnavailable:
            phone = load_directory().main_line.phone_display
            dispatcher.utter_message(
                text=(
                    "I'm sorry, I couldn't delete your data because of a technical problem, so nothing "
                    f"was deleted. Please try again later, or call us on {phone}."
                )
            )
            return [SlotSet(ASKED_SLOT, None)]
        count = erased.requests_removed
        removed = f" and your {count} request{'s' if count != 1 else ''}" if count else ""
        dispatcher.utter_message(
            text=f"Done: I've deleted this conversation{removed}. Anything you send from now on starts afresh."
        )
        return [SlotSet(ASKED_SLOT, None), SlotSet(ERASED_SLOT, True)]


class ActionKeepMyData(Action):
    def name(self) -> str:
        return "action_keep_my_data"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response="utter_data_kept")
        return [SlotSet(ASKED_SLOT, None)]
