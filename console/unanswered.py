"""What the assistant could not answer: missed messages, without personal details,
grouped by similar wording so the clinic sees which questions need content.

Grouping is greedy and small on purpose: a message joins the first group whose
wording it shares most of its words with (or reads almost the same as), so
"whats the capital of france?" and "what is the capital of France" count once.
Standard-library ``difflib`` is enough for the few hundred misses of a week.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher

from console.transcripts import MissedMessage

EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# Seven or more digits with the separators people type in phone numbers.
PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
DIGIT = re.compile(r"\d")
SAYS_NAME = re.compile(r"\b((?i:my name is|my name's|this is|i am|i'm))\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*")
SAME_WORDS = 0.6  # share of content words two wordings have in common
SAME_TEXT = 0.85  # difflib ratio of two normalised wordings
# Words too common to tell two questions apart.
_COMMON = frozenset(
    {
        *("a", "an", "the", "i", "im", "me", "my", "you", "your", "is", "are", "was", "be", "do", "does"),
        *("did", "to", "of", "in", "on", "at", "for", "and", "or", "it", "its", "this", "that", "what"),
        *("whats", "how", "can", "could", "would", "please", "hi", "hello", "hey"),
    }
)
MAX_EXAMPLES = 3
ONLY_NUMBERS = "(a number, nothing else)"


@dataclass
class MissGroup:
    wording: str  # the first redacted message of the group
    count: int = 0
    examples: list[str] = field(default_factory=list)  # other wordings, up to MAX_EXAMPLES
    last_at: datetime | None = None


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` without emails, phone numbers, other digits or the given names."""
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub("[phone]", text)
    text = DIGIT.sub("#", text)
    text = SAYS_NAME.sub(r"\1 [name]", text)
    words = {word for name in names for word in re.findall(r"[^\W\d_]{2,}", name)}
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", "[name]", text, flags=re.IGNORECASE)
    text = " ".join(re.sub(r"\[name\](?:\s+\[name\])+", "[name]", text).split())
    return text if re.search(r"[^\W\d_]", text) else ONLY_NUMBERS


def group_misses(messages: Iterable[MissedMessage], names: Mapping[str, Iterable[str]]) -> list[MissGroup]:
    """Redacted messages grouped by wording, the most frequent first.

    ``names`` maps a conversation to the names its forms captured; every name is
    removed from every message (a name can be mentioned in another conversation).
    """
    every_name = [name for values in names.values() for name in values]
    groups: list[tuple[MissGroup, str, frozenset[str]]] = []
    for message in messages:
        wording = redact(message.text, every_name)
        normal = _normalise(wording)
        words = _content_words(normal)
        group = next((g for g, text, w in groups if _similar(normal, words, text, w)), None)
        if group is None:
            group = MissGroup(wording)
            groups.append((group, normal, words))
        elif wording.lower() != group.wording.lower() and wording not in group.examples[:MAX_EXAMPLES]:
            group.examples = [*group.examples, wording][:MAX_EXAMPLES]
        group.count += 1
        group.last_at = max(filter(None, (group.last_at, message.at)))
    return sorted((g for g, _, _ in groups), key=lambda g: (-g.count, g.wording.lower()))


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s#\[\]]", "", text.lower()).split())


def _content_words(normal: str) -> frozenset[str]:
    return frozenset(word for word in normal.split() if word not in _COMMON)


def _similar(a: str, a_words: frozenset[str], b: str, b_words: frozenset[str]) -> bool:
    if a == b:
        return True
    if a_words and b_words and len(a_words & b_words) / len(a_words | b_words) >= SAME_WORDS:
        return True
    return SequenceMatcher(None, a, b).ratio() >= SAME_TEXT
