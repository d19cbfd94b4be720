"""The website's channels: Rasa's REST and socket.io channels (same names and
URLs), each turn guarded (channels/turn_guard.py), on conversation ids the
server issued (clinic/conversation_ids.py).

An SMS conversation's id is the patient's phone number, and Rasa's own
channels accept whatever id a client sends; these accept only ids signed with
``id_secret`` ($CONVERSATION_ID_SECRET), so no website client can continue
an SMS patient's conversation, or anyone else's.

- REST: a post without ``sender`` starts a new conversation; its id comes back
  as every reply's ``recipient_id``; send it as ``sender`` to continue. A
  ``sender`` this server did not issue is refused (403), not swapped for a new
  id: a client that believes it is continuing a conversation must not be
  silently answered in a different one. Ids signed as ``staff-<user>`` (the
  front-desk console) are accepted too.
- socket.io: ``session_request`` with an id this server issued keeps it (a page
  reload continues the conversation, as rasa-webchat's session persistence
  expects); any other id, or none, gets a new one in ``session_confirm``.
  A message under an id the server did not issue is ignored.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.turn_guard import OnNewMessage, guard_turn
from clinic.conversation_ids import is_issued, issue

log = logging.getLogger(__name__)

REST_PREFIX = "rest"
STAFF_PREFIX = "staff"  # the console signs "staff-<user>" with the same secret
SOCKETIO_PREFIX = "web"
START_HINT = 'post {"message": "..."} without "sender" to start a conversation'


def _required_secret(credentials: dict[str, Any] | None) -> str:
    secret = str((credentials or {}).get("id_secret") or "")
    if not secret:
        raise RasaException(
            "The website channels need id_secret (set CONVERSATION_ID_SECRET; `make run` generates "
            "one into var/): without it no conversation id can be issued or checked."
        )
    return secret


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class WebsiteRestInput(RestInput):
    """Rasa's REST channel (name ``rest``, /webhooks/rest/webhook) on issued conversation ids."""

    def __init__(self, id_secret: str) -> None:
        self.id_secret = id_secret

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(_required_secret(credentials))

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = super().blueprint(guard_turn(on_new_message))

        async def checked_request(request: Request) -> HTTPResponse | None:
            return await self._checked_request(request)

        # A plain function: Sanic's Blueprint.middleware mistakes a bound method for a decorator call.
        webhook.middleware(checked_request, "request")
        return webhook

    async def _checked_request(self, request: Request) -> HTTPResponse | None:
        """Refuse a malformed post or a foreign sender before Rasa sees it."""
        if request.method != "POST" or not request.path.endswith("/webhook"):
            return None
        try:
            body = request.json
        except SanicException:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return _error(f'Send a JSON object with a text "message": {START_HINT}.', 400)
        sender = body.get("sender")
        if sender is None:
            sender = issue(self.id_secret, REST_PREFIX)
        elif not is_issued(self.id_secret, sender, (REST_PREFIX, STAFF_PREFIX)):
            return _error(f"Unknown conversation id: {START_HINT}, then use its recipient_id.", 403)
        request.ctx.conversation_id = sender
        return None

    async def _extract_sender(self, req: Request) -> str:
        return cast(str, req.ctx.conversation_id)

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # never what the client claims (e.g. the SMS channel)

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = request.json.get("metadata")
        return metadata if isinstance(metadata, dict) else None


class WebsiteSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (name ``socketio``, /socket.io) on issued session ids."""

    id_secret = ""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = cast(WebsiteSocketIOInput, super().from_credentials(credentials))
        channel.id_secret = _required_secret(credentials)
        if not channel.session_persistence:
            raise RasaException("The website's socket.io channel needs session_persistence: true.")
        return channel

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        guarded = guard_turn(on_new_message)

        async def issued_only(message: UserMessage) -> None:
            if is_issued(self.id_secret, message.sender_id, (SOCKETIO_PREFIX,)):
                await guarded(message)
            else:
                log.warning("Ignored a socket.io message under a session id this server did not issue")

        webhook = super().blueprint(issued_only)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint

        # Replaces Rasa's handler, which keeps any session id the client sends.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = (
                requested
                if is_issued(self.id_secret, requested, (SOCKETIO_PREFIX,))
                else issue(self.id_secret, SOCKETIO_PREFIX)
            )
            sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        return webhook
