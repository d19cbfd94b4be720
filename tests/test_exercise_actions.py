"""The exercise and topic actions: content lookup, entity-driven choice, context."""

from __future__ import annotations

import pytest

from actions.exercise_actions import ActionExplainExercise, ActionNextStep
from actions.topic_actions import ActionExplainTopic
from clinic.content import get_content
from tests.action_harness import entity, make_tracker, run_action, slot_events

CONTENT = get_content()
DISCLAIMER = CONTENT.disclaimer


def explain(text, intent, entities=(), **slots):
    return run_action(ActionExplainExercise(), make_tracker(text, intent, list(entities), slots))


def test_hamstring_steps_name_heel_hold_and_repeats():
    messages, events = explain(
        "how do i do the hamstring strech", "ask_exercise_steps", [entity("exercise", "strech", 26)]
    )
    text = messages[0]["text"]
    for fact in ("heel on the floor", "30 seconds", "3 times", "knee straight"):
        assert fact in text
    assert text.endswith(DISCLAIMER)
    assert slot_events(events) == {
        "exercise": "seated_hamstring_stretch",
        "last_question": "steps",
        "step_index": None,
    }


def test_hip_kick_steps_in_order_with_supports_and_ten_each_way():
    messages, _ = explain(
        "caller asks how to do the hip kicks", "ask_exercise_steps", [entity("exercise", "hip kicks")]
    )
    text = messages[0]["text"]
    assert "kitchen counter" in text and "10 times" in text
    assert text.index("forward") < text.index("to the side") < text.index("backward")
    assert text.endswith(DISCLAIMER)


@pytest.mark.parametrize(
    "intent, exercise_slot, expected",
    [
        ("ask_exercise_reps", "hip_kick_3way", "10 slow kicks in each direction"),
        ("ask_exercise_hold", "seated_hamstring_stretch", "30 seconds, 3 times"),
        ("ask_exercise_support", "hip_kick_3way", "back of the couch"),
        ("ask_exercise_support", "seated_hamstring_stretch", "Nothing to hold on to"),
        ("ask_other_side", "seated_hamstring_stretch", "on the other leg"),
    ],
)
def test_detail_questions_answer_only_the_detail_for_the_current_exercise(intent, exercise_slot, expected):
    messages, events = explain("how long / how many / what do i hold", intent, exercise=exercise_slot)
    text = messages[0]["text"]
    assert expected in text
    assert "1." not in text, "a detail answer must not repeat the whole recipe"
    assert text.endswith(DISCLAIMER)
    assert slot_events(events)["exercise"] == exercise_slot


def test_body_part_in_a_detail_question_does_not_switch_exercise():
    messages, _ = explain(
        "how many times each leg", "ask_exercise_reps", [entity("body_part", "leg")], exercise="hip_kick_3way"
    )
    assert "kicks" in messages[0]["text"]


def test_follow_up_switches_exercise_but_keeps_the_question():
    messages, events = explain(
        "and the hip one?",
        "inform_exercise",
        [entity("body_part", "hip")],
        exercise="seated_hamstring_stretch",
        last_question="hold",
    )
    assert "no hold in this one" in messages[0]["text"]
    assert slot_events(events)["exercise"] == "hip_kick_3way"


def test_misspelled_exercise_without_entity_is_found_in_the_text():
    messages, _ = explain("hamstrng strech pls", "ask_exercise_steps")
    assert "heel on the floor" in messages[0]["text"]


def test_unknown_exercise_asks_which_with_a_button_per_exercise():
    messages, events = explain("how do i do the plank", "ask_exercise_steps")
    assert messages[0]["response"] == "utter_ask_which_exercise"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == [e.name.capitalize() for e in CONTENT.exercises.values()]
    assert slot_events(events) == {"last_question": "steps"}


def test_detail_question_without_context_remembers_the_question():
    messages, events = explain("how long do i hold it", "ask_exercise_hold")
    assert messages[0]["response"] == "utter_ask_which_exercise"
    assert slot_events(events) == {"last_question": "hold"}


def test_button_payload_with_exercise_key_is_understood():
    messages, _ = explain(
        '/inform_exercise{"exercise":"hip_kick_3way"}',
        "inform_exercise",
        [entity("exercise", "hip_kick_3way")],
        last_question="reps",
    )
    assert "10 slow kicks" in messages[0]["text"]


def test_next_walks_one_step_at_a_time_then_finishes():
    action, slots = ActionNextStep(), {"exercise": "seated_hamstring_stretch", "step_index": None}
    steps = CONTENT.exercises["seated_hamstring_stretch"].steps
    for number, step in enumerate(steps, start=1):
        messages, events = run_action(action, make_tracker("next", "ask_next_step", slots=slots))
        text = messages[0]["text"]
        assert f"step {number} of {len(steps)}" in text and step in text
        assert text.endswith(DISCLAIMER)
        slots.update(slot_events(events))
    messages, events = run_action(action, make_tracker("next", "ask_next_step", slots=slots))
    assert "last step" in messages[0]["text"]
    assert slot_events(events) == {"step_index": None}


def test_next_without_an_exercise_asks_which():
    messages, _ = run_action(ActionNextStep(), make_tracker("next", "ask_next_step"))
    assert messages[0]["response"] == "utter_ask_which_exercise"
    assert all(b["payload"].startswith("/ask_next_step") for b in messages[0]["buttons"])


@pytest.mark.parametrize(
    "intent, entities, text, expected",
    [
        ("ask_why_hip_strength", [], "why strengthen hips", "back stabilisation"),
        ("ask_why_stretching", [], "why stretch", "hamstrings are among the biggest"),
        ("ask_back_pain_help", [], "my back hurts", "hamstring stretch"),
        (
            "ask_condition_info",
            [entity("condition", "frozen shoulder")],
            "frozen shoulder?",
            "frozen shoulder",
        ),
        ("ask_condition_info", [], "what is the mckenzy method", "Robin McKenzie"),
        ("ask_condition_info", [], "i twisted my ankel sprain", "Ankle sprains"),
    ],
)
def test_topics_come_from_the_content_file(intent, entities, text, expected):
    messages, _ = run_action(ActionExplainTopic(), make_tracker(text, intent, entities))
    assert expected in messages[0]["text"]


def test_conditions_offer_a_visit_and_never_a_protocol():
    messages, _ = run_action(
        ActionExplainTopic(),
        make_tracker("ankle sprain", "ask_condition_info", [entity("condition", "ankle sprain")]),
    )
    assert CONTENT.visit_offer in messages[0]["text"]
    assert not messages[0]["buttons"]


def test_unknown_condition_offers_the_known_ones():
    messages, _ = run_action(
        ActionExplainTopic(), make_tracker("tell me about tennis elbow", "ask_condition_info")
    )
    titles = {b["title"] for b in messages[0]["buttons"]}
    assert titles == {"Ankle sprains", "Frozen shoulder", "The McKenzie method"}
