"""Console settings, read from the environment by ``python -m console``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from clinic.local_secrets import CONVERSATION_ID_SECRET, local_secret, stored_secret
from console.transcripts import tracker_db_url_from_endpoints

REPO = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = REPO / "var"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
SECRET_KEY_FILE = "console_secret_key"


@dataclass(frozen=True)
class Settings:
    secret_key: str
    db_url: str | None  # None: RequestStore's default (var/clinic_requests.db)
    tracker_db_url: str | None  # None: transcripts are not available
    rasa_url: str
    conversation_id_secret: str  # signs the staff members' conversation ids, as Rasa checks them
    secure_cookie: bool = False


def settings_from_env(var_dir: Path = DEFAULT_VAR_DIR) -> Settings:
    """Settings from $CONSOLE_SECRET_KEY, $CLINIC_DB_URL, $TRACKER_DB_URL, $RASA_URL,
    $CONVERSATION_ID_SECRET and $CONSOLE_SECURE_COOKIE, with defaults for one machine."""
    return Settings(
        secret_key=os.environ.get("CONSOLE_SECRET_KEY") or stored_secret(var_dir / SECRET_KEY_FILE),
        db_url=os.environ.get("CLINIC_DB_URL") or None,
        tracker_db_url=os.environ.get("TRACKER_DB_URL")
        or tracker_db_url_from_endpoints(REPO / "endpoints.yml", base_dir=REPO),
        rasa_url=(os.environ.get("RASA_URL") or DEFAULT_RASA_URL).rstrip("/"),
        conversation_id_secret=local_secret(CONVERSATION_ID_SECRET, var_dir),
        secure_cookie=os.environ.get("CONSOLE_SECURE_COOKIE", "").lower() in ("1", "true", "yes"),
    )
