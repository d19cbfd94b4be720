"""Towns named in a message ("college park", "Laurel, MD", "DC"), and where they are.

Works offline: every US town in the ``zipcodes`` package, placed at the
centre of its ZIP codes.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import zipcodes

from clinic.directory import Directory
from clinic.distance import haversine_miles
from clinic.place_phrases import FILLER, phrases, tokens

_STATE_NAMES = {"maryland": "MD", "virginia": "VA"}
_TOWN_ALIASES = {"dc": ("washington", "DC")}


@dataclass(frozen=True)
class Town:
    name: str
    state: str
    latitude: float
    longitude: float
    zip_count: int


class TownLookup:
    """Finds a town in a message's words.

    A town is in the clinics' area when it is in a served state (one a clinic is
    in) or within ``area_miles`` of a clinic (Arlington, VA for the DC clinic).
    """

    def __init__(self, directory: Directory, area_miles: float) -> None:
        self.directory = directory
        self.area_miles = area_miles
        self._index = town_index()
        self._longest = max(len(name.replace(" ", "")) for name in (*self._index, *_TOWN_ALIASES))

    def find(self, words: Sequence[str]) -> tuple[Town, int] | None:
        """(town, phrase length in words) for the longest town phrase in ``words``.

        A state right after the name narrows it ("laurel md"). Towns outside the
        clinics' area only count when they are the whole message (give or take
        filler words), so chat words that happen to be a town somewhere in the
        US (Hurt, Virginia) don't match.
        """
        core = [word for word in words if word not in FILLER]
        if len(core) > 1 and _state_code(core[-1]):
            core = core[:-1]
        for start, gram in phrases(words, self._longest):
            phrase = " ".join(gram)
            city, alias_state = _TOWN_ALIASES.get(phrase, (phrase, None))
            towns = self._index.get(city)
            if not towns:
                continue
            end = start + len(gram)
            stated = _state_code(words[end]) if end < len(words) else None
            if stated in towns:
                return towns[stated], len(gram)
            if alias_state:
                return towns[alias_state], len(gram)
            town = self._likeliest(towns)
            if self._in_area(town) or gram == core:
                return town, len(gram)
        return None

    def _likeliest(self, towns: dict[str, Town]) -> Town:
        """Of same-named towns: one in a served state, then one near a clinic,
        then the biggest (most ZIPs), then the one nearest to a clinic."""

        def rank(town: Town) -> tuple[bool, bool, int, float]:
            miles = self._miles_to_clinic(town)
            return (
                town.state not in self.directory.served_states,
                miles > self.area_miles,
                -town.zip_count,
                miles,
            )

        return min(towns.values(), key=rank)

    def _in_area(self, town: Town) -> bool:
        return town.state in self.directory.served_states or self._miles_to_clinic(town) <= self.area_miles

    def _miles_to_clinic(self, town: Town) -> float:
        return min(
            haversine_miles(town.latitude, town.longitude, c.latitude, c.longitude)
            for c in self.directory.clinics
        )


def _state_code(word: str) -> str | None:
    if word in _STATE_NAMES:
        return _STATE_NAMES[word]
    return word.upper() if len(word) == 2 and word.isalpha() else None


class _ZipPoint(NamedTuple):
    city: str
    standard: bool  # a street ZIP, not a PO box or a single building
    latitude: float
    longitude: float


def _active_zip_points() -> Iterator[tuple[str, _ZipPoint]]:
    """(state, point) for every active ZIP, read a hundred ZIP prefixes at a time: the
    package's whole list at once is 42,000 dicts, over 100 MB that the process keeps."""
    for prefix in range(100):
        for record in zipcodes.similar_to(f"{prefix:02d}"):
            if record["active"]:
                yield (
                    record["state"],
                    _ZipPoint(
                        str(record["city"]),
                        record["zip_code_type"] == "STANDARD",
                        float(record["lat"]),
                        float(record["long"]),
                    ),
                )


@functools.lru_cache(maxsize=1)
def town_index() -> dict[str, dict[str, Town]]:
    """Normalised town name -> state -> town centroid, built once from active ZIPs.

    The centroid averages the town's standard (street) ZIPs; PO-box and
    single-building ZIPs are used only when a town has nothing else.
    """
    groups: dict[tuple[str, str], list[_ZipPoint]] = defaultdict(list)
    for state, point in _active_zip_points():
        groups[(" ".join(tokens(point.city)), state)].append(point)
    index: dict[str, dict[str, Town]] = defaultdict(dict)
    for (city, state), points in groups.items():
        chosen = [p for p in points if p.standard] or points
        index[city][state] = Town(
            name=points[0].city,
            state=state,
            latitude=sum(p.latitude for p in chosen) / len(chosen),
            longitude=sum(p.longitude for p in chosen) / len(chosen),
            zip_count=len(points),
        )
    return dict(index)
