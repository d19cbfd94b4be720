"""Secrets shared by the servers of one installation: from the environment, else
generated once into the var directory (readable by its owner only)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# Environment variable -> file name in the var directory.
CONVERSATION_ID_SECRET = "CONVERSATION_ID_SECRET"  # signs website conversation ids
ACTION_SERVER_TOKEN = "ACTION_SERVER_TOKEN"  # Rasa sends it; the action server requires it
ACTION_TOKEN_HEADER = "X-Action-Token"  # the header that carries it
SHARED_SECRETS = {
    CONVERSATION_ID_SECRET: "conversation_id_secret",
    ACTION_SERVER_TOKEN: "action_server_token",
}


def local_secret(env_name: str, var_dir: Path) -> str:
    """``$env_name`` if set, else the secret stored in ``var_dir`` (made on first use)."""
    from_env = os.environ.get(env_name, "").strip()
    return from_env or stored_secret(var_dir / SHARED_SECRETS[env_name])


def stored_secret(path: Path) -> str:
    """The secret in ``path``, generated on first use (owner-only), so it survives restarts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    value = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def shared_secrets(var_dir: Path) -> dict[str, str]:
    """Every shared secret, as environment variables for the servers."""
    return {name: local_secret(name, var_dir) for name in SHARED_SECRETS}
