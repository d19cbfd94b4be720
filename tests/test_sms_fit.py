"""SMS that fits a phone, through the live servers with signed Twilio posts.

Every exercise is walked through as a patient would ("how do I do it?", then
"next" to the end) and every reply's segment count is printed (run with -s to
see them) and held to the limit: at most 2 segments of 160 GSM-7 characters
per reply (or 70 UCS-2 ones). The safety line comes once per exercise, not
with every step.
"""

from __future__ import annotations

import itertools

import pytest

from clinic import sms_segments
from clinic.content import get_content
from clinic.directory import load_directory
from tests.test_twilio_channel import text

pytestmark = pytest.mark.live

MAX_SEGMENTS = 2
_numbers = itertools.count(40)


def fresh_number() -> str:
    """Fictional 555-01xx numbers, apart from tests/test_twilio_channel.py's."""
    return f"+130155501{next(_numbers):02d}"


def segments(parts: list[str]) -> int:
    return sum(sms_segments.segments(part) for part in parts)


def report(label: str, parts: list[str]) -> str:
    counts = [sms_segments.count(part) for part in parts]
    described = ", ".join(f"{c.units} {c.encoding} units = {c.segments}" for c in counts)
    return f"{label}: {len(parts)} SMS, {sum(c.segments for c in counts)} segments ({described})"


@pytest.mark.parametrize("key", list(get_content().exercises))
def test_every_reply_of_an_exercise_fits_in_two_segments(live_assistant, key):
    content = get_content()
    exercise = content.exercises[key]
    number = fresh_number()
    turns = [
        (
            f"how do I do the {exercise.name}?",
            text(live_assistant, number, f"how do I do the {exercise.name}?"),
        )
    ]
    for _ in range(len(exercise.steps)):
        turns.append(("next", text(live_assistant, number, "next")))

    print(f"\n{exercise.name}:")
    for label, parts in turns:
        print("  " + report(label, parts))
    too_long = [report(label, parts) for label, parts in turns if segments(parts) > MAX_SEGMENTS]
    assert not too_long, too_long
    steps_seen = " ".join(" ".join(parts) for _, parts in turns)
    for step in exercise.steps:
        assert " ".join(step.split()) in " ".join(steps_seen.split()), f"step missing: {step}"
    with_safety = [label for label, parts in turns if content.disclaimer in " ".join(parts)]
    assert with_safety == [turns[0][0]], "the safety line comes once, with the first reply"


def test_the_steps_link_names_the_exercise_page(live_assistant):
    content = get_content()
    parts = text(live_assistant, fresh_number(), "how do I do the hip kick?")
    assert "/exercises/hip_kick_3way" in " ".join(parts)
    assert content.exercises["hip_kick_3way"].steps[0].split()[0] in " ".join(parts)


def test_help_names_the_clinic_and_its_number(live_assistant):
    directory = load_directory()
    (reply,) = text(live_assistant, fresh_number(), "HELP")
    assert directory.name in reply
    assert directory.main_line.phone_display in reply
    assert sms_segments.segments(reply) <= MAX_SEGMENTS


def test_choices_come_one_per_line_and_never_alone(live_assistant):
    menu = text(live_assistant, fresh_number(), "what can you do?")[-1]
    lines = menu.splitlines()
    assert any(line.startswith("1") and "Hip kick" in line for line in lines), menu
    assert any(line.startswith("2") and "Hamstring stretch" in line for line in lines), menu

    lone = " ".join(text(live_assistant, fresh_number(), "I have a bad cough and a sore throat"))
    assert "Reply 1 for" not in lone and "1 for Book a visit" not in lone, lone


SMS_BOOKING_TURNS = [
    "I'd like to book an appointment",
    "my lower back",
    "about 3 weeks",
    "6",
    "no",
    "Ana Lopez",
    "skip",
    "20770",
    "weekday mornings",
    "yes",
]


def test_booking_over_sms_uses_the_senders_number_and_a_call_back_reuses_name_and_phone(live_assistant):
    from clinic.intake_answers import display_phone
    from clinic.request_store import RequestStore

    number = fresh_number()
    asked = [" ".join(text(live_assistant, number, message)) for message in SMS_BOOKING_TURNS]
    assert not any("phone number" in reply for reply in asked), asked
    assert f"Phone: {display_phone(number)}" in asked[-1], "the summary shows the number it will call"
    confirmation = " ".join(text(live_assistant, number, "yes"))
    booking = RequestStore(live_assistant.db_url).get(confirmation.split("reference ")[1][:9])
    assert booking is not None and (booking.contact_name, booking.contact_phone) == ("Ana Lopez", number)

    offer = " ".join(text(live_assistant, number, "can I talk to a person"))
    assert "Ana Lopez" in offer and display_phone(number) in offer and "your name" not in offer, offer
    queued = " ".join(text(live_assistant, number, "yes"))
    callback = RequestStore(live_assistant.db_url).get(queued.split("reference ")[1][:9])
    assert callback is not None and callback.kind == "callback", queued
    assert (callback.contact_name, callback.contact_phone) == ("Ana Lopez", number)
