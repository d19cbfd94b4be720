"""Misspelled words read as the rule words they were meant to be ("chest pian", "cant brethe").

Patients texting from a phone misspell the very words the triage rules look
for. A word is read as a rule word only when it is not an English word and is
one edit (a letter dropped, added or changed, or two neighbours swapped) from
exactly one rule word of five letters or more; a four-letter word only by a
swap ("pian" is "pain", but "alot" is not "clot"). English words one edit from a
rule word ("never" and "fever", "paint" and "faint", "strike" and "stroke") are
looked up once, when the rules are built, in pyspellchecker's English
dictionary; the dictionary (160,000 words) is then let go and only those few
thousand words are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from spellchecker import SpellChecker

MIN_LETTERS = 4
ANY_EDIT_LETTERS = 5  # shorter rule words are read only from a swap of two letters
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _edits(word: str) -> set[str]:
    """Every string one edit from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changed = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    added = {a + c + b for a, b in splits for c in _LETTERS}
    return _deletions(word) | swapped | changed | added


def swapped(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with two neighbouring letters swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def one_edit_apart(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one letter dropped, added or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1 or swapped(a, b)
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _may_mean(word: str, rule_word: str) -> bool:
    if len(rule_word) < ANY_EDIT_LETTERS:
        return swapped(word, rule_word)
    return one_edit_apart(word, rule_word)


class Speller:
    """Reads a misspelling of one of ``vocabulary``'s words as that word."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        words = frozenset(w for w in vocabulary if len(w) >= MIN_LETTERS and w.isalpha())
        dictionary = SpellChecker().word_frequency.dictionary
        # Messages are read without apostrophes ("wasnt", "theres"), so contractions are English too.
        contractions = {w.replace("'", "") for w in dictionary if "'" in w}
        self._words = words
        self._english_near = frozenset(
            e for w in words for e in _edits(w) if (e in dictionary or e in contractions) and e not in words
        )
        self._by_deletion: dict[str, set[str]] = {}
        for word in words:
            for key in (word, *_deletions(word)):
                self._by_deletion.setdefault(key, set()).add(word)
        self._read = lru_cache(maxsize=4096)(self._correct)

    def correct(self, word: str) -> str:
        """The rule word ``word`` misspells, or ``word`` itself."""
        return self._read(word)

    def _correct(self, word: str) -> str:
        if len(word) < MIN_LETTERS or not word.isalpha() or word in self._words or word in self._english_near:
            return word
        candidates = {c for key in (word, *_deletions(word)) for c in self._by_deletion.get(key, ())}
        meant = [c for c in candidates if _may_mean(word, c)]
        return meant[0] if len(meant) == 1 else word
