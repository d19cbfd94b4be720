"""Asks the assistant a question over Rasa's REST channel, on behalf of a staff member."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from console.spoken import script_lines

TIMEOUT_SECONDS = 30


class AssistantUnavailable(RuntimeError):
    """Rasa did not answer, or answered with an error."""


def ask_assistant(rasa_url: str, sender_id: str, question: str) -> list[str]:
    """The assistant's replies to ``question`` as lines to read to a caller, one per message.

    Each staff member is one ``sender_id``, so follow-ups ("next step") keep context.
    """
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender_id, "message": question}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            messages = json.loads(response.read())
    except (OSError, ValueError) as exc:  # URLError, HTTPError and timeouts are OSErrors
        raise AssistantUnavailable(f"no answer from the assistant ({type(exc).__name__})") from exc
    return script_lines(messages)
