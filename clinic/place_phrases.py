"""The words of a chat message and the phrases in it that could name a place.

Shared by the town and clinic-name lookups. The scan is bounded by the
longest name a lookup knows, so a message of n words yields at most about
``max_letters * n`` phrases, not every one of its n²/2 word runs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence

# Words that never start or end a clinic or town name in a chat message.
FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "our",
        "your",
        "me",
        "i",
        "im",
        "is",
        "are",
        "am",
        "there",
        "any",
        "near",
        "nearest",
        "closest",
        "close",
        "to",
        "in",
        "at",
        "by",
        "around",
        "from",
        "for",
        "clinic",
        "clinics",
        "office",
        "offices",
        "location",
        "locations",
        "branch",
        "pt",
        "physical",
        "therapy",
        "therapist",
        "please",
        "pls",
        "thanks",
        "thank",
        "you",
        "find",
        "where",
        "whats",
        "what",
        "which",
        "one",
        "live",
        "living",
        "ok",
        "okay",
        "zip",
        "code",
        "town",
        "city",
        "area",
        "home",
        "house",
        "work",
        "hi",
        "hello",
        "hey",
    ]
)


def tokens(text: str) -> list[str]:
    """Lowercase word tokens; dots and apostrophes are dropped so "D.C." is "dc"."""
    return re.findall(r"[a-z0-9]+", re.sub(r"[.'’]", "", text.lower()))


def phrases(
    words: Sequence[str], max_letters: float, trim_filler: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """(start, phrase) for every run of ``words`` with at most ``max_letters``
    letters (spaces not counted), longest run first, then left to right.

    With ``trim_filler``, only runs that neither start nor end with a filler word.
    A run has at least one letter per word, so no run is longer than
    ``max_letters`` words.
    """
    letters_before = [0, *itertools.accumulate(map(len, words))]
    longest = min(len(words), int(max_letters))
    for size in range(longest, 0, -1):
        for start in range(len(words) - size + 1):
            if letters_before[start + size] - letters_before[start] > max_letters:
                continue
            gram = list(words[start : start + size])
            if not trim_filler or (gram[0] not in FILLER and gram[-1] not in FILLER):
                yield start, gram
