"""Hostile input against every public endpoint of the running servers (issue 11): random and
malformed JSON and form bodies, paths and query strings. None may answer 500, every server
must still answer afterwards, and the stored requests must be unchanged.

Bounded: a fixed number of examples per endpoint (about 30 s in all), no example database.
Before issue 11, a JSON array or a non-text "message" posted to the REST channel got a 500.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from clinic.request_store import RequestStore
from tests.live_ids import new_rest_sender

pytestmark = pytest.mark.live

TIMEOUT_S = 30
FAST = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI must not fail by chance
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLOW = settings(FAST, max_examples=12)  # each example is a whole dialogue turn
HEADER_CHARS = st.characters(min_codepoint=33, max_codepoint=126)  # what a client can send in a header

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
hostile_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["", " ", "\x00", "default", "+13015550100", "../../etc/passwd", "%s%n", "{{7*7}}", "A" * 3000]
    ),
)
rest_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"message": json_values | hostile_text},
        optional={
            "sender": json_values | hostile_text,
            "metadata": json_values,
            "input_channel": json_values | hostile_text,
        },
    ),
)
form_fields = st.dictionaries(
    st.sampled_from(["From", "To", "Body", "AccountSid", "MessageSid", "NumMedia"]) | st.text(max_size=8),
    hostile_text,
    max_size=6,
)


def send(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def not_a_server_error(status: int) -> None:
    assert status < 500, f"server error {status}"


@pytest.fixture(scope="module")
def stored_before(live_assistant):
    return {r.reference: r for r in RequestStore(live_assistant.db_url).list_requests()}


def test_rest_webhook_survives_hostile_json(live_assistant, stored_before):
    url = live_assistant.rasa_url + "/webhooks/rest/webhook"

    @FAST
    @given(body=rest_bodies)
    def malformed(body):
        not_a_server_error(send(url, json.dumps(body).encode(), {"Content-Type": "application/json"}))

    @FAST
    @given(raw=st.binary(max_size=200), content_type=st.sampled_from(["application/json", "text/plain", ""]))
    def not_json(raw, content_type):
        not_a_server_error(send(url, raw, {"Content-Type": content_type}))

    sender = new_rest_sender(live_assistant)

    @SLOW
    @given(message=hostile_text)
    def well_formed(message):
        body = json.dumps({"sender": sender, "message": message}).encode()
        not_a_server_error(send(url, body, {"Content-Type": "application/json"}))

    malformed()
    not_json()
    well_formed()


def test_twilio_webhook_survives_hostile_forms_signed_or_not(live_assistant, stored_before):
    url = live_assistant.rasa_url + "/webhooks/twilio/webhook"
    validator = RequestValidator(live_assistant.twilio_env["TWILIO_AUTH_TOKEN"])
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}

    @FAST
    # Any signature an HTTP client can put in a header: visible ASCII.
    @given(form=form_fields, signature=st.none() | st.text(alphabet=HEADER_CHARS, max_size=30))
    def unsigned(form, signature):
        headers = {**form_type, **({"X-Twilio-Signature": signature} if signature else {})}
        status = send(url, urllib.parse.urlencode(form).encode(), headers)
        assert status in (400, 403), status

    @SLOW
    @given(form=form_fields, body=hostile_text)
    def signed(form, body):
        form = {
            **form,
            "AccountSid": live_assistant.twilio_env["TWILIO_ACCOUNT_SID"],
            "To": live_assistant.twilio_env["TWILIO_NUMBER"],
            "From": "+13015550166",
            "Body": body,
        }
        headers = {**form_type, "X-Twilio-Signature": validator.compute_signature(url, form)}
        not_a_server_error(send(url, urllib.parse.urlencode(form).encode(), headers))

    unsigned()
    signed()


def test_socketio_handshake_survives_hostile_queries(live_assistant, stored_before):
    base = live_assistant.rasa_url + "/socket.io/"

    @FAST
    @given(
        query=st.dictionaries(
            st.sampled_from(["EIO", "transport", "sid", "t", "b64"]) | st.text(max_size=6),
            hostile_text,
            max_size=4,
        ),
        method=st.sampled_from(["GET", "POST"]),
        body=st.binary(max_size=100),
    )
    def handshake(query, method, body):
        not_a_server_error(
            send(base + "?" + urllib.parse.urlencode(query), body if method == "POST" else None)
        )

    handshake()


def test_web_pages_survive_hostile_paths(live_assistant, stored_before):
    @FAST
    @given(
        path=st.one_of(
            st.text(alphabet=HEADER_CHARS, max_size=40),
            st.sampled_from(["exercises/../../etc/passwd", "exercises/%2e%2e/%2e%2e/", "exercises//", "%00"]),
        )
    )
    def page(path):
        quoted = urllib.parse.quote(path, safe="/%?=&")
        not_a_server_error(send(f"{live_assistant.web_url}/{quoted}"))

    page()


def test_console_login_survives_hostile_forms(live_assistant, stored_before):
    login = live_assistant.console_url + "login"
    page = urllib.request.urlopen(login, timeout=TIMEOUT_S)
    cookie = page.headers.get("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.read().decode())

    @FAST
    @given(
        form=st.dictionaries(
            st.sampled_from(["username", "password", "csrf_token"]) | st.text(max_size=8), hostile_text
        )
    )
    def post(form):
        if token and "csrf_token" not in form:
            form = {**form, "csrf_token": token.group(1)}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        not_a_server_error(send(login, urllib.parse.urlencode(form).encode(), headers))

    post()


def test_after_the_fuzzing_every_server_answers_and_stored_requests_are_intact(live_assistant, stored_before):
    request = urllib.request.Request(
        live_assistant.rasa_url + "/webhooks/rest/webhook",
        data=json.dumps({"message": "how do I do the hamstring stretch?"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        assert "heel" in json.loads(response.read())[0]["text"]
    assert send(live_assistant.web_url + "/config.js") == 200
    assert send(live_assistant.console_url + "login") == 200
    after = {r.reference: r for r in RequestStore(live_assistant.db_url).list_requests()}
    assert {ref: after.get(ref) for ref in stored_before} == stored_before
