"""Misspelled rule words (clinic/spelling.py): read as meant, and never an English word misread."""

from __future__ import annotations

import pytest

from clinic.spelling import Speller, one_edit_apart
from clinic.triage import assess

SPELLER = Speller(
    ["pain", "chest", "breathe", "myself", "numbness", "fever", "faint", "stroke", "clot", "seizure"]
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("pian", "pain"),  # two letters swapped
        ("chset", "chest"),
        ("brethe", "breathe"),  # a letter dropped
        ("myslef", "myself"),
        ("numbnes", "numbness"),
        ("siezure", "seizure"),
        ("strokke", "stroke"),  # a letter added
    ],
)
def test_a_misspelled_rule_word_is_read_as_the_word_meant(typed, meant):
    assert SPELLER.correct(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "never",  # English, one letter from "fever"
        "paint",  # English, one letter from "faint"
        "strike",  # English, one letter from "stroke"
        "paid",  # English, one letter from "pain"
        "wasnt",  # "wasn't" as typed without its apostrophe, one letter from "hasnt"
        "wouldnt",  # one letter from "couldnt"
        "alot",  # not English, but a four-letter rule word is read only from a swap
        "chests",  # a rule word's own ending is the stemmer's business
        "zzzz",
        "hip2",
        "pn",
    ],
)
def test_english_words_and_other_near_misses_are_left_as_typed(typed):
    assert SPELLER.correct(typed) == typed


def test_one_edit_covers_drops_additions_changes_and_swaps_only():
    assert (
        one_edit_apart("pain", "pian") and one_edit_apart("chest", "chst") and one_edit_apart("numb", "numbb")
    )
    assert one_edit_apart("fever", "fevar")
    assert (
        not one_edit_apart("pain", "pain")
        and not one_edit_apart("pain", "ipan")
        and not one_edit_apart("a", "abc")
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("chest pian and my left arm is numb", "emergency"),
        ("cant brethe at all", "emergency"),
        ("i wanna kill myslef", "emergency"),
        ("i never had a fever with this back pain", "routine"),
        ("i paint for a living and my wrist aches", "routine"),
    ],
)
def test_triage_reads_misspelled_signs_and_no_more(text, level):
    assert assess(text).level == level
