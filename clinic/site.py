"""Addresses of the clinic's public website, for links the assistant sends.

The site's origin is one setting, $CLINIC_SITE_ORIGIN (e.g.
https://www.example-clinic.com), the same one that lets the site's pages call
the assistant (scripts/services.py); without it, `make run`'s demo page.
"""

from __future__ import annotations

import os

SITE_ORIGIN_ENV = "CLINIC_SITE_ORIGIN"
DEMO_SITE_ORIGIN = "http://127.0.0.1:8080"


def site_origin() -> str:
    return (os.environ.get(SITE_ORIGIN_ENV) or DEMO_SITE_ORIGIN).rstrip("/")


def exercise_page_url(exercise_key: str) -> str:
    """The printable page of one exercise: its steps, pictures and the safety line."""
    return f"{site_origin()}/exercises/{exercise_key}"
