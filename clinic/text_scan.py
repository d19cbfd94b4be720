"""Patients' text as sentences of word stems, and phrase matching over them.

Plain Python, linear in the length of the message: the triage rules run on
every message, on the Rasa server and in the actions alike, without a model.
Words are compared by a light stem ("numbness", "numb" and "numbing" all
become "numb"), so the rules in ``data/content/red_flags.yml`` need not list
every ending. Apostrophes are dropped ("can't" is "cant"), so texts typed with
or without them match the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

# Longest run of words treated as one sentence: a 1,500-word message with no
# punctuation is still judged in pieces, so "no" at the start cannot deny a
# symptom two hundred words later, and near rules stay cheap.
MAX_SENTENCE_WORDS = 40

_SENTENCE_END = re.compile(r"[.!?;\n\u2026]+|\s[-\u2013\u2014]+\s|\s{3,}")
_WORD = re.compile(r"[a-z0-9]+(?:/[0-9]+)?|[,:()]")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
CLAUSE_PUNCTUATION = frozenset({",", ":", "(", ")"})


@dataclass(frozen=True)
class Word:
    text: str
    stem: str
    start: int  # character offsets in the sentence's source text
    end: int


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # character offset in the message
    words: tuple[Word, ...]


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, "cannot"/"can not" as "cant"."""
    lowered = _APOSTROPHES.sub("", text.lower())
    return re.sub(r"\bcan ?not\b", "cant", lowered)


def stem(word: str) -> str:
    """A light suffix-stripping stem; both rules and messages go through it."""
    if word in ("goes", "does"):
        return word[:-2]
    for suffix, replacement in (
        ("iness", "y"),
        ("ness", ""),
        ("ings", ""),
        ("ing", ""),
        ("ied", "y"),
        ("ies", "y"),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            word = word[: len(word) - len(suffix)] + replacement
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
        word = word[:-1]
    return word


def words(text: str) -> list[Word]:
    """The words (and clause punctuation) of already normalised text."""
    return [Word(m.group(0), stem(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]


def sentences(text: str) -> Iterator[Sentence]:
    """Sentences of the normalised message, long ones cut at MAX_SENTENCE_WORDS."""
    normalised = normalise(text)
    position = 0
    for match in [*_SENTENCE_END.finditer(normalised), None]:
        end = match.start() if match else len(normalised)
        piece = normalised[position:end]
        found = words(piece)
        for first in range(0, len(found), MAX_SENTENCE_WORDS):
            chunk = found[first : first + MAX_SENTENCE_WORDS]
            offset = chunk[0].start
            yield Sentence(
                text=piece[offset : chunk[-1].end],
                start=position + offset,
                words=tuple(Word(w.text, w.stem, w.start - offset, w.end - offset) for w in chunk),
            )
        position = match.end() if match else len(normalised)


def phrase_stems(phrase: str) -> tuple[str, ...]:
    """A rule's phrase as the stems it matches."""
    return tuple(w.stem for w in words(normalise(phrase)) if w.text not in CLAUSE_PUNCTUATION)


class PhraseIndex:
    """Finds any of many phrases in a sentence in one pass over its words."""

    def __init__(self, phrases: Iterable[tuple[str, ...]]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in set(phrases):
            if phrase:
                self._by_first.setdefault(phrase[0], []).append(phrase)
        for candidates in self._by_first.values():
            candidates.sort(key=len, reverse=True)

    def find(self, stems: Sequence[str]) -> Iterator[tuple[int, int, tuple[str, ...]]]:
        """(start, end, phrase) for every phrase occurrence, in word positions."""
        for i, first in enumerate(stems):
            for phrase in self._by_first.get(first, ()):
                if tuple(stems[i : i + len(phrase)]) == phrase:
                    yield i, i + len(phrase), phrase
