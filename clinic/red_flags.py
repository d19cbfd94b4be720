"""The triage rules as the clinic writes them (``data/content/red_flags.yml``).

This module reads and checks the file; ``clinic.triage`` applies it to a
message. Each sign has a level (emergency, urgent, or context: counted only
in a combination such as fever with back pain), the phrases that show it, and
whether a past occurrence counts (a history of cancer does; a fall years ago
does not). The context cues (negation, history, someone else, hypothetical)
are data too, in the categories of the ConText algorithm.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic.content import DEFAULT_CONTENT_DIR, ContentError, read_content_file
from clinic.text_scan import normalise, phrase_stems, words

RED_FLAGS_FILE = "red_flags.yml"
EMERGENCY, URGENT, ROUTINE = "emergency", "urgent", "routine"
LEVELS = (EMERGENCY, URGENT, ROUTINE)  # most serious first
CONTEXT = "context"
SIGN_LEVELS = (EMERGENCY, URGENT, CONTEXT)
CONTEXT_KINDS = ("negated", "historical", "other_person", "hypothetical")

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

Phrase = tuple[str, ...]  # stems


@dataclass(frozen=True)
class NearRule:
    """One phrase from every group, in any order, within ``within`` other words."""

    groups: tuple[tuple[Phrase, ...], ...]
    within: int


@dataclass(frozen=True)
class Sign:
    key: str
    label: str
    level: str
    phrases: tuple[Phrase, ...]
    exact: frozenset[str]
    regexes: tuple[re.Pattern[str], ...]
    near: tuple[NearRule, ...]
    ignore: tuple[Phrase, ...]
    mentions: tuple[Phrase, ...]
    history_counts: bool
    cleared_by_care: bool  # an injury already in a clinician's care does not count
    urgent_with: tuple[Phrase, ...]  # anywhere in the message: an emergency sign is urgent instead,
    emergency_with: tuple[Phrase, ...]  # unless one of these is in it too
    screening: str | None  # how the screening question names it, if it asks about it


@dataclass(frozen=True)
class Combination:
    key: str
    label: str
    level: str
    signs: tuple[str, ...]


@dataclass(frozen=True)
class ContextCues:
    """ConText-style cues: ``before`` a sign within ``window`` words, or ``after`` it;
    a ``regex`` cue ("back in 2009") works on either side."""

    before: tuple[Phrase, ...]
    after: tuple[Phrase, ...]
    regexes: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Context:
    window: int
    clause_breaks: tuple[Phrase, ...]
    pseudo: tuple[Phrase, ...]  # contain a cue but deny nothing: "no longer", "not sure"
    cues: Mapping[str, ContextCues]
    past_verbs: tuple[Phrase, ...]  # with another person: "my dad had", "my mother died of"
    present: tuple[Phrase, ...]  # between a history cue and a sign, brings it back to now
    recent: tuple[Phrase, ...]  # in the sign's clause, dates someone else's event to now
    already_checked: tuple[Phrase, ...]  # anywhere in a message: emergency becomes urgent
    # Sign or combination keys that keep an emergency one after a check: worse since being seen.
    worse_since_checked: tuple[str, ...]
    in_care: tuple[Phrase, ...]  # anywhere in a message: signs cleared by care do not count
    question_starts: tuple[Phrase, ...]  # first words of a question: "how long does", "what causes"
    personal: tuple[Phrase, ...]  # words naming someone: "i", "my", "she", "4 year old"


@dataclass(frozen=True)
class RedFlags:
    advice: Mapping[str, str]  # level -> what the assistant says
    medical_advice: str
    screening_question: str
    context: Context
    signs: tuple[Sign, ...]
    combinations: tuple[Combination, ...]
    medical_words: tuple[Phrase, ...]
    therapy_words: tuple[Phrase, ...]
    # Every word the signs and scope lists are written with: what a misspelling may be read as.
    vocabulary: frozenset[str] = frozenset()

    @property
    def screened_signs(self) -> tuple[Sign, ...]:
        return tuple(s for s in self.signs if s.screening)


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


def _strings(value: Any, field: str, where: str, required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(p, str) and p.strip() for p in value):
        raise ContentError(f"{where}: field '{field}' must list non-empty strings (quote yes/no)")
    return tuple(p.strip() for p in value)


def _phrases(value: Any, field: str, where: str, required: bool = False) -> tuple[Phrase, ...]:
    phrases = []
    for text in _strings(value, field, where, required):
        stems = phrase_stems(text)
        if not stems:
            raise ContentError(f"{where}: field '{field}': '{text}' has no words")
        phrases.append(stems)
    return tuple(phrases)


def _regexes(value: Any, where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for i, pattern in enumerate(_strings(value, "regex", where)):
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ContentError(f"{where}: regex[{i}] is not a valid regular expression ({exc})") from exc
    return tuple(compiled)


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
        groups = rule.get("words")
        if not isinstance(groups, list) or len(groups) < 2:
            raise ContentError(f"{here}: field 'words' must hold at least two word lists")
        rules.append(
            NearRule(
                groups=tuple(_phrases(g, f"words[{j}]", here, required=True) for j, g in enumerate(groups)),
                within=_count(rule, "within", here),
            )
        )
    return tuple(rules)


def _sign(item: Any, where: str) -> Sign:
    if not isinstance(item, Mapping):
        raise ContentError(f"{where} must be a mapping")
    key = _text(item, "key", where)
    if not _KEY.match(key):
        raise ContentError(f"{where}: key '{key}' must be lower_case_with_underscores")
    where = f"{where} ({key})"
    level = _text(item, "level", where)
    if level not in SIGN_LEVELS:
        raise ContentError(f"{where}: field 'level' must be one of {', '.join(SIGN_LEVELS)}")
    screening = item.get("screening")
    if screening is not None and not (isinstance(screening, str) and screening.strip()):
        raise ContentError(f"{where}: field 'screening' must be a non-empty string")
    sign = Sign(
        key=key,
        label=_text(item, "label", where),
        level=level,
        phrases=_phrases(item.get("phrases"), "phrases", where),
        exact=frozenset(w.lower() for w in _strings(item.get("exact"), "exact", where)),
        regexes=_regexes(item.get("regex"), where),
        near=_near(item.get("near"), where),
        ignore=_phrases(item.get("ignore"), "ignore", where),
        mentions=_phrases(item.get("mentions"), "mentions", where),
        history_counts=bool(item.get("history_counts", False)),
        cleared_by_care=bool(item.get("cleared_by_care", False)),
        urgent_with=_phrases(item.get("urgent_with"), "urgent_with", where),
        emergency_with=_phrases(item.get("emergency_with"), "emergency_with", where),
        screening=screening.strip() if screening else None,
    )
    if not (sign.phrases or sign.exact or sign.regexes or sign.near):
        raise ContentError(f"{where}: needs at least one of 'phrases', 'exact', 'regex' or 'near'")
    return sign


def _combination(item: Any, where: str, signs: Mapping[str, Sign]) -> Combination:
    if not isinstance(item, Mapping):
        raise ContentError(f"{where} must be a mapping")
    key = _text(item, "key", where)
    where = f"{where} ({key})"
    level = _text(item, "level", where)
    if level not in (EMERGENCY, URGENT):
        raise ContentError(f"{where}: field 'level' must be emergency or urgent")
    keys = _strings(item.get("signs"), "signs", where, required=True)
    unknown = [k for k in keys if k not in signs]
    if unknown or len(keys) < 2:
        raise ContentError(f"{where}: field 'signs' must name at least two signs (unknown: {unknown})")
    return Combination(key=key, label=_text(item, "label", where), level=level, signs=keys)


def _context(data: Any, where: str) -> Context:
    if not isinstance(data, Mapping):
        raise ContentError(f"{where}: field 'context' must be a mapping")
    cues = {}
    for kind in CONTEXT_KINDS:
        raw = data.get(kind)
        if not isinstance(raw, Mapping):
            raise ContentError(f"{where}: context: field '{kind}' must be a mapping with 'before'/'after'")
        here = f"{where}: context: {kind}"
        cues[kind] = ContextCues(
            before=_phrases(raw.get("before"), "before", here),
            after=_phrases(raw.get("after"), "after", here),
            regexes=_regexes(raw.get("regex"), here),
        )
    general = data.get("general_question") or {}
    if not isinstance(general, Mapping):
        raise ContentError(
            f"{where}: context: field 'general_question' must be a mapping with 'starts'/'personal'"
        )
    return Context(
        window=_count(data, "window", f"{where}: context"),
        clause_breaks=_phrases(data.get("clause_breaks"), "clause_breaks", f"{where}: context"),
        pseudo=_phrases(data.get("pseudo"), "pseudo", f"{where}: context"),
        cues=cues,
        past_verbs=_phrases(data.get("past_verbs"), "past_verbs", f"{where}: context"),
        present=_phrases(data.get("present"), "present", f"{where}: context"),
        recent=_phrases(data.get("recent"), "recent", f"{where}: context"),
        already_checked=_phrases(data.get("already_checked"), "already_checked", f"{where}: context"),
        worse_since_checked=_strings(
            data.get("worse_since_checked"), "worse_since_checked", f"{where}: context"
        ),
        in_care=_phrases(data.get("in_care"), "in_care", f"{where}: context"),
        question_starts=_phrases(general.get("starts"), "starts", f"{where}: context: general_question"),
        personal=_phrases(general.get("personal"), "personal", f"{where}: context: general_question"),
    )


def load_red_flags(path: str | Path | None = None) -> RedFlags:
    """Read and check the triage rules; raise ContentError naming the entry and field."""
    if path is None:
        path = Path(os.environ.get("CLINIC_CONTENT_DIR") or DEFAULT_CONTENT_DIR) / RED_FLAGS_FILE
    path = Path(path)
    data = read_content_file(path)
    where = path.name
    if data.get("version") != 2:
        raise ContentError(f"{where}: field 'version' must be 2")
    advice = data.get("advice")
    if not isinstance(advice, Mapping):
        raise ContentError(f"{where}: field 'advice' must map emergency, urgent and medical to text")
    raw_signs = data.get("signs")
    if not isinstance(raw_signs, list) or not raw_signs:
        raise ContentError(f"{where}: field 'signs' must be a non-empty list")
    signs = tuple(_sign(item, f"{where}: signs[{i}]") for i, item in enumerate(raw_signs))
    by_key: dict[str, Sign] = {}
    for i, sign in enumerate(signs):
        if sign.key in by_key:
            raise ContentError(f"{where}: signs[{i}] repeats key '{sign.key}'")
        by_key[sign.key] = sign
    context = _context(data.get("context"), where)
    raw_combinations = data.get("combinations") or []
    if not isinstance(raw_combinations, list):
        raise ContentError(f"{where}: field 'combinations' must be a list")
    combinations = tuple(
        _combination(item, f"{where}: combinations[{i}]", by_key) for i, item in enumerate(raw_combinations)
    )
    for key in context.worse_since_checked:
        if key not in by_key and key not in {c.key for c in combinations}:
            raise ContentError(f"{where}: context: worse_since_checked names no sign or combination '{key}'")
    scope = data.get("scope")
    if not isinstance(scope, Mapping):
        raise ContentError(f"{where}: field 'scope' must be a mapping with 'medical' and 'physical_therapy'")
    return RedFlags(
        advice={level: _text(advice, level, f"{where}: advice") for level in (EMERGENCY, URGENT)},
        medical_advice=_text(advice, "medical", f"{where}: advice"),
        screening_question=_text(data, "screening_question", where),
        context=context,
        signs=signs,
        combinations=combinations,
        medical_words=_phrases(scope.get("medical"), "medical", f"{where}: scope", required=True),
        therapy_words=_phrases(
            scope.get("physical_therapy"), "physical_therapy", f"{where}: scope", required=True
        ),
        vocabulary=_vocabulary(raw_signs, scope),
    )


def _vocabulary(raw_signs: list[Mapping[str, Any]], scope: Mapping[str, Any]) -> frozenset[str]:
    """The words of every sign's phrases, near groups, exact words and mentions, and the scope lists."""
    texts: list[str] = [*scope["medical"], *scope["physical_therapy"]]
    for item in raw_signs:
        texts += [*(item.get("phrases") or ()), *(item.get("exact") or ()), *(item.get("mentions") or ())]
        texts += [text for rule in item.get("near") or () for group in rule["words"] for text in group]
    return frozenset(w.text for text in texts for w in words(normalise(text)) if w.text.isalpha())
