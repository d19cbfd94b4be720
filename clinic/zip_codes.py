"""ZIP codes in patients' messages, and where a ZIP is.

Works offline: ZIP centroids come from the ``zipcodes`` package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import zipcodes

_ZIP_ONLY = re.compile(r"(\d{5})(?:-\d{4})?")
_ZIP_IN_TEXT = re.compile(r"(?<!\d)\d{5}(?:-\d{4})?(?!\d)")
_DIGIT_RUN = re.compile(r"(?<!\d)\d{3,9}(?!\d)")


@dataclass(frozen=True)
class ZipCentroid:
    zip: str
    city: str
    state: str
    latitude: float
    longitude: float


def parse_zip(text: str) -> str | None:
    """The 5-digit ZIP that ``text`` is ("20770" or "20770-1234"), else None."""
    match = _ZIP_ONLY.fullmatch(text)
    return match.group(1) if match else None


def zip_in_text(text: str) -> str | None:
    """The first ZIP or ZIP+4 anywhere in ``text``, as written."""
    match = _ZIP_IN_TEXT.search(text)
    return match.group(0) if match else None


def digit_run(text: str) -> str | None:
    """The first run of 3 to 9 digits: most likely a mistyped ZIP."""
    match = _DIGIT_RUN.search(text)
    return match.group(0) if match else None


def zip_centroid(zip5: str) -> ZipCentroid | None:
    """Where a 5-digit ZIP is, or None for a ZIP that does not exist."""
    records = zipcodes.matching(zip5)
    if not records:
        return None
    record = records[0]
    return ZipCentroid(
        zip=zip5,
        city=str(record["city"]),
        state=str(record["state"]),
        latitude=float(record["lat"]),
        longitude=float(record["long"]),
    )
