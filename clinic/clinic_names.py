"""Clinics named in a message: by name, town, id or alias, exactly or with a small typo."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Sequence

from clinic.directory import Clinic
from clinic.place_phrases import FILLER, phrases, tokens

FUZZY_CUTOFF = 0.8
_FUZZY_MIN_LENGTH = 4


class ClinicNames:
    """Space-free name keys ("silverspring") of the clinics, each naming one clinic."""

    def __init__(self, clinics: Sequence[Clinic]) -> None:
        self._keys = _name_keys(clinics)
        self._longest = max(map(len, self._keys), default=0)

    def exact(self, words: Sequence[str]) -> tuple[Clinic, int] | None:
        """(clinic, phrase length in words) for the longest exact name phrase.

        Filler is not trimmed here: aliases may contain it ("cp clinic").
        """
        for _, gram in phrases(words, self._longest, trim_filler=False):
            clinic = self._keys.get("".join(gram))
            if clinic:
                return clinic, len(gram)
        return None

    def fuzzy(self, words: Sequence[str]) -> Clinic | None:
        """The clinic whose name key is closest to a phrase ("grenbelt"), if close enough."""
        best: tuple[float, str] | None = None
        seen: set[str] = set()
        # A phrase over 1.5 times as long as every key cannot score FUZZY_CUTOFF:
        # difflib's ratio is at most 2 * shorter / (sum of both lengths).
        max_letters = self._longest * (2 / FUZZY_CUTOFF - 1)
        for _, gram in phrases(words, max_letters):
            key = "".join(gram)
            if len(key) < _FUZZY_MIN_LENGTH or key in seen:
                continue
            seen.add(key)
            for candidate in difflib.get_close_matches(key, self._keys, 1, FUZZY_CUTOFF):
                score = difflib.SequenceMatcher(None, key, candidate).ratio()
                if best is None or score > best[0]:
                    best = (score, candidate)
        return self._keys[best[1]] if best else None


def _name_keys(clinics: Sequence[Clinic]) -> dict[str, Clinic]:
    """Space-free lookup keys (name, city, id, aliases, with and without filler) -> clinic.

    Keys under 3 letters are dropped: "cp" (from "cp clinic") is too ambiguous in chat.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    for clinic in clinics:
        names = (
            clinic.name,
            clinic.city,
            clinic.id,
            f"{clinic.city} {clinic.state}",
            *clinic.aliases,
        )
        for name in names:
            words = tokens(name.replace("-", " "))
            for variant in (words, [w for w in words if w not in FILLER]):
                key = "".join(variant)
                if len(key) >= 3:
                    owners[key].add(clinic.id)
    by_id = {clinic.id: clinic for clinic in clinics}
    return {key: by_id[next(iter(ids))] for key, ids in owners.items() if len(ids) == 1}
