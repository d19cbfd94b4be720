"""Turns the assistant's replies into SMS: plain text, numbered choices, short parts.

The dialogue writes each reply once, for the web: markdown text plus buttons.
On SMS the same reply loses its markdown, its buttons become a numbered list,
one choice per line (a lone button becomes a YES question: a menu of one is no
choice), and it is cut into parts of at most ``MAX_SMS_SEGMENTS`` carrier
segments each (clinic/sms_segments.py) at paragraph, line, sentence or word
boundaries. Pure functions, no Rasa imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clinic import sms_segments
from clinic.sms_state import Option

MAX_SMS_SEGMENTS = 2

# Coarsest first; a piece too long for one part is split at the next finer level.
_BOUNDARIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n\s*\n"), "\n\n"),
    (re.compile(r"\n"), "\n"),
    (re.compile(r"(?<=[.!?;:])\s+"), " "),
    (re.compile(r"\s+"), " "),
)

# One curly quote switches a whole SMS from GSM-7 to UCS-2, which cuts a
# segment from 160 to 70 characters, so typographic punctuation becomes ASCII.
_ASCII_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_EMPHASIS = re.compile(r"(?<![\w*_])(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w*_])")
_CODE = re.compile(r"`([^`]*)`")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
_BULLET = re.compile(r"^[ \t]*[*+][ \t]+", re.MULTILINE)
_OPTION_NUMBER = re.compile(r"#?(\d{1,2})[.)]?")
_YES = frozenset({"yes", "y", "yeah", "yep", "yes please", "ok", "okay", "sure", "1"})


@dataclass(frozen=True)
class SmsReply:
    parts: tuple[str, ...]
    options: tuple[Option, ...]


def plain_text(markdown: str) -> str:
    """Markdown to plain SMS text: links spelled out, emphasis and headings dropped."""
    text = markdown.translate(_ASCII_PUNCTUATION)
    text = _LINK.sub(r"\1: \2", text)
    text = _CODE.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _HEADING.sub("", text)
    text = _BULLET.sub("- ", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def numbered_options(titles: Sequence[str], first: int = 1) -> str:
    """One choice per line ("1 Hip kick"), under "Reply with a number:"."""
    if not titles:
        return ""
    lines = [f"{number} {plain_text(title)}" for number, title in enumerate(titles, first)]
    return "\n".join(["Reply with a number:", *lines])


def lone_option(title: str) -> str:
    """The only choice in a turn is a YES question: a menu of one is no choice."""
    return f"Reply YES for {plain_text(title)}."


def split_message(text: str, max_segments: int = MAX_SMS_SEGMENTS) -> list[str]:
    """Parts of at most ``max_segments`` segments each, cut at the coarsest boundary that fits.

    Words are never cut, except a single word too long for one part (a long URL).
    """
    text = text.strip()
    return _split(text, max_segments, 0) if text else []


def _split(text: str, max_segments: int, level: int) -> list[str]:
    if sms_segments.fits(text, max_segments):
        return [text]
    if level == len(_BOUNDARIES):
        return _cut(text, max_segments)
    pattern, joiner = _BOUNDARIES[level]
    parts: list[str] = []
    current = ""
    for unit in pattern.split(text):
        for piece in _split(unit.strip(), max_segments, level + 1) if unit.strip() else []:
            joined = f"{current}{joiner}{piece}" if current else piece
            if sms_segments.fits(joined, max_segments):
                current = joined
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def _cut(word: str, max_segments: int) -> list[str]:
    """A word too long for one part, in the longest pieces that fit."""
    pieces: list[str] = []
    while word:
        low, high = 1, len(word)
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (
                (middle, high) if sms_segments.fits(word[:middle], max_segments) else (low, middle - 1)
            )
        pieces.append(word[:low])
        word = word[low:]
    return pieces


def render_replies(messages: Iterable[Mapping[str, Any]], max_segments: int = MAX_SMS_SEGMENTS) -> SmsReply:
    """The bot's messages for one turn (Rasa's collected message dicts) as SMS parts.

    Buttons are numbered across the whole turn, and their list follows the
    text that offered them. Images and attachments are sent as
    links; custom payloads have no SMS form and are left out.
    """
    messages = list(messages)
    offered_per_message = [
        [
            Option(str(button["title"]), str(button["payload"]))
            for button in message.get("buttons") or ()
            if button.get("title") and button.get("payload")
        ]
        for message in messages
    ]
    alone = sum(map(len, offered_per_message)) == 1
    paragraphs: list[str] = []
    options: list[Option] = []
    for message, offered in zip(messages, offered_per_message, strict=True):
        for key in ("text", "image", "attachment"):
            value = message.get(key)
            if isinstance(value, str) and value.strip():
                paragraphs.append(plain_text(value))
        if offered:
            titles = [o.title for o in offered]
            paragraphs.append(lone_option(titles[0]) if alone else numbered_options(titles, len(options) + 1))
            options.extend(offered)
    return SmsReply(tuple(split_message("\n\n".join(paragraphs), max_segments)), tuple(options))


def chosen_option(text: str, options: Sequence[Option]) -> Option | None:
    """The option a reply like "2" (or "#2", "2.") picks, if it is one on offer;
    YES (or its title) for a lone option."""
    if len(options) == 1:
        answer = re.sub(r"[^\w ]+", "", text).strip().lower()
        lone = options[0]
        return lone if answer in _YES or answer == re.sub(r"[^\w ]+", "", lone.title).lower() else None
    match = _OPTION_NUMBER.fullmatch(text.strip())
    if not match:
        return None
    number = int(match.group(1))
    return options[number - 1] if 1 <= number <= len(options) else None
