"""The real servers, asked over Rasa's REST channel as a website would."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from actions.content import get_content

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
    replies = say(live_assistant, f"web-{uuid.uuid4()}", "how do I do the hamstring stretch?")
    text = "\n".join(r.get("text", "") for r in replies)
    for fact in ("heel", "30 seconds", "3 times", get_content().disclaimer):
        assert fact in text


def test_sms_style_follow_ups_keep_context(live_assistant):
    sender = f"sms-{uuid.uuid4()}"
    say(live_assistant, sender, "hw do i do the hip kicks")
    first = say(live_assistant, sender, "one step at a time pls")[0]["text"]
    second = say(live_assistant, sender, "next")[0]["text"]
    assert "step 1 of" in first and "step 2 of" in second
    assert "both hands" in first.lower() or "kitchen counter" in first


def test_nonsense_is_not_answered_with_an_exercise(live_assistant):
    text = say(live_assistant, f"web-{uuid.uuid4()}", "what's the weather in annapolis tomorrow")[0]["text"]
    assert get_content().disclaimer not in text
    assert "outside what I can help with" in text or "didn't quite catch" in text
