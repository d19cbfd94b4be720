"""Sessions that end everywhere: each session carries its login's session version.

Flask's session is a signed cookie, so a copy of it would stay valid until it
expires. The version stored with the login (clinic/staff_accounts.py) is copied
into the session at login and compared on every request; logout, a password
change and disabling the login raise it, so every copy of the cookie is refused.
"""

from __future__ import annotations

import contextlib

from flask import session

from clinic.staff_accounts import AccountError
from console.services import services

SESSION_VERSION = "session_version"


def remember_version(username: str) -> None:
    session[SESSION_VERSION] = services().accounts.session_version(username)


def is_current(username: str) -> bool:
    """True while the login exists, is enabled and has not ended its sessions since this one began."""
    version = services().accounts.session_version(username)
    return version is not None and session.get(SESSION_VERSION) == version


def end_every_session(username: str) -> None:
    with contextlib.suppress(AccountError):  # a removed login has no sessions left
        services().accounts.end_sessions(username)
