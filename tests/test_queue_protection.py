"""The urgent queue cannot be flooded from one conversation (issue 11, item 9).

One urgent record per red-flag episode: later red-flag messages of the same
conversation session go on that record. New records (bookings, call-backs,
urgent records) are limited per sender; over the limit the patient is given
the clinic's number instead, and the emergency advice is never withheld.
"""

from __future__ import annotations

import re

import pytest

from clinic.directory import load_directory
from clinic.request_store import DEFAULT_NEW_REQUESTS_PER_DAY
from tests.fault_injection import stored_requests
from tests.live_ids import new_rest_sender
from tests.test_live_rest import BOOKING_TURNS, say

pytestmark = pytest.mark.live

RED_FLAG = "I've lost control of my bladder since yesterday and my back hurts"


def text_of(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def references_in(reply: str) -> set[str]:
    return set(re.findall(r"PT-[A-Z0-9]{6}", reply))


def test_the_same_red_flag_five_times_makes_one_urgent_record(live_assistant):
    sender = new_rest_sender(live_assistant)
    mentioned: set[str] = set()
    for _ in range(5):
        mentioned |= references_in(text_of(say(live_assistant, sender, RED_FLAG)))

    rows = stored_requests(live_assistant.db_url, sender)
    assert [(row.kind, row.urgency) for row in rows] == [("urgent", "emergency")]
    assert mentioned == {rows[0].reference}
    assert "lost control of my bladder" in rows[0].answers


def test_a_sender_over_the_limit_gets_the_clinic_number_and_no_new_record(live_assistant):
    sender = new_rest_sender(live_assistant)
    for _ in range(DEFAULT_NEW_REQUESTS_PER_DAY):
        say(live_assistant, sender, "/restart")  # a new conversation: a new red-flag episode
        assert references_in(text_of(say(live_assistant, sender, RED_FLAG)))
    say(live_assistant, sender, "/restart")
    for message, expected in BOOKING_TURNS:
        reply = text_of(say(live_assistant, sender, message))
        assert expected in reply, f"after {message!r}: {reply!r}"

    refused = text_of(say(live_assistant, sender, "yes"))

    assert "several requests today" in refused and "(301) 555-0142" in refused  # Greenbelt's number
    assert not references_in(refused)
    say(live_assistant, sender, "/restart")
    advice = text_of(say(live_assistant, sender, RED_FLAG))
    assert "911" in advice and load_directory().main_line.phone_display in advice
    assert not references_in(advice)
    assert len(stored_requests(live_assistant.db_url, sender)) == DEFAULT_NEW_REQUESTS_PER_DAY
