"""Segment counts as carriers bill them: GSM-7 160 / 153, UCS-2 70 / 67."""

from __future__ import annotations

import pytest

from clinic import intake_answers, sms_segments


@pytest.mark.parametrize(
    "text, encoding, segments",
    [
        ("a" * 160, sms_segments.GSM7, 1),
        ("a" * 161, sms_segments.GSM7, 2),
        ("a" * 306, sms_segments.GSM7, 2),
        ("a" * 307, sms_segments.GSM7, 3),
        ("{" * 80, sms_segments.GSM7, 1),  # an extension character counts twice
        ("{" * 81, sms_segments.GSM7, 2),
        ("\u00e9" * 160, sms_segments.GSM7, 1),  # é is in the GSM alphabet
        ("\u0101" * 70, sms_segments.UCS2, 1),
        ("\u0101" * 71, sms_segments.UCS2, 2),
        ("a" * 150 + "\u2019", sms_segments.UCS2, 3),  # one curly quote turns it all into UCS-2
        ("", sms_segments.GSM7, 0),
    ],
)
def test_segments(text, encoding, segments):
    count = sms_segments.count(text)
    assert (count.encoding, count.segments) == (encoding, segments)


def test_an_escape_pair_is_never_split_between_segments():
    assert sms_segments.segments("a" * 152 + "{" + "a" * 153) == 3


@pytest.mark.parametrize("text", ["same as this", "Same as this one.", "this one", "this number", "the same"])
def test_phrases_that_mean_the_number_texting(text):
    assert intake_answers.means_this_number(text)


@pytest.mark.parametrize("text", ["301-555-0142", "no", "the other one", "same as my wife's"])
def test_phrases_that_do_not(text):
    assert not intake_answers.means_this_number(text)


@pytest.mark.parametrize(
    "text, name, phone",
    [
        ("Ana Lopez, 301-555-0142", "Ana Lopez", "+13015550142"),
        ("my name is Ana Lopez and my number is (301) 555-0142", "Ana Lopez", "+13015550142"),
        ("Ana Lopez", "Ana Lopez", None),
        ("3015550142", None, "+13015550142"),
        ("what should I do now?", None, None),
        ("I am calling 911 right now", None, None),
    ],
)
def test_contact_details_in_one_message(text, name, phone):
    assert intake_answers.contact_details(text) == (name, phone)
