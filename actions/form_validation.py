"""Form validators' shared step: clean an answer with the clinic's rules, or say why not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from clinic.intake_answers import InvalidAnswer


def validated(
    slot: str, clean: Callable[[Any], Any], value: Any, dispatcher: CollectingDispatcher
) -> dict[str, Any]:
    """A form validator's result: the cleaned value, or None after saying what is wrong."""
    try:
        return {slot: clean(value)}
    except InvalidAnswer as problem:
        dispatcher.utter_message(text=str(problem))
        return {slot: None}
