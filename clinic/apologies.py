"""What a patient reads when the assistant could not do what they asked."""

from __future__ import annotations

from clinic.directory import MainLine


def could_not_answer(main_line: MainLine) -> str:
    return (
        "Sorry, something went wrong on our side and I can't answer right now. Please try again "
        f"in a few minutes, or call {main_line.name} at {main_line.phone_display}."
    )


def too_many_requests(what: str, phone: str) -> str:
    """A sender past the daily limit of new requests (clinic.request_store.TooManyRequests)."""
    return (
        f"You've already sent us several requests today, so I can't add {what} here. "
        f"Please call {phone} and the front desk will help you directly."
    )
