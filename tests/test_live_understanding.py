"""The real servers read what people actually write (issue 9): SMS shorthand,
a bare ZIP, one-word bookings, "why" after an exercise, long stories."""

from __future__ import annotations

import json
import urllib.request

import pytest

from clinic.content import get_content
from clinic.red_flags import EMERGENCY, URGENT
from clinic.triage import default_triage
from tests.live_ids import new_rest_sender

pytestmark = pytest.mark.live

CONTENT = get_content()
BACK_STORY = (
    "Hi, I'm 45 and I've had a stiff lower back for about three years, since I started working "
    "from home at the kitchen table. It's worst in the morning and after long meetings, and it "
    "loosens up once I've walked around. I tried a heating pad and it helps a little. No numbness, "
    "no fever, no bladder problems. Just stiff. What would you suggest?"
)


def say(assistant, sender: str, text: str) -> tuple[str, list[str]]:
    """The reply's text and its button payloads."""
    request = urllib.request.Request(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        replies = json.loads(response.read())
    text = "\n".join(r.get("text") or "" for r in replies)
    return text, [b["payload"] for r in replies for b in r.get("buttons") or []]


def test_sms_nickname_gets_the_hip_kick_steps_then_why_is_about_hip_strength(live_assistant):
    sender = new_rest_sender(live_assistant)
    steps, _ = say(live_assistant, sender, "wats the kick one")
    assert "1. Stand facing something sturdy" in steps and steps.endswith(CONTENT.disclaimer)
    why, _ = say(live_assistant, sender, "why does this help my back?")
    assert "hip" in why and "hamstring" not in why.lower()
    assert why.endswith(CONTENT.disclaimer)


@pytest.mark.parametrize("message", ["20770", "zip 20770", "what about bowie", "I live in Hyattsville"])
def test_a_place_alone_finds_clinics(live_assistant, message):
    text, payloads = say(live_assistant, new_rest_sender(live_assistant), message)
    assert "nearest clinic" in text and "/request_appointment" in payloads


@pytest.mark.parametrize("message", ["appt", "book", "can i get seen"])
def test_a_few_words_start_the_booking_and_say_so(live_assistant, message):
    text, _ = say(live_assistant, new_rest_sender(live_assistant), message)
    assert "Let's book your visit" in text


def test_a_long_back_pain_story_with_denials_gets_the_back_pain_answer(live_assistant):
    text, payloads = say(live_assistant, new_rest_sender(live_assistant), BACK_STORY)
    for expected in ("3-way standing hip kick", "seated hamstring stretch", CONTENT.visit_offer):
        assert expected in text
    assert text.endswith(CONTENT.disclaimer) and "911" not in text
    assert {"/request_appointment", "/find_clinic"} <= set(payloads)


def test_sciatica_gets_an_offer_to_be_assessed_not_a_protocol(live_assistant):
    text, payloads = say(
        live_assistant, new_rest_sender(live_assistant), "is that sciatica? do you treat that?"
    )
    assert "physical therapists assess" in text and CONTENT.disclaimer not in text
    assert {"/request_appointment", "/find_clinic"} <= set(payloads)


@pytest.mark.parametrize("message", ["i need to reschedule my appointment", "do you take my insurance?"])
def test_rescheduling_and_insurance_get_the_clinics_number(live_assistant, message):
    text, _ = say(live_assistant, new_rest_sender(live_assistant), message)
    assert "(301) 555-0100" in text and "What brings you in" not in text and "medicines" not in text


def test_two_misses_in_a_row_offer_buttons_and_a_person(live_assistant):
    sender = new_rest_sender(live_assistant)
    first, _ = say(live_assistant, sender, "qwpoe zmxnv")
    second, payloads = say(live_assistant, sender, "lkjasd poiqwe")
    assert first != second
    assert "/request_human" in payloads and "/request_appointment" in payloads


@pytest.mark.parametrize(
    "message",
    [
        "How bad can a bunion get?",
        "How many weeks does RSI take to settle?",
        "is there a cure for coccydynia",
        "what can ease pain in a limb",
        "Can a mallet finger be permanent?",
        "is there a cure for osteoporosis",
    ],
)
def test_a_musculoskeletal_problem_the_article_does_not_cover_is_offered_a_visit(live_assistant, message):
    text, payloads = say(live_assistant, new_rest_sender(live_assistant), message)
    assert CONTENT.visit_offer in text and "/request_appointment" in payloads


def _first_sentence(level: str) -> str:
    return default_triage().rules.advice[level].split(". ")[0]


@pytest.mark.parametrize(
    "message",
    [
        "How long does drop foot go on?",
        "What can bring on double vision all of a sudden?",
        "can a dislocated shoulder go back in by itself",
    ],
)
def test_a_general_question_about_a_warning_sign_is_not_sent_to_911_or_a_doctor(live_assistant, message):
    text, _ = say(live_assistant, new_rest_sender(live_assistant), message)
    assert _first_sentence(EMERGENCY) not in text and _first_sentence(URGENT) not in text


@pytest.mark.parametrize(
    "message",
    [
        "my mother is weak and confused and her speech is slow",
        "got hurt at rugby and now i have sudden shortness of breath",
        "my son banged his head on a shelf and is acting strange",
        "sharp pain from my heart area up into my neck",
        "my daughters blood sugar is 560",
        "having some chest discomfort right now",
        "nurse here, I just pricked myself with a needle we used on a patient with HIV",
        "my 2 year old got into my xanax",
        "something bit my ankle in the yard and there are two fang marks",
        "my toddler has a tummy ache and only wants to sleep",
        "i think this is sepsis, i'm shaking and so weak",
        "the voices keep telling me to hurt my brother",
        "my eyelid is swollen and it hurts to move my eye",
        "i have a kidney stone and i can't stop throwing up",
        "my 3 year old took my valium",
        "allergic reaction to shrimp and my throat is tightening",
        "my 3 week old baby has a fever of 100.5",
        "sudden explosive headache, the worst i've ever had",
        "33 weeks pregnant and i haven't felt the baby move today",
        "bulging disc and weakness and numbness down my right leg",
    ],
)
def test_these_emergencies_are_sent_to_911(live_assistant, message):
    text, _ = say(live_assistant, new_rest_sender(live_assistant), message)
    assert _first_sentence(EMERGENCY) in text


def test_chest_pain_after_meals_like_heartburn_gets_a_doctor_soon_not_911(live_assistant):
    text, _ = say(
        live_assistant,
        new_rest_sender(live_assistant),
        "I get chest pain after eating, it feels like my heartburn",
    )
    assert _first_sentence(URGENT) in text and _first_sentence(EMERGENCY) not in text


def test_a_question_about_foot_drop_is_offered_a_visit_not_asked_which_exercise(live_assistant):
    text, payloads = say(live_assistant, new_rest_sender(live_assistant), "How long does drop foot go on?")
    assert "Which exercise" not in text
    assert CONTENT.visit_offer in text and "/request_appointment" in payloads


def test_a_withdrawal_story_mentioning_insurance_gets_medical_advice_not_prices(live_assistant):
    text, _ = say(
        live_assistant,
        new_rest_sender(live_assistant),
        "i've been using oxycontin i bought off the street for a year and i'm trying to quit. the "
        "withdrawals are awful and i keep going back for more. i have no insurance and can't pay for "
        "the er. how can i get through this?",
    )
    assert "insurance" not in text.lower()
    assert first_sentence_of_medical_advice() in text


def first_sentence_of_medical_advice() -> str:
    return default_triage().rules.medical_advice.split(". ")[0]


def test_a_stretching_feeling_after_a_fall_is_offered_a_visit_not_the_stretch(live_assistant):
    text, payloads = say(
        live_assistant,
        new_rest_sender(live_assistant),
        "I slipped on wet steps last week and landed on my hip. Since then there is a pulling, "
        "stretching sensation down the back of my leg whenever I walk any distance. How long should "
        "that take to settle?",
    )
    assert "seated hamstring stretch" not in text.lower() and "1. " not in text
    assert CONTENT.visit_offer in text and "/request_appointment" in payloads


def test_the_stretch_asked_for_in_a_few_words_still_gets_its_steps(live_assistant):
    text, _ = say(live_assistant, new_rest_sender(live_assistant), "how do i do the stretch")
    assert "1. " in text and text.endswith(CONTENT.disclaimer)


@pytest.mark.parametrize(
    "message",
    [
        "my 3 year old's knee is swollen and she refuses to walk on it",
        "my ankle swelled up after the game and i'm unable to walk",
        "my arms and legs are covered in petechiae and i haven't hurt myself",
        "the scan showed compression of the spinal cord in my neck",
        "since i hit my head skiing last week i can't concentrate and light hurts my eyes",
        "my ankle has been swollen for two days. it feels warm",
        "running a low fever and all my joints ache",
    ],
)
def test_these_need_a_doctor_soon_not_911(live_assistant, message):
    text, _ = say(live_assistant, new_rest_sender(live_assistant), message)
    assert _first_sentence(URGENT) in text and CONTENT.disclaimer not in text
    assert _first_sentence(EMERGENCY) not in text


@pytest.mark.parametrize(
    "message",
    [
        "my hip is very painful, the doctors didn't find a thing?",
        "can a person with spastic paraplegia learn to walk again?",
        "should i try corticosteroids for my myopathy?",
    ],
)
def test_a_physical_problem_gets_an_offer_to_be_seen_not_exercise_pain_or_a_person(live_assistant, message):
    text, payloads = say(live_assistant, new_rest_sender(live_assistant), message)
    assert "stop that exercise" not in text and "(301) 555-0100" not in text
    assert "/request_appointment" in payloads


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("will my bunion ever go away?", "outlook"),
        ("what exercises are good for a bunion", "exercises"),
        ("What causes a bunion?", "cause"),
    ],
)
def test_the_offer_to_be_assessed_answers_the_kind_of_question_first(live_assistant, message, kind):
    text, payloads = say(live_assistant, new_rest_sender(live_assistant), message)
    assert text.startswith(CONTENT.topics["pt_assessment"].openings[kind])
    assert CONTENT.visit_offer in text and "/request_appointment" in payloads


def test_a_long_medical_question_is_not_taken_for_a_short_reply(live_assistant):
    text, _ = say(
        live_assistant,
        new_rest_sender(live_assistant),
        "My eczema flared up badly this week, no signs of infection, my doctor says my white blood cell "
        "count is a bit low, any ideas why?",
    )
    assert first_sentence_of_medical_advice() in text
