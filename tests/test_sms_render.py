"""The SMS renderer: plain text, one choice per line, parts of at most two segments."""

from __future__ import annotations

import pytest

from channels.sms_render import (
    MAX_SMS_SEGMENTS,
    Option,
    chosen_option,
    numbered_options,
    plain_text,
    render_replies,
    split_message,
)
from clinic import exercise_replies, sms_segments
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


def test_numbered_options_come_one_per_line():
    assert numbered_options(["Yes", "No"]) == "Reply with a number:\n1 Yes\n2 No"
    assert numbered_options(["A", "B", "C"], first=4) == "Reply with a number:\n4 A\n5 B\n6 C"


def test_a_lone_button_is_a_yes_question_not_a_menu_of_one():
    reply = render_replies([{"text": "Or book a visit here.", "buttons": CAPABILITIES_BUTTONS[2:]}])
    assert reply.parts == ("Or book a visit here.\n\nReply YES for Talk to a person.",)
    for answer in ("yes", "YES!", "ok", "talk to a person"):
        assert chosen_option(answer, reply.options) == reply.options[0]
    assert chosen_option("no", reply.options) is None


def test_short_text_is_one_part():
    assert split_message("Take care!") == ["Take care!"]
    assert split_message("   ") == []


def test_long_text_splits_at_boundaries_without_cutting_words():
    sentences = " ".join(f"Sentence number {n} says something useful." for n in range(40))
    text = f"First paragraph.\n\n{sentences}\nA last line."
    parts = split_message(text)
    assert len(parts) > 1
    assert all(sms_segments.segments(part) <= MAX_SMS_SEGMENTS for part in parts)
    assert " ".join(parts).split() == text.split()
    assert all(part.endswith(".") for part in parts)


def test_a_text_with_one_non_gsm_character_is_split_by_ucs2_segments():
    text = " ".join(["Zoë said the stretch helps."] * 12)
    assert sms_segments.count(text).encoding == sms_segments.UCS2
    parts = split_message(text)
    assert len(parts) > 1 and all(sms_segments.segments(part) <= MAX_SMS_SEGMENTS for part in parts)
    assert " ".join(parts).split() == text.split()


def test_a_word_longer_than_a_message_is_the_only_thing_cut():
    url = "https://example.org/" + "x" * 400
    parts = split_message(f"See {url} now")
    assert all(sms_segments.segments(part) <= MAX_SMS_SEGMENTS for part in parts)
    assert "".join(parts[1:-1]) in url and parts[0] == "See" and parts[-1].endswith(" now")


@pytest.mark.parametrize("exercise", list(get_content().exercises.values()), ids=lambda e: e.key)
def test_an_exercise_on_sms_is_one_reply_of_two_segments_ending_with_the_safety_line(exercise):
    content = get_content()
    page = f"https://www.example-clinic.org/exercises/{exercise.key}"
    text = exercise_replies.sms_instructions(content, exercise, page).text
    reply = render_replies([{"text": text}])
    assert len(reply.parts) == 1 and sms_segments.segments(reply.parts[0]) <= MAX_SMS_SEGMENTS
    assert page in reply.parts[0] and exercise.steps[0] in reply.parts[0]
    assert reply.parts[0].endswith(content.disclaimer)


def test_on_sms_only_the_first_step_carries_the_safety_line():
    content = get_content()
    for exercise in content.exercises.values():
        for index in range(len(exercise.steps)):
            text = exercise_replies.single_step(content, exercise, index, on_sms=True).text
            parts = render_replies([{"text": text}]).parts
            assert len(parts) == 1 and sms_segments.segments(parts[0]) <= MAX_SMS_SEGMENTS
            assert parts[0].endswith(content.disclaimer) == (index == 0)


def test_buttons_become_numbered_options_after_their_text():
    reply = render_replies(
        [
            {"text": "Here's what I can help with."},
            {"text": "Which one?", "buttons": CAPABILITIES_BUTTONS},
        ]
    )
    assert reply.parts == (
        "Here's what I can help with.\n\nWhich one?\n\n"
        "Reply with a number:\n1 Hip kick\n2 Hamstring stretch\n3 Talk to a person",
    )
    assert [o.payload for o in reply.options] == [b["payload"] for b in CAPABILITIES_BUTTONS]


def test_options_are_numbered_across_the_turn():
    reply = render_replies(
        [
            {"text": "First", "buttons": CAPABILITIES_BUTTONS[:1]},
            {"text": "Second", "buttons": CAPABILITIES_BUTTONS[1:]},
        ]
    )
    assert "Reply with a number:\n1 Hip kick" in reply.parts[0]
    assert "Reply with a number:\n2 Hamstring stretch\n3 Talk to a person" in reply.parts[0]
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
