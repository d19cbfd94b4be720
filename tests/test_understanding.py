"""Entity keys from the EntityRuler, the intent router, the fallback's way out and the front desk."""

from __future__ import annotations

import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.clinic_actions import ActionReferToFrontDesk
from actions.fallback_actions import ActionHandleMiss
from clinic.content import get_content
from clinic_nlp.ask_router import AskRouter
from clinic_nlp.build_pipeline import build
from clinic_nlp.entity_ids import EntityPatternIds
from tests.action_harness import make_tracker, run_action


@pytest.fixture(scope="module")
def nlp():
    return build(get_content())


def parsed(nlp, text: str, intent: str, confidence: float) -> Message:
    """A message as Rasa's pipeline hands it on after SpacyEntityExtractor."""
    doc = nlp(text)
    message = Message({TEXT: text, SPACY_DOCS[TEXT]: doc})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(
        ENTITIES,
        [{"entity": e.label_, "value": e.text, "start": e.start_char, "end": e.end_char} for e in doc.ents],
    )
    return message


def test_each_entity_carries_its_content_key(nlp):
    message = parsed(nlp, "wats the kick one, my lower back hurts", "ask_exercise", 0.9)
    EntityPatternIds().process([message])
    keys = {(e["entity"], e["value"], e.get("id")) for e in message.get(ENTITIES)}
    assert ("exercise", "kick one", "hip_kick_3way") in keys
    assert ("body_part", "lower back", "back") in keys


@pytest.mark.parametrize(
    "text, classifier, expected",
    [
        ("zip 20770", "nlu_fallback", "find_clinic"),
        ("is that sciatica? do you treat that?", "nlu_fallback", "ask_pt_concern"),
        (
            "Three years of a stiff lower back from desk work. No numbness, no fever, no bladder problems. Just stiff.",
            "out_of_scope",
            "ask_back_pain_help",
        ),
    ],
)
def test_router_sets_the_intent_the_words_call_for(nlp, text, classifier, expected):
    message = parsed(nlp, text, classifier, 0.3)
    EntityPatternIds().process([message])
    AskRouter().process([message])
    assert message.get(INTENT) == {"name": expected, "confidence": 1.0}


def miss_tracker(previous_answers: list[str]):
    tracker = make_tracker("blah", "nlu_fallback")
    for answer in previous_answers:
        tracker.events += [
            {"event": "user", "text": "blah"},
            {"event": "action", "name": answer},
            {"event": "action", "name": "action_listen"},
        ]
    tracker.events.append({"event": "user", "text": "blah"})
    return tracker


def test_first_miss_asks_to_rephrase():
    messages, _ = run_action(ActionHandleMiss(), miss_tracker(["utter_greet"]))
    assert messages[0]["response"] == "utter_default"


def test_second_miss_in_a_row_offers_what_it_can_do_and_a_person():
    messages, _ = run_action(ActionHandleMiss(), miss_tracker(["utter_greet", "action_handle_miss"]))
    assert messages[0]["response"] == "utter_default_options"


def test_a_bare_zip_outside_any_question_gets_the_nearest_clinics():
    tracker = make_tracker(
        "20770", "inform", [{"entity": "zip_code", "value": "20770", "start": 0, "end": 5}]
    )
    messages, events = run_action(ActionHandleMiss(), tracker)
    assert "Greenbelt Physical Therapy" in messages[0]["text"]
    assert {"event": "slot", "name": "nearest_clinic", "value": "greenbelt", "timestamp": None} in events


@pytest.mark.parametrize(
    "intent, response",
    [("request_reschedule", "utter_front_desk_reschedule"), ("ask_cost", "utter_front_desk_cost")],
)
def test_rescheduling_and_cost_get_the_clinic_number(intent, response):
    messages, _ = run_action(
        ActionReferToFrontDesk(),
        make_tracker("can i move my appt", intent, slots={"nearest_clinic": "greenbelt"}),
    )
    assert messages[0]["response"] == response
    assert messages[0]["contact"] == "Greenbelt Physical Therapy on (301) 555-0142"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human"]
