"""What every channel does around each turn: reads at most
``clinic.message_limits.MAX_MESSAGE_CHARS`` of a message, and never leaves the
person in silence.

Rasa's REST and socket.io channels, and the project's Twilio channel, hand
each message to ``on_new_message``; wrapping that one callback

- cuts a longer message before NLU sees it, and adds a short note after the
  assistant's answer so the answer (emergency advice included) comes first;
- sends an apology with the clinic's main line when the turn produced no
  message at all: Rasa answers nothing, without an error, when the action
  server is down or an action fails. A blank message and Rasa's own silent
  commands (``/restart``, ``/session_start``, ``/back``) keep their silence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import USER_INTENT_BACK, USER_INTENT_RESTART, USER_INTENT_SESSION_START

from clinic.apologies import could_not_answer
from clinic.directory import load_directory
from clinic.message_limits import LONG_MESSAGE_NOTE, is_too_long, within_limit

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
SILENT_COMMANDS = frozenset({USER_INTENT_RESTART, USER_INTENT_SESSION_START, USER_INTENT_BACK})


def guard_turn(on_new_message: OnNewMessage) -> OnNewMessage:
    async def handle(message: UserMessage) -> None:
        too_long = isinstance(message.text, str) and is_too_long(message.text)
        if too_long:
            message.text = within_limit(message.text)
        output = message.output_channel
        if output is None:
            await on_new_message(message)
            return
        sent = _count_messages(output)
        try:
            await on_new_message(message)
        except Exception:
            # The channel's own error handling (Rasa's REST and socket.io log it) still runs.
            await _apologise_if_silent(message, output, sent)
            raise
        await _apologise_if_silent(message, output, sent)
        if too_long:
            await output.send_text_message(message.sender_id, LONG_MESSAGE_NOTE)

    return handle


async def _apologise_if_silent(message: UserMessage, output: OutputChannel, sent: _Count) -> None:
    if not sent and _expects_an_answer(message.text):
        await output.send_text_message(message.sender_id, could_not_answer(load_directory().main_line))


def _expects_an_answer(text: object) -> bool:
    if not isinstance(text, str) or not text.strip():
        return False
    command = text.strip()
    if not command.startswith(INTENT_MESSAGE_PREFIX):
        return True
    intent = command[len(INTENT_MESSAGE_PREFIX) :].split("{")[0].split("@")[0]
    return intent not in SILENT_COMMANDS


class _Count:
    def __init__(self) -> None:
        self.value = 0

    def __bool__(self) -> bool:
        return self.value > 0


def _count_messages(output: OutputChannel) -> _Count:
    """Count what the dialogue sends through ``output`` (Rasa sends every bot
    message with ``send_response``)."""
    count = _Count()
    send_response = output.send_response

    async def counted(recipient_id: str, message: dict[str, Any]) -> None:
        count.value += 1
        await send_response(recipient_id, message)

    output.send_response = counted  # type: ignore[method-assign]
    return count
