"""Turns the assistant's replies into SMS: plain text, numbered choices, short parts.

The dialogue writes each reply once, for the web: markdown text plus buttons.
On SMS the same reply loses its markdown, its buttons become "Reply 1 for ..."
and it is cut into parts of at most ``MAX_SMS_CHARS`` at paragraph, line,
sentence or word boundaries. Pure functions, no Rasa imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clinic.sms_state import Option

MAX_SMS_CHARS = 320

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
    """E.g. "Reply 1 for Hip kick, 2 for Hamstring stretch or 3 for Talk to a person."."""
    choices = [f"{number} for {plain_text(title)}" for number, title in enumerate(titles, first)]
    if not choices:
        return ""
    listed = choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"
    return f"Reply {listed}."


def split_message(text: str, limit: int = MAX_SMS_CHARS) -> list[str]:
    """Parts of at most ``limit`` characters, cut at the coarsest boundary that fits.

    Words are never cut, except a single word longer than ``limit`` (a long URL).
    """
    text = text.strip()
    return _split(text, limit, 0) if text else []


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return [text[start : start + limit] for start in range(0, len(text), limit)]
    pattern, joiner = _BOUNDARIES[level]
    parts: list[str] = []
    current = ""
    for unit in pattern.split(text):
        for piece in _split(unit.strip(), limit, level + 1) if unit.strip() else []:
            joined = f"{current}{joiner}{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def render_replies(messages: Iterable[Mapping[str, Any]], limit: int = MAX_SMS_CHARS) -> SmsReply:
    """The bot's messages for one turn (Rasa's collected message dicts) as SMS parts.

    Buttons are numbered across the whole turn, and the "Reply 1 for ..." line
    follows the text that offered them. Images and attachments are sent as
    links; custom payloads have no SMS form and are left out.
    """
    paragraphs: list[str] = []
    options: list[Option] = []
    for message in messages:
        for key in ("text", "image", "attachment"):
            value = message.get(key)
            if isinstance(value, str) and value.strip():
                paragraphs.append(plain_text(value))
        offered = [
            Option(str(button["title"]), str(button["payload"]))
            for button in message.get("buttons") or ()
            if button.get("title") and button.get("payload")
        ]
        if offered:
            paragraphs.append(numbered_options([o.title for o in offered], len(options) + 1))
            options.extend(offered)
    return SmsReply(tuple(split_message("\n\n".join(paragraphs), limit)), tuple(options))


def chosen_option(text: str, options: Sequence[Option]) -> Option | None:
    """The option a reply like "2" (or "#2", "2.") picks, if it is one on offer."""
    match = _OPTION_NUMBER.fullmatch(text.strip())
    if not match:
        return None
    number = int(match.group(1))
    return options[number - 1] if 1 <= number <= len(options) else None
