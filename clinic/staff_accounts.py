"""Front-desk staff logins, kept in the request database's ``staff_users`` table.

Passwords are stored only as argon2 hashes. The command line that manages them
is ``python -m console.staff_accounts`` (``make staff-user``).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

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
        username = normalise_username(username)
        _check_password(password)
        with self._engine.get().begin() as conn:
            result = conn.execute(
                update(staff_users)
                .where(staff_users.c.username == username)
                .values(password_hash=self._hasher.hash(password))
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
            stored = conn.execute(
                select(staff_users.c.password_hash).where(staff_users.c.username == username)
            ).scalar()
        try:
            self._hasher.verify(stored or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if stored is None:
            return None
        if self._hasher.check_needs_rehash(stored):
            self.set_password(username, password)
        return username


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
