"""SMS through Twilio: POST /webhooks/twilio/webhook, answered inline with TwiML.

Point a Twilio number's "A message comes in" webhook here. Each request must
carry a valid ``X-Twilio-Signature`` for the configured auth token, or it is
refused with 403. Replies go back in the HTTP response as
``<Response><Message>...</Message></Response>``; this channel never calls
Twilio's API. Carrier keywords (STOP, START, HELP) are handled here, before
the dialogue sees the message. If the opt-out list cannot be read the request
fails (500) rather than risk answering a number that opted out. A message seen
before (its MessageSid: Twilio retrying, or a replayed request) gets an empty
reply and is not processed again.

credentials.yml::

    channels.twilio_sms.TwilioSmsInput:
      account_sid: ${TWILIO_ACCOUNT_SID}   # optional: refuse other accounts' requests
      auth_token: ${TWILIO_AUTH_TOKEN}     # required: signs every request
      twilio_number: ${TWILIO_NUMBER}      # optional: refuse messages to other numbers
      public_url: ${TWILIO_PUBLIC_URL}     # optional: the webhook URL as set in Twilio

The sender's phone number is the conversation id (the actions rely on it) and
is never logged by this module.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from channels.sms_keywords import (
    OPTED_IN_REPLY,
    OPTED_OUT_REPLY,
    Keyword,
    carrier_keyword,
    help_reply,
)
from channels.sms_render import chosen_option, render_replies
from channels.turn_guard import guard_turn
from clinic.channels import SMS_CHANNEL
from clinic.directory import load_directory
from clinic.sms_state import SmsState, SmsStateUnavailable

log = logging.getLogger(__name__)
# Twilio's id of a message: SM (or MM with media) and 32 hex digits.
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")


class TwilioSmsInput(InputChannel):
    """Twilio's SMS webhook, verified, with replies rendered for SMS."""

    @classmethod
    def name(cls) -> str:
        return SMS_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        if not credentials.get("auth_token"):
            raise RasaException(
                "The twilio SMS channel needs an auth_token (set TWILIO_AUTH_TOKEN): "
                "without it no request signature can be checked."
            )
        return cls(
            auth_token=str(credentials["auth_token"]),
            account_sid=credentials.get("account_sid") or None,
            twilio_number=credentials.get("twilio_number") or None,
            public_url=credentials.get("public_url") or None,
        )

    def __init__(
        self,
        auth_token: str,
        account_sid: str | None = None,
        twilio_number: str | None = None,
        public_url: str | None = None,
        state: SmsState | None = None,
    ) -> None:
        self.validator = RequestValidator(auth_token)
        self.account_sid = account_sid
        self.twilio_number = twilio_number
        self.public_url = public_url
        self.state = state or SmsState()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("twilio_sms_webhook", __name__)
        on_new_message = guard_turn(on_new_message)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form = request.form or {}
            if not self._signed_by_twilio(request, form):
                return response.text("Invalid or missing X-Twilio-Signature.", status=403)
            if not self._addressed_to_us(form):
                return response.text("Not for this account or number.", status=403)
            sender, text = form.get("From"), form.get("Body")
            if not sender or text is None:
                return response.text("From and Body are required.", status=400)
            twiml = MessagingResponse()
            for part in await self._answer_once(form.get("MessageSid"), sender, text, on_new_message):
                twiml.message(part)
            return response.text(str(twiml), content_type="application/xml")

        return webhook

    def _signed_by_twilio(self, request: Request, form: Mapping[str, Any]) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        return bool(signature) and self.validator.validate(self._requested_url(request), form, signature)

    def _requested_url(self, request: Request) -> str:
        """The URL Twilio signed: ``public_url`` if set, else the one the
        client asked for, as seen in front of any proxy (X-Forwarded-*)."""
        if self.public_url:
            return self.public_url

        def forwarded(header: str) -> str | None:
            value = request.headers.get(header, "").split(",")[0].strip()
            return value or None

        scheme = forwarded("X-Forwarded-Proto") or request.scheme
        host = forwarded("X-Forwarded-Host") or request.host
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{scheme}://{host}{request.path}{query}"

    def _addressed_to_us(self, form: Mapping[str, Any]) -> bool:
        return (not self.account_sid or form.get("AccountSid") == self.account_sid) and (
            not self.twilio_number or form.get("To") == self.twilio_number
        )

    async def _answer_once(
        self,
        message_sid: str | None,
        sender: str,
        text: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> list[str]:
        """The answer to a message; none to a MessageSid already answered (Twilio
        retrying, or a signed request replayed), which is not processed again."""
        if not (message_sid and MESSAGE_SID.fullmatch(message_sid)):
            return await self._answer(sender, text, on_new_message)
        if not await asyncio.to_thread(self.state.first_delivery, message_sid):
            log.info("Twilio message %s was answered before; not processed again", message_sid)
            return []
        try:
            return await self._answer(sender, text, on_new_message)
        except Exception:
            await asyncio.to_thread(self.state.forget_delivery, message_sid)  # a retry may succeed
            raise

    async def _answer(
        self, sender: str, text: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> list[str]:
        """The SMS parts to send back; none for a number that opted out."""
        keyword = carrier_keyword(text)
        if keyword is Keyword.HELP:
            return [help_reply(load_directory())]
        if keyword in (Keyword.OPT_OUT, Keyword.OPT_IN):
            opting_out = keyword is Keyword.OPT_OUT
            await asyncio.to_thread(self.state.set_opted_out, sender, opting_out)
            return [OPTED_OUT_REPLY if opting_out else OPTED_IN_REPLY]
        if await asyncio.to_thread(self.state.is_opted_out, sender):
            return []

        option = chosen_option(text, await asyncio.to_thread(self.state.offered, sender))
        collector = CollectingOutputChannel()
        message = UserMessage(
            option.payload if option else text, collector, sender, input_channel=self.name()
        )
        try:
            await on_new_message(message)
        except Exception:
            log.exception("The assistant failed to answer an SMS")
            main_line = load_directory().main_line
            return [
                "Sorry, something went wrong on our side. Please try again later or call "
                f"{main_line.name} at {main_line.phone_display}."
            ]
        reply = render_replies(collector.messages)
        try:
            await asyncio.to_thread(self.state.remember_offered, sender, reply.options)
        except SmsStateUnavailable as exc:
            # The answer is still worth sending; only "reply 1" will not work.
            log.warning("Offered options not stored: %s", exc)
        return list(reply.parts)
