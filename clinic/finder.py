"""Find the clinics nearest to a patient's ZIP code or town, or a clinic by name.

Works offline: ZIP and town coordinates come from the ``zipcodes`` package.
Lookups never raise for bad user input; they return a FinderResult whose
``problem``/``message`` let the caller re-ask the patient.
"""

from __future__ import annotations

import difflib
import enum
import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import zipcodes

from clinic.directory import Clinic, Directory

EARTH_RADIUS_MILES = 3958.8
OUTSIDE_AREA_MILES = 60.0
# States the network serves; a town name found in several states resolves here first.
PREFERRED_STATES = frozenset({"MD", "DC", "VA"})

_ZIP_ONLY = re.compile(r"(\d{5})(?:-\d{4})?")
_ZIP_IN_TEXT = re.compile(r"(?<!\d)\d{5}(?:-\d{4})?(?!\d)")
_DIGIT_RUN = re.compile(r"(?<!\d)\d{3,9}(?!\d)")
_FUZZY_CUTOFF = 0.8
_FUZZY_MIN_LENGTH = 4

# Words that never start or end a clinic or town name in a chat message.
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "our",
        "your",
        "me",
        "i",
        "im",
        "is",
        "are",
        "am",
        "there",
        "any",
        "near",
        "nearest",
        "closest",
        "close",
        "to",
        "in",
        "at",
        "by",
        "around",
        "from",
        "for",
        "clinic",
        "clinics",
        "office",
        "offices",
        "location",
        "locations",
        "branch",
        "pt",
        "physical",
        "therapy",
        "therapist",
        "please",
        "pls",
        "thanks",
        "thank",
        "you",
        "find",
        "where",
        "whats",
        "what",
        "which",
        "one",
        "live",
        "living",
        "ok",
        "okay",
        "zip",
        "code",
        "town",
        "city",
        "area",
        "home",
        "house",
        "work",
        "hi",
        "hello",
        "hey",
    ]
)
_STATE_NAMES = {"maryland": "MD", "virginia": "VA"}
_TOWN_ALIASES = {"dc": ("washington", "DC")}


class Problem(str, enum.Enum):
    INVALID_ZIP = "invalid_zip"
    UNKNOWN_ZIP = "unknown_zip"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class FinderEntry:
    clinic: Clinic
    distance_miles: float | None  # None when the clinic was named directly


@dataclass(frozen=True)
class FinderResult:
    query: str
    entries: tuple[FinderEntry, ...] = ()
    matched_by: str | None = None  # "zip", "town" or "name"
    origin: str | None = None  # what the query resolved to, e.g. "20740 (College Park, MD)"
    outside_area: bool = False  # nearest clinic is far: offer the main phone line too
    problem: Problem | None = None
    message: str | None = None  # patient-facing re-ask text when problem is set

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class _Town:
    name: str
    state: str
    latitude: float
    longitude: float
    zip_count: int


class ClinicFinder:
    def __init__(self, directory: Directory, outside_area_miles: float = OUTSIDE_AREA_MILES) -> None:
        self.directory = directory
        self.outside_area_miles = outside_area_miles
        self._example_zip = directory.clinics[0].zip
        self._name_keys = _name_keys(directory.clinics)

    def nearest_to_zip(self, zip_text: str, limit: int = 3) -> FinderResult:
        """Clinics nearest to a ZIP (or ZIP+4) centroid, closest first."""
        text = zip_text.strip()
        match = _ZIP_ONLY.fullmatch(text)
        if match is None:
            return self._problem(
                text,
                Problem.INVALID_ZIP,
                f"'{text}' isn't a ZIP code: a ZIP has 5 digits, like {self._example_zip}.",
            )
        zip5 = match.group(1)
        records = zipcodes.matching(zip5)
        if not records:
            return self._problem(
                text,
                Problem.UNKNOWN_ZIP,
                f"I couldn't find the ZIP code {zip5}. Could you check it? "
                f"It should look like {self._example_zip}.",
            )
        record = records[0]
        return self._nearest(
            text,
            float(record["lat"]),
            float(record["long"]),
            matched_by="zip",
            origin=f"{zip5} ({record['city']}, {record['state']})",
            limit=limit,
        )

    def nearest_to_town(self, text: str, limit: int = 3) -> FinderResult:
        """Clinics nearest to a town ("college park", "Silver Spring, MD", "DC")."""
        match = self._resolve_town(_tokens(text))
        if match is None:
            return self._problem(
                text,
                Problem.NOT_FOUND,
                f"I couldn't find a town called '{text.strip()}'. "
                "Could you tell me your 5-digit ZIP code instead?",
            )
        return self._near_town(text, match[0], limit)

    def find_by_name(self, text: str) -> Clinic | None:
        """The clinic whose name, city or alias appears in ``text``.

        Tolerates case, spacing ("silverspring") and small typos ("grenbelt").
        Names shared by several clinics never match.
        """
        tokens = _tokens(text)
        exact = self._exact_name(tokens)
        return exact[0] if exact else self._fuzzy_name(tokens)

    def locate(self, text: str, limit: int = 3) -> FinderResult:
        """One entry point for a raw chat message.

        Order: a 5-digit ZIP anywhere in the text; then the longer of an exact
        clinic name and a town ("Fort Washington" is a town, not the DC clinic);
        then a clinic name with a typo. A stray number (e.g. "2077") is reported
        as a malformed ZIP so the patient can correct it.
        """
        zip_match = _ZIP_IN_TEXT.search(text)
        if zip_match:
            return self.nearest_to_zip(zip_match.group(0), limit)
        tokens = _tokens(text)
        named = self._exact_name(tokens)
        town = self._resolve_town(tokens)
        if named and (town is None or named[1] >= town[1]):
            return self._named(text, named[0])
        if town:
            return self._near_town(text, town[0], limit)
        clinic = self._fuzzy_name(tokens)
        if clinic:
            return self._named(text, clinic)
        digits = _DIGIT_RUN.search(text)
        if digits:
            return self.nearest_to_zip(digits.group(0), limit)
        return self._problem(
            text,
            Problem.NOT_FOUND,
            "I couldn't find a ZIP code, town or clinic name in that. "
            f"Could you tell me your 5-digit ZIP code (like {self._example_zip}) or your town?",
        )

    def _nearest(
        self, query: str, lat: float, lon: float, *, matched_by: str, origin: str, limit: int
    ) -> FinderResult:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        ranked = sorted(
            (haversine_miles(lat, lon, c.latitude, c.longitude), c.name, c) for c in self.directory.clinics
        )
        return FinderResult(
            query=query,
            entries=tuple(FinderEntry(c, round(d, 1)) for d, _, c in ranked[:limit]),
            matched_by=matched_by,
            origin=origin,
            outside_area=ranked[0][0] > self.outside_area_miles,
        )

    def _near_town(self, query: str, town: _Town, limit: int) -> FinderResult:
        return self._nearest(
            query,
            town.latitude,
            town.longitude,
            matched_by="town",
            origin=f"{town.name}, {town.state}",
            limit=limit,
        )

    def _named(self, query: str, clinic: Clinic) -> FinderResult:
        return FinderResult(
            query=query,
            entries=(FinderEntry(clinic, None),),
            matched_by="name",
            origin=clinic.name,
        )

    def _problem(self, query: str, problem: Problem, message: str) -> FinderResult:
        return FinderResult(query=query, problem=problem, message=message)

    def _exact_name(self, tokens: list[str]) -> tuple[Clinic, int] | None:
        """(clinic, phrase length in tokens) for the longest exact name phrase.

        Filler is not trimmed here: aliases may contain it ("cp clinic").
        """
        for _, gram in _phrases(tokens, trim_filler=False):
            clinic = self._name_keys.get("".join(gram))
            if clinic:
                return clinic, len(gram)
        return None

    def _fuzzy_name(self, tokens: list[str]) -> Clinic | None:
        best: tuple[float, str] | None = None
        for _, gram in _phrases(tokens):
            key = "".join(gram)
            if len(key) < _FUZZY_MIN_LENGTH:
                continue
            for candidate in difflib.get_close_matches(key, self._name_keys, 1, _FUZZY_CUTOFF):
                score = difflib.SequenceMatcher(None, key, candidate).ratio()
                if best is None or score > best[0]:
                    best = (score, candidate)
        return self._name_keys[best[1]] if best else None

    def _resolve_town(self, tokens: list[str]) -> tuple[_Town, int] | None:
        """(town, phrase length in tokens) for the longest town phrase in ``tokens``.

        A state right after the name narrows it ("laurel md"). Towns outside
        PREFERRED_STATES only count when they are the whole message (give or
        take filler words), so chat words that happen to be a town somewhere
        in the US don't match.
        """
        index = _town_index()
        core = [token for token in tokens if token not in _FILLER]
        if len(core) > 1 and _state_code(core[-1]):
            core = core[:-1]
        for start, gram in _phrases(tokens):
            phrase = " ".join(gram)
            city, alias_state = _TOWN_ALIASES.get(phrase, (phrase, None))
            towns = index.get(city)
            if not towns:
                continue
            end = start + len(gram)
            stated = _state_code(tokens[end]) if end < len(tokens) else None
            if stated in towns:
                return towns[stated], len(gram)
            if alias_state:
                return towns[alias_state], len(gram)
            town = self._likeliest(towns)
            if town.state in PREFERRED_STATES or gram == core:
                return town, len(gram)
        return None

    def _likeliest(self, towns: dict[str, _Town]) -> _Town:
        """Of same-named towns: one in a served state, then the biggest (most
        ZIPs), then the one nearest to a clinic."""
        return min(
            towns.values(),
            key=lambda town: (
                town.state not in PREFERRED_STATES,
                -town.zip_count,
                min(
                    haversine_miles(town.latitude, town.longitude, c.latitude, c.longitude)
                    for c in self.directory.clinics
                ),
            ),
        )


def format_clinic_line(entry: FinderEntry, now: datetime | None = None) -> str:
    """One plain-text line: name (distance): address; phone; today's hours."""
    clinic = entry.clinic
    distance = "" if entry.distance_miles is None else f" ({entry.distance_miles:.1f} mi)"
    return (
        f"{clinic.name}{distance}: {clinic.full_address}; {clinic.phone_display}; {clinic.today_hours(now)}"
    )


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def _tokens(text: str) -> list[str]:
    """Lowercase word tokens; dots and apostrophes are dropped so "D.C." is "dc"."""
    return re.findall(r"[a-z0-9]+", re.sub(r"[.'’]", "", text.lower()))


def _phrases(tokens: Sequence[str], trim_filler: bool = True) -> Iterator[tuple[int, list[str]]]:
    """(start, phrase) for every run of tokens, longest first; with ``trim_filler``,
    only runs that neither start nor end with a filler word."""
    for size in range(len(tokens), 0, -1):
        for start in range(len(tokens) - size + 1):
            gram = list(tokens[start : start + size])
            if not trim_filler or (gram[0] not in _FILLER and gram[-1] not in _FILLER):
                yield start, gram


def _state_code(token: str) -> str | None:
    if token in _STATE_NAMES:
        return _STATE_NAMES[token]
    return token.upper() if len(token) == 2 and token.isalpha() else None


def _name_keys(clinics: Sequence[Clinic]) -> dict[str, Clinic]:
    """Space-free lookup keys (name, city, id, aliases, with and without filler) -> clinic.

    Keys under 3 letters are dropped: "cp" (from "cp clinic") is too ambiguous in chat.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    for clinic in clinics:
        phrases = (
            clinic.name,
            clinic.city,
            clinic.id,
            f"{clinic.city} {clinic.state}",
            *clinic.aliases,
        )
        for phrase in phrases:
            tokens = _tokens(phrase.replace("-", " "))
            for variant in (tokens, [t for t in tokens if t not in _FILLER]):
                key = "".join(variant)
                if len(key) >= 3:
                    owners[key].add(clinic.id)
    by_id = {clinic.id: clinic for clinic in clinics}
    return {key: by_id[next(iter(ids))] for key, ids in owners.items() if len(ids) == 1}


@functools.lru_cache(maxsize=1)
def _town_index() -> dict[str, dict[str, _Town]]:
    """Normalised city name -> state -> town centroid, built once from active ZIPs.

    The centroid averages the city's standard (street) ZIPs; PO-box and
    single-building ZIPs are used only when a town has nothing else.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in zipcodes.list_all():
        if record["active"]:
            groups[(" ".join(_tokens(record["city"])), record["state"])].append(record)
    index: dict[str, dict[str, _Town]] = defaultdict(dict)
    for (city, state), records in groups.items():
        chosen = [r for r in records if r["zip_code_type"] == "STANDARD"] or records
        index[city][state] = _Town(
            name=str(records[0]["city"]),
            state=state,
            latitude=sum(float(r["lat"]) for r in chosen) / len(chosen),
            longitude=sum(float(r["long"]) for r in chosen) / len(chosen),
            zip_count=len(records),
        )
    return dict(index)
