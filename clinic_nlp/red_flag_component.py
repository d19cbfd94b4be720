"""Rasa NLU component: the red-flag rules have the last word on triage.

Placed after the intent classifier and SpacyEntityExtractor. A red flag the
rules find always wins (intent ``report_red_flag`` at confidence 1.0 plus a
``red_flag`` entity per match); a ``report_red_flag`` prediction for a message
whose only mentions are denied ("no numbness") is demoted to the next intent.
Anything else keeps the classifier's prediction, so NLU can still catch
phrasings the rules miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.content import REPO_ROOT
from clinic.red_flags import RedFlagHit, load_red_flags
from clinic_nlp.red_flag_matcher import RedFlagDetector

RED_FLAG_ENTITY = "red_flag"


def _repo_path(value: str) -> Path:
    """Relative paths in config.yml are relative to the project root."""
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagClassifier(GraphComponent):
    """Overrides or demotes the red-flag intent using ``data/content/red_flags.yml``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_name": "report_red_flag",
            # None: data/content/red_flags.yml (or $CLINIC_CONTENT_DIR/red_flags.yml).
            "red_flags_file": None,
            # Used when a message carries no spaCy doc from SpacyNLP; should be
            # the same pipeline SpacyNLP loads.
            "spacy_model": "models/spacy/clinic_en",
        }

    def __init__(self, config: dict[str, Any], detector: RedFlagDetector) -> None:
        self._intent_name: str = config["intent_name"]
        self._detector = detector

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagClassifier:
        red_flags_file: str | None = config.get("red_flags_file")
        red_flags = load_red_flags(_repo_path(red_flags_file) if red_flags_file else None)
        nlp = spacy.load(_repo_path(config["spacy_model"]))
        return cls(config, RedFlagDetector(nlp, red_flags))

    def process(self, messages: list[Message]) -> list[Message]:
        """Applies the rules to each message, reusing SpacyNLP's doc when there is one."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            doc = message.get(SPACY_DOCS[TEXT])
            detection = self._detector.detect_all(doc if doc is not None else text)
            if detection.hits:
                self._flag(message, detection.hits)
            elif detection.negated and self._predicted(message) == self._intent_name:
                self._demote(message)
        return messages

    @staticmethod
    def _predicted(message: Message) -> str | None:
        return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)

    def _ranking_without_flag(self, message: Message) -> list[dict[str, Any]]:
        ranking = message.get(INTENT_RANKING_KEY) or []
        return [r for r in ranking if r.get(INTENT_NAME_KEY) != self._intent_name]

    def _flag(self, message: Message, hits: Sequence[RedFlagHit]) -> None:
        intent = {INTENT_NAME_KEY: self._intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, intent, add_to_output=True)
        ranking = [intent, *self._ranking_without_flag(message)]
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        entities = [
            {
                ENTITY_ATTRIBUTE_TYPE: RED_FLAG_ENTITY,
                ENTITY_ATTRIBUTE_VALUE: hit.category,
                ENTITY_ATTRIBUTE_START: hit.start,
                ENTITY_ATTRIBUTE_END: hit.end,
                EXTRACTOR: self.__class__.__name__,
            }
            for hit in hits
        ]
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), *entities], add_to_output=True)

    def _demote(self, message: Message) -> None:
        ranking = self._ranking_without_flag(message)
        intent = ranking[0] if ranking else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
