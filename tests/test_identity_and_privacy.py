"""Who may continue a conversation, and what is reachable on the public port (issue 11, items 1-3).

Each test is an attack that worked on the servers before: a REST post
continuing an SMS patient's conversation under their phone number, a shared
"default" conversation, a forged socket.io session id, Rasa's HTTP API open
on the public port, forged calls to the action server.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import socketio
from twilio.request_validator import RequestValidator

from clinic.channels import SMS_CHANNEL
from clinic.request_store import RequestStore
from tests.live_ids import new_rest_sender

pytestmark = pytest.mark.live

SMS_PATIENT = "+13017000064"
TWILIO_WEBHOOK = "/webhooks/twilio/webhook"
ANSWER_TIMEOUT_S = 30


def http(url: str, body: object = None, method: str | None = None, headers: dict | None = None):
    """(status, parsed JSON or text, response headers) of one request; HTTP errors included."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT_S) as response:
            status, raw, response_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, response_headers = error.code, error.read(), error.headers
    try:
        return status, json.loads(raw), response_headers
    except ValueError:
        return status, raw.decode(errors="replace"), response_headers


def rest(assistant, message: str, sender: str | None = None):
    body = {"message": message} if sender is None else {"sender": sender, "message": message}
    status, replies, _ = http(assistant.rasa_url + "/webhooks/rest/webhook", body)
    return status, replies


def text_as_sms(assistant, phone: str, body: str) -> str:
    form = {
        "AccountSid": assistant.twilio_env["TWILIO_ACCOUNT_SID"],
        "From": phone,
        "To": assistant.twilio_env["TWILIO_NUMBER"],
        "Body": body,
    }
    url = assistant.rasa_url + TWILIO_WEBHOOK
    signature = RequestValidator(assistant.twilio_env["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(form).encode(), headers={"X-Twilio-Signature": signature}
    )
    with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT_S) as response:
        return response.read().decode()


def tracker_texts(assistant, sender_id: str) -> list[str]:
    """Every user message stored in the tracker database under ``sender_id``."""
    with sqlite3.connect(Path(assistant.var_dir) / "tracker.db") as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender_id,)
        ).fetchall()
    return [json.loads(data).get("text") or "" for (data,) in rows]


# ---------------------------------------------------------------------------
# REST
# ---------------------------------------------------------------------------


def test_rest_post_under_an_sms_patients_phone_number_is_refused_and_never_reaches_their_conversation(
    live_assistant,
):
    patient = "+13017000065"
    assert "<Message>" in text_as_sms(live_assistant, patient, "I'd like to book an appointment")

    status, body = rest(live_assistant, "what can you do?", sender=patient)

    assert status == 403 and "recipient_id" in body["error"]
    assert "<Message>" in text_as_sms(live_assistant, patient, "Maria Lopez")
    # Only the patient's own messages are in their conversation.
    assert tracker_texts(live_assistant, patient) == ["I'd like to book an appointment", "Maria Lopez"]


def test_rest_without_a_sender_gets_a_new_conversation_of_its_own_not_a_shared_default(live_assistant):
    status, first = rest(live_assistant, "hw do i do the hip kicks")
    assert status == 200
    mine = first[0]["recipient_id"]
    status, steps = rest(live_assistant, "one step at a time pls", sender=mine)
    assert status == 200 and "step 1 of" in steps[0]["text"]

    # Someone else, also without a sender, is not in that conversation.
    status, other = rest(live_assistant, "next")
    assert status == 200 and other[0]["recipient_id"] not in (mine, "default")
    assert not any("step 2 of" in reply.get("text", "") for reply in other)
    assert rest(live_assistant, "next", sender="default")[0] == 403
    assert tracker_texts(live_assistant, "default") == []


def test_rest_refuses_a_guessed_or_altered_conversation_id(live_assistant):
    issued = new_rest_sender(live_assistant)
    assert rest(live_assistant, "hi", sender=issued)[0] == 200
    tampered = issued[:-1] + ("0" if issued[-1] != "0" else "1")
    for forged in (tampered, issued.split(".")[0], "web-" + issued.partition("-")[2], "staff-alice"):
        assert rest(live_assistant, "hi", sender=forged)[0] == 403


def test_rest_cannot_claim_to_be_the_sms_channel(live_assistant):
    status, body, _ = http(
        live_assistant.rasa_url + "/webhooks/rest/webhook",
        {"message": "I'd like to talk to a person", "input_channel": SMS_CHANNEL},
    )
    assert status == 200
    sender = body[0]["recipient_id"]
    with sqlite3.connect(Path(live_assistant.var_dir) / "tracker.db") as db:
        channels = {
            json.loads(data).get("input_channel")
            for (data,) in db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
            )
        }
    assert channels == {"rest"}


# ---------------------------------------------------------------------------
# socket.io (the website widget)
# ---------------------------------------------------------------------------


class Widget:
    """What rasa-webchat does over socket.io: ask for a session, send, collect replies."""

    def __init__(self, assistant) -> None:
        self.client = socketio.Client(reconnection=False)
        self.confirmed: queue.Queue = queue.Queue()
        self.replies: queue.Queue = queue.Queue()
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("bot_uttered", self.replies.put)
        self.client.connect(assistant.rasa_url, socketio_path="/socket.io", transports=["polling"])

    def session(self, session_id: str | None) -> str:
        self.client.emit("session_request", {"session_id": session_id})
        return self.confirmed.get(timeout=ANSWER_TIMEOUT_S)

    def say(self, session_id: str, message: str) -> None:
        self.client.emit("user_uttered", {"session_id": session_id, "message": message})

    def answer(self) -> str:
        """The text of the replies to one message (they arrive one event each)."""
        texts = [self.replies.get(timeout=ANSWER_TIMEOUT_S).get("text") or ""]
        while True:
            try:
                texts.append(self.replies.get(timeout=1).get("text") or "")
            except queue.Empty:
                return "\n".join(texts)

    def close(self) -> None:
        self.client.disconnect()


def test_socketio_forged_session_id_is_not_honoured_and_a_reload_with_the_issued_one_continues(
    live_assistant,
):
    widget = Widget(live_assistant)
    try:
        issued = widget.session(SMS_PATIENT)
        assert issued != SMS_PATIENT and issued.startswith("web-")
        assert widget.session(None) != issued  # every new visitor gets a new id

        widget.say(issued, "hw do i do the hip kicks")
        widget.answer()
        widget.say(issued, "one step at a time pls")
        steps = widget.answer()
        assert "step 1 of" in steps and "went wrong" not in steps  # no apology after a real answer
        # A message under someone else's id (a phone number) is not processed at all.
        widget.say(SMS_PATIENT, "what can you do?")
    finally:
        widget.close()
    assert "what can you do?" not in tracker_texts(live_assistant, SMS_PATIENT)

    reloaded = Widget(live_assistant)  # the page reloads; the widget sends its stored id
    try:
        assert reloaded.session(issued) == issued
        reloaded.say(issued, "next")
        assert "step 2 of" in reloaded.answer()
    finally:
        reloaded.close()


# ---------------------------------------------------------------------------
# What listens where
# ---------------------------------------------------------------------------


def test_rasa_http_api_is_not_reachable_on_the_public_port(live_assistant):
    rasa = live_assistant.rasa_url
    rest(live_assistant, "I'd like to book an appointment")  # a conversation with slots exists
    assert http(f"{rasa}/conversations/{SMS_PATIENT}/tracker")[0] in (401, 403, 404)
    assert http(f"{rasa}/status")[0] in (401, 403, 404)
    execute = {"name": "action_submit_intake"}
    assert http(f"{rasa}/conversations/{SMS_PATIENT}/execute", execute)[0] in (401, 403, 404, 405)
    assert http(f"{rasa}/model", method="DELETE")[0] in (401, 403, 404, 405)

    status, replies = rest(live_assistant, "how do I do the hamstring stretch?")
    assert status == 200 and "heel" in replies[0]["text"]  # the model is still loaded


def test_browsers_may_call_rasa_only_from_the_sites_own_origin(live_assistant):
    url = live_assistant.rasa_url + "/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST"}
    _, _, foreign = http(url, method="OPTIONS", headers={"Origin": "https://attacker.example", **preflight})
    assert foreign.get("Access-Control-Allow-Origin") in (None, "")
    _, _, own = http(url, method="OPTIONS", headers={"Origin": live_assistant.web_url, **preflight})
    assert own.get("Access-Control-Allow-Origin") == live_assistant.web_url


def listening_addresses(port: int) -> set[str]:
    """The IPv4/IPv6 addresses a TCP socket listens on at ``port`` (Linux /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_action_server_refuses_a_forged_call_and_listens_on_loopback_only(live_assistant):
    forged_booking = {
        "next_action": "action_submit_intake",
        "sender_id": "attacker",
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "attacker",
            "slots": {"patient_name": "Forged Person", "contact_phone": "+13015550199", "consent": True},
            "latest_message": {"text": "yes", "intent": {"name": "affirm"}, "entities": []},
            "events": [],
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    before = len(RequestStore(live_assistant.db_url).list_requests())
    for headers in ({}, {"X-Action-Token": "guessed"}):
        status, _, _ = http(live_assistant.action_url + "/webhook", forged_booking, headers=headers)
        assert status == 403
    assert http(live_assistant.action_url + "/actions")[0] == 403
    assert len(RequestStore(live_assistant.db_url).list_requests()) == before

    port = int(live_assistant.action_url.rsplit(":", 1)[1])
    # 0100007F is 127.0.0.1 in /proc/net/tcp's byte order; 0.0.0.0 would be 00000000.
    assert listening_addresses(port) == {"0100007F"}


def test_a_conversation_id_is_never_reused_across_new_visitors(live_assistant):
    ids = {rest(live_assistant, "hi")[1][0]["recipient_id"] for _ in range(5)}
    assert len(ids) == 5 and all(i.startswith("rest-") for i in ids)
