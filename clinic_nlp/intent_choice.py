"""What the project's intent components share: choosing an intent over the
classifier's, and asking ``clinic.asks.route`` what a message's words call for."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.asks import Entity, route, unplaced_problem
from clinic_nlp.entity_ids import ENTITY_ID

NO_INTENT: dict[str, Any] = {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}


def ranking_without(message: Message, name: str) -> list[dict[str, Any]]:
    return [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]


def choose_intent(message: Message, name: str) -> None:
    """``name`` at confidence 1.0, first in the ranking."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking_without(message, name)], add_to_output=True)


def drop_intent(message: Message, name: str) -> dict[str, Any]:
    """Takes ``name`` out of the prediction; the next ranked intent becomes the prediction."""
    ranking = ranking_without(message, name)
    intent = ranking[0] if ranking else NO_INTENT
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return intent


def _reading(message: Message, intent: dict[str, Any]) -> tuple[str, str | None, float, list[Entity]]:
    """What ``clinic.asks`` reads: the text, the intent and its confidence, the entities."""
    entities = [
        Entity(str(e.get(ENTITY_ATTRIBUTE_TYPE)), e.get(ENTITY_ID) or None, e.get(ENTITY_ATTRIBUTE_VALUE))
        for e in message.get(ENTITIES) or []
    ]
    return (
        message.get(TEXT),
        intent.get(INTENT_NAME_KEY),
        float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
        entities,
    )


def routed_intent(message: Message, intent: dict[str, Any]) -> str | None:
    """The intent the message's words and entities call for instead of ``intent``, if any."""
    return route(*_reading(message, intent))


def leaves_problem_unanswered(message: Message) -> bool:
    """The prediction would leave a musculoskeletal problem with no entity unanswered
    (``clinic.asks.unplaced_problem``)."""
    return unplaced_problem(*_reading(message, message.get(INTENT) or NO_INTENT))
