"""A console session ends everywhere: a cookie copied before logout, a password change or
disabling the login no longer reads patient data or changes a status."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from clinic.staff_accounts import StaffAccounts
from tests.conftest import REPO
from tests.console_harness import STAFF_PASSWORD, STAFF_USER, csrf_token, log_in

COOKIE = "console_session"


@pytest.fixture
def db_url(console_app, tmp_path) -> str:
    """The request and staff database ``console_app`` uses."""
    return f"sqlite:///{tmp_path / 'clinic.db'}"


def _copied_session(console_app, staff_client):
    """A second client holding a copy of ``staff_client``'s session cookie, and the CSRF token of that session."""
    token = csrf_token(staff_client, "/console/")
    copy = console_app.test_client()
    copy.set_cookie(COOKIE, staff_client.get_cookie(COOKIE).value)
    assert copy.get("/console/api/requests").status_code == 200  # the copy works while the session lives
    return copy, token


def _assert_session_ended(console_app, copy, token):
    store = console_app.extensions["console"].store
    saved = store.save_request(kind="callback", channel="rest", sender_id="web-1", contact_name="Ana Ruiz")
    assert copy.get("/console/api/requests").status_code == 401
    response = copy.get(f"/console/requests/{saved.reference}")
    assert response.status_code == 302 and response.headers["Location"] == "/console/login"
    changed = copy.post(
        f"/console/api/requests/{saved.reference}/status",
        json={"status": "closed"},
        headers={"X-CSRFToken": token},
    )
    assert changed.status_code == 401
    assert store.get(saved.reference).status == "new"


def test_cookie_copied_before_logout_is_refused_after_it(console_app, staff_client):
    copy, token = _copied_session(console_app, staff_client)
    assert staff_client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    _assert_session_ended(console_app, copy, token)


def test_password_change_ends_every_session(console_app, staff_client, db_url):
    copy, token = _copied_session(console_app, staff_client)
    accounts = StaffAccounts(db_url)
    accounts.set_password(STAFF_USER, "a brand new password")
    _assert_session_ended(console_app, copy, token)
    assert staff_client.get("/console/api/requests").status_code == 401
    assert log_in(console_app.test_client(), STAFF_USER, "a brand new password").status_code == 302


def _staff_accounts(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLINIC_DB_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "console.staff_accounts", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_disabled_login_loses_its_sessions_and_cannot_log_in_until_enabled(console_app, staff_client, db_url):
    copy, token = _copied_session(console_app, staff_client)
    disabled = _staff_accounts(db_url, "disable", STAFF_USER)
    assert disabled.returncode == 0, disabled.stderr
    assert "Disabled the login alice." in disabled.stdout
    _assert_session_ended(console_app, copy, token)
    assert staff_client.get("/console/api/requests").status_code == 401
    refused = log_in(console_app.test_client())
    assert refused.status_code == 401 and "Wrong username or password." in refused.get_data(as_text=True)

    enabled = _staff_accounts(db_url, "enable", STAFF_USER)
    assert enabled.returncode == 0, enabled.stderr
    assert log_in(console_app.test_client(), STAFF_USER, STAFF_PASSWORD).status_code == 302
    assert copy.get("/console/api/requests").status_code == 401  # the old cookie stays ended


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_unknown_login_is_an_error(db_url, command):
    result = _staff_accounts(db_url, command, "nobody")
    assert result.returncode == 1 and "no staff user 'nobody'" in result.stderr
