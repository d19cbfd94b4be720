from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
import zipcodes

from clinic.directory import DEFAULT_PATH, DirectoryError, load_directory

Mutation = Callable[[dict[str, Any]], None]


def shipped_data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def write_copy(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "clinics.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_shipped_directory_loads() -> None:
    directory = load_directory(DEFAULT_PATH)
    assert len(directory.clinics) == 7
    assert str(directory.timezone) == "America/New_York"
    assert directory.main_line.phone == "+13015550100"
    assert directory.main_line.phone_display == "(301) 555-0100"
    greenbelt = directory.by_id["greenbelt"]
    assert (greenbelt.city, greenbelt.state, greenbelt.zip) == ("Greenbelt", "MD", "20770")
    assert greenbelt.phone == "+13015550142"
    assert {clinic.state for clinic in directory.clinics} == {"MD", "DC"}
    assert all(clinic.booking_url.startswith("https://") for clinic in directory.clinics)


def test_shipped_coordinates_are_the_zip_centroids() -> None:
    for clinic in load_directory(DEFAULT_PATH).clinics:
        record = zipcodes.matching(clinic.zip)[0]
        assert (record["city"], record["state"]) == (clinic.city, clinic.state)
        assert (clinic.latitude, clinic.longitude) == (float(record["lat"]), float(record["long"]))


def test_served_states_are_the_states_of_the_clinics(tmp_path: Path) -> None:
    assert load_directory(DEFAULT_PATH).served_states == {"MD", "DC"}
    data = shipped_data()
    data["clinics"][6]["state"] = "VA"
    assert load_directory(write_copy(tmp_path, data)).served_states == {"MD", "VA"}


def test_default_path_comes_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = shipped_data()
    data["main_line"]["name"] = "Scheduling from env"
    monkeypatch.setenv("CLINIC_DIRECTORY", str(write_copy(tmp_path, data)))
    assert load_directory().main_line.name == "Scheduling from env"


def test_cached_per_path(tmp_path: Path) -> None:
    path = write_copy(tmp_path, shipped_data())
    assert load_directory(path) is load_directory(str(path))
    assert load_directory(path) is not load_directory(DEFAULT_PATH)


def set_clinic(index: int, field: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["clinics"][index][field] = value

    return mutate


def drop_clinic_field(index: int, field: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        del data["clinics"][index][field]

    return mutate


def set_hours(index: int, day: str, value: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["clinics"][index]["hours"][day] = value

    return mutate


def drop_day(index: int, day: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        del data["clinics"][index]["hours"][day]

    return mutate


def set_top(field: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data[field] = value

    return mutate


def set_main_line_phone(value: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["main_line"]["phone"] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            set_clinic(2, "zip", "2071"),
            "clinics[2] (bowie): field 'zip' must be a 5-digit ZIP, got '2071'",
        ),
        (
            set_clinic(2, "zip", 20715),
            "clinics[2] (bowie): field 'zip' must be a 5-digit ZIP, got 20715",
        ),
        (
            set_clinic(0, "phone", "555-0142"),
            "clinics[0] (greenbelt): field 'phone' is not a valid US phone number",
        ),
        (
            set_clinic(1, "phone", "call us"),
            "clinics[1] (college-park): field 'phone' is not a phone number",
        ),
        (
            set_hours(3, "monday", "18:00-08:00"),
            "clinics[3] (silver-spring): field 'hours.monday' must open before it closes",
        ),
        (
            set_hours(3, "friday", "8am-5pm"),
            "clinics[3] (silver-spring): field 'hours.friday' must be 'HH:MM-HH:MM' or 'closed'",
        ),
        (
            set_hours(4, "tuesday", "08:00-25:00"),
            "clinics[4] (rockville): field 'hours.tuesday' has an impossible time",
        ),
        (
            drop_day(5, "sunday"),
            "clinics[5] (annapolis): field 'hours' is missing sunday",
        ),
        (
            set_clinic(6, "latitude", 123.4),
            "clinics[6] (washington-dc): field 'latitude' must be between -90 and 90",
        ),
        (
            set_clinic(6, "longitude", "east"),
            "clinics[6] (washington-dc): field 'longitude' must be a number",
        ),
        (
            set_clinic(1, "id", "greenbelt"),
            "clinics[1] (greenbelt): field 'id' duplicates clinics[0]",
        ),
        (
            set_clinic(1, "id", "College Park"),
            "clinics[1] (College Park): field 'id' must be a lowercase slug",
        ),
        (drop_clinic_field(3, "id"), "clinics[3]: field 'id' is required"),
        (drop_clinic_field(2, "name"), "clinics[2] (bowie): field 'name' is required"),
        (
            set_clinic(0, "services", []),
            "clinics[0] (greenbelt): field 'services' must be a non-empty list of text",
        ),
        (
            set_clinic(0, "booking_url", "http://example.org/book"),
            "clinics[0] (greenbelt): field 'booking_url' must start with https://",
        ),
        (
            set_clinic(0, "phon", "(301) 555-0142"),
            "clinics[0] (greenbelt): field 'phon' is not a known field",
        ),
        (set_main_line_phone("12"), "main_line: field 'phone'"),
        (set_top("timezone", "Mars/Olympus"), "top level: field 'timezone' is not a known"),
        (set_top("version", 2), "top level: field 'version' must be 1, got 2"),
        (set_top("clinics", []), "top level: field 'clinics' must be a non-empty list"),
    ],
)
def test_broken_copy_names_entry_and_field(tmp_path: Path, mutate: Mutation, expected: str) -> None:
    data = shipped_data()
    mutate(data)
    path = write_copy(tmp_path, data)
    with pytest.raises(DirectoryError) as excinfo:
        load_directory(path)
    assert expected in str(excinfo.value)
    assert str(path) in str(excinfo.value)


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="cannot read clinic directory"):
        load_directory(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("clinics: [unclosed\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match="not valid YAML"):
        load_directory(bad)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 12:00 UTC on Monday 3 June 2024 is 08:00 in New York (EDT).
        (datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc), "open today 7:00 AM-7:00 PM"),
        # 02:00 UTC on Tuesday is still Monday evening in New York.
        (datetime(2024, 6, 4, 2, 0, tzinfo=timezone.utc), "open today 7:00 AM-7:00 PM"),
        (datetime(2024, 6, 7, 15, 0, tzinfo=timezone.utc), "open today 7:00 AM-5:00 PM"),
        (datetime(2024, 6, 8, 15, 0, tzinfo=timezone.utc), "open today 8:00 AM-12:00 PM"),
        (datetime(2024, 6, 9, 15, 0, tzinfo=timezone.utc), "closed today"),
        # Naive datetimes are clinic-local already.
        (datetime(2024, 6, 9, 23, 30), "closed today"),
    ],
)
def test_today_hours_uses_clinic_timezone(now: datetime, expected: str) -> None:
    greenbelt = load_directory(DEFAULT_PATH).by_id["greenbelt"]
    assert greenbelt.today_hours(now) == expected


def test_hours_on_date() -> None:
    bowie = load_directory(DEFAULT_PATH).by_id["bowie"]
    saturday = bowie.hours_on(date(2024, 6, 8))
    assert saturday is not None and str(saturday) == "9:00 AM-1:00 PM"
    assert bowie.hours_on(date(2024, 6, 9)) is None
    assert "open today" in bowie.today_hours() or bowie.today_hours() == "closed today"
