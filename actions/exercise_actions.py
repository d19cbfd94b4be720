"""Actions that teach the clinic's exercises: whole, one detail, why, or one step at a time."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_reading import entity_keys, latest_text
from clinic import asks, exercise_pages, exercise_replies
from clinic.channels import SMS_CHANNEL
from clinic.content import Content, Exercise, get_content
from clinic.site import exercise_page_url
from clinic.triage import assess


def named_exercise(content: Content, tracker: Tracker, scan_text: bool = True) -> Exercise | None:
    """The exercise the latest message names: by the entity's content key, else its text."""
    for key in entity_keys(tracker, "exercise"):
        found = content.exercises.get(key) or content.exercise_for_text(key)
        if found:
            return found
    text = latest_text(tracker)
    return content.find_exercise_in_message(text) if scan_text and not text.startswith("/") else None


def exercise_for_body_parts(content: Content, tracker: Tracker) -> Exercise | None:
    """The exercise for a body area the message names ("the hip one"), when only one fits."""
    for key in entity_keys(tracker, "body_part"):
        found = content.exercise_for_body_part(key)
        if found:
            return found
    return None


def current_exercise(content: Content, tracker: Tracker) -> Exercise | None:
    key = tracker.get_slot("exercise")
    return content.exercises.get(key) if key else None


def on_sms(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() == SMS_CHANNEL


def blocked_by_red_flag(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """After a red flag, no exercise advice until the person says it was a mistake."""
    if tracker.get_slot("red_flag"):
        dispatcher.utter_message(response="utter_exercise_blocked")
        return True
    return False


def answer_exercise_question(
    dispatcher: CollectingDispatcher, content: Content, exercise: Exercise, question: str, sms: bool = False
) -> list[EventType]:
    """Steps, why, pictures or one detail of ``exercise``, and the context for follow-ups.

    Pictures come as image messages after the page's link; on SMS the link alone
    stands for them (one link, not one per step).
    """
    if question == asks.STEPS and sms:
        reply = exercise_replies.sms_instructions(content, exercise, exercise_page_url(exercise.key))
    elif question == asks.STEPS:
        reply = exercise_replies.full_instructions(content, exercise, exercise_page_url(exercise.key))
    elif question == asks.PICTURES:
        reply = exercise_replies.pictures(content, exercise, exercise_page_url(exercise.key))
    elif question == asks.WHY:
        reply = exercise_replies.why_it_helps(content, exercise)
    else:
        reply = exercise_replies.detail(content, exercise, question)
    dispatcher.utter_message(text=reply.text)
    if question == asks.PICTURES and not sms:
        for url in exercise_pages.picture_urls(exercise):
            dispatcher.utter_message(image=url)
    return [
        SlotSet("exercise", exercise.key),
        SlotSet("last_question", question),
        SlotSet("step_index", None if reply.step_index is None else float(reply.step_index)),
    ]


class ActionExplainExercise(Action):
    """Whole instructions, why it helps, pictures, or one detail (reps, hold, support, other side).

    What is asked comes from the message's own cues (clinic.asks); which
    exercise from what it names, else the one under discussion.
    """

    def name(self) -> str:
        return "action_explain_exercise"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if blocked_by_red_flag(dispatcher, tracker):
            return []
        content = get_content()
        text = latest_text(tracker)
        cues = "" if text.startswith("/") else text
        named = named_exercise(content, tracker)
        by_part = exercise_for_body_parts(content, tracker)
        current = current_exercise(content, tracker)
        question = asks.exercise_question(
            cues,
            names_exercise=bool(named or (by_part and asks.is_follow_up(cues))),
            last_question=tracker.get_slot("last_question"),
            has_context=current is not None,
        )
        if named:
            exercise: Exercise | None = named
        elif question in (asks.STEPS, asks.WHY) or asks.is_follow_up(cues):
            exercise = by_part or current
        else:
            exercise = current or by_part
        if exercise is None and current is None and cues and assess(cues).physical_therapy:
            # "Why does dexterity decrease with age?": a question about a problem, with no
            # exercise named or under discussion, is offered an assessment, not "Which exercise?".
            topic = content.topic_for_intent(asks.ASK_PT_CONCERN)
            if topic is not None:
                dispatcher.utter_message(
                    text=exercise_replies.topic_reply(content, topic, asks.problem_question(cues)),
                    buttons=exercise_replies.visit_buttons(),
                )
                return []
        if exercise is None:
            dispatcher.utter_message(
                response="utter_ask_which_exercise",
                buttons=exercise_replies.exercise_choices(content),
            )
            return [SlotSet("last_question", question)]
        return answer_exercise_question(dispatcher, content, exercise, question, on_sms(tracker))


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
        exercise = named_exercise(content, tracker, scan_text=False) or current_exercise(content, tracker)
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
            dispatcher.utter_message(text=exercise_replies.finished(content, exercise, on_sms(tracker)).text)
            return [SlotSet("step_index", None)]
        reply = exercise_replies.single_step(content, exercise, index, on_sms(tracker))
        dispatcher.utter_message(text=reply.text)
        return [SlotSet("exercise", exercise.key), SlotSet("step_index", float(index))]
