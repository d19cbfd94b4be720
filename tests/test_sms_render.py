"""The SMS renderer: plain text, numbered choices, parts that fit in 320 characters."""

from __future__ import annotations

import pytest

from channels.sms_render import (
    MAX_SMS_CHARS,
    Option,
    chosen_option,
    numbered_options,
    plain_text,
    render_replies,
    split_message,
)
from clinic import exercise_replies
from clinic.content import get_content

CAPABILITIES_BUTTONS = [
    {"title": "Hip kick", "payload": '/ask_exercise_steps{"exercise":"hip_kick_3way"}'},
    {"title": "Hamstring stretch", "payload": '/ask_exercise_steps{"exercise":"seated_hamstring_stretch"}'},
    {"title": "Talk to a person", "payload": "/request_human"},
]


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("**Hold** it for *30 seconds*.", "Hold it for 30 seconds."),
        ("Book at [our site](https://example.org/book).", "Book at our site: https://example.org/book."),
        ("## Hip kick\n* stand tall\n+ kick slowly", "Hip kick\n- stand tall\n- kick slowly"),
        ("Use `next` for the next step", "Use next for the next step"),
        ("It\u2019s \u201cgentle\u201d \u2013 really\u2026", 'It\'s "gentle" - really...'),
        ("one\n\n\n\ntwo  \nthree", "one\n\ntwo\nthree"),
    ],
)
def test_plain_text_drops_markdown(markdown, expected):
    assert plain_text(markdown) == expected


def test_plain_text_leaves_ordinary_symbols_alone():
    text = "3 * 2 reps, snake_case_name and 1. a numbered step"
    assert plain_text(text) == text


def test_numbered_options_read_as_a_sentence():
    assert numbered_options(["Hip kick"]) == "Reply 1 for Hip kick."
    assert numbered_options(["Yes", "No"]) == "Reply 1 for Yes or 2 for No."
    assert numbered_options(["A", "B", "C"], first=4) == "Reply 4 for A, 5 for B or 6 for C."


def test_short_text_is_one_part():
    assert split_message("Take care!") == ["Take care!"]
    assert split_message("   ") == []


def test_long_text_splits_at_boundaries_without_cutting_words():
    sentences = " ".join(f"Sentence number {n} says something useful." for n in range(40))
    text = f"First paragraph.\n\n{sentences}\nA last line."
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(part) <= MAX_SMS_CHARS for part in parts)
    assert " ".join(parts).split() == text.split()
    assert all(part.endswith(".") for part in parts)


def test_a_word_longer_than_a_message_is_the_only_thing_cut():
    url = "https://example.org/" + "x" * 400
    parts = split_message(f"See {url} now", limit=160)
    assert all(len(part) <= 160 for part in parts)
    assert "".join(parts[1:-1]) in url and parts[0] == "See" and parts[-1].endswith(" now")


@pytest.mark.parametrize("exercise", list(get_content().exercises.values()), ids=lambda e: e.key)
def test_full_exercise_instructions_fit_in_sms_parts_ending_with_the_safety_line(exercise):
    content = get_content()
    text = exercise_replies.full_instructions(content, exercise).text
    # Rasa's collecting channel delivers each paragraph as its own message.
    reply = render_replies([{"text": part} for part in text.split("\n\n")])
    assert len(reply.parts) > 1
    assert all(len(part) <= MAX_SMS_CHARS for part in reply.parts)
    assert " ".join(reply.parts).split() == text.split()
    assert reply.parts[-1].endswith(content.disclaimer)


def test_every_single_step_fits_in_one_sms_with_the_safety_line():
    content = get_content()
    for exercise in content.exercises.values():
        for index in range(len(exercise.steps)):
            text = exercise_replies.single_step(content, exercise, index).text
            parts = render_replies([{"text": text}]).parts
            assert len(parts) == 1 and parts[0].endswith(content.disclaimer)


def test_buttons_become_numbered_options_after_their_text():
    reply = render_replies(
        [
            {"text": "Here's what I can help with."},
            {"text": "Which one?", "buttons": CAPABILITIES_BUTTONS},
        ]
    )
    assert reply.parts == (
        "Here's what I can help with.\n\nWhich one?\n\n"
        "Reply 1 for Hip kick, 2 for Hamstring stretch or 3 for Talk to a person.",
    )
    assert [o.payload for o in reply.options] == [b["payload"] for b in CAPABILITIES_BUTTONS]


def test_options_are_numbered_across_the_turn():
    reply = render_replies(
        [
            {"text": "First", "buttons": CAPABILITIES_BUTTONS[:1]},
            {"text": "Second", "buttons": CAPABILITIES_BUTTONS[1:]},
        ]
    )
    assert "Reply 2 for Hamstring stretch or 3 for Talk to a person." in reply.parts[0]
    assert len(reply.options) == 3


def test_images_become_links_and_custom_payloads_are_left_out():
    reply = render_replies([{"image": "https://example.org/kick.png"}, {"custom": {"x": 1}}])
    assert reply.parts == ("https://example.org/kick.png",)
    assert reply.options == ()


def test_a_turn_without_messages_sends_nothing():
    assert render_replies([]).parts == ()


@pytest.mark.parametrize("text, index", [("1", 0), (" 2 ", 1), ("#3", 2), ("2.", 1), ("3)", 2)])
def test_a_number_picks_the_offered_option(text, index):
    options = [Option(b["title"], b["payload"]) for b in CAPABILITIES_BUTTONS]
    assert chosen_option(text, options) == options[index]


@pytest.mark.parametrize("text", ["0", "4", "12", "1 please", "one", "", "1.5"])
def test_anything_else_is_not_an_option(text):
    options = [Option(b["title"], b["payload"]) for b in CAPABILITIES_BUTTONS]
    assert chosen_option(text, options) is None


def test_no_options_on_offer_means_no_choice():
    assert chosen_option("1", []) is None
