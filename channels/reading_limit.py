"""Every channel reads at most ``clinic.message_limits.MAX_MESSAGE_CHARS`` of a message.

Rasa's REST and socket.io channels, and the project's Twilio channel, hand
each message to ``on_new_message``; wrapping that one callback cuts a longer
message before NLU sees it, and adds a short note after the assistant's answer
so the answer (emergency advice included) comes first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from clinic.message_limits import LONG_MESSAGE_NOTE, is_too_long, within_limit

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def reading_limit(on_new_message: OnNewMessage) -> OnNewMessage:
    async def handle(message: UserMessage) -> None:
        too_long = isinstance(message.text, str) and is_too_long(message.text)
        if too_long:
            message.text = within_limit(message.text)
        await on_new_message(message)
        if too_long and message.output_channel is not None:
            await message.output_channel.send_text_message(message.sender_id, LONG_MESSAGE_NOTE)

    return handle


class LimitedRestInput(RestInput):
    """Rasa's REST channel (same name and URL) that reads at most the limit."""

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(reading_limit(on_new_message))


class LimitedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (same name and path) that reads at most the limit."""

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(reading_limit(on_new_message))
