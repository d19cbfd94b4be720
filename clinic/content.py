"""The clinic's editable content (``data/content/*.yml``) as typed objects.

Everything the assistant says about exercises and topics, and every spaCy
pattern for them, is derived from these files; nothing here is hard-coded.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT_DIR = REPO_ROOT / "data" / "content"

DETAIL_KINDS = ("reps", "hold", "support", "other_side")


class ContentError(ValueError):
    """A content file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Exercise:
    key: str
    name: str
    aliases: tuple[str, ...]
    body_parts: tuple[str, ...]
    summary: str
    steps: tuple[str, ...]
    details: Mapping[str, str]
    # Beside each step, its picture's path under the content directory (None: no picture).
    pictures: tuple[str | None, ...] = ()
    # Words that name it in a short question about it, not in a story ("a stretching feeling").
    bare_aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every phrase that names it: its name, aliases and bare aliases."""
        return (normalise(self.name), *self.aliases, *self.bare_aliases)


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    text: str
    intent: str | None
    aliases: tuple[str, ...]
    related_exercises: tuple[str, ...]
    offer_visit: bool
    explains: str | None = None
    # First sentences by the kind of question ("outlook", "exercises", "cause", "default").
    openings: Mapping[str, str] = field(default_factory=dict)

    def opening(self, question: str | None) -> str | None:
        """The first sentence for a question of this kind, or the default one, if the topic has any."""
        return self.openings.get(question or "default") or self.openings.get("default")


@dataclass(frozen=True)
class Content:
    exercises: Mapping[str, Exercise]
    topics: Mapping[str, Topic]
    body_parts: Mapping[str, tuple[str, ...]]
    disclaimer: str
    visit_offer: str
    _alias_index: dict[str, str] = field(default_factory=dict, repr=False)
    _topic_index: dict[str, str] = field(default_factory=dict, repr=False)
    _bare_aliases: frozenset[str] = field(default_factory=frozenset, repr=False)

    def exercise_for_text(self, text: str | None) -> Exercise | None:
        """The exercise a phrase refers to: an alias, a body part, or a near miss.

        SMS users misspell freely ("hamstrng strech"), so an unknown phrase is
        compared with every alias and accepted only when it is close.
        """
        if not text:
            return None
        if text in self.exercises:
            return self.exercises[text]
        phrase = normalise(text)
        if phrase in self._alias_index:
            return self.exercises[self._alias_index[phrase]]
        by_part = self.exercise_for_body_part(phrase)
        if by_part:
            return by_part
        key = _closest(phrase, self._alias_index)
        return self.exercises[key] if key else None

    def is_bare_alias(self, phrase: str | None) -> bool:
        """True for a bare word ("stretch", "kick") that names an exercise only in a short question."""
        return bool(phrase) and normalise(str(phrase)) in self._bare_aliases

    def exercise_for_body_part(self, part: str | None) -> Exercise | None:
        """The only exercise for a body part, when exactly one targets it."""
        if not part:
            return None
        key = self.body_part_key(part) or normalise(part)
        matches = [e for e in self.exercises.values() if key in e.body_parts]
        return matches[0] if len(matches) == 1 else None

    def body_part_key(self, text: str) -> str | None:
        phrase = normalise(text)
        for key, aliases in self.body_parts.items():
            if phrase == key or phrase in aliases:
                return key
        return None

    def topic_for_text(self, text: str | None) -> Topic | None:
        """A topic (condition) by one of its aliases, tolerating small typos."""
        if not text:
            return None
        if text in self.topics:
            return self.topics[text]
        key = _closest(normalise(text), self._topic_index)
        return self.topics[key] if key else None

    def topic_for_intent(self, intent: str | None) -> Topic | None:
        return next((t for t in self.topics.values() if intent and t.intent == intent), None)

    def why_topic(self, exercise_key: str) -> Topic | None:
        """The topic that explains why an exercise helps."""
        return next((t for t in self.topics.values() if t.explains == exercise_key), None)

    def find_topic_in_message(self, message: str) -> Topic | None:
        return next(filter(None, map(self.topic_for_text, _word_ngrams(message, min_length=5))), None)

    def find_exercise_in_message(self, message: str) -> Exercise | None:
        """Last resort when NER found nothing: scan the message's word n-grams."""
        return next(filter(None, map(self.exercise_for_text, _word_ngrams(message, min_length=4))), None)


def _closest(phrase: str, index: Mapping[str, str]) -> str | None:
    """The key an alias index gives ``phrase``: exactly, or for a close misspelling."""
    if phrase in index:
        return index[phrase]
    close = difflib.get_close_matches(phrase, list(index), n=1, cutoff=0.8)
    return index[close[0]] if close else None


def _word_ngrams(message: str, min_length: int) -> Iterator[str]:
    """Runs of 3, then 2, then 1 words, longest first, skipping very short ones."""
    words = normalise(message).split()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            gram = " ".join(words[start : start + size])
            if len(gram) >= min_length:
                yield gram


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces (but keep "3-way"), single spaces."""
    text = re.sub(r"[^\w\s-]", " ", text.lower())
    return " ".join(text.split())


def _require(mapping: Mapping[str, Any], key: str, where: str, kind: type = str) -> Any:
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise ContentError(f"{where}: field '{key}' must be a non-empty {kind.__name__}")
    return value


def read_content_file(path: Path) -> Mapping[str, Any]:
    """A content YAML file's top-level mapping, or ContentError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, Mapping):
        raise ContentError(f"{path}: expected a mapping at the top level")
    return data


def _load_exercises(path: Path) -> dict[str, Exercise]:
    raw = _require(read_content_file(path), "exercises", str(path), dict)
    exercises = {}
    for key, item in raw.items():
        where = f"{path.name}: exercises.{key}"
        details = _require(item, "details", where, dict)
        missing = [d for d in DETAIL_KINDS if not details.get(d)]
        if missing:
            raise ContentError(f"{where}: details lacks {', '.join(missing)}")
        steps, pictures = _steps(_require(item, "steps", where, list), path.parent, where)
        exercises[key] = Exercise(
            key=key,
            name=_require(item, "name", where),
            aliases=tuple(normalise(a) for a in _require(item, "aliases", where, list)),
            body_parts=tuple(_require(item, "body_parts", where, list)),
            summary=_require(item, "summary", where).strip(),
            steps=steps,
            details={k: details[k].strip() for k in DETAIL_KINDS},
            pictures=pictures,
            bare_aliases=tuple(normalise(a) for a in item.get("bare_aliases") or ()),
        )
    return exercises


def _steps(raw: list[Any], directory: Path, where: str) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """Each step is its text, or ``{text, picture}`` with the picture's path under ``directory``."""
    steps: list[str] = []
    pictures: list[str | None] = []
    for number, step in enumerate(raw, start=1):
        entry = step if isinstance(step, Mapping) else {"text": step}
        steps.append(_require(entry, "text", f"{where}: step {number}").strip())
        picture = entry.get("picture")
        path = directory / picture if isinstance(picture, str) else None
        inside = path is not None and path.resolve().is_relative_to(directory.resolve())
        if picture is not None and not (inside and path is not None and path.is_file()):
            raise ContentError(f"{where}: step {number}: picture {picture!r} is not a file under {directory}")
        pictures.append(picture)
    if not steps:
        raise ContentError(f"{where}: field 'steps' must list at least one step")
    return tuple(steps), tuple(pictures)


def _load_topics(path: Path, exercises: Mapping[str, Exercise]) -> dict[str, Topic]:
    raw = _require(read_content_file(path), "topics", str(path), dict)
    topics = {}
    for key, item in raw.items():
        where = f"{path.name}: topics.{key}"
        related = tuple(item.get("related_exercises") or ())
        unknown = [r for r in (*related, item.get("explains")) if r and r not in exercises]
        if unknown:
            raise ContentError(f"{where}: related_exercises or explains names unknown {unknown}")
        topics[key] = Topic(
            key=key,
            title=_require(item, "title", where),
            text=_require(item, "text", where).strip(),
            intent=item.get("intent"),
            aliases=tuple(normalise(a) for a in item.get("aliases") or ()),
            related_exercises=related,
            offer_visit=bool(item.get("offer_visit")),
            explains=item.get("explains"),
            openings=_openings(item.get("openings"), where),
        )
    return topics


def _openings(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise ContentError(f"{where}: field 'openings' must map a kind of question to a sentence")
    return {str(k): " ".join(v.split()) for k, v in raw.items()}


def load_content(directory: Path | None = None) -> Content:
    """Read and check every content file; raise ContentError naming the problem."""
    directory = Path(directory or os.environ.get("CLINIC_CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    exercises = _load_exercises(directory / "exercises.yml")
    topics = _load_topics(directory / "topics.yml", exercises)
    safety = read_content_file(directory / "safety.yml")
    parts_raw = _require(
        read_content_file(directory / "body_parts.yml"), "body_parts", "body_parts.yml", dict
    )
    body_parts = {k: tuple(normalise(a) for a in v) for k, v in parts_raw.items()}
    alias_index: dict[str, str] = {}
    for exercise in exercises.values():
        for alias in exercise.names:
            other = alias_index.setdefault(alias, exercise.key)
            if other != exercise.key:
                raise ContentError(f"alias '{alias}' names both {other} and {exercise.key}")
    return Content(
        exercises=exercises,
        topics=topics,
        body_parts=body_parts,
        disclaimer=_require(safety, "disclaimer", "safety.yml").strip(),
        visit_offer=_require(safety, "visit_offer", "safety.yml").strip(),
        _alias_index=alias_index,
        _topic_index={alias: t.key for t in topics.values() for alias in t.aliases},
        _bare_aliases=frozenset(a for e in exercises.values() for a in e.bare_aliases),
    )


@lru_cache(maxsize=4)
def get_content(directory: str | None = None) -> Content:
    """The cached content the action server answers from."""
    return load_content(Path(directory) if directory else None)


def all_exercise_texts(content: Content) -> list[str]:
    """Every instruction sentence, for tests that police the safety line."""
    texts: list[str] = []
    for exercise in content.exercises.values():
        texts.extend(exercise.steps)
        texts.extend(exercise.details.values())
    return texts
