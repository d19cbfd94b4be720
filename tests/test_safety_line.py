"""No exercise instruction or recommendation ever reaches a user without the safety line.

Enumerates every response in domain.yml and every custom action in the
``actions`` package, drives each action through every intent, exercise, body
area, condition, question cue and context, and fails if any message carrying
exercise instructions, or recommending an exercise by name (a "why" answer,
the back-pain overview), does not end with the disclaimer from
data/content/safety.yml.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Action
from rasa_sdk.forms import FormValidationAction

import actions
from clinic.content import all_exercise_texts, get_content
from tests.action_harness import entity, make_tracker, run_action

REPO = Path(__file__).resolve().parent.parent
CONTENT = get_content()
DOMAIN = yaml.safe_load((REPO / "domain.yml").read_text())


def instruction_markers() -> set[str]:
    """Every instruction sentence, plus each figure in them ("30 seconds", "10 times")."""
    texts = all_exercise_texts(CONTENT)
    figures = {m.group(0).lower() for t in texts for m in re.finditer(r"\b\d+\s+[a-z]+", t, re.I)}
    return set(texts) | figures


MARKERS = instruction_markers()


def carries_instructions(text: str) -> bool:
    lowered = text.lower()
    return any(marker.lower() in lowered for marker in MARKERS)


def recommends_exercise(text: str) -> bool:
    """Instructions, or an exercise named in the text (buttons are not text)."""
    lowered = text.lower()
    return carries_instructions(text) or any(e.name.lower() in lowered for e in CONTENT.exercises.values())


# The question cues clinic/asks.py reads: none, why, a detail, a follow-up, a problem.
CUE_TEXTS = (
    "tell me",
    "why does this help my back?",
    "how long do i hold it",
    "and the hip one?",
    "my knee hurts",
)


def test_markers_cover_the_articles_figures():
    assert {"10 times", "30 seconds", "3 times"} <= MARKERS


def all_actions() -> list[Action]:
    found = {}
    for module in pkgutil.iter_modules(actions.__path__):
        mod = importlib.import_module(f"actions.{module.name}")
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if (
                issubclass(cls, Action)
                and cls.__module__ == mod.__name__
                and not inspect.isabstract(cls)
                and not issubclass(cls, FormValidationAction)
            ):
                found[cls().name()] = cls()
    return list(found.values())


def domain_responses() -> Iterator[tuple[str, str]]:
    for name, variants in DOMAIN["responses"].items():
        for variant in variants:
            yield name, variant.get("text", "")


@pytest.mark.parametrize("name, text", list(domain_responses()))
def test_domain_responses_carry_no_instructions_unless_closed_by_the_safety_line(name, text):
    if carries_instructions(text):
        assert text.rstrip().endswith(CONTENT.disclaimer), (
            f"{name} gives instructions without the safety line"
        )


def test_every_action_is_covered():
    names = {a.name() for a in all_actions()}
    assert {"action_explain_exercise", "action_next_step", "action_explain_topic"} <= names
    declared = {
        a if isinstance(a, str) else next(iter(a)) for a in DOMAIN["actions"]
    }  # "name" or {name: {...}}
    assert names <= declared, "an action exists that the domain does not declare"


def trackers():
    """Every intent with every exercise / body-part mention, then every context.

    The second half pairs each exercise context (exercise, step, last question)
    with every intent, without entities: together they reach every branch that
    chooses what to say about an exercise.
    """
    entity_choices: list[list[dict]] = [[]]
    for exercise in CONTENT.exercises.values():
        entity_choices.append([entity("exercise", exercise.key)])
    entity_choices += [[entity("body_part", part)] for part in CONTENT.body_parts]
    entity_choices += [[entity("condition", key)] for key in CONTENT.topics]
    slot_choices: list[dict] = [{"red_flag": True}]
    for exercise in CONTENT.exercises.values():
        for step in (None, 0.0, float(len(exercise.steps) - 1)):
            for question in (None, "hold"):
                slot_choices.append({"exercise": exercise.key, "step_index": step, "last_question": question})
    for intent, entities, text in itertools.product(DOMAIN["intents"], entity_choices, CUE_TEXTS):
        yield make_tracker(text, intent, entities, {})
    for intent, slots, text in itertools.product(DOMAIN["intents"], slot_choices, CUE_TEXTS):
        yield make_tracker(text, intent, [], slots)


@pytest.mark.parametrize("action", all_actions(), ids=lambda a: a.name())
def test_every_action_message_with_instructions_ends_with_the_safety_line(action, tmp_path, monkeypatch):
    monkeypatch.setenv("CLINIC_DB_URL", f"sqlite:///{tmp_path / 'requests.db'}")
    instructed = 0
    for tracker in trackers():
        messages, _ = run_action(action, tracker)
        for message in messages:
            text = message.get("text") or ""
            if recommends_exercise(text):
                instructed += 1
                assert text.endswith(CONTENT.disclaimer), (
                    f"{action.name()} sent instructions or named an exercise without it: {text!r}"
                )
                assert "\n\n" not in text, "channels split at blank lines, which would detach the safety line"
    if action.name() in {"action_explain_exercise", "action_next_step", "action_explain_topic"}:
        assert instructed > 0, "the enumeration must actually reach exercise instructions and recommendations"


def test_why_answers_and_the_back_pain_overview_are_among_what_is_checked():
    """The enumeration reaches the replies that recommend an exercise without instructions."""
    from actions.exercise_actions import ActionExplainExercise
    from actions.topic_actions import ActionExplainTopic

    why, _ = run_action(
        ActionExplainExercise(), make_tracker("why?", "ask_exercise", [], {"exercise": "hip_kick_3way"})
    )
    overview, _ = run_action(ActionExplainTopic(), make_tracker("my back hurts", "ask_back_pain_help"))
    for message in (why[0], overview[0]):
        assert recommends_exercise(message["text"]) and not carries_instructions(message["text"])
        assert message["text"].endswith(CONTENT.disclaimer)
