"""Helpers for the front-desk console tests: tokens, logging in, a fake tracker store."""

from __future__ import annotations

import json
import re
import time

from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

STAFF_USER = "alice"
STAFF_PASSWORD = "correct horse battery"

_TOKEN_RE = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/console/login") -> str:
    """The CSRF token a page at ``path`` hands out in this client's session."""
    match = _TOKEN_RE.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def log_in(client: FlaskClient, username: str = STAFF_USER, password: str = STAFF_PASSWORD):
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )


def store_conversation(tracker_db_url: str, sender_id: str, messages: list[tuple[str, str]]) -> None:
    """Write (``"user"`` or ``"bot"``, text) messages as Rasa's SQL tracker store does."""
    engine = create_engine(tracker_db_url, future=True)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
        now = time.time()
        events = [("action", {"event": "action", "name": "action_listen"})] + [
            (kind, {"event": kind, "text": message}) for kind, message in messages
        ]
        for offset, (kind, data) in enumerate(events):
            conn.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, :ts, :d)"),
                {"s": sender_id, "t": kind, "ts": now + offset, "d": json.dumps(data)},
            )
    engine.dispose()
