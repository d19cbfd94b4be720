"""What to say when a message is not understood: rephrase once, then offer a way out.

A bare place ("20770", "bowie") outside any question is not a miss: it gets
the nearest clinics.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_actions import clinic_finder, describe_result
from actions.tracker_reading import entity_values

MISS_ACTION = "action_handle_miss"


def misses_in_a_row(tracker: Tracker) -> int:
    """How many user turns in a row, this one included, this action answered."""
    answers: list[str | None] = []
    for event in tracker.events:
        if event.get("event") == "user":
            answers.append(None)
        elif (
            event.get("event") == "action"
            and answers
            and answers[-1] is None
            and event.get("name") not in (None, "action_listen")
        ):
            answers[-1] = event.get("name")
    earlier = answers[:-1] if answers and answers[-1] is None else answers
    count = 1
    for answer in reversed(earlier):
        if answer != MISS_ACTION:
            break
        count += 1
    return count


class ActionHandleMiss(Action):
    def name(self) -> str:
        return MISS_ACTION

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        for place in (v for kind in ("zip_code", "clinic", "town") for v in entity_values(tracker, kind)):
            result = clinic_finder().locate(place)
            if result.ok:
                dispatcher.utter_message(
                    text=describe_result(result),
                    buttons=[{"title": "Book a visit", "payload": "/request_appointment"}],
                )
                return [SlotSet("nearest_clinic", result.entries[0].clinic.id)]
        if misses_in_a_row(tracker) >= 2:
            dispatcher.utter_message(response="utter_default_options")
        else:
            dispatcher.utter_message(response="utter_default")
        return []
