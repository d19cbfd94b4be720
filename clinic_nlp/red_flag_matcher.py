"""Red-flag rules compiled into spaCy matchers: what a message says, found in its tokens.

Every phrase in ``data/content/red_flags.yml`` (read by ``clinic.red_flags``)
becomes ``Matcher`` patterns that compare lemmas, so word endings do not
matter; "near" rules add word-order freedom, and a NegEx-style check drops
mentions that the person denies ("no numbness", "I haven't fallen").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import product
from typing import Any, NamedTuple

from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from clinic.content import ContentError
from clinic.red_flags import Category, Detection, RedFlagHit, RedFlags, normalise_text

# Tokens that end a sentence for "near" rules and for negation.
SENTENCE_BREAKS = frozenset({".", "!", "?", ";"})
# Tokens that only end a negation's reach ("no fever, legs weak").
CLAUSE_BREAKS = frozenset({",", ":", "(", ")", "—", "–"})

Span = tuple[int, int]


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
    parts: tuple[Span, ...]  # the matched pieces; cues inside them do not negate


def _phrase_patterns(doc: Doc) -> list[list[dict[str, Any]]]:
    """Token patterns for a phrase: each word accepts its surface form, lemma and norm.

    Matching by LEMMA covers inflections ("lost" ~ "lose"); the NORM variant
    covers contractions the lookup lemmatizer leaves alone ("ca" in "can't").
    """
    forms = [sorted({t.lower_, t.lemma_.lower(), t.norm_}) for t in doc]
    return [[{attr: {"IN": f}} for f in forms] for attr in ("LEMMA", "NORM")]


def _order(hit: RedFlagHit) -> tuple[int, str]:
    return hit.start, hit.category


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _outside(candidates: Iterable[_Candidate], spans: Sequence[Span]) -> list[_Candidate]:
    return [c for c in candidates if not any(_overlaps((c.start, c.end), s) for s in spans)]


def _merge(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """Overlapping or adjacent matches of one category as one match."""
    merged: list[_Candidate] = []
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
        self._labels: dict[int, _Label] = {}
        phrases: list[tuple[_Label, str]] = []
        for index, category in enumerate(red_flags.categories):
            key = category.key
            phrases += [(_Label("hit", key), p) for p in category.phrases]
            phrases += [(_Label("ignore", key), p) for p in category.ignore]
            phrases += [(_Label("mention", key), p) for p in category.mentions]
            for r, rule in enumerate(category.near):
                for g, words in enumerate(rule.words):
                    phrases += [(_Label("near", key, r, g), w) for w in words]
            for p, pattern in enumerate(category.patterns):
                try:
                    self._add(_Label("hit", key), [list(pattern)])
                except (MatchPatternError, ValueError) as exc:
                    raise ContentError(
                        f"categories[{index}] ({key}): patterns[{p}] is not a valid spaCy pattern ({exc})"
                    ) from exc
        phrases += [(_Label("cue"), p) for p in red_flags.negation.cues]
        phrases += [(_Label("not_cue"), p) for p in red_flags.negation.not_cues]
        phrases += [(_Label("break"), p) for p in red_flags.clause_breaks]
        docs = nlp.pipe(p for _, p in phrases)
        for (label, _), doc in zip(phrases, docs, strict=False):
            self._add(label, _phrase_patterns(doc))

    def _add(self, label: _Label, patterns: list[list[dict[str, Any]]]) -> None:
        name = "|".join(map(str, label))
        self._labels[self._nlp.vocab.strings.add(name)] = label
        self._matcher.add(name, patterns)

    def detect(self, doc_or_text: Doc | str) -> list[RedFlagHit]:
        """The un-negated red flags in a message."""
        return list(self.detect_all(doc_or_text).hits)

    def detect_all(self, doc_or_text: Doc | str) -> Detection:
        """Red flags, and separately the mentions the person denied."""
        doc, text = self._prepare(doc_or_text)
        found: dict[_Label, list[Span]] = defaultdict(list)
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

        hits: list[RedFlagHit] = []
        denied: list[RedFlagHit] = []
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
        return Detection(hits=tuple(sorted(hits, key=_order)), negated=tuple(sorted(denied, key=_order)))

    def _prepare(self, doc_or_text: Doc | str) -> tuple[Doc, str]:
        """A lower-cased, lemmatized Doc (the lookup lemmatizer needs lower case)."""
        text = doc_or_text.text if isinstance(doc_or_text, Doc) else doc_or_text
        lowered = normalise_text(text)
        if (
            isinstance(doc_or_text, Doc)
            and doc_or_text.text == lowered
            and doc_or_text.has_annotation("LEMMA")
        ):
            return doc_or_text, text
        return self._nlp(lowered if len(lowered) == len(text) else text), text

    @staticmethod
    def _scopes(doc: Doc, breaks: Sequence[Span]) -> tuple[list[int], list[int]]:
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
) -> list[_Candidate]:
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
    chosen: list[_Candidate] = []
    for candidate in sorted(found, key=lambda c: (c.end - c.start, c.start)):
        if not any(_overlaps((candidate.start, candidate.end), (c.start, c.end)) for c in chosen):
            chosen.append(candidate)
    return chosen
