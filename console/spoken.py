"""The assistant's replies as lines a staff member reads to a caller.

A caller cannot tap a button, see a picture or follow a link, so: buttons
become "You can offer: ..."; markdown, links and pictures go; phone numbers
are spoken in groups ("3 0 1, 5 5 5, 0 1 0 0"), "8:00 AM-6:00 PM" as "8:00 AM
to 6:00 PM" and "2.5 mi" as "2.5 miles".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers

LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](url) -> text; ![alt](src) -> alt
BARE_URL = re.compile(r"\s*\(?\bhttps?://\S+?\)?(?=[\s.,;:!?]*(?:\s|$))")
EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1(?!\w)")
LIST_MARK = re.compile(r"^\s*(?:[-*•]|#{1,6})\s+", re.MULTILINE)
TIME_RANGE = re.compile(r"(\d(?::\d\d)?\s?[AP]M)\s?[-–]\s?(?=\d)")  # 8:00 AM-6:00 PM
MILES = re.compile(r"\b(\d+(?:\.\d+)?) mi\b")
# Service numbers such as 911 are said as they are; only full phone numbers are grouped.
PHONE_REGION = "US"


def script_lines(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """One line to read out per message that says something."""
    return [line for message in messages if (line := script_line(message))]


def script_line(message: Mapping[str, Any]) -> str:
    text = speakable(str(message.get("text") or ""))
    options = [speakable(str(b.get("title") or "")) for b in message.get("buttons") or []]
    options = [option for option in options if option]
    if options:
        text += ("\n" if text else "") + f"You can offer: {_spoken_list(options)}."
    return text


def speakable(text: str) -> str:
    """``text`` without markdown or links, its phone numbers in spoken groups."""
    text = LINK.sub(r"\1", text)
    text = BARE_URL.sub(" on our website", text)
    text = EMPHASIS.sub(r"\2", text)
    text = LIST_MARK.sub("", text)
    text = TIME_RANGE.sub(r"\1 to ", text)
    text = MILES.sub(r"\1 miles", text)
    text = _spoken_phones(text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line).strip()


def spoken_phone(number: phonenumbers.PhoneNumber) -> str:
    """(301) 555-0100 -> "3 0 1, 5 5 5, 0 1 0 0": digits one by one, in the usual groups."""
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    groups = re.findall(r"\d+", national)
    return ", ".join(" ".join(group) for group in groups)


def _spoken_phones(text: str) -> str:
    parts, end = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, PHONE_REGION):
        parts += [text[end : match.start], spoken_phone(match.number)]
        end = match.end
    return "".join(parts) + text[end:]


def _spoken_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
