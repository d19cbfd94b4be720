"""How the console words a request: its answers, phone numbers and a one-line snippet."""

from __future__ import annotations

import functools

import phonenumbers

from clinic.channels import SMS_CHANNEL
from clinic.directory import load_directory
from clinic.red_flags import load_red_flags
from clinic.request_answers import AnswerWording
from clinic.request_store import StoredRequest

# Input channels as Rasa names them, with what the front desk calls them.
CHANNEL_NAMES = {"rest": "Website (REST)", "socketio": "Web chat", SMS_CHANNEL: "SMS"}
SNIPPET_LENGTH = 140
# Answers that say nothing about the person's problem: left out of the snippet.
_NOT_IN_SNIPPET = frozenset(
    {"consent", "confirmed", "red_flag_screen", "source", "level", "preferred_clinic"}
)


@functools.cache
def answer_wording() -> AnswerWording:
    return AnswerWording(load_red_flags(), load_directory())


def phone_of(found: StoredRequest) -> str | None:
    """The number to call back: the one given, else on SMS the number that texted."""
    return found.contact_phone or (found.sender_id if found.channel == SMS_CHANNEL else None)


def display_phone(number: str | None) -> str:
    """ "+12405550222" -> "(240) 555-0222"; numbers from abroad in international form."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def snippet(found: StoredRequest) -> str:
    """One line of what the person said: their own words when kept, else their answers."""
    answers = answer_wording().answers(found.answers)
    said = [a.text for a in answers if a.key == "message"] or [
        f"{a.label}: {a.text}" for a in answers if a.key not in _NOT_IN_SNIPPET
    ]
    line = " · ".join(" ".join(text.split()) for text in said)
    return line if len(line) <= SNIPPET_LENGTH else line[: SNIPPET_LENGTH - 1].rstrip() + "…"
