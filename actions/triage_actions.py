"""Red flags: emergency advice, an urgent record for staff, and retractions."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_reading import entity_values, latest_text
from clinic.directory import load_directory
from clinic.red_flags import RedFlags, load_red_flags
from clinic.request_store import StoreUnavailable, shared_store


@lru_cache(maxsize=1)
def red_flags() -> RedFlags:
    return load_red_flags()


def escalate_red_flag(dispatcher: CollectingDispatcher, tracker: Tracker, source: str) -> list[EventType]:
    """Emergency advice first; then the urgent record, whose failure never hides the advice."""
    flags = red_flags()
    categories = entity_values(tracker, "red_flag")
    labels = [flags.category(key).label for key in categories if key in {c.key for c in flags.categories}]
    main_line = load_directory().main_line
    try:
        saved = shared_store().save_request(
            kind="urgent",
            channel=tracker.get_latest_input_channel() or "unknown",
            sender_id=tracker.sender_id,
            answers={
                "source": source,
                "red_flags": labels or ["reported in screening"],
                "message": latest_text(tracker),
            },
        )
        status = (
            f"I've also marked this conversation as urgent for our clinic team (reference {saved.reference})."
        )
        reference = saved.reference
    except StoreUnavailable:
        status = f"You can also call our {main_line.name.lower()} line on {main_line.phone_display}."
        reference = None
    dispatcher.utter_message(
        text=f"{flags.advice}\n\n{status}\nIf I misunderstood, just tell me it was a mistake."
    )
    return [
        SlotSet("red_flag", True),
        SlotSet("red_flag_reference", reference),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
    ]


class ActionHandleRedFlag(Action):
    def name(self) -> str:
        return "action_handle_red_flag"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        return escalate_red_flag(dispatcher, tracker, "message")


class ActionRetractRedFlag(Action):
    """The person says the red flag was a mistake: exercise advice is allowed again.

    The urgent record stays in the staff queue; the transcript shows the retraction.
    """

    def name(self) -> str:
        return "action_retract_red_flag"

    def run(self, dispatcher, tracker, domain) -> list[EventType]:
        if not tracker.get_slot("red_flag"):
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(response="utter_red_flag_retracted")
        return [SlotSet("red_flag", False)]
