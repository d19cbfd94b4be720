"""Three-level triage of a patient's message, from explicit evidence in the text.

``assess(text)`` finds the signs of ``data/content/red_flags.yml`` sentence by
sentence and keeps only those the person reports as happening to them now: a
sign is discounted when it is denied ("no fever", "denies numbness"), in the
past and not a history sign ("I fell three years ago"), a relative's history
("my dad had cancer"), or hypothetical ("what if my legs go numb?"). The most
serious counted sign or combination sets the level. Nothing here guesses: a
classifier's hunch can only ask the screening question (see the actions).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from clinic.content import get_content
from clinic.message_limits import within_limit
from clinic.red_flags import (
    CONTEXT,
    EMERGENCY,
    LEVELS,
    ROUTINE,
    URGENT,
    RedFlags,
    Sign,
    load_red_flags,
)
from clinic.spelling import Speller
from clinic.text_scan import (
    CLAUSE_PUNCTUATION,
    PhraseIndex,
    Sentence,
    Word,
    normalise,
    phrase_stems,
    sentences,
    stem,
    words,
)

Span = tuple[int, int]  # word positions in a sentence, end exclusive
# A denied list: "no A, B or C"; each item at most this many words.
LIST_END = frozenset({"or", "nor"})
LIST_ITEM_WORDS = 3


class _Match(NamedTuple):
    """Where a sign was found; ``parts`` are the matched phrases (a near rule has
    several, with other words between them that a cue may stand among)."""

    start: int
    end: int
    parts: tuple[Span, ...]


@dataclass(frozen=True)
class Finding:
    """A sign found in the message; ``text`` is the words that showed it."""

    sign: str
    label: str
    level: str
    text: str
    # negated, historical, other_person, hypothetical, general_question
    discounted_as: str | None = None


@dataclass(frozen=True)
class Assessment:
    level: str  # emergency, urgent or routine
    reasons: tuple[str, ...]  # labels of the signs and combinations that set the level
    findings: tuple[Finding, ...]  # every counted sign, context signs included
    discounted: tuple[Finding, ...]  # signs and mentions that were denied or did not count
    medical_other: bool  # a health problem outside physical therapy
    physical_therapy: bool  # names a body area, exercise or musculoskeletal problem

    @property
    def denied_only(self) -> bool:
        """Signs were mentioned, and every one of them was denied or discounted."""
        return not self.findings and bool(self.discounted)


@dataclass
class _Scan:
    """One sentence's words with per-word clause ids and every cue occurrence."""

    sentence: Sentence
    stems: list[str]
    clause: list[int]
    # kind -> [(span, "before" or "after")]
    cues: dict[str, list[tuple[Span, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class _CompiledSign:
    sign: Sign
    phrases: PhraseIndex
    ignore: PhraseIndex
    mentions: PhraseIndex
    near: tuple[tuple[PhraseIndex, ...], ...]  # per near rule, one index per word group
    urgent_with: PhraseIndex
    emergency_with: PhraseIndex

    @classmethod
    def of(cls, sign: Sign) -> _CompiledSign:
        return cls(
            sign=sign,
            phrases=PhraseIndex(sign.phrases),
            ignore=PhraseIndex(sign.ignore),
            mentions=PhraseIndex(sign.mentions),
            near=tuple(tuple(PhraseIndex(group) for group in rule.groups) for rule in sign.near),
            urgent_with=PhraseIndex(sign.urgent_with),
            emergency_with=PhraseIndex(sign.emergency_with),
        )


class Triage:
    """The rules of one red-flag file, compiled once for many messages."""

    def __init__(self, rules: RedFlags, therapy_names: Iterable[str] = ()) -> None:
        """``therapy_names``: body areas, exercises and topics, physical-therapy words beside the rules' own."""
        self.rules = rules
        names = list(therapy_names)
        self._speller = Speller(
            rules.vocabulary | {w.text for name in names for w in words(normalise(name)) if w.text.isalpha()}
        )
        context = rules.context
        self._breaks = PhraseIndex(context.clause_breaks)
        self._pseudo = PhraseIndex(context.pseudo)
        self._past = PhraseIndex(context.past_verbs)
        self._present = PhraseIndex(context.present)
        self._recent = PhraseIndex(context.recent)
        self._checked = PhraseIndex(context.already_checked)
        self._worse_since_checked = frozenset(context.worse_since_checked)
        self._in_care = PhraseIndex(context.in_care)
        self._question_starts = PhraseIndex(context.question_starts)
        self._personal = PhraseIndex(context.personal)
        self._cue_index = {
            (kind, where): PhraseIndex(getattr(cues, where))
            for kind, cues in context.cues.items()
            for where in ("before", "after")
        }
        self._cue_regexes = {kind: cues.regexes for kind, cues in context.cues.items() if cues.regexes}
        self._signs = {sign.key: _CompiledSign.of(sign) for sign in rules.signs}
        self._easable = [c for c in self._signs.values() if c.sign.urgent_with]
        self._medical = PhraseIndex(rules.medical_words)
        self._therapy = PhraseIndex([*rules.therapy_words, *(phrase_stems(n) for n in names)])

    def assess(self, text: str) -> Assessment:
        findings: list[Finding] = []
        discounted: list[Finding] = []
        medical = therapy = 0
        checked = in_care = False
        eased: set[str] = set()
        kept: set[str] = set()
        scans = [self._scan(sentence) for sentence in sentences(within_limit(text))]
        general = self._general_question(scans)
        for scan in scans:
            for compiled in self._easable:
                if any(True for _ in compiled.urgent_with.find(scan.stems)):
                    eased.add(compiled.sign.key)
                if any(True for _ in compiled.emergency_with.find(scan.stems)):
                    kept.add(compiled.sign.key)
            checked = checked or any(True for _ in self._checked.find(scan.stems))
            in_care = in_care or any(True for _ in self._in_care.find(scan.stems))
            medical += sum(1 for _ in self._medical.find(scan.stems))
            therapy += sum(1 for _ in self._therapy.find(scan.stems))
            for compiled in self._signs.values():
                counted, denied = self._sign_in(compiled, scan, general)
                findings += counted
                discounted += denied
        if in_care:
            discounted += [replace(f, discounted_as="in_care") for f in findings if self._cleared_by_care(f)]
            findings = [f for f in findings if not self._cleared_by_care(f)]
        findings = [
            replace(f, level=URGENT) if f.level == EMERGENCY and f.sign in eased - kept else f
            for f in findings
        ]
        return self._decide(findings, discounted, checked, medical=medical, therapy=therapy)

    def _cleared_by_care(self, finding: Finding) -> bool:
        return self._signs[finding.sign].sign.cleared_by_care

    def _decide(
        self, findings: list[Finding], discounted: list[Finding], checked: bool, medical: int, therapy: int
    ) -> Assessment:
        found = {f.sign for f in findings}
        combined = [c for c in self.rules.combinations if set(c.signs) <= found]
        levelled = [(f.level, f.label) for f in findings if f.level != CONTEXT]
        levelled += [(c.level, c.label) for c in combined]
        if checked and not (found | {c.key for c in combined}) & self._worse_since_checked:
            levelled = [(URGENT if got == EMERGENCY else got, label) for got, label in levelled]
        level = next((lv for lv in LEVELS if any(lv == got for got, _ in levelled)), ROUTINE)
        reasons = tuple(dict.fromkeys(label for got, label in levelled if got == level))
        return Assessment(
            level=level,
            reasons=reasons,
            findings=tuple(findings),
            discounted=tuple(d for d in discounted if d.sign not in found),
            medical_other=medical > 0 and medical >= therapy,
            physical_therapy=therapy > 0,
        )

    def _scan(self, sentence: Sentence) -> _Scan:
        stems = [self._stem(w) for w in sentence.words]
        break_starts = {start for start, _, _ in self._breaks.find(stems)}
        clause, current = [], 0
        for i, word in enumerate(sentence.words):
            if word.text in CLAUSE_PUNCTUATION or i in break_starts:
                current += 1
            clause.append(current)
        scan = _Scan(sentence, stems, clause)
        pseudo = [(s, e) for s, e, _ in self._pseudo.find(stems)]
        for (kind, where), index in self._cue_index.items():
            for start, end, _ in index.find(stems):
                if not any(_overlaps((start, end), p) for p in pseudo):
                    scan.cues.setdefault(kind, []).append(((start, end), where))
        for kind, patterns in self._cue_regexes.items():
            for span in _pattern_spans(patterns, sentence):
                scan.cues.setdefault(kind, []).extend([(span, "before"), (span, "after")])
        return scan

    def _stem(self, word: Word) -> str:
        """The word's stem, or the stem of the rule word it misspells ("pian": "pain")."""
        meant = self._speller.correct(word.text)
        return word.stem if meant == word.text else stem(meant)

    def _general_question(self, scans: Sequence[_Scan]) -> bool:
        """A question about a condition in general ("How long does foot drop take to get better?"): it
        starts as a question and names no one, so no sign in it is anyone's problem now."""
        if not scans:
            return False
        return any(start == 0 for start, _, _ in self._question_starts.find(scans[0].stems)) and not any(
            True for scan in scans for _ in self._personal.find(scan.stems)
        )

    def _sign_in(
        self, compiled: _CompiledSign, scan: _Scan, general: bool
    ) -> tuple[list[Finding], list[Finding]]:
        sign = compiled.sign
        ignored = [(s, e) for s, e, _ in compiled.ignore.find(scan.stems)]
        spans = [(s, e) for s, e, _ in compiled.phrases.find(scan.stems)]
        spans += [(i, i + 1) for i, w in enumerate(scan.sentence.words) if w.text in sign.exact]
        spans += list(_regex_spans(sign, scan.sentence))
        matches = [_Match(s, e, ((s, e),)) for s, e in spans]
        for rule, groups in zip(sign.near, compiled.near, strict=True):
            matches += _near_matches(
                [[(s, e) for s, e, _ in g.find(scan.stems)] for g in groups], rule.within
            )
        matches = [m for m in _merge(matches) if not any(_overlaps(m[:2], i) for i in ignored)]
        counted: list[Finding] = []
        denied: list[Finding] = []
        for match in matches:
            reason = "general_question" if general else self._discount(sign, match, scan)
            finding = self._finding(sign, match[:2], scan, reason)
            (denied if reason else counted).append(finding)
        if not counted:
            for start, end, _ in compiled.mentions.find(scan.stems):
                reason = self._discount(sign, _Match(start, end, ((start, end),)), scan)
                if reason and not any(_overlaps((start, end), m[:2]) for m in matches):
                    denied.append(self._finding(sign, (start, end), scan, reason))
        return counted, denied

    def _discount(self, sign: Sign, match: _Match, scan: _Scan) -> str | None:
        """Why a sign found at ``match`` does not count as the person's own, current problem."""
        window = self.rules.context.window
        for kind in ("negated", "hypothetical", "historical", "other_person"):
            if kind == "historical" and sign.history_counts:
                continue
            same_clause = kind == "negated"
            reach = window if same_clause else len(scan.stems)
            for cue, where in scan.cues.get(kind, ()):
                if any(_overlaps(cue, part) for part in match.parts):
                    continue
                if not any(
                    (not same_clause or _in_reach(scan, cue, part))
                    and (
                        (where == "before" and cue[1] <= part[0] and part[0] - cue[1] <= reach)
                        or (where == "after" and cue[0] >= part[1] and cue[0] - part[1] <= reach)
                    )
                    for part in match.parts
                ):
                    continue
                span = (match.start, match.end)
                past = self._between(self._past, scan, cue, span, clause=scan.clause[span[0]])
                if kind == "other_person" and not (sign.history_counts or past):
                    continue  # a carer reporting someone's symptoms now: it counts
                if kind == "other_person" and not sign.history_counts and self._now_for_them(scan, cue, span):
                    continue  # "my mom had a bad fall yesterday": their problem now, reported by a carer
                if kind == "historical" and self._between(self._present, scan, cue, span):
                    continue
                return kind
        return None

    def _now_for_them(self, scan: _Scan, cue: Span, span: Span) -> bool:
        """Someone else's event dated to now: a present word between the person and the
        sign ("my husband had surgery and now can't walk"), or a recent one in the
        sign's own clause ("my mom had a fall yesterday")."""
        if self._between(self._present, scan, cue, span):
            return True
        clause = scan.clause[span[0]]
        return any(
            s >= cue[1] and scan.clause[s] == clause and not _overlaps((s, e), cue)
            for s, e, _ in self._recent.find(scan.stems)
        )

    @staticmethod
    def _between(words: PhraseIndex, scan: _Scan, cue: Span, span: Span, clause: int | None = None) -> bool:
        """One of ``words`` between a cue and the sign, on whichever side the cue is;
        with ``clause``, only in that clause ("my wife had surgery and she can't walk":
        the past verb is about the surgery, not about the walking)."""
        low, high = (cue[1], span[0]) if cue[1] <= span[0] else (span[1], cue[0])
        return any(
            low <= s and e <= high and (clause is None or scan.clause[s] == clause)
            for s, e, _ in words.find(scan.stems)
        )

    @staticmethod
    def _finding(sign: Sign, span: Span, scan: _Scan, discounted_as: str | None) -> Finding:
        words = scan.sentence.words
        text = scan.sentence.text[words[span[0]].start : words[span[1] - 1].end]
        return Finding(sign.key, sign.label, sign.level, text, discounted_as)


def _in_reach(scan: _Scan, cue: Span, part: Span) -> bool:
    """A denial reaches a sign in its own clause, and across the commas of a list
    to its last item after "or"/"nor" ("no mass, midline shift or hemorrhage"),
    but not into a new clause ("no fever, legs weak or numb"). A middle item of
    such a list still counts: over-triage is the safe side."""
    if scan.clause[cue[0]] == scan.clause[part[0]]:
        return True
    words = scan.sentence.words
    if cue[1] > part[0] or part[0] == 0 or words[part[0] - 1].text not in LIST_END:
        return False
    between = words[cue[1] : part[0]]
    pieces = " ".join(w.text for w in between).split(",")
    commas_only = all(
        scan.clause[k] == scan.clause[k - 1] or words[k].text == "," for k in range(cue[1], part[0] + 1)
    )
    return commas_only and all(len(piece.split()) <= LIST_ITEM_WORDS for piece in pieces)


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _merge(matches: Iterable[_Match]) -> list[_Match]:
    """Overlapping or adjacent matches as one, keeping every matched part."""
    merged: list[_Match] = []
    for match in sorted(set(matches)):
        last = merged[-1] if merged else None
        if last and match.start <= last.end:
            merged[-1] = _Match(last.start, max(last.end, match.end), last.parts + match.parts)
        else:
            merged.append(match)
    return merged


def _regex_spans(sign: Sign, sentence: Sentence) -> Iterable[Span]:
    return _pattern_spans(sign.regexes, sentence)


def _pattern_spans(patterns: Iterable[re.Pattern[str]], sentence: Sentence) -> Iterable[Span]:
    """The word spans that each match of ``patterns`` covers in the sentence."""
    for pattern in patterns:
        for match in pattern.finditer(sentence.text):
            covered = [
                i for i, w in enumerate(sentence.words) if w.start < match.end() and match.start() < w.end
            ]
            if covered:
                yield covered[0], covered[-1] + 1


def _near_matches(groups: Sequence[Sequence[Span]], within: int) -> list[_Match]:
    """One occurrence from every group with at most ``within`` other words between them.

    Anchored on each occurrence of the first group, the closest occurrence of
    every other group is taken, so the work is linear in the occurrences.
    """
    if not all(groups):
        return []
    found = []
    for anchor in groups[0]:
        parts = [anchor]
        for others in groups[1:]:
            free = [o for o in others if not any(_overlaps(o, p) for p in parts)]
            if not free:
                break
            parts.append(min(free, key=lambda o: abs(o[0] - anchor[0])))
        else:
            start, end = min(s for s, _ in parts), max(e for _, e in parts)
            if (end - start) - sum(e - s for s, e in parts) <= within:
                found.append(_Match(start, end, tuple(sorted(parts))))
    return found


@functools.lru_cache(maxsize=1)
def default_triage() -> Triage:
    """The clinic's rules, with every body area, exercise and topic name as physical-therapy words."""
    content = get_content()
    names = [
        *(alias for aliases in content.body_parts.values() for alias in aliases),
        *(alias for exercise in content.exercises.values() for alias in exercise.names),
        *(alias for topic in content.topics.values() for alias in (topic.title, *topic.aliases)),
    ]
    return Triage(load_red_flags(), names)


def assess(text: str) -> Assessment:
    """Triage one message with the clinic's rules."""
    return default_triage().assess(text)


__all__ = ["EMERGENCY", "ROUTINE", "URGENT", "Assessment", "Finding", "Triage", "assess"]
