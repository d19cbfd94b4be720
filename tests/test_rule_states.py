"""scripts/rule_states.py: the trained RulePolicy predicts the same from the last states alone.

The project's own trained RulePolicy (models/clinic-assistant.tar.gz, made by `make
test`) predicts after every event of the test stories and rules, and of one long
session made of many of them, once with every past state (Rasa's own) and once with
the last states only; the predictions must be the same, prediction events and the
rule-turn flag included, and so must the rules that apply and whether the lookup key
is a rule-only one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import (
    RULES,
    RULES_FOR_LOOP_UNHAPPY_PATH,
    RULES_NOT_IN_STORIES,
    RulePolicy,
)
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.domain import State
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from scripts import rule_states
from tests.story_conversations import chained, conversations, domain


@pytest.fixture(scope="module")
def policy(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> RulePolicy:
    storage, metadata = LocalModelStorage.from_model_archive(tmp_path_factory.mktemp("model"), trained_model)
    node = next(node for node in metadata.predict_schema.nodes.values() if node.uses is RulePolicy)
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    return RulePolicy.load(
        {**RulePolicy.get_default_config(), **node.config}, storage, node.resource, context
    )


def _prediction(policy: RulePolicy, tracker: DialogueStateTracker, last_states_only: bool) -> tuple:
    with pytest.MonkeyPatch.context() as patch:
        if last_states_only:
            patch.setattr(RulePolicy, "_prediction_states", rule_states.prediction_states)
        p: PolicyPrediction = policy.predict_action_probabilities(tracker, domain())
    return (p.probabilities, p.events, p.optional_events, p.hide_rule_turn, p.is_end_to_end_prediction)


def _matches(policy: RulePolicy, states: list[State]) -> tuple:
    """The rules and loop unhappy paths that apply, and whether the key is a rule-only one."""
    return (
        policy._get_possible_keys(policy.lookup[RULES], states),
        policy._get_possible_keys(policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH], states),
        policy._create_feature_key(states) in policy.lookup.get(RULES_NOT_IN_STORIES, []),
    )


def _grow_and_compare(policy: RulePolicy, events: list[Event]) -> int:
    """Predicts after every event; returns how many past states the last prediction had."""
    tracker = DialogueStateTracker("grown", domain().slots)
    for index, event in enumerate(events):
        tracker.update(event, domain())
        where = f"after {index}: {event}"
        assert _prediction(policy, tracker, True) == _prediction(policy, tracker, False), where
        every_state = rule_states._all_states(policy, tracker, domain())
        last_states = rule_states.prediction_states(policy, tracker, domain())
        assert _matches(policy, last_states) == _matches(policy, every_state), where
    return len(domain().states_for_tracker_history(tracker))


def test_the_policy_reads_a_few_states_not_the_whole_session(policy: RulePolicy) -> None:
    assert 2 <= rule_states.reach(policy) < 30


def test_the_same_predictions_after_every_event_of_the_stories_and_rules(policy: RulePolicy) -> None:
    for _, events in conversations():
        _grow_and_compare(policy, list(events))


def test_the_same_predictions_in_a_session_longer_than_any_rule(policy: RulePolicy) -> None:
    assert _grow_and_compare(policy, chained(10, start=5)) > 3 * rule_states.reach(policy)
