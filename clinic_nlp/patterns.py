"""spaCy EntityRuler patterns derived from the content and clinic files.

Nothing here lists a word by hand: a clinic that adds an alias to
``data/content/*.yml`` or a clinic to ``data/clinics.yml`` gets it recognised
after ``make run`` rebuilds the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from clinic.content import Content, normalise

ZIP_PATTERN = {"label": "zip_code", "pattern": [{"TEXT": {"REGEX": r"^\d{5}$"}}]}


def with_plural(phrase: str) -> list[str]:
    """The phrase and its last word in the plural ("hip kick" -> "hip kicks")."""
    if phrase.endswith("s") or not phrase[-1:].isalpha():
        return [phrase]
    suffix = "es" if phrase.endswith(("ch", "sh", "x", "z")) else "s"
    return [phrase, phrase + suffix]


def _phrases(label: str, key: str, phrases: Iterable[str]) -> list[dict]:
    variants = {v for p in phrases if p for v in with_plural(p)}
    return [{"label": label, "pattern": p, "id": key} for p in sorted(variants)]


def clinic_phrases(clinics_file: Path) -> dict[str, list[str]]:
    """Names, towns and aliases per clinic id (empty if no directory yet)."""
    if not clinics_file.exists():
        return {}
    data = yaml.safe_load(clinics_file.read_text(encoding="utf-8")) or {}
    phrases: dict[str, list[str]] = {}
    for clinic in data.get("clinics") or []:
        names = [clinic.get("name"), clinic.get("city"), *(clinic.get("aliases") or [])]
        phrases[clinic["id"]] = [normalise(n) for n in names if n]
    return phrases


def town_names(states: Iterable[str] = ("MD", "DC")) -> list[str]:
    """Town names in the network's states, from the offline ``zipcodes`` data."""
    import zipcodes

    towns = {normalise(z["city"]) for state in states for z in zipcodes.filter_by(state=state)}
    return sorted(t for t in towns if len(t) > 3)


def entity_patterns(content: Content, clinics_file: Path | None = None) -> list[dict]:
    patterns: list[dict] = []
    for exercise in content.exercises.values():
        patterns += _phrases("exercise", exercise.key, (*exercise.aliases, normalise(exercise.name)))
    for topic in content.topics.values():
        patterns += _phrases("condition", topic.key, topic.aliases)
    for part, aliases in content.body_parts.items():
        patterns += _phrases("body_part", part, (part, *aliases))
    if clinics_file is not None:
        for clinic_id, names in clinic_phrases(clinics_file).items():
            patterns += _phrases("clinic", clinic_id, names)
        patterns += [{"label": "town", "pattern": town} for town in town_names()]
    patterns.append(ZIP_PATTERN)
    return patterns
