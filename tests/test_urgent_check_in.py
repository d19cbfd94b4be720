"""Urgent and emergency records staff can act on: after the advice, a name and phone.

The advice comes first and whole; the question follows it once, and what the
person sends goes on the stored record beside their own words.
"""

from __future__ import annotations

import itertools

import pytest

from clinic.request_store import RequestStore
from tests.live_ids import new_rest_sender
from tests.test_live_rest import say
from tests.test_twilio_channel import text

pytestmark = pytest.mark.live

EMERGENCY = "I've lost control of my bladder since yesterday and my back hurts"
_numbers = itertools.count(60)


def reference_in(reply: str) -> str:
    return reply.split("reference ")[1][:9]


def test_an_urgent_record_over_rest_gets_the_name_and_phone_after_the_advice(live_assistant):
    sender = new_rest_sender(live_assistant)
    replies = [r.get("text", "") for r in say(live_assistant, sender, EMERGENCY)]
    assert "911" in replies[0], "the advice comes first"
    assert "name and phone number" in replies[-1] and "911" not in replies[-1], replies
    reference = reference_in("\n".join(replies))

    thanks = " ".join(r.get("text", "") for r in say(live_assistant, sender, "Ana Lopez, 301-555-0142"))
    assert "Ana Lopez" in thanks and reference in thanks, thanks
    assert "didn't quite catch" not in thanks, "the answer is taken, not also missed"
    stored = RequestStore(live_assistant.db_url).get(reference)
    assert stored is not None and stored.kind == "urgent"
    assert (stored.contact_name, stored.contact_phone) == ("Ana Lopez", "+13015550142")
    assert "lost control of my bladder" in stored.answers["message"], "the patient's own words"

    again = [r.get("text", "") for r in say(live_assistant, sender, "I still can't control my bladder")]
    assert not any("name and phone" in reply for reply in again), "asked once"


def test_the_question_can_be_ignored(live_assistant):
    sender = new_rest_sender(live_assistant)
    say(live_assistant, sender, EMERGENCY)
    answer = " ".join(r.get("text", "") for r in say(live_assistant, sender, "where is the nearest clinic?"))
    assert "ZIP" in answer or "clinic" in answer.lower(), answer


def test_on_sms_only_the_name_is_asked_and_the_number_is_the_senders(live_assistant):
    number = f"+130155501{next(_numbers):02d}"
    parts = text(live_assistant, number, EMERGENCY)
    assert "911" in parts[0]
    assert "your name" in parts[-1] and "phone number" not in parts[-1], parts
    reference = reference_in(" ".join(parts))

    thanks = " ".join(text(live_assistant, number, "Ana Lopez"))
    assert "Ana Lopez" in thanks and "didn't quite catch" not in thanks, thanks
    stored = RequestStore(live_assistant.db_url).get(reference)
    assert stored is not None and (stored.contact_name, stored.contact_phone) == ("Ana Lopez", number)
