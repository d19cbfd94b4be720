"""How many SMS segments a text costs, as carriers count them.

A text that the GSM 03.38 alphabet can carry is sent in GSM-7: 160 characters
in a single SMS, 153 per segment once it is split (the rest of each segment
holds the header that joins them), and the extension characters (``{ } [ ] ~
\\ | ^ €``) count twice. One character outside the alphabet switches the whole
text to UCS-2: 70 UTF-16 units alone, 67 per segment. The alphabet is the
``gsm0338`` codec's, not a hand-copied table.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7 = "GSM-7"
UCS2 = "UCS-2"
_SINGLE = {GSM7: 160, UCS2: 70}
_PER_SEGMENT = {GSM7: 153, UCS2: 67}
_ESCAPE = 0x1B  # an extension character is sent as ESC + its code


@dataclass(frozen=True)
class SegmentCount:
    encoding: str
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def count(text: str) -> SegmentCount:
    try:
        encoded = codecs.encode(text, "gsm03.38")
    except UnicodeEncodeError:
        encoding, units = UCS2, len(text.encode("utf-16-le")) // 2
    else:
        encoding, units = GSM7, len(encoded)
    if units <= _SINGLE[encoding]:
        return SegmentCount(encoding, units, 1 if units else 0)
    if encoding == GSM7:
        return SegmentCount(encoding, units, _gsm7_segments(encoded))
    return SegmentCount(encoding, units, -(-units // _PER_SEGMENT[encoding]))


def segments(text: str) -> int:
    return count(text).segments


def fits(text: str, max_segments: int) -> bool:
    return segments(text) <= max_segments


def _gsm7_segments(encoded: bytes) -> int:
    """Segments of a split GSM-7 text: an ESC pair is never cut between two segments."""
    used, total = 0, 1
    index = 0
    while index < len(encoded):
        width = 2 if encoded[index] == _ESCAPE else 1
        if used + width > _PER_SEGMENT[GSM7]:
            total, used = total + 1, 0
        used += width
        index += width
    return total
