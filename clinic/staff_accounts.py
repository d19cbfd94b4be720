"""Front-desk staff logins, kept in the request database's ``staff_users`` table.

Passwords are stored only as argon2 hashes. The command line that manages them
is ``python -m console.staff_accounts`` (``make staff-user``).

Each login has a session version that the console stores in the session and
checks on every request: logging out, changing the password and disabling the
login raise it, which ends every session (and every copied cookie) at once.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from clinic.database import LazyEngine
from clinic.migrate import ensure_current
from clinic.schema import staff_users

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """The username or password is not acceptable, or the account does (not) exist."""


class StaffAccounts:
    """Staff accounts in the database at ``url``, else $CLINIC_DB_URL, else the
    SQLite file RequestStore uses, migrated to the newest schema on first use."""

    def __init__(self, url: str | None = None) -> None:
        self._engine = LazyEngine(url, ensure_current)
        self._hasher = PasswordHasher()
        # Verified against when the username is unknown, so a wrong username
        # takes as long as a wrong password and does not reveal who has an account.
        self._dummy_hash = self._hasher.hash("no such user")

    def add(self, username: str, password: str) -> None:
        username = normalise_username(username)
        _check_password(password)
        row = {
            "username": username,
            "password_hash": self._hasher.hash(password),
            "created_at": datetime.now(timezone.utc),
        }
        try:
            with self._engine.get().begin() as conn:
                conn.execute(insert(staff_users).values(**row))
        except IntegrityError as exc:
            raise AccountError(f"staff user {username!r} already exists") from exc

    def set_password(self, username: str, password: str) -> None:
        """Change the password and end the login's sessions."""
        _check_password(password)
        self._update(username, password_hash=self._hasher.hash(password), session_version=_next_version())

    def set_disabled(self, username: str, disabled: bool) -> None:
        """Disable a login (its sessions end, it cannot log in) or enable it again."""
        self._update(username, disabled=disabled, session_version=_next_version())

    def end_sessions(self, username: str) -> None:
        """End every session of this login (logout)."""
        self._update(username, session_version=_next_version())

    def session_version(self, username: str) -> int | None:
        """The version a live session of ``username`` carries; None if the login is gone or disabled."""
        with self._engine.get().connect() as conn:
            row = conn.execute(
                select(staff_users.c.session_version, staff_users.c.disabled).where(
                    staff_users.c.username == username
                )
            ).first()
        return None if row is None or row.disabled else int(row.session_version)

    def _update(self, username: str, **values: Any) -> None:
        username = normalise_username(username)
        with self._engine.get().begin() as conn:
            result = conn.execute(
                update(staff_users).where(staff_users.c.username == username).values(**values)
            )
        if result.rowcount == 0:
            raise AccountError(f"no staff user {username!r}")

    def verify(self, username: str, password: str) -> str | None:
        """The normalised username if the password is right, else None."""
        try:
            username = normalise_username(username)
        except AccountError:
            return None
        with self._engine.get().connect() as conn:
            row = conn.execute(
                select(staff_users.c.password_hash, staff_users.c.disabled).where(
                    staff_users.c.username == username
                )
            ).first()
        stored = row.password_hash if row is not None else None
        try:
            self._hasher.verify(stored or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or row.disabled:
            return None
        if self._hasher.check_needs_rehash(row.password_hash):
            self._update(username, password_hash=self._hasher.hash(password))
        return username


def _next_version() -> Any:
    return staff_users.c.session_version + 1


def normalise_username(username: str) -> str:
    """Lower-case; 2-64 letters, digits, dots, dashes or underscores."""
    name = username.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise AccountError(
            "a username is 2-64 characters: letters, digits, '.', '-' or '_', starting with a letter or digit"
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
