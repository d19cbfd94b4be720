"""Explanations from the clinic article: why the exercises help, and conditions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.exercise_actions import blocked_by_red_flag
from actions.tracker_reading import entity_values, latest_intent, latest_text
from clinic.content import get_content
from clinic.exercise_replies import related_exercise_buttons


class ActionExplainTopic(Action):
    def name(self) -> str:
        return "action_explain_topic"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if blocked_by_red_flag(dispatcher, tracker):
            return []
        content = get_content()
        topic = content.topic_for_intent(latest_intent(tracker))
        for value in entity_values(tracker, "condition"):
            topic = topic or content.topic_for_text(value)
        topic = topic or content.find_topic_in_message(latest_text(tracker))
        if topic is None:
            conditions = [t for t in content.topics.values() if t.intent is None]
            dispatcher.utter_message(
                text="Which would you like to know about?",
                buttons=[
                    {"title": t.title, "payload": f'/ask_condition_info{{"condition":"{t.key}"}}'}
                    for t in conditions
                ],
            )
            return []
        text = topic.text
        if topic.offer_visit:
            text = f"{text}\n\n{content.visit_offer}"
        dispatcher.utter_message(
            text=text, buttons=related_exercise_buttons(content, topic.related_exercises)
        )
        return []
