"""Rasa NLU component: the message's own words correct the classifier's intent.

Runs after the entities (and their content keys) are known and before the
red-flag triage, which keeps the last word. ``clinic.asks.route`` decides:
a physical-therapy story the classifier misread (or was unsure of) gets the
back-pain answer or the offer to be assessed, a bare ZIP or town finds
clinics, "appt" books, and rescheduling or cost questions go to the front desk.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic_nlp.intent_choice import choose_intent, routed_intent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class AskRouter(GraphComponent):
    """Sets the intent that ``clinic.asks.route`` reads from the words and entities."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AskRouter:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            predicted = message.get(INTENT) or {}
            if not text or text.startswith("/") or not predicted:
                continue
            intent = routed_intent(message, predicted)
            if intent:
                choose_intent(message, intent)
        return messages
