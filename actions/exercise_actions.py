"""Actions that teach the clinic's exercises, whole or one step at a time."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_reading import entity_values, latest_intent, latest_text
from clinic import exercise_replies
from clinic.content import Content, Exercise, get_content

QUESTION_BY_INTENT = {
    "ask_exercise_steps": "steps",
    "ask_exercise_reps": "reps",
    "ask_exercise_hold": "hold",
    "ask_exercise_support": "support",
    "ask_other_side": "other_side",
}
# Intents that name an exercise to switch to; for the others a body part
# ("how many times each leg?") is about the exercise already being discussed.
SWITCHING_INTENTS = {"ask_exercise_steps", "inform_exercise"}


def mentioned_exercise(content: Content, tracker: Tracker, use_body_parts: bool) -> Exercise | None:
    """The exercise the latest message names, by NER entity or, failing that, text."""
    for value in entity_values(tracker, "exercise"):
        found = content.exercise_for_text(value)
        if found:
            return found
    if not use_body_parts:
        return None
    for value in entity_values(tracker, "body_part"):
        found = content.exercise_for_body_part(value)
        if found:
            return found
    return content.find_exercise_in_message(latest_text(tracker))


def current_exercise(content: Content, tracker: Tracker) -> Exercise | None:
    key = tracker.get_slot("exercise")
    return content.exercises.get(key) if key else None


def blocked_by_red_flag(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """After a red flag, no exercise advice until the person says it was a mistake."""
    if tracker.get_slot("red_flag"):
        dispatcher.utter_message(response="utter_exercise_blocked")
        return True
    return False


class ActionExplainExercise(Action):
    """Whole instructions, or one detail (reps, hold, support, other side)."""

    def name(self) -> str:
        return "action_explain_exercise"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if blocked_by_red_flag(dispatcher, tracker):
            return []
        content = get_content()
        intent = latest_intent(tracker)
        question = QUESTION_BY_INTENT.get(intent) or tracker.get_slot("last_question") or "steps"
        if intent in SWITCHING_INTENTS:
            exercise = mentioned_exercise(content, tracker, True) or current_exercise(content, tracker)
        else:
            exercise = (
                mentioned_exercise(content, tracker, False)
                or current_exercise(content, tracker)
                or mentioned_exercise(content, tracker, True)
            )
        if exercise is None:
            dispatcher.utter_message(
                response="utter_ask_which_exercise",
                buttons=exercise_replies.exercise_choices(content),
            )
            return [SlotSet("last_question", question)]
        if question == "steps":
            reply = exercise_replies.full_instructions(content, exercise)
        else:
            reply = exercise_replies.detail(content, exercise, question)
        dispatcher.utter_message(text=reply.text)
        return [
            SlotSet("exercise", exercise.key),
            SlotSet("last_question", question),
            SlotSet("step_index", None),
        ]


class ActionNextStep(Action):
    """Walks through an exercise one step per message ("next")."""

    def name(self) -> str:
        return "action_next_step"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if blocked_by_red_flag(dispatcher, tracker):
            return []
        content = get_content()
        exercise = mentioned_exercise(content, tracker, False) or current_exercise(content, tracker)
        if exercise is None:
            dispatcher.utter_message(
                response="utter_ask_which_exercise",
                buttons=exercise_replies.exercise_choices(content, intent="ask_next_step"),
            )
            return []
        previous = tracker.get_slot("step_index")
        same_exercise = exercise.key == tracker.get_slot("exercise")
        index = int(previous) + 1 if previous is not None and same_exercise else 0
        if index >= len(exercise.steps):
            dispatcher.utter_message(
                text=f"That was the last step of the {exercise.name}. "
                'Say "next" to go through it again, or ask me anything else.'
            )
            return [SlotSet("step_index", None)]
        reply = exercise_replies.single_step(content, exercise, index)
        dispatcher.utter_message(text=reply.text)
        return [SlotSet("exercise", exercise.key), SlotSet("step_index", float(index))]
