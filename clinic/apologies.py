"""What a patient reads when the assistant could not answer at all."""

from __future__ import annotations

from clinic.directory import MainLine


def could_not_answer(main_line: MainLine) -> str:
    return (
        "Sorry, something went wrong on our side and I can't answer right now. Please try again "
        f"in a few minutes, or call {main_line.name} at {main_line.phone_display}."
    )
