"""The test stories and rules as event sequences, for tests of the Rasa-server workarounds.

Each conversation is what Rasa's training data generator makes of one story or rule
(forms included); ``chained`` strings several of them together into one long session,
longer than any rule, as a chatty patient's conversation is.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph

REPO = Path(__file__).resolve().parents[1]


@cache
def domain() -> Domain:
    return Domain.load(REPO / "domain.yml")


@cache
def conversations() -> tuple[tuple[str, tuple[Event, ...]], ...]:
    reader = YAMLStoryReader(domain())
    steps = [
        step
        for path in [REPO / "tests" / "test_stories.yml", *sorted((REPO / "data" / "rules").glob("*.yml"))]
        for step in reader.read_from_file(path)
    ]
    trackers = TrainingDataGenerator(
        StoryGraph(steps), domain(), remove_duplicates=False, augmentation_factor=0
    ).generate_story_trackers()
    return tuple((tracker.sender_id, tuple(tracker.events)) for tracker in trackers)


def chained(count: int, start: int = 0) -> list[Event]:
    """The events of ``count`` test conversations, one after another, as one session."""
    return [event for _, events in conversations()[start : start + count] for event in events]
