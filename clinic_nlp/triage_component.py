"""Rasa NLU component: the triage rules have the last word on red flags.

Placed after the intent classifier and the entity extractor. It runs
``clinic.triage`` (plain Python, no model) on each message:
- explicit evidence of an emergency or urgent sign forces ``report_red_flag``
  (confidence 1.0, one ``red_flag`` entity per sign); the action then answers
  at the level the rules found;
- a health problem outside physical therapy becomes ``ask_medical_other``
  (the safety net) unless the classifier is sure the person asked for
  something the assistant does (a booking, a clinic, a person);
- otherwise a ``report_red_flag`` guess from the classifier with no evidence
  is kept, and the action asks the screening question instead of sending
  anyone to 911; if every sign mentioned was denied ("no numbness, no
  fever") it is demoted, and so it is for a long story, where the rules
  have read every sentence and a classifier trained on short phrasings is
  no judge: the story is routed by its own words (``clinic.asks``). A
  classifier-only ``ask_medical_other`` that the rules do not confirm is
  routed the same way;
- a musculoskeletal problem that no entity names ("how serious is a
  bunion?"), which the classifier could not place, is offered an assessment
  (``concern_intent``) instead of a fallback or an out-of-scope answer.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.asks import UNSURE
from clinic.triage import ROUTINE, Assessment, Triage, default_triage
from clinic_nlp.intent_choice import choose_intent, drop_intent, leaves_problem_unanswered, routed_intent

RED_FLAG_ENTITY = "red_flag"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TriageClassifier(GraphComponent):
    """Overrides, keeps or demotes intents using ``data/content/red_flags.yml``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_name": "report_red_flag",
            "medical_intent": "ask_medical_other",
            # Intents that keep the classifier's answer even when the message is medical.
            "keep_intents": [],
            # Of those, the ones kept only in a short message: a retraction answers the
            # assistant ("no, I don't have that"); a long story that denies one thing asks something.
            "keep_when_short": [],
            # Longest message for which a classifier-only red-flag guess asks the screening question.
            "screen_max_words": 12,
            # For a demoted message about a body area that nothing else routes.
            "concern_intent": "ask_pt_concern",
        }

    def __init__(self, config: dict[str, Any], triage: Triage) -> None:
        self._intent_name: str = config["intent_name"]
        self._medical_intent: str = config["medical_intent"]
        self._keep = frozenset(config["keep_intents"])
        self._keep_when_short = frozenset(config["keep_when_short"])
        self._screen_max_words: int = config["screen_max_words"]
        self._concern_intent: str = config["concern_intent"]
        self._triage = triage

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TriageClassifier:
        return cls(config, default_triage())

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue
            assessment = self._triage.assess(text)
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            confident = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= UNSURE
            if assessment.level != ROUTINE:
                choose_intent(message, self._intent_name)
                self._add_signs(message, assessment)
            elif assessment.medical_other and not (confident and self._kept(predicted, text)):
                choose_intent(message, self._medical_intent)
            elif predicted == self._intent_name and (
                assessment.denied_only or len(text.split()) > self._screen_max_words
            ):
                self._demote(message, self._intent_name, assessment)
            elif predicted == self._medical_intent:
                self._demote(message, self._medical_intent, assessment)
            elif assessment.physical_therapy and leaves_problem_unanswered(message):
                choose_intent(message, self._concern_intent)
        return messages

    def _kept(self, predicted: str | None, text: str) -> bool:
        if predicted in self._keep_when_short:
            return len(text.split()) <= self._screen_max_words
        return predicted in self._keep

    def _add_signs(self, message: Message, assessment: Assessment) -> None:
        text = message.get(TEXT)
        entities = []
        for finding in assessment.findings:
            start = text.lower().find(finding.text)
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: RED_FLAG_ENTITY,
                    ENTITY_ATTRIBUTE_VALUE: finding.sign,
                    ENTITY_ATTRIBUTE_START: max(start, 0),
                    ENTITY_ATTRIBUTE_END: max(start, 0) + len(finding.text),
                    EXTRACTOR: self.__class__.__name__,
                }
            )
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), *entities], add_to_output=True)

    def _demote(self, message: Message, name: str, assessment: Assessment) -> None:
        """The next intent, corrected by the message's own words as the ask router does."""
        routed = routed_intent(message, drop_intent(message, name))
        if routed or assessment.physical_therapy:
            choose_intent(message, routed or self._concern_intent)
