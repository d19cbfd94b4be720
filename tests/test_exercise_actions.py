"""The exercise and topic actions: content lookup, entity-driven choice, context."""

from __future__ import annotations

import pytest

from actions.exercise_actions import ActionExplainExercise, ActionNextStep
from actions.topic_actions import ActionDeflectQuestion, ActionExplainTopic
from clinic.content import get_content
from tests.action_harness import entity, make_tracker, run_action, slot_events

CONTENT = get_content()
DISCLAIMER = CONTENT.disclaimer


def explain(text, intent, entities=(), **slots):
    return run_action(ActionExplainExercise(), make_tracker(text, intent, list(entities), slots))


def test_hamstring_steps_name_heel_hold_and_repeats():
    messages, events = explain(
        "how do i do the hamstring strech", "ask_exercise", [entity("exercise", "strech", 26)]
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
        "caller asks how to do the hip kicks", "ask_exercise", [entity("exercise", "hip kicks")]
    )
    text = messages[0]["text"]
    assert "kitchen counter" in text and "10 times" in text
    assert text.index("forward") < text.index("to the side") < text.index("backward")
    assert text.endswith(DISCLAIMER)


@pytest.mark.parametrize(
    "text, exercise_slot, expected",
    [
        ("how many do i do", "hip_kick_3way", "10 slow kicks in each direction"),
        ("how long do i hold it", "seated_hamstring_stretch", "30 seconds, 3 times"),
        ("what do i hold on to", "hip_kick_3way", "back of the couch"),
        ("what do i hold on to", "seated_hamstring_stretch", "Nothing to hold on to"),
        ("other leg too?", "seated_hamstring_stretch", "on the other leg"),
    ],
)
def test_detail_questions_answer_only_the_detail_for_the_current_exercise(text, exercise_slot, expected):
    messages, events = explain(text, "ask_exercise", exercise=exercise_slot)
    text = messages[0]["text"]
    assert expected in text
    assert "1." not in text, "a detail answer must not repeat the whole recipe"
    assert text.endswith(DISCLAIMER)
    assert slot_events(events)["exercise"] == exercise_slot


def test_body_part_in_a_detail_question_does_not_switch_exercise():
    messages, _ = explain(
        "how many times each leg", "ask_exercise", [entity("body_part", "leg")], exercise="hip_kick_3way"
    )
    assert "kicks" in messages[0]["text"]


def test_follow_up_switches_exercise_but_keeps_the_question():
    messages, events = explain(
        "and the hip one?",
        "ask_exercise",
        [entity("body_part", "hip")],
        exercise="seated_hamstring_stretch",
        last_question="hold",
    )
    assert "no hold in this one" in messages[0]["text"]
    assert slot_events(events)["exercise"] == "hip_kick_3way"


def test_misspelled_exercise_without_entity_is_found_in_the_text():
    messages, _ = explain("hamstrng strech pls", "ask_exercise")
    assert "heel on the floor" in messages[0]["text"]


def test_unknown_exercise_asks_which_with_a_button_per_exercise():
    messages, events = explain("how do i do the plank", "ask_exercise")
    assert messages[0]["response"] == "utter_ask_which_exercise"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == [e.name.capitalize() for e in CONTENT.exercises.values()]
    assert slot_events(events) == {"last_question": "steps"}


def test_detail_question_without_context_remembers_the_question():
    messages, events = explain("how long do i hold it", "ask_exercise")
    assert messages[0]["response"] == "utter_ask_which_exercise"
    assert slot_events(events) == {"last_question": "hold"}


def test_button_payload_with_exercise_key_answers_the_question_asked_before():
    messages, _ = explain(
        '/inform_exercise{"exercise":"hip_kick_3way"}',
        "ask_exercise",
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


BOOKING_PAYLOADS = ["/request_appointment", "/find_clinic"]


def payloads(message):
    return [b["payload"] for b in message.get("buttons") or []]


def test_conditions_offer_a_visit_and_never_a_protocol():
    messages, _ = run_action(
        ActionExplainTopic(),
        make_tracker("ankle sprain", "ask_condition_info", [entity("condition", "ankle sprain")]),
    )
    assert CONTENT.visit_offer in messages[0]["text"]
    assert payloads(messages[0]) == BOOKING_PAYLOADS


def test_unknown_condition_offers_the_known_ones():
    messages, _ = run_action(ActionExplainTopic(), make_tracker("tell me about that", "ask_condition_info"))
    titles = {b["title"] for b in messages[0]["buttons"]}
    assert titles == {"Ankle sprains", "Frozen shoulder", "The McKenzie method"}


# --- What is asked comes from the message's own cues (clinic/asks.py) ---


def test_sms_nickname_without_cues_gets_the_steps():
    messages, events = explain("wats the kick one", "ask_exercise", [entity("exercise", "kick one")])
    assert "1. Stand facing something sturdy" in messages[0]["text"]
    assert slot_events(events)["last_question"] == "steps"


def test_nickname_gets_the_steps_even_after_a_detail_question():
    messages, _ = explain(
        "wats the kick one",
        "ask_exercise",
        [entity("exercise", "kick one")],
        exercise="seated_hamstring_stretch",
        last_question="other_side",
    )
    assert "1. Stand facing something sturdy" in messages[0]["text"]


def test_entity_pattern_id_is_the_content_key():
    ruler_entity = {**entity("exercise", "the kicky thing"), "id": "hip_kick_3way"}
    messages, events = explain("show me the kicky thing", "ask_exercise", [ruler_entity])
    assert slot_events(events)["exercise"] == "hip_kick_3way"


@pytest.mark.parametrize(
    "text, entities, expected",
    [
        ("why should i strengthen my hips", [entity("body_part", "hip")], "back stabilisation"),
        ("y stretch", [entity("exercise", "stretch")], "hamstrings are among the biggest"),
    ],
)
def test_why_answers_name_the_exercise_and_close_with_the_safety_line(text, entities, expected):
    messages, events = explain(text, "ask_exercise", entities)
    assert expected in messages[0]["text"]
    assert messages[0]["text"].endswith(DISCLAIMER)
    assert slot_events(events)["last_question"] == "why"


def test_why_this_helps_my_back_right_after_the_hip_kick_is_about_hip_strength():
    tracker = make_tracker(
        "why does this help my back?",
        "ask_back_pain_help",
        [entity("body_part", "back")],
        {"exercise": "hip_kick_3way"},
    )
    messages, _ = run_action(ActionExplainTopic(), tracker)
    assert "hip strength" in messages[0]["text"] and "hamstring" not in messages[0]["text"].lower()
    assert messages[0]["text"].endswith(DISCLAIMER)


def test_back_pain_answer_suggests_both_exercises_offers_a_visit_and_ends_with_the_safety_line():
    story = "three years of a stiff lower back. No numbness, no fever, no bladder problems. Just stiff."
    tracker = make_tracker(story, "ask_back_pain_help", [{**entity("body_part", "lower back"), "id": "back"}])
    messages, _ = run_action(ActionExplainTopic(), tracker)
    text = messages[0]["text"]
    for name in ("3-way standing hip kick", "seated hamstring stretch", CONTENT.visit_offer):
        assert name in text
    assert text.endswith(DISCLAIMER) and "\n\n" not in text
    assert set(BOOKING_PAYLOADS) <= set(payloads(messages[0]))


@pytest.mark.parametrize(
    "text, intent, entities",
    [
        (
            "my knee has ached for two years",
            "ask_pt_concern",
            [{**entity("body_part", "knee"), "id": "knee"}],
        ),
        ("is that sciatica? do you treat that?", "ask_condition_info", [entity("condition", "sciatica")]),
        ("tell me about tennis elbow", "ask_condition_info", []),
        ("my knee hurts what can i do", "ask_back_pain_help", [entity("body_part", "knee")]),
    ],
)
def test_problems_outside_the_article_get_an_offer_to_be_assessed_and_no_protocol(text, intent, entities):
    messages, _ = run_action(ActionExplainTopic(), make_tracker(text, intent, entities))
    reply = messages[0]["text"]
    assert "physical therapists assess" in reply
    assert DISCLAIMER not in reply and "stretch" not in reply and "kick" not in reply
    assert payloads(messages[0]) == BOOKING_PAYLOADS


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("can a bunion go away on its own?", "outlook"),
        ("what exercises are good for a bunion?", "exercises"),
        ("what causes a bunion?", "cause"),
        ("i have a bunion", "default"),
    ],
)
def test_the_offer_to_be_assessed_opens_with_an_answer_to_the_kind_of_question(text, kind):
    messages, _ = run_action(ActionExplainTopic(), make_tracker(text, "ask_pt_concern", []))
    opening = CONTENT.topics["pt_assessment"].openings[kind]
    assert messages[0]["text"].startswith(opening)
    assert payloads(messages[0]) == BOOKING_PAYLOADS


def test_a_back_only_concern_gets_the_back_pain_answer():
    tracker = make_tracker(
        "my lower back is stiff", "ask_pt_concern", [{**entity("body_part", "back"), "id": "back"}]
    )
    messages, _ = run_action(ActionExplainTopic(), tracker)
    assert "3-way standing hip kick" in messages[0]["text"]


def test_diagnosis_question_about_a_knee_is_deflected_with_the_offer_to_be_seen():
    messages, _ = run_action(
        ActionDeflectQuestion(),
        make_tracker("is my knee torn?", "ask_diagnosis", [entity("body_part", "knee")]),
    )
    assert messages[0]["response"] == "utter_diagnosis_deflect"
    assert payloads(messages[0]) == BOOKING_PAYLOADS


def test_medication_question_without_a_body_area_gets_the_plain_deflection():
    messages, _ = run_action(ActionDeflectQuestion(), make_tracker("how much ibuprofen", "ask_medication"))
    assert messages[0]["response"] == "utter_medication_deflect" and not messages[0].get("buttons")


def test_a_question_about_a_problem_with_no_exercise_in_sight_is_offered_an_assessment():
    messages, events = run_action(
        ActionExplainExercise(), make_tracker("Why does dexterity get worse with age?", "ask_exercise", [])
    )
    assert messages[0]["text"].startswith(CONTENT.topics["pt_assessment"].openings["cause"])
    assert payloads(messages[0]) == BOOKING_PAYLOADS and events == []


def test_a_bare_why_with_no_exercise_in_sight_asks_which_exercise():
    messages, _ = run_action(ActionExplainExercise(), make_tracker("why?", "ask_exercise", []))
    assert messages[0].get("response") == "utter_ask_which_exercise"
