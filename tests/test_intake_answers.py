"""Validation of intake answers: what is accepted, cleaned, and re-asked."""

from __future__ import annotations

import pytest

from clinic import intake_answers
from clinic.intake_answers import InvalidAnswer


@pytest.mark.parametrize(
    "text, level",
    [("7", 7), ("its like a 6 out of 10", 6), ("seven", 7), ("0", 0), ("10/10", 10), ("about 4.5", 4.5)],
)
def test_pain_level_accepts_numbers_and_words(text, level):
    assert intake_answers.pain_level(text) == level


@pytest.mark.parametrize("text", ["", "eleven out of ten", "42", "bad", None])
def test_pain_level_rejects_what_is_not_0_to_10(text):
    with pytest.raises(InvalidAnswer, match="0 .* to 10"):
        intake_answers.pain_level(text)


@pytest.mark.parametrize(
    "text, e164",
    [
        ("301-555-0142", "+13015550142"),
        ("(240) 555 0199", "+12405550199"),
        ("my cell is 202.555.0155", "+12025550155"),
        ("+1 301 555 0142", "+13015550142"),
    ],
)
def test_phone_numbers_are_normalised(text, e164):
    assert intake_answers.contact_phone(text) == e164


@pytest.mark.parametrize("text", ["555-0142", "12345", "call me maybe", "", "1" * 500])
def test_bad_phone_numbers_are_reasked_with_an_example(text):
    with pytest.raises(InvalidAnswer, match="area code"):
        intake_answers.contact_phone(text)


@pytest.mark.parametrize(
    "text, cleaned",
    [
        ("skip", "none"),
        ("no", "none"),
        ("ana@example.org", "ana@example.org"),
        ("my email is ana.l@example.co.uk", "ana.l@example.co.uk"),
    ],
)
def test_email_is_optional(text, cleaned):
    assert intake_answers.contact_email(text) == cleaned


def test_bad_email_is_reasked():
    with pytest.raises(InvalidAnswer, match="skip"):
        intake_answers.contact_email("ana at example")


@pytest.mark.parametrize(
    "text, name",
    [("Ana Lopez", "Ana Lopez"), ("my name is Sam Rivera", "Sam Rivera"), ("José Núñez", "José Núñez")],
)
def test_names(text, name):
    assert intake_answers.contact_name(text) == name


@pytest.mark.parametrize("text", ["301 555 0142", "ana@example.org", "", "x" * 400])
def test_not_a_name(text):
    with pytest.raises(InvalidAnswer):
        intake_answers.contact_name(text)


def test_body_area_maps_known_words_and_keeps_others():
    assert intake_answers.body_area("my lower back") == "back"
    assert intake_answers.body_area("right hip") == "hip"
    assert intake_answers.body_area("my elbow") == "elbow"  # listed in data/content/body_parts.yml
    assert intake_answers.body_area("my jaw") == "my jaw"
