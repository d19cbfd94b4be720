"""Find the clinics nearest to a patient's ZIP code or town, or a clinic by name.

Works offline (see ``zip_codes`` and ``towns``). Lookups never raise for bad
user input; they return a FinderResult whose ``problem``/``message`` let the
caller re-ask the patient.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from clinic.clinic_names import ClinicNames
from clinic.directory import Clinic, Directory
from clinic.distance import haversine_miles
from clinic.place_phrases import tokens
from clinic.towns import Town, TownLookup
from clinic.zip_codes import digit_run, parse_zip, zip_centroid, zip_in_text

OUTSIDE_AREA_MILES = 60.0


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


class ClinicFinder:
    def __init__(self, directory: Directory, outside_area_miles: float = OUTSIDE_AREA_MILES) -> None:
        self.directory = directory
        self.outside_area_miles = outside_area_miles
        self._example_zip = directory.clinics[0].zip
        self._names = ClinicNames(directory.clinics)
        self._towns = TownLookup(directory, outside_area_miles)

    def nearest_to_zip(self, zip_text: str, limit: int = 3) -> FinderResult:
        """Clinics nearest to a ZIP (or ZIP+4) centroid, closest first."""
        text = zip_text.strip()
        zip5 = parse_zip(text)
        if zip5 is None:
            return self._problem(
                text,
                Problem.INVALID_ZIP,
                f"'{text}' isn't a ZIP code: a ZIP has 5 digits, like {self._example_zip}.",
            )
        centroid = zip_centroid(zip5)
        if centroid is None:
            return self._problem(
                text,
                Problem.UNKNOWN_ZIP,
                f"I couldn't find the ZIP code {zip5}. Could you check it? "
                f"It should look like {self._example_zip}.",
            )
        return self._nearest(
            text,
            centroid.latitude,
            centroid.longitude,
            matched_by="zip",
            origin=f"{zip5} ({centroid.city}, {centroid.state})",
            limit=limit,
        )

    def nearest_to_town(self, text: str, limit: int = 3) -> FinderResult:
        """Clinics nearest to a town ("college park", "Silver Spring, MD", "DC")."""
        match = self._towns.find(tokens(text))
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
        words = tokens(text)
        exact = self._names.exact(words)
        return exact[0] if exact else self._names.fuzzy(words)

    def locate(self, text: str, limit: int = 3) -> FinderResult:
        """One entry point for a raw chat message.

        Order: a 5-digit ZIP anywhere in the text; then the longer of an exact
        clinic name and a town ("Fort Washington" is a town, not the DC clinic);
        then a clinic name with a typo. A stray number (e.g. "2077") is reported
        as a malformed ZIP so the patient can correct it.
        """
        zip_text = zip_in_text(text)
        if zip_text:
            return self.nearest_to_zip(zip_text, limit)
        words = tokens(text)
        named = self._names.exact(words)
        town = self._towns.find(words)
        if named and (town is None or named[1] >= town[1]):
            return self._named(text, named[0])
        if town:
            return self._near_town(text, town[0], limit)
        clinic = self._names.fuzzy(words)
        if clinic:
            return self._named(text, clinic)
        digits = digit_run(text)
        if digits:
            return self.nearest_to_zip(digits, limit)
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

    def _near_town(self, query: str, town: Town, limit: int) -> FinderResult:
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


def format_clinic_line(entry: FinderEntry, now: datetime | None = None) -> str:
    """One plain-text line: name (distance): address; phone; today's hours."""
    clinic = entry.clinic
    distance = "" if entry.distance_miles is None else f" ({entry.distance_miles:.1f} mi)"
    return (
        f"{clinic.name}{distance}: {clinic.full_address}; {clinic.phone_display}; {clinic.today_hours(now)}"
    )
