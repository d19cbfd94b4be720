"""Explanations from the clinic article, and honest answers to what it does not cover."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.exercise_actions import (
    answer_exercise_question,
    blocked_by_red_flag,
    current_exercise,
    exercise_for_body_parts,
    named_exercise,
)
from actions.tracker_reading import entity_keys, latest_intent, latest_text
from clinic import asks
from clinic.content import Content, Topic, get_content
from clinic.exercise_replies import related_exercise_buttons, topic_reply, visit_buttons
from clinic.triage import assess

ASSESSMENT_INTENT = asks.ASK_PT_CONCERN


def mentioned_areas(content: Content, tracker: Tracker) -> set[str]:
    return {content.body_part_key(k) or k for k in entity_keys(tracker, "body_part")}


def mentioned_topics(content: Content, tracker: Tracker) -> list[Topic]:
    """Topics the message names (condition entities by key, else its words)."""
    found = [content.topics.get(k) or content.topic_for_text(k) for k in entity_keys(tracker, "condition")]
    topics = [t for t in found if t]
    text = latest_text(tracker)
    if not topics and not text.startswith("/"):
        topic = content.find_topic_in_message(text)
        topics = [topic] if topic else []
    return topics


def assessment_topic(content: Content) -> Topic | None:
    return content.topic_for_intent(ASSESSMENT_INTENT)


def choose_topic(content: Content, tracker: Tracker, intent: str | None) -> Topic | None:
    """The article's topic for the ask, or the offer to be assessed for what it does not cover."""
    named = mentioned_topics(content, tracker)
    article = [t for t in named if t.intent != ASSESSMENT_INTENT]
    areas = mentioned_areas(content, tracker)
    if intent in ("ask_back_pain_help", ASSESSMENT_INTENT):
        conditions = [t.key for t in named]
        back = content.topic_for_intent("ask_back_pain_help")
        if asks.is_back_concern(areas, conditions) or (intent != ASSESSMENT_INTENT and not areas):
            return back
        return article[0] if article else assessment_topic(content)
    if article:
        return article[0]
    if named or areas:
        return assessment_topic(content)
    return content.topic_for_intent(intent)


class ActionExplainTopic(Action):
    """Back pain, a condition from the article, or "a physical therapist can assess it".

    "why does this help my back?" right after an exercise is about that exercise.
    """

    def name(self) -> str:
        return "action_explain_topic"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if blocked_by_red_flag(dispatcher, tracker):
            return []
        content = get_content()
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        if intent == "ask_back_pain_help" and asks.asks_why(text):
            exercise = named_exercise(content, tracker) or exercise_for_body_parts(content, tracker)
            if exercise is None and asks.refers_back(text):
                exercise = current_exercise(content, tracker)
            if exercise is not None:
                return answer_exercise_question(dispatcher, content, exercise, asks.WHY)
        topic = choose_topic(content, tracker, intent)
        if topic is None:
            conditions = [t for t in content.topics.values() if t.intent is None and t.aliases]
            dispatcher.utter_message(
                text="Which would you like to know about?",
                buttons=[
                    {"title": t.title, "payload": f'/ask_condition_info{{"condition":"{t.key}"}}'}
                    for t in conditions
                ],
            )
            return []
        buttons = related_exercise_buttons(content, topic.related_exercises) or []
        if topic.offer_visit:
            buttons += visit_buttons()
        question = asks.problem_question(text)
        dispatcher.utter_message(text=topic_reply(content, topic, question), buttons=buttons or None)
        return []


class ActionDeflectQuestion(Action):
    """No medicines, doses or diagnoses; a physical-therapy problem (a body area, a topic,
    or the triage's therapy words: "cortisone for fibromyalgia?") also gets the offer to be seen."""

    def name(self) -> str:
        return "action_deflect_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        content = get_content()
        medication = latest_intent(tracker) == "ask_medication"
        response = "utter_medication_deflect" if medication else "utter_diagnosis_deflect"
        text = latest_text(tracker)
        physical = (
            mentioned_areas(content, tracker)
            or mentioned_topics(content, tracker)
            or (not text.startswith("/") and assess(text).physical_therapy)
        )
        dispatcher.utter_message(
            response=response, buttons=visit_buttons() if physical or not medication else None
        )
        return []
