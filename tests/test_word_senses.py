"""A bare "back" that is an adverb is not taken for the body part (clinic/word_senses.py),
so "the tests came back negative" does not get the back-pain answer."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES

from clinic.content import get_content
from clinic.word_senses import is_adverb_back
from clinic_nlp.build_pipeline import build
from clinic_nlp.entity_ids import EntityPatternIds
from tests.test_understanding import parsed


def _split(text: str) -> tuple[str, str]:
    start = text.index("[back]")
    return text[:start], text[start + len("[back]") :]


@pytest.mark.parametrize(
    "text",
    [
        "the tests came [back] negative",
        "is there a procedure to put it [back]?",
        "when can I go [back] to work",
        "I broke my collarbone [back] in 2009",
        "a few weeks [back] I slipped on ice",
        "[back] to the gym after my knee surgery?",
        "moving my arm [back] and forth hurts",
        "the pain keeps coming [back]",
    ],
)
def test_an_adverb_is_not_the_body_part(text):
    assert is_adverb_back(*_split(text))


@pytest.mark.parametrize(
    "text",
    [
        "my [back] hurts",
        "[back] pain for 2 weeks",
        "I hurt my [back] to the point I can't walk",
        "pain in the [back] up to my neck",
        "sore [back] in 2024 again",
        "[back]",
        "is the hip kick good for [back]?",
    ],
)
def test_the_body_part_stays_the_body_part(text):
    assert not is_adverb_back(*_split(text))


@pytest.fixture(scope="module")
def nlp():
    return build(get_content())


def _body_parts(nlp, text: str) -> list[str]:
    message = parsed(nlp, text, "ask_pt_concern", 0.9)
    EntityPatternIds().process([message])
    return [e["id"] for e in message.get(ENTITIES) if e["entity"] == "body_part"]


def test_the_nlu_keeps_the_knee_and_drops_the_adverb(nlp):
    assert _body_parts(nlp, "the tests came back negative but my knee still hurts") == ["knee"]
    assert _body_parts(nlp, "went back to work and my back hurts again") == ["back"]
    assert _body_parts(nlp, "when can i go back to the gym after my lower back surgery") == ["back"]
