"""What a message asks, read from its cues (clinic/asks.py): no framework, no model."""

from __future__ import annotations

import pytest

from clinic import asks
from clinic.asks import Entity, exercise_question, route, unplaced_problem

HIP = Entity("exercise", "hip_kick_3way")
BACK = Entity("body_part", "back")
KNEE = Entity("body_part", "knee")
ASSESS = Entity("condition", "pt_assessment")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("wats the kick one", "steps"),
        ("hip kick", "steps"),
        ("how do i do the hamstring stretch", "steps"),
        ("why does the hip kick help my back", "why"),
        ("y do hamstring stretches", "why"),
        ("what's the point of the stretch", "why"),
        ("can tight hamstrings make my back hurt", "why"),
        ("how long do i hold the stretch", "hold"),
        ("how many seconds each time", "hold"),
        ("how many kicks each way", "reps"),
        ("hw many reps 4 the stretch", "reps"),
        ("what do i hold on to for the kicks", "support"),
        ("can i lean on the counter", "support"),
        ("do i switch legs", "other_side"),
        ("and the other leg", "other_side"),
    ],
)
def test_the_question_comes_from_the_message_cues(text, expected):
    assert exercise_question(text, names_exercise=True) == expected


def test_a_follow_up_naming_another_exercise_keeps_the_question():
    assert exercise_question("and the hip one?", True, last_question="hold", has_context=True) == "hold"


def test_a_named_exercise_without_cues_gets_steps_even_after_a_detail():
    assert (
        exercise_question("wats the kick one", True, last_question="other_side", has_context=True) == "steps"
    )


def test_answering_which_exercise_keeps_the_question_asked():
    assert exercise_question("the hip kick", True, last_question="hold", has_context=False) == "hold"


LONG_BACK_STORY = (
    "I've had lower back stiffness for three years, since I started a desk job. It's worse in the "
    "morning and eases when I move. No numbness, no fever, no bladder problems. Just stiff."
)


@pytest.mark.parametrize(
    "text, intent, confidence, entities, expected",
    [
        (LONG_BACK_STORY, "nlu_fallback", 0.2, [BACK], "ask_back_pain_help"),
        (LONG_BACK_STORY, "out_of_scope", 0.6, [BACK], "ask_back_pain_help"),
        (
            "my knee has ached for two years, what can i do",
            "ask_back_pain_help",
            0.7,
            [KNEE],
            "ask_pt_concern",
        ),
        (
            "is that sciatica? do you treat that?",
            "greet",
            0.5,
            [Entity("condition", "pt_assessment")],
            "ask_pt_concern",
        ),
        ("my lower back hurts, no numbness, no fever", "deny", 0.5, [BACK], "ask_back_pain_help"),
        ("20770", "ask_next_step", 0.3, [Entity("zip_code")], "find_clinic"),
        ("zip 20770", "nlu_fallback", 0.3, [Entity("zip_code")], "find_clinic"),
        ("what about bowie", "ask_exercise", 0.3, [Entity("clinic", "bowie")], "find_clinic"),
        ("I live in Hyattsville", "greet", 0.5, [Entity("town")], "find_clinic"),
        (
            "anything out by silver spring?",
            "ask_exercise",
            0.2,
            [Entity("clinic", "silver_spring")],
            "find_clinic",
        ),
        ("i need a new time for my appointment", "request_appointment", 0.7, [], "request_reschedule"),
        (
            "twisted my ankle at the gym, can pt help",
            "ask_pt_concern",
            0.7,
            [Entity("condition", "ankle_sprain")],
            "ask_condition_info",
        ),
        ("appt", "nlu_fallback", 0.2, [], "request_appointment"),
        ("can i get seen", "ask_diagnosis", 0.5, [], "request_appointment"),
        ("i need to reschedule my appt", "request_appointment", 0.9, [], "request_reschedule"),
        ("do you take my insurance", "ask_medication", 0.5, [], "ask_cost"),
        ("how much does a visit cost", "nlu_fallback", 0.3, [], "ask_cost"),
        (
            "my back has hurt for a year and the pills don't help anymore and I have no insurance "
            "and can't afford the doctor right now, so is there anything at all I can do at home "
            "to ease it a bit?",
            "ask_cost",
            0.9,
            [BACK],
            "ask_cost",
        ),
        ("wats the kick one", "ask_next_step", 0.5, [HIP], "ask_exercise"),
        (
            "had spinal fusion, pain is muscular now, please advise",
            "ask_medication",
            0.6,
            [BACK],
            "ask_back_pain_help",
        ),
        ("is there a procedure to fix my sciatica", "ask_cost", 0.8, [ASSESS], "ask_pt_concern"),
        ("is there a procedure to put it back?", "ask_cost", 0.7, [], "nlu_fallback"),
        ("what happens if tennis elbow is left untreated?", "ask_exercise", 0.5, [ASSESS], "ask_pt_concern"),
        (
            "Can a mallet finger be permanent?",
            "request_human",
            0.8,
            [Entity("body_part", "hand")],
            "ask_pt_concern",
        ),
        ("can the weather change tomorrow", "request_human", 0.6, [], "nlu_fallback"),
        ("can a person with a spinal injury run again?", "request_human", 0.8, [BACK], "ask_back_pain_help"),
        (
            "How long does drop foot go on?",
            "ask_exercise",
            0.55,
            [Entity("body_part", "foot")],
            "ask_pt_concern",
        ),
        ("27 year old, think i may have osteoarthritis", "find_clinic", 0.9, [ASSESS], "ask_pt_concern"),
        (
            "I had a knee arthroscopy 9 months ago for two meniscus tears in my left knee?",
            "inform",
            0.5,
            [KNEE, ASSESS],
            "ask_pt_concern",
        ),
        (
            "major foot surgery 6 months ago and severe nerve pain since",
            "ask_pt_concern",
            0.39,
            [Entity("body_part", "foot")],
            "ask_pt_concern",
        ),
        (
            "I get a stretching feeling behind my knee whenever I bend it, what is that?",
            "ask_exercise",
            0.8,
            [Entity("exercise", "seated_hamstring_stretch", "stretching"), KNEE],
            "ask_pt_concern",
        ),
        (
            "I slipped on the stairs last week and landed on my hip, and since then there is a "
            "pulling, stretching sensation down my leg whenever I walk any distance. How long "
            "should that take to settle?",
            "ask_exercise",
            0.7,
            [Entity("exercise", "seated_hamstring_stretch", "stretching"), Entity("body_part", "hip")],
            "ask_back_pain_help",
        ),
        (
            "my hip is very painful and the doctors found nothing?",
            "report_exercise_pain",
            0.8,
            [Entity("body_part", "hip")],
            "ask_back_pain_help",
        ),
    ],
)
def test_route_reads_what_the_classifier_missed(text, intent, confidence, entities, expected):
    assert route(text, intent, confidence, entities) == expected


@pytest.mark.parametrize(
    "text, intent, entities",
    [
        ("I've lost control of my bladder and my back hurts", "report_red_flag", [BACK]),
        ("how many times each leg", "ask_exercise", [Entity("body_part", "leg")]),
        ("how do i stretch my knee", "ask_exercise", [KNEE]),
        ("can someone call me about my knee", "request_human", [KNEE]),
        ("agent pls", "request_human", []),
        (
            "i have been taking pain pills for a year and now the withdrawal is the worst thing "
            "i have felt, i have no insurance and no money for the er, how can i ease it",
            "ask_medical_other",
            [],
        ),
        ("why are hips important for back pain", "ask_exercise", [Entity("body_part", "hip"), BACK]),
        (
            "it hurts when i do the stretch",
            "report_exercise_pain",
            [Entity("exercise", "seated_hamstring_stretch")],
        ),
        (
            "how do i do the stretch",
            "ask_exercise",
            [Entity("exercise", "seated_hamstring_stretch", "stretch")],
        ),
        (
            "my back hurts, how many kicks should i do",
            "ask_exercise",
            [Entity("exercise", "hip_kick_3way", "kicks"), BACK],
        ),
        (
            "my hamstring stretch hurts behind the knee",
            "ask_exercise",
            [Entity("exercise", "seated_hamstring_stretch", "hamstring stretch"), KNEE],
        ),
        (
            "my knee is a bit sore today, can i still do the stretch?",
            "ask_exercise",
            [Entity("exercise", "seated_hamstring_stretch", "stretch"), KNEE],
        ),
        ("it hurts when i do it", "report_exercise_pain", []),
        (
            "my knee hurts while doing the kicks",
            "report_exercise_pain",
            [KNEE, Entity("exercise", "hip_kick_3way", "kicks")],
        ),
        ("hi there", "greet", []),
        ("what time does greenbelt open", "ask_clinic_hours", [Entity("clinic", "greenbelt")]),
        ("what's the weather in annapolis tomorrow", "out_of_scope", [Entity("town")]),
        ("how much ibuprofen can i take", "ask_medication", []),
        ("what do you think about the new tax bill", "out_of_scope", []),
        ("i don't want to book anymore", "cancel", []),
        ("never mind, i'll do this another time", "cancel", []),
        ("20715 is my zip", "inform", [Entity("zip_code")]),
        ("mostly my lower back on the left", "inform", [BACK]),
        ("sciatica", "inform", [ASSESS]),
        ("is there a clinic near me that treats sciatica", "find_clinic", [ASSESS]),
        ("where can i get my back pain looked at", "find_clinic", [BACK]),
    ],
)
def test_route_keeps_what_the_classifier_got_right(text, intent, entities):
    assert route(text, intent, 0.9, entities) is None


def test_back_concern_is_back_or_hip_without_other_conditions():
    assert asks.is_back_concern({"back", "hip"}, [])
    assert not asks.is_back_concern({"back"}, ["pt_assessment"])
    assert not asks.is_back_concern({"knee"}, [])


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "entities"),
    [
        ("How bad can a bunion get?", "out_of_scope", 0.7, []),
        ("How many weeks does RSI take to settle?", "ask_exercise", 0.6, []),
        ("What can ease pain in a limb?", "ask_medication", 0.5, []),
        ("Will polymyalgia rheumatica go away eventually?", "greet", 0.2, []),
        ("Is osteoporosis curable?", "request_human", 0.7, []),
        ("my rib slipped out of place, is there a procedure to put it back in?", "nlu_fallback", 0.3, []),
    ],
)
def test_a_problem_no_entity_names_is_left_unanswered_by_these_intents(text, intent, confidence, entities):
    assert unplaced_problem(text, intent, confidence, entities)


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "entities"),
    [
        ("how long do I hold it?", "ask_exercise", 0.9, []),  # the exercise under discussion
        ("how many reps of the hip kick", "ask_exercise", 0.9, [HIP]),
        ("my knee hurts", "out_of_scope", 0.5, [KNEE]),  # an entity: the router already placed it
        ("can I take ibuprofen for a bunion?", "ask_medication", 0.9, []),
        ("how bad can a bunion get?", "ask_condition_info", 0.8, []),
    ],
)
def test_a_question_the_classifier_placed_is_kept(text, intent, confidence, entities):
    assert not unplaced_problem(text, intent, confidence, entities)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Is a torn meniscus permanent?", "outlook"),
        ("how long does a sprained wrist take to heal", "outlook"),
        ("which stretches help a stiff neck", "exercises"),
        ("what is causing the clicking in my jaw", "cause"),
        ("do you treat shin splints?", None),
    ],
)
def test_a_question_about_a_problem_is_read_for_what_it_asks(text, kind):
    assert asks.problem_question(text) == kind
