"""Checks and clean-ups for the answers given in the intake form.

Each function returns the cleaned value, or raises InvalidAnswer with a message
that tells the person what to send instead.
"""

from __future__ import annotations

import re

import phonenumbers

from clinic.content import get_content, normalise

MAX_TEXT = 300
NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
        ]
    )
}
SKIP_WORDS = {
    "skip",
    "no",
    "none",
    "no email",
    "dont have one",
    "don't have one",
    "n/a",
    "na",
    "nope",
    "pass",
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


class InvalidAnswer(ValueError):
    """The answer cannot be used; ``str(exc)`` says why, for the user."""


def short_text(value: str | None, what: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InvalidAnswer(f"I didn't get {what}. Could you tell me again?")
    if len(text) > MAX_TEXT:
        raise InvalidAnswer(f"That's a bit long. Could you describe {what} in a sentence?")
    return text


def body_area(value: str | None) -> str:
    """A known body area key ("back") when recognised, else the person's words."""
    text = short_text(value, "the area that bothers you")
    content = get_content()
    for word in normalise(text).split():
        key = content.body_part_key(word)
        if key:
            return key
    return text


def pain_level(value: str | float | None) -> float:
    """A number from 0 to 10: from the person's words, or the number the slot already holds."""
    if isinstance(value, (int, float)):
        return _pain_in_range(float(value))
    text = (value or "").lower()
    match = re.search(r"(?<![\d.])(\d{1,3}(?:\.\d)?)(?![\d.])", text)
    number = (
        float(match.group(1))
        if match
        else next((float(NUMBER_WORDS[w]) for w in normalise(text).split() if w in NUMBER_WORDS), None)
    )
    return _pain_in_range(number)


def _pain_in_range(number: float | None) -> float:
    if number is None or not 0 <= number <= 10:
        raise InvalidAnswer("Please give a number from 0 (no pain) to 10 (the worst pain).")
    return number


def contact_name(value: str | None) -> str:
    text = short_text(value, "your name")
    text = re.sub(r"^(my name is|my name's|i am|i'm|it's|this is|name is)\s+", "", text, flags=re.I)
    if len(text) > 80 or re.search(r"\d|@", text) or not re.search(r"[^\W\d_]", text):
        raise InvalidAnswer('Please send just your name, for example "Ana Lopez".')
    return text


def contact_phone(value: str | None) -> str:
    """A valid US number in E.164 form ("+13015550142")."""
    text = (value or "").strip()
    try:
        number = phonenumbers.parse(text[:40], "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidAnswer(
            "That doesn't look like a full US phone number. Please include the area code, like 301-555-0142."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# "same as this", "this one", "this number": on SMS, the number the message came from.
THIS_NUMBER = re.compile(
    r"(its |use |just |yes |yeah )?(the )?"
    r"(same( one| number)?( as (this|here)( one| number| phone)?)?"
    r"|this( one| number| phone| cell)?( is fine| please)?"
    r"|one im (texting|messaging) (from|on))"
)


def means_this_number(value: str | None) -> bool:
    text = re.sub(r"[^a-z ]+", "", (value or "").lower())
    return bool(THIS_NUMBER.fullmatch(" ".join(text.split())))


def contact_details(value: str | None) -> tuple[str | None, str | None]:
    """(name, phone) from one message such as "Ana Lopez, 301-555-0142"; None for what is missing.

    The phone is a valid US number in E.164 form; the name is what is left once
    the number and joining words are taken out, if it reads as a name.
    """
    text = (value or "")[:MAX_TEXT]
    phone = None
    for match in phonenumbers.PhoneNumberMatcher(text, "US"):
        phone = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        text = text[: match.start] + " " + text[match.end :]
        break
    rest = re.sub(
        r"\b(and|my (cell|phone|number) is|number|phone|cell|call me (on|at))\b", " ", text, flags=re.I
    )
    rest = " ".join(rest.replace(",", " ").split()).strip(" .:;-")
    try:
        name = contact_name(rest) if rest and len(rest.split()) <= 5 and "?" not in rest else None
    except InvalidAnswer:
        name = None
    return name, phone


def contact_email(value: str | None) -> str:
    """An email address, or "none" when the person skips it."""
    text = (value or "").strip()
    if normalise(text) in SKIP_WORDS:
        return "none"
    text = re.sub(r"^(my email is|email:?|it's)\s+", "", text, flags=re.I).strip(" .")
    if not EMAIL.match(text) or len(text) > 254:
        raise InvalidAnswer('That doesn\'t look like an email address. Send it again, or "skip".')
    return text


def display_phone(e164: str) -> str:
    number = phonenumbers.parse(e164, "US")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
