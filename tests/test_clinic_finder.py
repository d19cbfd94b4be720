from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pytest
import zipcodes

from clinic import clinic_names, towns
from clinic.directory import DEFAULT_PATH, load_directory
from clinic.finder import (
    ClinicFinder,
    FinderEntry,
    FinderResult,
    Problem,
    format_clinic_line,
)


@pytest.fixture(scope="module")
def finder() -> ClinicFinder:
    return ClinicFinder(load_directory(DEFAULT_PATH))


def cosine_law_miles(zip_a: str, zip_b: str) -> float:
    """Independent check: spherical law of cosines (not haversine) between ZIP centroids."""
    a, b = zipcodes.matching(zip_a)[0], zipcodes.matching(zip_b)[0]
    lat1, lon1, lat2, lon2 = map(
        math.radians, (float(a["lat"]), float(a["long"]), float(b["lat"]), float(b["long"]))
    )
    cos_angle = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return 3958.8 * math.acos(min(1.0, cos_angle))


def distances(result: FinderResult) -> dict[str, float | None]:
    return {entry.clinic.id: entry.distance_miles for entry in result.entries}


@pytest.mark.parametrize(
    ("zip_code", "nearest_id", "approx_miles"),
    [
        ("20770", "greenbelt", 0.0),
        ("20740", "college-park", 0.0),
        ("20001", "washington-dc", 0.0),
        ("21201", "annapolis", 21.4),  # Baltimore
        ("20707", "greenbelt", 7.5),  # Laurel
    ],
)
def test_nearest_to_zip(finder: ClinicFinder, zip_code: str, nearest_id: str, approx_miles: float) -> None:
    result = finder.nearest_to_zip(zip_code)
    assert result.ok and result.matched_by == "zip" and not result.outside_area
    nearest = result.entries[0]
    assert nearest.clinic.id == nearest_id
    assert nearest.distance_miles == pytest.approx(approx_miles, abs=1.0)
    for entry in result.entries:
        expected = cosine_law_miles(zip_code, entry.clinic.zip)
        assert entry.distance_miles == pytest.approx(expected, abs=0.06)


def test_results_sorted_and_limited(finder: ClinicFinder) -> None:
    result = finder.nearest_to_zip("20770", limit=5)
    miles = [entry.distance_miles for entry in result.entries]
    assert len(miles) == 5
    assert miles == sorted(miles)
    assert len(finder.nearest_to_zip("20770", limit=1).entries) == 1
    with pytest.raises(ValueError):
        finder.nearest_to_zip("20770", limit=0)


def test_college_park_is_close_to_greenbelt(finder: ClinicFinder) -> None:
    greenbelt = distances(finder.nearest_to_zip("20740"))["greenbelt"]
    assert greenbelt is not None and 1.5 < greenbelt < 5


def test_zip_plus_four_and_whitespace(finder: ClinicFinder) -> None:
    result = finder.nearest_to_zip(" 20770-1234 ")
    assert result.ok and result.entries[0].clinic.id == "greenbelt"


def test_far_zip_still_gets_nearest_with_flag(finder: ClinicFinder) -> None:
    result = finder.nearest_to_zip("90210")
    assert result.ok and result.outside_area
    nearest = result.entries[0]
    assert nearest.distance_miles is not None and nearest.distance_miles > 2000
    assert nearest.distance_miles == pytest.approx(cosine_law_miles("90210", nearest.clinic.zip), abs=0.06)


@pytest.mark.parametrize(
    ("text", "problem", "message"),
    [
        ("2077", Problem.INVALID_ZIP, "'2077' isn't a ZIP code: a ZIP has 5 digits, like 20770."),
        ("abcde", Problem.INVALID_ZIP, "'abcde' isn't a ZIP code: a ZIP has 5 digits, like 20770."),
        ("207701", Problem.INVALID_ZIP, "'207701' isn't a ZIP code"),
        ("00000", Problem.UNKNOWN_ZIP, "I couldn't find the ZIP code 00000."),
    ],
)
def test_bad_zips(finder: ClinicFinder, text: str, problem: Problem, message: str) -> None:
    result = finder.nearest_to_zip(text)
    assert not result.ok
    assert result.problem is problem
    assert result.message is not None and result.message.startswith(message)
    assert result.entries == ()


@pytest.mark.parametrize(
    ("town", "nearest_id", "origin"),
    [
        ("Greenbelt", "greenbelt", "Greenbelt, MD"),
        ("college park", "college-park", "College Park, MD"),
        ("silver spring md", "silver-spring", "Silver Spring, MD"),
        ("Silver Spring, Maryland", "silver-spring", "Silver Spring, MD"),
        ("Washington DC", "washington-dc", "Washington, DC"),
        ("Washington, D.C.", "washington-dc", "Washington, DC"),
        ("DC", "washington-dc", "Washington, DC"),
        ("Laurel", "greenbelt", "Laurel, MD"),
        ("Fort Washington", "washington-dc", "Fort Washington, MD"),
        ("Arlington", "washington-dc", "Arlington, VA"),
    ],
)
def test_nearest_to_town(finder: ClinicFinder, town: str, nearest_id: str, origin: str) -> None:
    result = finder.nearest_to_town(town)
    assert result.ok and result.matched_by == "town"
    assert result.origin == origin
    assert result.entries[0].clinic.id == nearest_id
    assert not result.outside_area


def test_town_in_the_clinic_town_is_close(finder: ClinicFinder) -> None:
    nearest = finder.nearest_to_town("Greenbelt").entries[0]
    assert nearest.distance_miles is not None and nearest.distance_miles < 3


def test_far_town_is_outside_area(finder: ClinicFinder) -> None:
    result = finder.nearest_to_town("Beverly Hills")
    assert result.ok and result.origin == "Beverly Hills, CA" and result.outside_area


def test_unknown_town(finder: ClinicFinder) -> None:
    result = finder.nearest_to_town("Xyzzyville")
    assert result.problem is Problem.NOT_FOUND
    assert result.message is not None and "Xyzzyville" in result.message


@pytest.mark.parametrize(
    ("text", "clinic_id"),
    [
        ("greenbelt", "greenbelt"),
        ("Greenbelt Physical Therapy", "greenbelt"),
        ("the bowie office", "bowie"),
        ("silverspring", "silver-spring"),
        ("SILVER SPRING", "silver-spring"),
        ("grenbelt", "greenbelt"),
        ("rockvile", "rockville"),
        ("anapolis", "annapolis"),
        ("colledge park", "college-park"),
        ("cp clinic", "college-park"),
        ("downtown dc", "washington-dc"),
        ("Washington DC", "washington-dc"),
        ("college-park", "college-park"),
    ],
)
def test_find_by_name(finder: ClinicFinder, text: str, clinic_id: str) -> None:
    clinic = finder.find_by_name(text)
    assert clinic is not None and clinic.id == clinic_id


@pytest.mark.parametrize("text", ["baltimore", "", "I have cp", "hello there", "bowl"])
def test_find_by_name_no_match(finder: ClinicFinder, text: str) -> None:
    assert finder.find_by_name(text) is None


@pytest.mark.parametrize(
    ("text", "matched_by", "first_id"),
    [
        ("clinic near 20770 pls", "zip", "greenbelt"),
        ("my zip is 20740-1234", "zip", "college-park"),
        ("is there one in college park?", "name", "college-park"),
        ("the grenbelt office", "name", "greenbelt"),
        ("I live in Laurel, MD", "town", "greenbelt"),
        ("I live near Fort Washington", "town", "washington-dc"),
        ("Baltimore", "town", "annapolis"),
        ("I live in Arlington", "town", "washington-dc"),
        ("alexandria va", "town", "washington-dc"),
        ("im in fairfax, how far is it", "town", "washington-dc"),
    ],
)
def test_locate(finder: ClinicFinder, text: str, matched_by: str, first_id: str) -> None:
    result = finder.locate(text)
    assert result.ok and result.matched_by == matched_by
    assert result.entries[0].clinic.id == first_id


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("near 2077", Problem.INVALID_ZIP),
        ("my zip is 00000", Problem.UNKNOWN_ZIP),
        ("where are you located", Problem.NOT_FOUND),
        ("", Problem.NOT_FOUND),
    ],
)
def test_locate_problems(finder: ClinicFinder, text: str, problem: Problem) -> None:
    result = finder.locate(text)
    assert result.problem is problem and result.message


@pytest.mark.parametrize("text", ["the kicks hurt", "check engine light is on", "when is the next full moon"])
def test_words_that_are_only_towns_far_from_the_clinics_are_not_places(
    finder: ClinicFinder, text: str
) -> None:
    """Hurt, Check and Moon are towns in Virginia, 100 to 220 miles from the nearest clinic."""
    result = finder.locate(text)
    assert result.problem is Problem.NOT_FOUND


CHAT = (
    "my lower back has been stiff for weeks and the hamstring stretch helps a little but "
    "sitting at my desk all day makes it worse so I wondered whether someone could see me soon"
)


def test_a_long_message_takes_work_linear_in_its_length(
    finder: ClinicFinder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1,200-word message once took a minute: every run of words was a candidate phrase."""
    words = [*itertools.islice(itertools.cycle(CHAT.split()), 1500), "I", "live", "in", "Laurel"]
    limit = 60 * len(words)  # the old scan examined len(words) ** 2 / 2 phrases, three times
    examined = 0

    def counted(
        scan: Callable[..., Iterator[tuple[int, list[str]]]],
    ) -> Callable[..., Iterator[tuple[int, list[str]]]]:
        def counting(*args: object, **kwargs: object) -> Iterator[tuple[int, list[str]]]:
            nonlocal examined
            for phrase in scan(*args, **kwargs):
                examined += 1
                assert examined <= limit, f"more than {limit} phrases examined for {len(words)} words"
                yield phrase

        return counting

    monkeypatch.setattr(towns, "phrases", counted(towns.phrases))
    monkeypatch.setattr(clinic_names, "phrases", counted(clinic_names.phrases))
    result = finder.locate(" ".join(words))
    assert result.ok and result.origin == "Laurel, MD"
    assert finder.locate(" ".join(words[:-4])).problem is Problem.NOT_FOUND


def test_named_clinic_has_no_distance(finder: ClinicFinder) -> None:
    result = finder.locate("the bowie office")
    assert [(e.clinic.id, e.distance_miles) for e in result.entries] == [("bowie", None)]


def test_format_clinic_line(finder: ClinicFinder) -> None:
    directory = load_directory(DEFAULT_PATH)
    monday_morning = datetime(2024, 6, 3, 13, 0, tzinfo=timezone.utc)
    sunday = datetime(2024, 6, 9, 13, 0, tzinfo=timezone.utc)
    entry = FinderEntry(directory.by_id["greenbelt"], 2.5)
    assert format_clinic_line(entry, monday_morning) == (
        "Greenbelt Physical Therapy (2.5 mi): 6000 Greenbelt Rd, Suite 210, Greenbelt, MD 20770; "
        "(301) 555-0142; open today 7:00 AM-7:00 PM"
    )
    named = FinderEntry(directory.by_id["bowie"], None)
    assert format_clinic_line(named, sunday) == (
        "Bowie Physical Therapy: 15200 Annapolis Rd, Suite 110, Bowie, MD 20715; (301) 555-0163; closed today"
    )
