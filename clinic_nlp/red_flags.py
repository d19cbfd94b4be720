"""Red-flag triage rules: messages that need emergency care, not exercises.

The rules are data (``data/content/red_flags.yml``). Every phrase is compiled
into spaCy ``Matcher`` patterns that compare lemmas, so word endings do not
matter; "near" rules add word-order freedom, and a NegEx-style check drops
mentions that the person denies ("no numbness", "I haven't fallen").
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from actions.content import DEFAULT_CONTENT_DIR, ContentError, read_content_file

RED_FLAGS_FILE = "red_flags.yml"

# Tokens that end a sentence for "near" rules and for negation.
SENTENCE_BREAKS = frozenset({".", "!", "?", ";"})
# Tokens that only end a negation's reach ("no fever, legs weak").
CLAUSE_BREAKS = frozenset({",", ":", "(", ")", "—", "–"})

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

TokenPattern = Tuple[Mapping[str, Any], ...]
Span = Tuple[int, int]


@dataclass(frozen=True)
class NearRule:
    """One word or phrase from every list, in any order, close together."""

    words: Tuple[Tuple[str, ...], ...]
    within: int


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    phrases: Tuple[str, ...]
    patterns: Tuple[TokenPattern, ...]
    near: Tuple[NearRule, ...]
    ignore: Tuple[str, ...]
    mentions: Tuple[str, ...]


@dataclass(frozen=True)
class Negation:
    cues: Tuple[str, ...]
    not_cues: Tuple[str, ...]
    window: int


@dataclass(frozen=True)
class RedFlags:
    advice: str
    negation: Negation
    clause_breaks: Tuple[str, ...]
    categories: Tuple[Category, ...]

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
    hits: Tuple[RedFlagHit, ...]
    negated: Tuple[RedFlagHit, ...]


# ---------------------------------------------------------------- loading


def _normalise(text: str) -> str:
    """Lower case with straight apostrophes; keeps the length of ``text`` in practice."""
    return text.lower().replace("\u2019", "'")


def _text(mapping: Mapping, field: str, where: str) -> str:
    value = mapping.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: field '{field}' must be a non-empty string")
    return value.strip()


def _count(mapping: Mapping, field: str, where: str) -> int:
    value = mapping.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ContentError(f"{where}: field '{field}' must be a whole number >= 0")
    return value


def _phrases(value: Any, field: str, where: str, required: bool = False) -> Tuple[str, ...]:
    if value is None and not required:
        return ()
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(p, str) and p.strip() for p in value)
    ):
        raise ContentError(f"{where}: field '{field}' must list non-empty strings (quote yes/no)")
    return tuple(_normalise(p.strip()) for p in value)


def _patterns(value: Any, where: str) -> Tuple[TokenPattern, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ContentError(f"{where}: field 'patterns' must be a list of token patterns")
    checker = Matcher(Vocab(), validate=True)
    for i, pattern in enumerate(value):
        tokens_ok = isinstance(pattern, list) and all(isinstance(t, dict) for t in pattern)
        if not pattern or not tokens_ok:
            raise ContentError(f"{where}: patterns[{i}] must be a list of token mappings")
        try:
            checker.add("check", [pattern])
        except (MatchPatternError, ValueError) as exc:
            raise ContentError(
                f"{where}: patterns[{i}] is not a valid spaCy pattern ({exc})"
            ) from exc
    return tuple(tuple(pattern) for pattern in value)


def _near(value: Any, where: str) -> Tuple[NearRule, ...]:
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


def load_red_flags(path: Optional[Union[str, Path]] = None) -> RedFlags:
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
            raise ContentError(
                f"{where}: categories[{i}] repeats key '{key}' (see categories[{first}])"
            )
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


# ---------------------------------------------------------------- matching


class _Label(NamedTuple):
    """What a matcher pattern stands for."""

    kind: str  # hit, near, ignore, mention, cue, not_cue, break
    category: str = ""
    rule: int = 0
    group: int = 0


class _Candidate(NamedTuple):
    start: int
    end: int
    parts: Tuple[Span, ...]  # the matched pieces; cues inside them do not negate


def _phrase_patterns(doc: Doc) -> List[List[Dict[str, Any]]]:
    """Token patterns for a phrase: each word accepts its surface form, lemma and norm.

    Matching by LEMMA covers inflections ("lost" ~ "lose"); the NORM variant
    covers contractions the lookup lemmatizer leaves alone ("ca" in "can't").
    """
    forms = [sorted({t.lower_, t.lemma_.lower(), t.norm_}) for t in doc]
    return [[{attr: {"IN": f}} for f in forms] for attr in ("LEMMA", "NORM")]


def _order(hit: RedFlagHit) -> Tuple[int, str]:
    return hit.start, hit.category


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _outside(candidates: Iterable[_Candidate], spans: Sequence[Span]) -> List[_Candidate]:
    return [c for c in candidates if not any(_overlaps((c.start, c.end), s) for s in spans)]


def _merge(candidates: Iterable[_Candidate]) -> List[_Candidate]:
    """Overlapping or adjacent matches of one category as one match."""
    merged: List[_Candidate] = []
    for c in sorted(candidates):
        last = merged[-1] if merged else None
        if last and c.start <= last.end:
            merged[-1] = _Candidate(last.start, max(last.end, c.end), last.parts + c.parts)
        else:
            merged.append(c)
    return merged


class RedFlagDetector:
    """Finds red flags in a message with the rules from ``red_flags.yml``.

    ``nlp`` must tokenize and lemmatize like the pipeline that made any Doc
    passed in (the project's ``models/spacy/clinic_en``); it is also used for
    plain text and for Docs that are not lower-cased.
    """

    def __init__(self, nlp: Language, red_flags: RedFlags) -> None:
        self.red_flags = red_flags
        self._nlp = nlp
        self._matcher = Matcher(nlp.vocab, validate=True)
        self._labels: Dict[int, _Label] = {}
        phrases: List[Tuple[_Label, str]] = []
        for category in red_flags.categories:
            key = category.key
            phrases += [(_Label("hit", key), p) for p in category.phrases]
            phrases += [(_Label("ignore", key), p) for p in category.ignore]
            phrases += [(_Label("mention", key), p) for p in category.mentions]
            for r, rule in enumerate(category.near):
                for g, words in enumerate(rule.words):
                    phrases += [(_Label("near", key, r, g), w) for w in words]
            if category.patterns:
                self._add(_Label("hit", key), [list(p) for p in category.patterns])
        phrases += [(_Label("cue"), p) for p in red_flags.negation.cues]
        phrases += [(_Label("not_cue"), p) for p in red_flags.negation.not_cues]
        phrases += [(_Label("break"), p) for p in red_flags.clause_breaks]
        docs = nlp.pipe(p for _, p in phrases)
        for (label, _), doc in zip(phrases, docs):
            self._add(label, _phrase_patterns(doc))

    def _add(self, label: _Label, patterns: List[List[Dict[str, Any]]]) -> None:
        name = "|".join(map(str, label))
        self._labels[self._nlp.vocab.strings.add(name)] = label
        self._matcher.add(name, patterns)

    def detect(self, doc_or_text: Union[Doc, str]) -> List[RedFlagHit]:
        """The un-negated red flags in a message."""
        return list(self.detect_all(doc_or_text).hits)

    def detect_all(self, doc_or_text: Union[Doc, str]) -> Detection:
        """Red flags, and separately the mentions the person denied."""
        doc, text = self._prepare(doc_or_text)
        found: Dict[_Label, List[Span]] = defaultdict(list)
        for match_id, start, end in self._matcher(doc):
            found[self._labels[match_id]].append((start, end))
        sentences, clauses = self._scopes(doc, found[_Label("break")])
        not_cues = found[_Label("not_cue")]
        cues = [c for c in found[_Label("cue")] if not any(_overlaps(c, n) for n in not_cues)]

        def negated(candidate: _Candidate) -> bool:
            """A cue shortly before any part of the match, in the same clause."""
            window = self.red_flags.negation.window
            return any(
                cue[1] <= part[0]
                and part[0] - cue[1] <= window
                and clauses[cue[0]] == clauses[part[0]]
                and not any(_overlaps(cue, p) for p in candidate.parts)
                for part in candidate.parts
                for cue in cues
            )

        hits: List[RedFlagHit] = []
        denied: List[RedFlagHit] = []
        for category in self.red_flags.categories:
            key = category.key
            ignored = found[_Label("ignore", key)]
            candidates = [_Candidate(s, e, ((s, e),)) for s, e in found[_Label("hit", key)]]
            for r, rule in enumerate(category.near):
                groups = [found[_Label("near", key, r, g)] for g in range(len(rule.words))]
                candidates += _near_candidates(groups, rule.within, sentences)
            candidates = _outside(candidates, ignored)
            mentions = [_Candidate(s, e, ((s, e),)) for s, e in found[_Label("mention", key)]]
            mentions = _outside(mentions, ignored)
            positive = _merge(c for c in candidates if not negated(c))
            negative = _merge(c for c in candidates + mentions if negated(c))
            negative = _outside(negative, [(p.start, p.end) for p in positive])
            hits += [self._hit(category, doc, text, c) for c in positive]
            denied += [self._hit(category, doc, text, c) for c in negative]
        return Detection(
            hits=tuple(sorted(hits, key=_order)), negated=tuple(sorted(denied, key=_order))
        )

    def _prepare(self, doc_or_text: Union[Doc, str]) -> Tuple[Doc, str]:
        """A lower-cased, lemmatized Doc (the lookup lemmatizer needs lower case)."""
        text = doc_or_text.text if isinstance(doc_or_text, Doc) else doc_or_text
        lowered = _normalise(text)
        if (
            isinstance(doc_or_text, Doc)
            and doc_or_text.text == lowered
            and doc_or_text.has_annotation("LEMMA")
        ):
            return doc_or_text, text
        return self._nlp(lowered if len(lowered) == len(text) else text), text

    @staticmethod
    def _scopes(doc: Doc, breaks: Sequence[Span]) -> Tuple[List[int], List[int]]:
        """Per token: the id of its sentence part (for "near") and of its clause (for negation)."""
        break_starts = {start for start, _ in breaks}
        sentences, clauses = [], []
        sentence = clause = 0
        for token in doc:
            if token.text in SENTENCE_BREAKS or "\n" in token.text or token.i in break_starts:
                sentence += 1
                clause += 1
            elif token.text in CLAUSE_BREAKS:
                clause += 1
            sentences.append(sentence)
            clauses.append(clause)
        return sentences, clauses

    @staticmethod
    def _hit(category: Category, doc: Doc, text: str, candidate: _Candidate) -> RedFlagHit:
        span = doc[candidate.start : candidate.end]
        return RedFlagHit(
            category=category.key,
            label=category.label,
            text=text[span.start_char : span.end_char],
            start=span.start_char,
            end=span.end_char,
        )


def _near_candidates(
    groups: Sequence[Sequence[Span]], within: int, sentences: Sequence[int]
) -> List[_Candidate]:
    """The tightest non-overlapping combinations with one match from every group."""
    found = []
    for parts in product(*groups):
        if len({sentences[s] for s, _ in parts} | {sentences[e - 1] for _, e in parts}) != 1:
            continue
        if any(_overlaps(a, b) for i, a in enumerate(parts) for b in parts[i + 1 :]):
            continue
        start, end = min(s for s, _ in parts), max(e for _, e in parts)
        if (end - start) - sum(e - s for s, e in parts) <= within:
            found.append(_Candidate(start, end, tuple(sorted(parts))))
    chosen: List[_Candidate] = []
    for candidate in sorted(found, key=lambda c: (c.end - c.start, c.start)):
        if not any(_overlaps((candidate.start, candidate.end), (c.start, c.end)) for c in chosen):
            chosen.append(candidate)
    return chosen
