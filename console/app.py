"""Builds the console Flask app: sessions, CSRF, login rate limit, security headers."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import partial

from flask import Flask, Response, jsonify, render_template
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from clinic.directory import load_directory
from clinic.request_store import RequestStore, StoreUnavailable
from clinic.staff_accounts import StaffAccounts
from console.api import api
from console.auth import auth_blueprint, current_staff, is_api_request, require_login
from console.erasure import erasure_blueprint
from console.pages import pages
from console.services import ConsoleServices
from console.settings import Settings
from console.transcripts import TranscriptReader

IDLE_LOGOUT = timedelta(hours=10)  # a login ends after this long without use: a long shift
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="console_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookie,
        PERMANENT_SESSION_LIFETIME=IDLE_LOGOUT,
        # The token lives as long as the session: a queue page left open all
        # shift must still be able to change a status.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    directory = load_directory()
    app.extensions["console"] = ConsoleServices(
        store=RequestStore(settings.db_url),
        accounts=StaffAccounts(settings.db_url),
        transcripts=TranscriptReader(settings.tracker_db_url) if settings.tracker_db_url else None,
        directory=directory,
        rasa_url=settings.rasa_url,
        conversation_id_secret=settings.conversation_id_secret,
    )
    # Registered before CSRFProtect's own hook, so a caller without a session
    # is told to log in rather than that its token is wrong.
    app.before_request(require_login)
    CSRFProtect(app)
    limiter = Limiter(app=app, key_func=get_remote_address, storage_uri="memory://", strategy="moving-window")
    app.register_blueprint(auth_blueprint(limiter))
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_blueprint(erasure_blueprint(settings))
    app.after_request(_security_headers)
    app.context_processor(lambda: {"staff_user": current_staff()})
    app.add_template_filter(partial(_local_time, timezone=directory.timezone), "local_time")
    _register_error_pages(app)
    return app


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")  # pages hold patient data
    return response


def _local_time(value: datetime | None, timezone: tzinfo) -> str:
    """A stored UTC time as the clinics' local time."""
    return value.astimezone(timezone).strftime("%a %d %b %Y, %H:%M") if value else ""


def _register_error_pages(app: Flask) -> None:
    def error(message: str, status: int) -> tuple[Response | str, int]:
        if is_api_request():
            return jsonify(error=message), status
        return render_template("error.html", message=message, status=status), status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error("Security token missing or out of date: reload the page and try again.", 400)

    @app.errorhandler(429)
    def too_many_attempts(exc: HTTPException):
        response = render_template(
            "login.html", error="Too many login attempts. Wait a minute, then try again."
        )
        return response, 429, {"Retry-After": "60"}

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(exc: StoreUnavailable):
        app.logger.error("%s", exc)  # the message is log-safe: no patient data
        return error("The request database is not reachable. Try again shortly.", 503)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error(exc.description or exc.name, exc.code or 500)
