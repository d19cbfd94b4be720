"""How much of one message the assistant reads, on every channel.

Every channel cuts a longer message here before NLU sees it and tells the
person so; the triage rules apply the same cut, so no message costs more than
this much work however it arrives.
"""

from __future__ import annotations

MAX_MESSAGE_CHARS = 2000

LONG_MESSAGE_NOTE = (
    f"Your message was long, so I've read the first {MAX_MESSAGE_CHARS:,} characters. "
    "If something important came after that, please send it in a new message."
)


def within_limit(text: str) -> str:
    return text[:MAX_MESSAGE_CHARS]


def is_too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS
