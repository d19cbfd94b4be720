"""The SMS channel as Twilio uses it: signed form posts to the real Rasa server, TwiML back."""

from __future__ import annotations

import itertools
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from channels.sms_render import MAX_SMS_SEGMENTS
from clinic import sms_segments
from clinic.content import get_content
from clinic.directory import load_directory
from clinic.red_flags import EMERGENCY
from clinic.sms_state import SmsState
from clinic.triage import default_triage
from tests.test_real_messages import first_sentence

pytestmark = pytest.mark.live

WEBHOOK = "/webhooks/twilio/webhook"
HAMSTRING_QUESTION = "how do I do the hamstring stretch?"
_numbers = itertools.count(20)


def fresh_number() -> str:
    """A fictional 555-01xx number per test, so opt-outs and choices stay apart."""
    return f"+130155501{next(_numbers):02d}"


def twilio_form(assistant, sender: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an incoming SMS (the ones the channel reads, and more)."""
    return {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": assistant.twilio_env["TWILIO_ACCOUNT_SID"],
        "From": sender,
        "To": assistant.twilio_env["TWILIO_NUMBER"],
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }


def post(
    assistant,
    form: dict[str, str],
    signature: str | None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    request = urllib.request.Request(
        assistant.rasa_url + WEBHOOK,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
    )
    if signature is not None:
        request.add_header("X-Twilio-Signature", signature)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def sign(assistant, form: dict[str, str], url: str | None = None, token: str | None = None) -> str:
    validator = RequestValidator(token or assistant.twilio_env["TWILIO_AUTH_TOKEN"])
    return validator.compute_signature(url or assistant.rasa_url + WEBHOOK, form)


def twiml_messages(xml: str) -> list[str]:
    root = ElementTree.fromstring(xml)
    assert root.tag == "Response"
    assert all(child.tag == "Message" for child in root)
    return [message.text or "" for message in root]


def text(assistant, sender: str, body: str) -> list[str]:
    """Send an SMS the way Twilio does and return the SMS replies."""
    form = twilio_form(assistant, sender, body)
    status, xml = post(assistant, form, sign(assistant, form))
    assert status == 200, xml
    return twiml_messages(xml)


def test_a_signed_question_is_answered_in_twiml_in_parts_that_fit_an_sms(live_assistant):
    parts = text(live_assistant, fresh_number(), HAMSTRING_QUESTION)

    content = get_content()
    assert parts and all(sms_segments.segments(part) <= MAX_SMS_SEGMENTS for part in parts)
    assert content.exercises["seated_hamstring_stretch"].steps[0] in " ".join(parts)
    assert parts[-1].endswith(content.disclaimer)


def test_a_request_without_a_signature_is_refused(live_assistant):
    status, _ = post(live_assistant, twilio_form(live_assistant, fresh_number(), "hi"), None)
    assert status == 403


def test_a_request_signed_with_another_token_is_refused(live_assistant):
    form = twilio_form(live_assistant, fresh_number(), "hi")
    status, _ = post(live_assistant, form, sign(live_assistant, form, token="someone-elses-token"))
    assert status == 403


def test_a_request_changed_after_signing_is_refused(live_assistant):
    form = twilio_form(live_assistant, fresh_number(), "hi")
    signature = sign(live_assistant, form)
    status, _ = post(live_assistant, {**form, "Body": "STOP"}, signature)
    assert status == 403


def test_the_signature_is_checked_against_the_url_in_front_of_the_proxy(live_assistant):
    form = twilio_form(live_assistant, fresh_number(), "hi")
    public = "https://clinic.example.org" + WEBHOOK
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "clinic.example.org"}

    status, xml = post(live_assistant, form, sign(live_assistant, form, url=public), forwarded)
    assert status == 200 and twiml_messages(xml)
    status, _ = post(live_assistant, form, sign(live_assistant, form, url=public))
    assert status == 403


def test_a_message_to_another_number_is_refused(live_assistant):
    form = {**twilio_form(live_assistant, fresh_number(), "hi"), "To": "+13015550198"}
    status, _ = post(live_assistant, form, sign(live_assistant, form))
    assert status == 403


def test_stop_silences_the_number_until_start(live_assistant):
    number = fresh_number()
    main_line = load_directory().main_line

    assert "unsubscribed" in text(live_assistant, number, "STOP")[0]
    assert SmsState(live_assistant.db_url).is_opted_out(number)
    assert text(live_assistant, number, HAMSTRING_QUESTION) == []

    (help_reply,) = text(live_assistant, number, "HELP")
    assert main_line.name in help_reply and main_line.phone_display in help_reply

    assert "subscribed again" in text(live_assistant, number, "start")[0]
    assert "chair" in " ".join(text(live_assistant, number, HAMSTRING_QUESTION))


def test_a_sentence_containing_a_keyword_is_not_an_opt_out(live_assistant):
    number = fresh_number()
    text(live_assistant, number, "please stop sending me exercises")
    assert not SmsState(live_assistant.db_url).is_opted_out(number)


def test_numbered_options_are_answered_by_number(live_assistant):
    number = fresh_number()
    offer = text(live_assistant, number, "what can you do?")
    choice = re.search(r"^(\d+) Hamstring stretch$", offer[-1], re.MULTILINE)
    assert choice, offer

    answer = " ".join(text(live_assistant, number, choice.group(1)))
    assert "chair" in answer and get_content().disclaimer in answer


def test_a_long_sms_conversation_is_read_up_to_the_limit_with_a_note(live_assistant):
    from clinic.message_limits import LONG_MESSAGE_NOTE

    story = "my back has been stiff for years. " * 200
    parts = text(live_assistant, fresh_number(), story)
    note_words = LONG_MESSAGE_NOTE.split()
    assert " ".join(parts).split()[-len(note_words) :] == note_words
    assert len(" ".join(parts).split()) > len(note_words), "the answer itself comes before the note"


@pytest.mark.parametrize(
    "body",
    [
        "bad chest pian and my arm feels heavy",
        "i cant brethe properly",
        "i want to kill myslef",
        "back went again and both legs have gone numb",
    ],
)
def test_a_misspelled_or_loosely_worded_emergency_texted_in_is_told_to_call_911(live_assistant, body):
    parts = text(live_assistant, fresh_number(), body)
    assert "call 911" in " ".join(parts)
    assert first_sentence(default_triage().rules.advice[EMERGENCY]) in " ".join(parts)
