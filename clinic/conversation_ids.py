"""Conversation ids the server issues, so a client can only continue its own conversation.

On SMS the conversation id is the patient's phone number: the phone company
vouches for it. On the website the client chooses what it sends, so the
server hands out ids (``rest-<random>.<signature>``, ``web-...``) and
accepts back only ids carrying its own HMAC signature. A phone number, a
guessed id or another channel's prefix is never one of them. The signature
needs no storage, so any number of Rasa servers sharing the secret agree.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection

SIGNATURE_CHARS = 32  # 128 bits of HMAC-SHA256, hex
MAX_ID_CHARS = 200  # the tracker store's sender_id column holds 255


def sign(secret: str, name: str) -> str:
    """``name`` with the server's signature: an id only the holder of ``secret`` can make."""
    return f"{name}.{_signature(secret, name)}"


def issue(secret: str, prefix: str) -> str:
    """A new, unguessable conversation id for the channel ``prefix`` (e.g. ``rest``)."""
    return sign(secret, f"{prefix}-{secrets.token_hex(16)}")


def is_issued(secret: str, conversation_id: object, prefixes: Collection[str]) -> bool:
    """Whether ``conversation_id`` was signed with ``secret`` under one of ``prefixes``."""
    if not isinstance(conversation_id, str) or len(conversation_id) > MAX_ID_CHARS:
        return False
    name, dot, signature = conversation_id.rpartition(".")
    if not dot or name.partition("-")[0] not in prefixes:
        return False
    return hmac.compare_digest(signature.encode(), _signature(secret, name).encode())


def _signature(secret: str, name: str) -> str:
    digest = hmac.new(secret.encode(), name.encode(), hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_CHARS]
