"""Body-part words that are not about the body: "came back negative", "two weeks back".

"back" is the body part patients name most, and also one of the commonest
adverbs: "tests came back", "put it back", "go back to work", "a month back",
"back in 2009". Taken as the body part, such a message about a rib, a scan or
a knee got the back-pain answer. A bare "back" right after a word that makes
it an adverb, or right before one, is not the body part; after a possessive
or a describing word ("my back", "the back", "a sore back") it always is.
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"[a-z0-9']+")

# "my back", "the back", "a sore back": the body part, whatever follows.
_BODY_BEFORE = frozenset(
    [
        "my",
        "his",
        "her",
        "your",
        "their",
        "our",
        "the",
        "a",
        "whole",
        "sore",
        "bad",
        "stiff",
        "achy",
        "aching",
        "painful",
        "hurt",
        "hurting",
        "injured",
        "weak",
        "tight",
        "lower",
        "upper",
        "low",
        "mid",
        "middle",
    ]
)
# "came back", "put it back", "two weeks back": movement or time, not the body.
_ADVERB_BEFORE = frozenset(
    [
        "go",
        "goes",
        "going",
        "went",
        "gone",
        "come",
        "comes",
        "coming",
        "came",
        "get",
        "gets",
        "getting",
        "got",
        "put",
        "puts",
        "putting",
        "bring",
        "brings",
        "bringing",
        "brought",
        "head",
        "heads",
        "heading",
        "headed",
        "stand",
        "stands",
        "standing",
        "stood",
        "sit",
        "sits",
        "sitting",
        "sat",
        "call",
        "calls",
        "calling",
        "called",
        "give",
        "gives",
        "giving",
        "gave",
        "given",
        "turn",
        "turns",
        "turning",
        "turned",
        "move",
        "moves",
        "moving",
        "moved",
        "step",
        "steps",
        "stepping",
        "stepped",
        "look",
        "looks",
        "looking",
        "looked",
        "way",
        "it",
        "them",
        "years",
        "year",
        "weeks",
        "week",
        "days",
        "day",
        "months",
        "month",
        "while",
        "time",
        "ago",
    ]
)
# "back to work", "back up", "back in 2009", "came back negative", "back and forth".
_ADVERB_AFTER = frozenset(
    ["to", "up", "home", "then", "again", "negative", "positive", "normal", "clear", "fine"]
)


def is_adverb_back(before: str, after: str) -> bool:
    """Whether a bare "back" between ``before`` and ``after`` is an adverb, not the body part."""
    previous = _WORDS.findall(before.lower())[-1:]
    following = _WORDS.findall(after.lower())[:2]
    if previous and previous[0] in _BODY_BEFORE:
        return False
    if previous and previous[0] in _ADVERB_BEFORE:
        return True
    if not following:
        return False
    if following[0] in _ADVERB_AFTER or following == ["and", "forth"]:
        return True
    return following[0] == "in" and len(following) > 1 and following[1].isdigit()
