"""Red-flag triage rules as the clinic writes them (``data/content/red_flags.yml``).

This module reads and checks the file; ``clinic_nlp.red_flag_matcher`` turns the
rules into spaCy matchers. Both the NLU component and the actions read labels
and advice from here, so neither needs the other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic.content import DEFAULT_CONTENT_DIR, ContentError, read_content_file

RED_FLAGS_FILE = "red_flags.yml"

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

TokenPattern = tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class NearRule:
    """One word or phrase from every list, in any order, close together."""

    words: tuple[tuple[str, ...], ...]
    within: int


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    phrases: tuple[str, ...]
    patterns: tuple[TokenPattern, ...]
    near: tuple[NearRule, ...]
    ignore: tuple[str, ...]
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class Negation:
    cues: tuple[str, ...]
    not_cues: tuple[str, ...]
    window: int


@dataclass(frozen=True)
class RedFlags:
    advice: str
    negation: Negation
    clause_breaks: tuple[str, ...]
    categories: tuple[Category, ...]

    def category(self, key: str) -> Category:
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(key)


@dataclass(frozen=True)
class RedFlagHit:
    """A matched red flag; ``start``/``end`` are character offsets in the text."""

    category: str
    label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Detection:
    hits: tuple[RedFlagHit, ...]
    negated: tuple[RedFlagHit, ...]


# ---------------------------------------------------------------- loading


def normalise_text(text: str) -> str:
    """Lower case with straight apostrophes; keeps the length of ``text`` in practice."""
    return text.lower().replace("\u2019", "'")


def _text(mapping: Mapping[str, Any], field: str, where: str) -> str:
    value = mapping.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: field '{field}' must be a non-empty string")
    return value.strip()


def _count(mapping: Mapping[str, Any], field: str, where: str) -> int:
    value = mapping.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ContentError(f"{where}: field '{field}' must be a whole number >= 0")
    return value


def _phrases(value: Any, field: str, where: str, required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(p, str) and p.strip() for p in value):
        raise ContentError(f"{where}: field '{field}' must list non-empty strings (quote yes/no)")
    return tuple(normalise_text(p.strip()) for p in value)


def _patterns(value: Any, where: str) -> tuple[TokenPattern, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ContentError(f"{where}: field 'patterns' must be a list of token patterns")
    for i, pattern in enumerate(value):
        tokens_ok = isinstance(pattern, list) and all(isinstance(t, dict) for t in pattern)
        if not pattern or not tokens_ok:
            raise ContentError(f"{where}: patterns[{i}] must be a list of token mappings")
    return tuple(tuple(pattern) for pattern in value)


def _near(value: Any, where: str) -> tuple[NearRule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ContentError(f"{where}: field 'near' must be a list of rules")
    rules = []
    for i, rule in enumerate(value):
        here = f"{where}: near[{i}]"
        if not isinstance(rule, Mapping):
            raise ContentError(f"{here} must be a mapping with 'within' and 'words'")
        words = rule.get("words")
        if not isinstance(words, list) or len(words) < 2:
            raise ContentError(f"{here}: field 'words' must hold at least two word lists")
        groups = tuple(_phrases(w, f"words[{j}]", here, required=True) for j, w in enumerate(words))
        rules.append(NearRule(words=groups, within=_count(rule, "within", here)))
    return tuple(rules)


def _category(item: Any, where: str) -> Category:
    if not isinstance(item, Mapping):
        raise ContentError(f"{where} must be a mapping")
    key = _text(item, "key", where)
    if not _KEY.match(key):
        raise ContentError(f"{where}: key '{key}' must be lower_case_with_underscores")
    where = f"{where} ({key})"
    category = Category(
        key=key,
        label=_text(item, "label", where),
        phrases=_phrases(item.get("phrases"), "phrases", where),
        patterns=_patterns(item.get("patterns"), where),
        near=_near(item.get("near"), where),
        ignore=_phrases(item.get("ignore"), "ignore", where),
        mentions=_phrases(item.get("mentions"), "mentions", where),
    )
    if not (category.phrases or category.patterns or category.near):
        raise ContentError(f"{where}: needs at least one of 'phrases', 'patterns' or 'near'")
    return category


def load_red_flags(path: str | Path | None = None) -> RedFlags:
    """Read and check the red-flag file; raise ContentError naming the entry and field."""
    if path is None:
        path = Path(os.environ.get("CLINIC_CONTENT_DIR") or DEFAULT_CONTENT_DIR) / RED_FLAGS_FILE
    path = Path(path)
    data = read_content_file(path)
    where = path.name
    if data.get("version") != 1:
        raise ContentError(f"{where}: field 'version' must be 1")
    negation = data.get("negation")
    if not isinstance(negation, Mapping):
        raise ContentError(f"{where}: field 'negation' must be a mapping")
    raw = data.get("categories")
    if not isinstance(raw, list) or not raw:
        raise ContentError(f"{where}: field 'categories' must be a non-empty list")
    categories = tuple(_category(item, f"{where}: categories[{i}]") for i, item in enumerate(raw))
    keys = [c.key for c in categories]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            first = keys.index(key)
            raise ContentError(f"{where}: categories[{i}] repeats key '{key}' (see categories[{first}])")
    return RedFlags(
        advice=_text(data, "advice", where),
        negation=Negation(
            cues=_phrases(negation.get("cues"), "cues", f"{where}: negation", required=True),
            not_cues=_phrases(negation.get("not_cues"), "not_cues", f"{where}: negation"),
            window=_count(negation, "window", f"{where}: negation"),
        ),
        clause_breaks=_phrases(data.get("clause_breaks"), "clause_breaks", where),
        categories=categories,
    )
