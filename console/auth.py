"""Staff login and logout, and the rule that everything else needs a login."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request, session, url_for
from flask_limiter import Limiter

from console.services import services
from console.session_versions import end_every_session, is_current, remember_version

SESSION_USER = "staff_user"
# Counted per client address and per username, failed attempts only.
LOGIN_LIMIT = "5/minute"
PUBLIC_ENDPOINTS = frozenset({"auth.login", "pages.static"})
API_PREFIX = "/console/api/"


def current_staff() -> str | None:
    return session.get(SESSION_USER)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def require_login() -> Response | tuple[Response, int] | None:
    """``before_request`` hook: API calls without a session get 401, pages go to the login.
    A session that logout, a password change or disabling the login has ended is dropped."""
    user = current_staff()
    if user and not is_current(user):
        session.clear()
    if request.endpoint in PUBLIC_ENDPOINTS or current_staff():
        return None
    if is_api_request():
        return jsonify(error="Log in first."), 401
    return redirect(url_for("auth.login"))


def auth_blueprint(limiter: Limiter) -> Blueprint:
    blueprint = Blueprint("auth", __name__, url_prefix="/console")

    @blueprint.route("/login", methods=["GET", "POST"])
    @limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=_failed)  # per client address
    @limiter.limit(LOGIN_LIMIT, key_func=_username_key, methods=["POST"], deduct_when=_failed)
    def login() -> Response | tuple[str, int] | str:
        if request.method == "GET":
            return redirect(url_for("pages.queue")) if current_staff() else render_template("login.html")
        username = services().accounts.verify(
            request.form.get("username", ""), request.form.get("password", "")
        )
        if username is None:
            return render_template("login.html", error="Wrong username or password."), 401
        session.clear()  # a fresh session (and CSRF token) for the logged-in user
        session[SESSION_USER] = username
        remember_version(username)
        session.permanent = True
        return redirect(url_for("pages.queue"))

    @blueprint.post("/logout")
    def logout() -> Response:
        user = current_staff()
        if user:
            end_every_session(user)  # copies of this cookie, and the login's other sessions, end too
        session.clear()
        return redirect(url_for("auth.login"))

    return blueprint


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _username_key() -> str:
    """Prefixed so that a username spelled like an address has its own counter."""
    return f"user:{request.form.get('username', '').strip().lower()}"
