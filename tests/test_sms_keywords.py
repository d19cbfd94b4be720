"""Carrier keywords are recognised only as a whole, single-word message."""

from __future__ import annotations

import pytest

from channels.sms_keywords import Keyword, carrier_keyword, help_reply
from clinic import sms_segments
from clinic.directory import load_directory


@pytest.mark.parametrize(
    "word", ["STOP", "stop", " Stop ", "STOPALL", "UNSUBSCRIBE", "CANCEL", "end", "Quit"]
)
def test_opt_out_words(word):
    assert carrier_keyword(word) is Keyword.OPT_OUT


@pytest.mark.parametrize("word", ["START", "start", "UNSTOP"])
def test_opt_in_words(word):
    assert carrier_keyword(word) is Keyword.OPT_IN


def test_help_word():
    assert carrier_keyword("help") is Keyword.HELP


@pytest.mark.parametrize(
    "text", ["cancel my booking", "please stop", "stop!", "help me with my back", "the end", "started", ""]
)
def test_words_inside_a_sentence_are_dialogue(text):
    assert carrier_keyword(text) is None


def test_help_reply_names_the_clinic_its_line_and_how_to_opt_out():
    directory = load_directory()
    reply = help_reply(directory)
    assert directory.name in reply and directory.main_line.phone_display in reply and "STOP" in reply
    assert sms_segments.segments(reply) <= 2
