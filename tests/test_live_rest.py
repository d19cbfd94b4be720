"""The real servers, asked over Rasa's REST channel as a website would."""

from __future__ import annotations

import json
import urllib.request

import pytest

from clinic.content import get_content
from tests.live_ids import new_rest_sender

pytestmark = pytest.mark.live


def say(assistant, sender: str, text: str):
    request = urllib.request.Request(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_hamstring_stretch_over_rest(live_assistant):
    replies = say(live_assistant, new_rest_sender(live_assistant), "how do I do the hamstring stretch?")
    text = "\n".join(r.get("text", "") for r in replies)
    for fact in ("heel", "30 seconds", "3 times", get_content().disclaimer):
        assert fact in text


def test_sms_style_follow_ups_keep_context(live_assistant):
    sender = new_rest_sender(live_assistant)
    say(live_assistant, sender, "hw do i do the hip kicks")
    first = say(live_assistant, sender, "one step at a time pls")[0]["text"]
    second = say(live_assistant, sender, "next")[0]["text"]
    assert "step 1 of" in first and "step 2 of" in second
    assert "both hands" in first.lower() or "kitchen counter" in first


def test_nonsense_is_not_answered_with_an_exercise(live_assistant):
    text = say(live_assistant, new_rest_sender(live_assistant), "what's the weather in annapolis tomorrow")[
        0
    ]["text"]
    assert get_content().disclaimer not in text
    assert "outside what I can help with" in text or "didn't quite catch" in text


BOOKING_TURNS = [
    ("I'd like to book an appointment", "Let's book your visit. First, what brings you in"),
    ("my lower back", "How long"),
    ("about 3 weeks", "0 to 10"),
    ("6", "safety question"),
    ("no", "full name"),
    ("Ana Lopez", "phone number"),
    ("why do you need my phone?", "only used for this request"),
    ("(301) 555-0142", "email"),
    ("skip", "Which clinic"),
    ("20770", "Which days and times"),
    ("weekday mornings", "store your answers"),
    ("yes", "Shall I send it"),
]


def test_booking_request_is_stored_before_it_is_confirmed(live_assistant):
    from clinic.request_store import RequestStore

    sender = new_rest_sender(live_assistant)
    for message, expected in BOOKING_TURNS:
        text = "\n".join(r.get("text", "") for r in say(live_assistant, sender, message))
        assert expected in text, f"after {message!r}: {text!r}"
    confirmation = say(live_assistant, sender, "yes")[0]["text"]
    reference = confirmation.split("reference ")[1].split(".")[0]
    stored = RequestStore(live_assistant.db_url).get(reference)
    assert stored is not None and stored.sender_id == sender
    assert (stored.kind, stored.clinic_id, stored.contact_phone) == ("booking", "greenbelt", "+13015550142")
    assert stored.answers["pain_level"] == 6 and stored.answers["body_area"] == "back"
    assert stored.channel == "rest" and stored.status == "new"


def test_red_flag_mid_form_sends_to_emergency_and_stores_an_urgent_record(live_assistant):
    from clinic.request_store import RequestStore

    sender = new_rest_sender(live_assistant)
    say(live_assistant, sender, "can I schedule a visit")
    text = "\n".join(
        r.get("text", "") for r in say(live_assistant, sender, "I can't feel my legs since this morning")
    )
    assert "911" in text
    reference = text.split("reference ")[1].split(")")[0]
    stored = RequestStore(live_assistant.db_url).get(reference)
    assert (stored.kind, stored.urgency) == ("urgent", "emergency") and stored.sender_id == sender
    blocked = say(live_assistant, sender, "how do I do the hip kick")[0]["text"]
    assert get_content().disclaimer not in blocked and "911" in blocked


def test_a_huge_message_is_read_up_to_the_limit_and_says_so(live_assistant):
    """A 200 kB post is answered from its first 2,000 characters, and then a note says
    so; what comes after the limit (here a red-flag phrase) is not read."""
    from clinic.message_limits import LONG_MESSAGE_NOTE, MAX_MESSAGE_CHARS

    opening = "how do I do the hamstring stretch? "
    filler = "my lower back has been stiff for a few years. " * (MAX_MESSAGE_CHARS // 40)
    message = opening + filler + "i cant control my bladder " + "x" * 200_000
    replies = say(live_assistant, new_rest_sender(live_assistant), message)
    texts = [r.get("text", "") for r in replies]
    assert texts[-1] == LONG_MESSAGE_NOTE
    assert len(texts) >= 2 and "911" not in "\n".join(texts)


def test_a_message_within_the_limit_gets_no_note(live_assistant):
    from clinic.message_limits import LONG_MESSAGE_NOTE

    replies = say(live_assistant, new_rest_sender(live_assistant), "how do I do the hamstring stretch?")
    assert LONG_MESSAGE_NOTE not in [r.get("text") for r in replies]


def _stored_user_texts(assistant, sender: str) -> list[str]:
    """The patient's messages in the tracker database, as the front desk's transcript reads them."""
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{assistant.var_dir / 'tracker.db'}", future=True)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
            {"s": sender},
        )
        texts = [json.loads(data)["text"] for (data,) in rows]
    engine.dispose()
    return texts


def test_a_new_session_stores_each_message_once(live_assistant):
    """A patient who writes again after the session expired (an SMS patient the next morning)
    starts a new session on the same conversation; ``/session_start`` starts one now."""
    sender = new_rest_sender(live_assistant)
    messages = ["how do I do the hamstring stretch?", "/session_start", "what about hip kicks", "thanks"]
    for message in messages:
        say(live_assistant, sender, message)
    assert _stored_user_texts(live_assistant, sender) == messages
