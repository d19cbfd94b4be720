"""Front-desk console: logins, sessions, CSRF, the login rate limit and staff accounts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from clinic.staff_accounts import StaffAccounts
from console.settings import settings_from_env
from tests.conftest import REPO
from tests.console_harness import STAFF_PASSWORD, STAFF_USER, csrf_token, log_in

PAGES = ["/console/", "/console/requests/PT-ABCDEF", "/console/no-such-page"]
API_GETS = ["/console/api/requests", "/console/api/requests.csv"]
API_POSTS = ["/console/api/requests/PT-ABCDEF/status", "/console/api/ask"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_the_login_without_a_session(console_app, path):
    response = console_app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/login"


@pytest.mark.parametrize("method,path", [("get", p) for p in API_GETS] + [("post", p) for p in API_POSTS])
def test_api_answers_401_json_without_a_session(console_app, method, path):
    response = getattr(console_app.test_client(), method)(path, json={"status": "closed"})
    assert response.status_code == 401
    assert response.is_json and response.json["error"]


def test_login_page_is_public_and_the_session_cookie_is_locked_down(console_app):
    response = console_app.test_client().get("/console/login")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_secure_cookie_can_be_required(console_app):
    console_app.config["SESSION_COOKIE_SECURE"] = True
    assert "Secure" in console_app.test_client().get("/console/login").headers["Set-Cookie"]


def test_right_password_logs_in_and_logout_ends_the_session(console_app):
    client = console_app.test_client()
    response = log_in(client, "  Alice ", STAFF_PASSWORD)  # usernames ignore case and spaces
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    page = client.get("/console/")
    assert page.status_code == 200 and "Signed in as <strong>alice</strong>" in page.get_data(as_text=True)

    token = csrf_token(client, "/console/")
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/").status_code == 302
    assert client.get("/console/api/requests").status_code == 401


@pytest.mark.parametrize("username,password", [(STAFF_USER, "wrong password!"), ("mallory", STAFF_PASSWORD)])
def test_wrong_credentials_are_refused(console_app, username, password):
    client = console_app.test_client()
    response = log_in(client, username, password)
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/console/api/requests").status_code == 401


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_login_form_without_the_right_csrf_token_is_refused(console_app, token):
    client = console_app.test_client()
    csrf_token(client)  # the session has a token; the form does not send it
    form = {"username": STAFF_USER, "password": STAFF_PASSWORD}
    if token:
        form["csrf_token"] = token
    response = client.post("/console/login", data=form)
    assert response.status_code == 400
    assert "Security token" in response.get_data(as_text=True)
    assert client.get("/console/api/requests").status_code == 401


@pytest.mark.parametrize("headers", [{}, {"X-CSRFToken": "not-the-token"}])
def test_api_state_change_without_the_csrf_header_is_refused(console_app, staff_client, headers):
    saved = console_app.extensions["console"].store.save_request(
        kind="callback", channel="rest", sender_id="web-1"
    )
    response = staff_client.post(
        f"/console/api/requests/{saved.reference}/status", json={"status": "closed"}, headers=headers
    )
    assert response.status_code == 400
    assert response.is_json and "Security token" in response.json["error"]
    assert console_app.extensions["console"].store.get(saved.reference).status == "new"


def test_sixth_bad_login_from_one_address_is_rate_limited(console_app):
    client = console_app.test_client()
    for attempt in range(5):
        assert log_in(client, f"user{attempt}", "wrong password!").status_code == 401
    response = log_in(client, STAFF_USER, STAFF_PASSWORD)  # even the right password now waits
    assert response.status_code == 429
    assert "Too many login attempts. Wait a minute" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "60"
    assert client.get("/console/api/requests").status_code == 401


def test_sixth_bad_login_for_one_username_is_rate_limited_from_any_address(console_app):
    def from_address(number: int):
        client = console_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        return client

    for number in range(5):
        assert log_in(from_address(number), STAFF_USER, "wrong password!").status_code == 401
    assert log_in(from_address(99), STAFF_USER, "wrong password!").status_code == 429
    assert log_in(from_address(99), "bob", "wrong password!").status_code == 401


def test_successful_logins_do_not_count_towards_the_limit(console_app):
    for _ in range(7):
        assert log_in(console_app.test_client()).status_code == 302


def test_staff_user_command_stores_an_argon2_hash(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'clinic.db'}"
    env = {**os.environ, "CLINIC_DB_URL": db_url, "STAFF_PASSWORD": "a long enough password"}

    def add(username: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "console.staff_accounts", "add", username],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    created = add("Bob")
    assert created.returncode == 0, created.stderr
    assert "Created staff user bob." in created.stdout
    with create_engine(db_url).connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM staff_users WHERE username = 'bob'")).scalar()
    assert stored.startswith("$argon2id$") and "a long enough password" not in stored
    assert StaffAccounts(db_url).verify("bob", "a long enough password") == "bob"
    assert StaffAccounts(db_url).verify("bob", "another password") is None

    again = add("bob")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_staff_user_command_refuses_a_short_password(tmp_path):
    env = {**os.environ, "CLINIC_DB_URL": f"sqlite:///{tmp_path / 'clinic.db'}", "STAFF_PASSWORD": "short"}
    result = subprocess.run(
        [sys.executable, "-m", "console.staff_accounts", "add", "carol"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "at least 10 characters" in result.stderr


def test_generated_secret_key_is_private_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSOLE_SECRET_KEY", raising=False)
    first = settings_from_env(tmp_path).secret_key
    key_file = tmp_path / "console_secret_key"
    assert len(first) == 64 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings_from_env(tmp_path).secret_key == first

    monkeypatch.setenv("CONSOLE_SECRET_KEY", "from-the-environment")
    assert settings_from_env(tmp_path).secret_key == "from-the-environment"
