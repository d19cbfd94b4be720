"""RulePolicy matches its rules against the last states of the conversation only.

For every prediction Rasa's RulePolicy takes every past state of the session, formats
all of them for a debug line (even with debug logging off), deep-copies that text,
checks every rule against every state back to the first, and, when no rule applies,
serialises all of them as a lookup key: at turn 100 of one conversation that was
about 8 % of the Rasa server's CPU and growing with every turn (reports/bench_profile.md).

A rule is checked from the latest state backwards and only as far back as it is long,
and the lookup key of a conversation longer than every key the policy stored cannot be
one of them. So the policy is given the last ``N + 1`` states, N being the length of
its longest stored key (rules, loop unhappy paths, rules not in stories): every rule
sees exactly the states it saw before, and a conversation too long for any stored key
still gives a key that matches none. With scripts/past_states.py installed, only those
states are copied for the policy at all (``only_last``). tests/test_rule_states.py compares the policy's
predictions with and without this, after every event of the test stories and rules.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

from rasa.core.policies.rule_policy import (
    RULES,
    RULES_FOR_LOOP_UNHAPPY_PATH,
    RULES_NOT_IN_STORIES,
    RulePolicy,
)
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker

from scripts import past_states

_all_states = RulePolicy._prediction_states
_reach: weakref.WeakKeyDictionary[RulePolicy, int] = weakref.WeakKeyDictionary()


def _key_length(key: Any) -> int:
    """How many states a stored key holds (keys that are not a list of states hold none)."""
    try:
        states = json.loads(key)
    except (TypeError, ValueError):
        return 0
    return len(states) if isinstance(states, list) else 0


def reach(policy: RulePolicy) -> int:
    """How many of the latest states can change what ``policy`` predicts."""
    if policy not in _reach:
        keys = [
            *policy.lookup.get(RULES, {}),
            *policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {}),
            *policy.lookup.get(RULES_NOT_IN_STORIES, []),
        ]
        _reach[policy] = max((_key_length(key) for key in keys), default=0) + 1
    return _reach[policy]


def prediction_states(
    self: RulePolicy,
    tracker: DialogueStateTracker,
    domain: Domain,
    use_text_for_last_user_input: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    states_read = reach(self)
    with past_states.only_last(states_read + 1):  # the featurizer may drop the last one
        states = _all_states(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
    return states[-states_read:]


def install() -> None:
    RulePolicy._prediction_states = prediction_states  # type: ignore[method-assign]
