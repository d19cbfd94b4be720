"""Clinic directory: loads and validates ``data/clinics.yml`` into immutable records.

Plain Python (no Rasa imports) so custom actions and the staff console share it.
Every validation error names the entry and field at fault, because the file is
edited by clinic staff, not developers.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "clinics.yml"
PATH_ENV_VAR = "CLINIC_DIRECTORY"
SUPPORTED_VERSION = 1
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_CLINIC_FIELDS = frozenset(
    {
        "id",
        "name",
        "address",
        "city",
        "state",
        "zip",
        "phone",
        "hours",
        "services",
        "latitude",
        "longitude",
        "booking_url",
        "aliases",
    }
)
_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ZIP_RE = re.compile(r"\d{5}")
_STATE_RE = re.compile(r"[A-Z]{2}")
_HOURS_RE = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")


class DirectoryError(ValueError):
    """The clinic directory file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class OpeningHours:
    opens: time
    closes: time

    def __str__(self) -> str:
        return f"{_clock(self.opens)}-{_clock(self.closes)}"


@dataclass(frozen=True)
class MainLine:
    """The central scheduling line, offered whenever no clinic fits."""

    name: str
    phone: str  # E.164, e.g. "+13015550100"
    phone_display: str  # e.g. "(301) 555-0100"


@dataclass(frozen=True)
class Clinic:
    id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    phone: str  # E.164
    phone_display: str
    hours: tuple[OpeningHours | None, ...]  # Monday first; None = closed
    services: tuple[str, ...]
    latitude: float
    longitude: float
    booking_url: str
    aliases: tuple[str, ...]
    timezone: ZoneInfo

    @property
    def full_address(self) -> str:
        return f"{self.address}, {self.city}, {self.state} {self.zip}"

    def hours_on(self, day: date) -> OpeningHours | None:
        """Opening hours on ``day`` (local clinic date), or None when closed."""
        return self.hours[day.weekday()]

    def today_hours(self, now: datetime | None = None) -> str:
        """E.g. "open today 8:00 AM-6:00 PM" or "closed today".

        An aware ``now`` is converted to the clinic timezone; a naive one is
        taken as clinic-local time already.
        """
        if now is None:
            local = datetime.now(self.timezone)
        elif now.tzinfo is None:
            local = now
        else:
            local = now.astimezone(self.timezone)
        hours = self.hours_on(local.date())
        return f"open today {hours}" if hours else "closed today"


@dataclass(frozen=True)
class Directory:
    name: str  # the clinic's own name, as patients know it (SMS HELP names it)
    main_line: MainLine
    timezone: ZoneInfo
    clinics: tuple[Clinic, ...]
    by_id: Mapping[str, Clinic] = field(repr=False, compare=False)

    @property
    def served_states(self) -> frozenset[str]:
        """The states the clinics are in: their towns are recognised in chat, and a
        town name found in several states resolves to the one here."""
        return frozenset(clinic.state for clinic in self.clinics)


def load_directory(path: str | os.PathLike[str] | None = None) -> Directory:
    """Load the directory from ``path``, else $CLINIC_DIRECTORY, else data/clinics.yml.

    Results are cached per resolved path; errors are not cached.
    """
    chosen = path or os.environ.get(PATH_ENV_VAR) or DEFAULT_PATH
    return _load_cached(Path(chosen).expanduser().resolve())


@functools.cache
def _load_cached(path: Path) -> Directory:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read clinic directory: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DirectoryError(f"{path}: not valid YAML: {exc}") from exc
    return _parse_directory(data, path)


class _Entry:
    """Typed access to one YAML mapping; errors say which entry and field."""

    def __init__(self, data: Any, where: str, source: Path) -> None:
        self.where = where
        self.source = source
        if not isinstance(data, dict):
            raise self.error(f"must be a mapping, got {type(data).__name__}")
        self.data: dict[Any, Any] = data

    def error(self, message: str) -> DirectoryError:
        return DirectoryError(f"{self.source}: {self.where}: {message}")

    def field_error(self, name: str, message: str) -> DirectoryError:
        return self.error(f"field '{name}' {message}")

    def reject_unknown(self, allowed: frozenset[str]) -> None:
        unknown = sorted(str(key) for key in self.data if key not in allowed)
        if unknown:
            raise self.field_error(unknown[0], "is not a known field")

    def raw(self, name: str) -> Any:
        if self.data.get(name) is None:
            raise self.field_error(name, "is required")
        return self.data[name]

    def text(self, name: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str) or not value.strip():
            raise self.field_error(name, f"must be non-empty text, got {value!r}")
        return value.strip()

    def number(self, name: str, low: float, high: float) -> float:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.field_error(name, f"must be a number, got {value!r}")
        if not low <= value <= high:
            raise self.field_error(name, f"must be between {low:g} and {high:g}, got {value!r}")
        return float(value)

    def texts(self, name: str, required: bool = True) -> tuple[str, ...]:
        if not required and self.data.get(name) is None:
            return ()
        value = self.raw(name)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(item, str) and item.strip() for item in value)
        ):
            raise self.field_error(name, f"must be a non-empty list of text, got {value!r}")
        return tuple(item.strip() for item in value)

    def matching(self, name: str, pattern: re.Pattern[str], description: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise self.field_error(name, f"must be {description}, got {value!r}")
        return value

    def phone(self, name: str) -> tuple[str, str]:
        """(E.164, national display form) of a US phone number."""
        value = self.text(name)
        try:
            number = phonenumbers.parse(value, "US")
        except phonenumbers.NumberParseException as exc:
            raise self.field_error(name, f"is not a phone number, got {value!r}") from exc
        if not phonenumbers.is_valid_number(number):
            raise self.field_error(name, f"is not a valid US phone number, got {value!r}")
        return (
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        )

    def hours(self, name: str) -> tuple[OpeningHours | None, ...]:
        value = self.raw(name)
        if not isinstance(value, dict):
            raise self.field_error(name, f"must map each weekday to hours, got {value!r}")
        unknown = [str(day) for day in value if day not in WEEKDAYS]
        if unknown:
            raise self.field_error(name, f"has unknown day {unknown[0]!r}")
        missing = [day for day in WEEKDAYS if day not in value]
        if missing:
            raise self.field_error(name, f"is missing {', '.join(missing)}")
        return tuple(self._day_hours(f"{name}.{day}", value[day]) for day in WEEKDAYS)

    def _day_hours(self, label: str, value: Any) -> OpeningHours | None:
        if value == "closed":
            return None
        match = _HOURS_RE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise self.field_error(label, f"must be 'HH:MM-HH:MM' or 'closed', got {value!r}")
        oh, om, ch, cm = (int(part) for part in match.groups())
        try:
            hours = OpeningHours(time(oh, om), time(ch, cm))
        except ValueError as exc:
            raise self.field_error(label, f"has an impossible time, got {value!r}") from exc
        if hours.opens >= hours.closes:
            raise self.field_error(label, f"must open before it closes, got {value!r}")
        return hours


def _parse_directory(data: Any, source: Path) -> Directory:
    top = _Entry(data, "top level", source)
    top.reject_unknown(frozenset({"version", "name", "main_line", "timezone", "clinics"}))
    if top.raw("version") != SUPPORTED_VERSION:
        raise top.field_error("version", f"must be {SUPPORTED_VERSION}, got {top.data['version']!r}")
    tz_name = top.text("timezone")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise top.field_error("timezone", f"is not a known timezone, got {tz_name!r}") from exc

    line = _Entry(top.raw("main_line"), "main_line", source)
    line.reject_unknown(frozenset({"name", "phone"}))
    main_line = MainLine(line.text("name"), *line.phone("phone"))

    raw_clinics = top.raw("clinics")
    if not isinstance(raw_clinics, list) or not raw_clinics:
        raise top.field_error("clinics", "must be a non-empty list")
    clinics: list[Clinic] = []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(raw_clinics):
        clinic = _parse_clinic(raw, index, tz, source)
        if clinic.id in first_index:
            raise DirectoryError(
                f"{source}: clinics[{index}] ({clinic.id}): field 'id' duplicates "
                f"clinics[{first_index[clinic.id]}]"
            )
        first_index[clinic.id] = index
        clinics.append(clinic)
    return Directory(
        name=top.text("name"),
        main_line=main_line,
        timezone=tz,
        clinics=tuple(clinics),
        by_id=MappingProxyType({clinic.id: clinic for clinic in clinics}),
    )


def _parse_clinic(raw: Any, index: int, tz: ZoneInfo, source: Path) -> Clinic:
    where = f"clinics[{index}]"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        where += f" ({raw['id']})"
    entry = _Entry(raw, where, source)
    entry.reject_unknown(_CLINIC_FIELDS)
    clinic_id = entry.matching("id", _ID_RE, "a lowercase slug like 'college-park'")
    name = entry.text("name")
    address = entry.text("address")
    city = entry.text("city")
    state = entry.matching("state", _STATE_RE, "a 2-letter state code like 'MD'")
    zip_code = entry.matching("zip", _ZIP_RE, "a 5-digit ZIP")
    phone, phone_display = entry.phone("phone")
    hours = entry.hours("hours")
    services = entry.texts("services")
    latitude = entry.number("latitude", -90, 90)
    longitude = entry.number("longitude", -180, 180)
    booking_url = entry.text("booking_url")
    if not booking_url.startswith("https://"):
        raise entry.field_error("booking_url", f"must start with https://, got {booking_url!r}")
    return Clinic(
        id=clinic_id,
        name=name,
        address=address,
        city=city,
        state=state,
        zip=zip_code,
        phone=phone,
        phone_display=phone_display,
        hours=hours,
        services=services,
        latitude=latitude,
        longitude=longitude,
        booking_url=booking_url,
        aliases=entry.texts("aliases", required=False),
        timezone=tz,
    )


def _clock(value: time) -> str:
    """12-hour clock without a leading zero: 8:00 AM, 12:30 PM."""
    suffix = "AM" if value.hour < 12 else "PM"
    return f"{value.hour % 12 or 12}:{value.minute:02d} {suffix}"
