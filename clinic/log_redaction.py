"""Keep patient data out of the servers' logs.

Rasa and rasa_sdk log what they handle: the user's message ("Received user
message '...'"), slot values ("Current slot values", ``SlotSet(key: ..., value:
...)``), and, when a custom action fails, the action server's 500 body with the
whole tracker in it (``ClientResponseError: 500, ..., body='...'``), chained
into the traceback that ``logger.exception`` prints. ``RedactingFilter``
rewrites a record's message and traceback before any handler formats it;
``install()`` applies it to every record created in the process, whatever
handlers Rasa, Sanic or coloredlogs set up later.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable

REDACTED = "[redacted]"

# Whatever follows a key of a serialised tracker or action call, to the end of the line.
_TRACKER_DUMP = re.compile(
    r"""(?:b?['"])?\{[^\n]*?['"](?:tracker|request_body|sender_id|slots|events|latest_message|"""
    r"""next_action|parse_data)['"]\s*:[^\n]*"""
)
_RESPONSE_BODY = re.compile(r"body='.*", re.DOTALL)
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|$)", re.DOTALL)
_USER_MESSAGE = re.compile(r"(user message |text(?:=|: ))(['\"]).*?\2(?= with intent|[.,)\s]|$)", re.DOTALL)
_SLOT_SET = re.compile(r"(SlotSet\(key: [\w-]+, value: ).*?(\)(?:,|\]|$))")
_SLOT_LINE = re.compile(r"^(\t[\w-]+: ).+$", re.MULTILINE)  # Rasa's "Current slot values:" block
_QUOTED_VALUE = re.compile(r"""(['"][\w-]+['"]\s*:\s*)(['"]).*?(?<!\\)\2""")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w.])\+?(?:\d[\s().-]{0,2}){9,14}\d(?![\w.])")


def redact(text: str) -> str:
    """``text`` with tracker dumps, messages, slot values, emails and phone numbers replaced."""
    text = _RESPONSE_BODY.sub(f"body='{REDACTED}'", text)
    text = _SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
    text = _TRACKER_DUMP.sub(f"{{tracker {REDACTED}}}", text)
    text = _USER_MESSAGE.sub(rf"\1\2{REDACTED}\2", text)
    text = _SLOT_SET.sub(rf"\g<1>{REDACTED}\2", text)
    text = _SLOT_LINE.sub(rf"\g<1>{REDACTED}", text)
    text = _QUOTED_VALUE.sub(rf"\1\2{REDACTED}\2", text)
    text = _EMAIL.sub(REDACTED, text)
    return _PHONE.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record in place, traceback included; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "redacted", False):
            return True
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_info = None  # handlers print exc_text instead of formatting the exception again
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record.redacted = True
        return True


def install() -> None:
    """Redact every log record this process creates, from any logger, for any handler."""
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(previous, "redacting", False):
        return
    redacting = RedactingFilter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redacting.filter(record)
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
