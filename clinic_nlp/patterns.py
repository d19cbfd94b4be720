"""spaCy EntityRuler patterns derived from the content and clinic files.

Nothing here lists a word by hand: a clinic that adds an alias to
``data/content/*.yml`` or a clinic to its directory (``data/clinics.yml``, or
``$CLINIC_DIRECTORY``) gets it recognised after ``make run`` rebuilds the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable

from clinic.content import Content, normalise
from clinic.directory import Directory

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


def clinic_phrases(directory: Directory) -> dict[str, list[str]]:
    """Names, towns and aliases per clinic id."""
    return {
        clinic.id: [normalise(name) for name in (clinic.name, clinic.city, *clinic.aliases)]
        for clinic in directory.clinics
    }


def town_names(states: Iterable[str]) -> list[str]:
    """Town names in the given states, from the offline ``zipcodes`` data."""
    import zipcodes

    towns = {normalise(z["city"]) for state in states for z in zipcodes.filter_by(state=state)}
    return sorted(t for t in towns if len(t) > 3)


def entity_patterns(content: Content, directory: Directory) -> list[dict]:
    patterns: list[dict] = []
    for exercise in content.exercises.values():
        patterns += _phrases("exercise", exercise.key, exercise.names)
    for topic in content.topics.values():
        patterns += _phrases("condition", topic.key, topic.aliases)
    for part, aliases in content.body_parts.items():
        patterns += _phrases("body_part", part, (part, *aliases))
    for clinic_id, names in clinic_phrases(directory).items():
        patterns += _phrases("clinic", clinic_id, names)
    patterns += [{"label": "town", "pattern": town} for town in town_names(directory.served_states)]
    patterns.append(ZIP_PATTERN)
    return patterns
