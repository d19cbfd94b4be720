"""Rasa NLU component: carry each EntityRuler pattern's id onto Rasa's entity.

Rasa's SpacyEntityExtractor keeps the matched text as the entity's value and
drops spaCy's ``ent_id_``. The patterns built by clinic_nlp/patterns.py use the
content key as id ("hip_kick_3way", "back", "pt_assessment"), so with the id
the actions look content up by key instead of matching the text again. Placed
right after SpacyEntityExtractor; adds ``id`` to each entity that has one, and
drops a bare "back" used as an adverb ("tests came back": clinic/word_senses.py).
"""

from __future__ import annotations

from typing import Any

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
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.word_senses import is_adverb_back

ENTITY_ID = "id"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityPatternIds(GraphComponent):
    """Adds the EntityRuler pattern id (the content key) to each spaCy entity."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityPatternIds:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            entities = message.get(ENTITIES)
            if doc is None or not entities:
                continue
            ids = {(e.start_char, e.end_char, e.label_): e.ent_id_ for e in doc.ents if e.ent_id_}
            text = message.get(TEXT) or ""
            kept = []
            for entity in entities:
                start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
                span = (start, end, entity.get(ENTITY_ATTRIBUTE_TYPE))
                if span in ids:
                    entity[ENTITY_ID] = ids[span]
                if not _adverb(text, entity, start, end):
                    kept.append(entity)
            message.set(ENTITIES, kept, add_to_output=True)
        return messages


def _adverb(text: str, entity: dict[str, Any], start: Any, end: Any) -> bool:
    if (
        entity.get(ENTITY_ATTRIBUTE_TYPE) != "body_part"
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        return False
    return text[start:end].lower() == "back" and is_adverb_back(text[:start], text[end:])
