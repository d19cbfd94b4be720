"""While the action server is down, patients get an apology with the clinic's number, not silence
(issue 11, item 6): before, Rasa answered an empty list on REST, an empty TwiML on SMS and
nothing at all on socket.io."""

from __future__ import annotations

import json
import queue
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
import socketio
from twilio.request_validator import RequestValidator

from clinic.directory import load_directory
from tests.live_ids import new_rest_sender

pytestmark = pytest.mark.live

QUESTION = "how do I do the hamstring stretch?"  # answered by a custom action
TIMEOUT_S = 30


@pytest.fixture(scope="module")
def assistant_without_actions(trained_model, tmp_path_factory) -> Iterator:
    """The action and Rasa servers on free ports, then the action server killed."""
    from clinic.migrate import upgrade
    from scripts.sms_stand_ins import TEST_SMS_ENV
    from scripts.supervisor import running_assistant

    var_dir = tmp_path_factory.mktemp("actions-down")
    db_url = f"sqlite:///{var_dir / 'requests.db'}"
    upgrade(db_url)
    with (
        (var_dir / "servers.log").open("w") as log,
        running_assistant(
            trained_model,
            var_dir,
            log,
            extra_env={"CLINIC_DB_URL": db_url, **TEST_SMS_ENV},
            only=("actions", "rasa"),
        ) as assistant,
    ):
        actions = assistant.processes[list(assistant.started).index("actions")]
        actions.kill()
        actions.wait(TIMEOUT_S)
        assistant.var_dir = var_dir
        assistant.twilio_env = TEST_SMS_ENV
        yield assistant


def apology_parts() -> tuple[str, str]:
    return "Sorry", load_directory().main_line.phone_display


def test_rest_patient_gets_an_apology_with_the_main_line_when_the_action_server_is_down(
    assistant_without_actions,
):
    request = urllib.request.Request(
        assistant_without_actions.rasa_url + "/webhooks/rest/webhook",
        data=json.dumps({"sender": new_rest_sender(assistant_without_actions), "message": QUESTION}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        text = "\n".join(reply.get("text") or "" for reply in json.loads(response.read()))
    assert all(part in text for part in apology_parts())


def test_sms_patient_gets_an_apology_with_the_main_line_when_the_action_server_is_down(
    assistant_without_actions,
):
    env = assistant_without_actions.twilio_env
    form = {"AccountSid": env["TWILIO_ACCOUNT_SID"], "From": "+13015550177", "To": env["TWILIO_NUMBER"]}
    form["Body"] = QUESTION
    url = assistant_without_actions.rasa_url + "/webhooks/twilio/webhook"
    signature = RequestValidator(env["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(form).encode(), headers={"X-Twilio-Signature": signature}
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        twiml = response.read().decode()
    assert all(part in twiml for part in apology_parts())


def test_website_widget_gets_an_apology_with_the_main_line_when_the_action_server_is_down(
    assistant_without_actions,
):
    client = socketio.Client(reconnection=False)
    confirmed: queue.Queue = queue.Queue()
    replies: queue.Queue = queue.Queue()
    client.on("session_confirm", confirmed.put)
    client.on("bot_uttered", replies.put)
    client.connect(assistant_without_actions.rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        client.emit("session_request", {"session_id": None})
        session_id = confirmed.get(timeout=TIMEOUT_S)
        client.emit("user_uttered", {"session_id": session_id, "message": QUESTION})
        text = replies.get(timeout=TIMEOUT_S).get("text") or ""
    finally:
        client.disconnect()
    assert all(part in text for part in apology_parts())


def test_blank_messages_and_rasas_silent_commands_get_no_apology(assistant_without_actions):
    for message in ("", "   ", "/restart", "/session_start"):
        request = urllib.request.Request(
            assistant_without_actions.rasa_url + "/webhooks/rest/webhook",
            data=json.dumps({"message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            assert json.loads(response.read()) == [], message
