"""The answers stored with a request, in the words staff read and say.

Stored answers are what the assistant kept ("pain_level": 5.0, "red_flags":
[...], "confirmed": true); staff see "Pain: 5 out of 10". Names come from the
content: a red flag by its label in ``red_flags.yml``, a clinic by its name in
``clinics.yml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from clinic.directory import Directory
from clinic.red_flags import RedFlags

# Stored answer keys, in the order staff read them, with their labels.
ANSWER_LABELS: Mapping[str, str] = {
    "message": "What they said",
    "level": "Level",
    "red_flags": "Red flags",
    "source": "Found in",
    "reason": "Reason",
    "body_area": "Area",
    "pain_duration": "For how long",
    "pain_level": "Pain",
    "red_flag_screen": "Warning signs (safety question)",
    "preferred_clinic": "Clinic",
    "preferred_times": "Best times",
    "consent": "May store answers and call",
    "confirmed": "Confirmed the request",
}
# How a value of these answers reads; anything else is shown as given.
_VALUE_WORDS: Mapping[str, Mapping[Any, str]] = {
    "source": {"message": "their message", "screening": "the safety question"},
    "red_flag_screen": {True: "yes, reported", False: "none reported"},
}
NOT_GIVEN = "not given"


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    text: str


class AnswerWording:
    """Turns stored answers into labelled plain text, with names from the content files."""

    def __init__(self, red_flags: RedFlags, directory: Directory) -> None:
        named = [(s.key, s.label) for s in red_flags.signs] + [
            (c.key, c.label) for c in red_flags.combinations
        ]
        self._flag_labels = {name.lower(): label for key, label in named for name in (key, label)}
        self._clinic_names = {clinic.id: clinic.name for clinic in directory.clinics}

    def answers(self, stored: Mapping[str, Any]) -> list[Answer]:
        """Every stored answer, known ones first in reading order, then the rest by name."""
        known = [key for key in ANSWER_LABELS if key in stored]
        others = sorted(key for key in stored if key not in ANSWER_LABELS)
        return [Answer(key, label(key), self.text(key, stored[key])) for key in (*known, *others)]

    def text(self, key: str, value: Any) -> str:
        if value is None or value == "":
            return NOT_GIVEN
        words = _VALUE_WORDS.get(key, {})
        if not isinstance(value, (list, dict)) and value in words:
            return words[value]
        if key == "pain_level" and _is_number(value):
            return pain_words(value)
        if key == "red_flags":
            return "; ".join(
                _sentence_case(self._flag_labels.get(str(f).lower(), str(f))) for f in _items(value)
            )
        if key == "preferred_clinic":
            return self._clinic_names.get(str(value), str(value))
        return _plain(value)


def pain_words(level: float) -> str:
    """5.0 -> "5 out of 10", as the intake question put the scale."""
    return f"{_number(level)} out of 10"


def label(key: str) -> str:
    """A stored answer's label: "pain_level" -> "Pain", an unknown "best_day" -> "Best day"."""
    return ANSWER_LABELS.get(key) or key.replace("_", " ").strip().capitalize()


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _is_number(value):
        return _number(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{label(str(k))}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(_plain(item) for item in value)
    return " ".join(str(value).split())


def _items(value: Any) -> Iterable[Any]:
    return value if isinstance(value, (list, tuple)) else [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: float) -> str:
    return f"{value:g}"


def _sentence_case(text: str) -> str:
    """ "Loss of bladder control" -> "loss of bladder control", but "ER visit" stays."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() and len(first) > 1 else text[:1].lower() + text[1:]
