"""Putting the person in touch with a human at the clinic."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_directory import load_directory


class ActionOfferHuman(Action):
    def name(self) -> Text:
        return "action_offer_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        main_line = load_directory().main_line
        dispatcher.utter_message(
            text=(
                f"Of course. You can reach a person at our {main_line.name.lower()} line, "
                f"{main_line.phone_display}."
            )
        )
        return []
