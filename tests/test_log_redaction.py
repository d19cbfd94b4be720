"""No exception or debug line puts a patient's name, phone, email or messages into the servers' logs."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import pytest
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError

from clinic.log_redaction import RedactingFilter
from tests.conftest import REPO

NAME, PHONE, EMAIL = "Ana Ruiz", "+13017000064", "ana.ruiz@example.com"
MESSAGE = "my lower back hurts since I lifted boxes"


def _action_server_500_body() -> bytes:
    """What rasa_sdk's exception handler answers: the error and the whole action call."""
    slots = {"contact_name": NAME, "contact_phone": PHONE, "contact_email": EMAIL, "pain_level": 7.0}
    tracker = {
        "sender_id": PHONE,
        "slots": slots,
        "latest_message": {"text": MESSAGE, "intent": {"name": "inform"}},
        "events": [{"event": "user", "text": text} for text in (MESSAGE, NAME, PHONE)],
    }
    call = {"next_action": "validate_intake_form", "sender_id": PHONE, "tracker": tracker, "domain": {}}
    return json.dumps({"error": "'float' object has no attribute 'lower'", "request_body": call}).encode()


def _logged(logger_name: str, log: callable) -> str:
    """What a handler with the filter writes for the records ``log`` emits on ``logger_name``."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s - %(message)s"))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        log(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def _assert_no_patient_data(text: str) -> None:
    for secret in (NAME, "Ruiz", PHONE, "3017000064", EMAIL, MESSAGE):
        assert secret not in text


def test_failed_custom_action_logs_no_tracker(tmp_path):
    """Rasa's processor logs the action server's 500 body (the tracker) in the chained traceback."""

    def log(logger: logging.Logger) -> None:
        try:
            try:
                raise ClientResponseError(500, "Internal Server Error", _action_server_500_body())
            except ClientResponseError as e:
                raise RasaException("Failed to execute custom action 'validate_intake_form'") from e
        except RasaException:
            logger.exception(
                "Encountered an exception while running action 'validate_intake_form'."
                "Bot will continue, but the actions events are lost. "
            )

    text = _logged("rasa.core.processor", log)
    _assert_no_patient_data(text)
    assert "Encountered an exception while running action 'validate_intake_form'" in text
    assert "ClientResponseError: 500, Internal Server Error, body='[redacted]'" in text
    assert len(text) < 3000  # the traceback is kept, the 55 kB dump is not


@pytest.mark.parametrize(
    "message,args",
    [
        ("Received user message '%s' with intent '{'name': 'inform'}'", (MESSAGE,)),
        ("Current slot values: \n\tcontact_name: %s\n\tcontact_phone: %s\n\tpain_level: 7.0", (NAME, PHONE)),
        ("Validating extracted slots: {'contact_name': '%s', 'contact_email': '%s'}", (NAME, EMAIL)),
        ("[SlotSet(key: contact_name, value: %s), SlotSet(key: contact_phone, value: %s)]", (NAME, PHONE)),
        ("An exception occured while handling user message '%s'.", (MESSAGE,)),
        ("Exception occurred during execution of request %s", (json.dumps({"tracker": {"slots": NAME}}),)),
        (
            "(sqlite3.OperationalError) database is locked\n[SQL: INSERT INTO events (data) VALUES (?)]"
            "\n[parameters: ('%s',)]",
            (json.dumps({"event": "user", "text": MESSAGE}),),
        ),
    ],
)
def test_debug_and_error_lines_keep_their_shape_but_lose_the_values(message, args):
    text = _logged("rasa.core.processor", lambda logger: logger.debug(message, *args))
    _assert_no_patient_data(text)
    assert "[redacted]" in text


ACTION_SERVER = "import actions  # what `python -m rasa_sdk --actions actions` imports\n"
RASA_SERVER = (
    "from unittest import mock\n"
    "import scripts.rasa_server as rasa_server\n"
    "with mock.patch('rasa.__main__.main'):\n"
    "    rasa_server.main()\n"
)


@pytest.mark.parametrize("start", [ACTION_SERVER, RASA_SERVER], ids=["action server", "rasa server"])
def test_each_server_redacts_every_logger(start):
    script = (
        "import logging, sys\n"
        "logging.basicConfig(stream=sys.stdout, level=logging.INFO)\n"
        f"{start}"
        f"logging.getLogger('sanic.error').error('Received user message %r from %s', {MESSAGE!r}, {PHONE!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Received user message '[redacted]' from [redacted]" in result.stdout
    _assert_no_patient_data(result.stdout)
