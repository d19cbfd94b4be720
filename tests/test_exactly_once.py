"""A booking is stored once and an SMS is processed once, even when a turn is replayed (issue 11, item 4).

Through the real servers: the turn in which the booking was committed is not
saved (the tracker store fails, its SQLite file write-locked then; or Rasa is
killed while it waits to save), so the conversation is still at "Shall I send
it?" and the patient, asked again, says "yes" again; and a validly signed
Twilio request is posted twice.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from clinic.migrate import upgrade
from scripts.sms_stand_ins import TEST_SMS_ENV
from scripts.supervisor import running_assistant, start
from tests.fault_injection import stored_requests, write_locked
from tests.live_ids import new_rest_sender
from tests.test_live_rest import BOOKING_TURNS, say
from tests.test_twilio_channel import post, sign, text, twilio_form, twiml_messages

pytestmark = pytest.mark.live

# A fictional number of its own (the SMS tests count theirs up from 555-0120).
REPLAY_NUMBER = "+12025550147"


def text_of(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def reference_in(reply: str) -> str:
    match = re.search(r"reference (PT-[A-Z0-9]{6})", reply)
    assert match, f"no reference in {reply!r}"
    return match.group(1)


def test_a_booking_is_stored_once_when_the_conversation_is_not_saved_after_it(live_assistant):
    sender = new_rest_sender(live_assistant)
    for message, expected in BOOKING_TURNS:
        reply = text_of(say(live_assistant, sender, message))
        assert expected in reply, f"after {message!r}: {reply!r}"
    with write_locked(live_assistant.var_dir / "tracker.db"):
        reference = reference_in(text_of(say(live_assistant, sender, "yes")))

    again = text_of(say(live_assistant, sender, "yes"))  # the conversation went back to "Shall I send it?"

    assert "same request" in again and reference_in(again) == reference
    assert [row.reference for row in stored_requests(live_assistant.db_url, sender)] == [reference]


@pytest.fixture(scope="module")
def restartable_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory):
    """Every server on free ports for this module alone, with ``restart_rasa()``:
    a test here kills the Rasa server."""
    var_dir = tmp_path_factory.mktemp("restart-var")
    db_url = f"sqlite:///{var_dir / 'requests.db'}"
    upgrade(db_url)
    env = {"CLINIC_DB_URL": db_url, **TEST_SMS_ENV}
    with (
        (var_dir / "servers.log").open("w") as log,
        running_assistant(trained_model, var_dir, log, extra_env=env) as assistant,
    ):

        def restart_rasa() -> None:
            ports = {name: int(urlsplit(url).port or 0) for name, url in assistant.urls.items()}
            rasa = start(trained_model, ports, var_dir, log, extra_env=env, only=["rasa"])
            assistant.processes[list(assistant.urls).index("rasa")] = rasa.processes[
                0
            ]  # stopped with the rest

        assistant.var_dir, assistant.db_url, assistant.restart_rasa = var_dir, db_url, restart_rasa
        yield assistant


def test_a_booking_is_stored_once_when_rasa_is_killed_before_saving_the_conversation(restartable_assistant):
    assistant = restartable_assistant
    sender = new_rest_sender(assistant)
    for message, expected in BOOKING_TURNS:
        assert expected in text_of(say(assistant, sender, message))
    # Rasa cannot save the turn while the tracker database is locked: the window to kill it in.
    with write_locked(assistant.var_dir / "tracker.db"):
        answering = threading.Thread(target=lambda: _ignore_errors(say, assistant, sender, "yes"))
        answering.start()
        deadline = time.monotonic() + 30
        while not stored_requests(assistant.db_url, sender) and time.monotonic() < deadline:
            time.sleep(0.05)
        [committed] = stored_requests(assistant.db_url, sender)
        rasa = assistant.processes[list(assistant.urls).index("rasa")]
        os.killpg(rasa.pid, signal.SIGKILL)
        rasa.wait()
        answering.join()
    assistant.restart_rasa()

    again = text_of(say(assistant, sender, "yes"))

    assert "same request" in again and reference_in(again) == committed.reference
    assert len(stored_requests(assistant.db_url, sender)) == 1


def _ignore_errors(call, *args) -> None:
    with contextlib.suppress(Exception):  # the server is killed mid-answer
        call(*args)


def test_a_replayed_twilio_message_is_answered_once(live_assistant):
    number = REPLAY_NUMBER
    assert "brings you in" in " ".join(text(live_assistant, number, "I'd like to book an appointment"))
    form = twilio_form(live_assistant, number, "my lower back")
    signature = sign(live_assistant, form)

    status, first = post(live_assistant, form, signature)
    replay_status, replay = post(live_assistant, form, signature)

    assert (status, replay_status) == (200, 200)
    assert "How long" in " ".join(twiml_messages(first))
    assert twiml_messages(replay) == []
    # Processed twice, "my lower back" would also have answered "how long", and
    # "about 3 weeks" the pain question: it is still the answer to "how long".
    assert "0 to 10" in " ".join(text(live_assistant, number, "about 3 weeks"))
