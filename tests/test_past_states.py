"""scripts/past_states.py gives RulePolicy the same states as Rasa's own replay, message after message.

Each conversation of the test stories and rules (forms included) is grown one event at a
time on one tracker object, as the cached tracker store keeps it between turns, and after
every event both computations must agree; then the same with reverts, restarts and new
sessions dropped in.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from scripts import past_states
from tests.story_conversations import conversations as _conversations
from tests.story_conversations import domain as _domain


def _rasa_applied_events(tracker: DialogueStateTracker) -> list[Event]:
    return past_states._rasa_applied_events(tracker)


def _rasa_states(tracker: DialogueStateTracker, omit_unset_slots: bool) -> list[State]:
    return _domain().states_for_tracker_history(tracker, omit_unset_slots=omit_unset_slots)


def _grow_and_compare(events: list[Event], max_event_history: int | None = None) -> None:
    domain = _domain()
    tracker = DialogueStateTracker("grown", domain.slots, max_event_history=max_event_history)
    for index, event in enumerate(events):
        tracker.update(event, domain)
        assert past_states.applied_events(tracker) == _rasa_applied_events(tracker), f"after event {index}"
        for omit_unset_slots in (False, True):
            incremental = past_states.past_states(tracker, domain, omit_unset_slots=omit_unset_slots)
            assert incremental == _rasa_states(tracker, omit_unset_slots), f"after event {index}: {event}"
            for state in incremental:  # the featurizers edit what they get: the kept states must not change
                for sub_state in state.values():
                    sub_state.clear()


def _with(events: tuple[Event, ...], at: int, inserted: list[Event]) -> list[Event]:
    return [*events[:at], *inserted, *events[at:]]


def _user_messages(events: tuple[Event, ...]) -> Iterator[int]:
    return (index for index, event in enumerate(events) if isinstance(event, UserUttered))


def test_the_stories_and_rules_include_forms_and_several_turns() -> None:
    conversations = _conversations()
    assert len(conversations) > 20
    assert any(event.type_name == "active_loop" for _, events in conversations for event in events)
    assert max(sum(isinstance(e, UserUttered) for e in events) for _, events in conversations) >= 4


def test_same_states_as_rasa_while_each_conversation_grows() -> None:
    for _, events in _conversations():
        _grow_and_compare(list(events))


@pytest.mark.parametrize(
    "inserted",
    [
        [UserUtteranceReverted()],
        [ActionReverted()],
        [Restarted()],
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        [UserUttered("hi", {"name": "greet", "confidence": 1.0}), UserUtteranceReverted()],
        [SlotSet("consent", False), ActionReverted()],
    ],
    ids=["user_utterance_reverted", "action_reverted", "restarted", "session_started", "undone", "slot"],
)
def test_same_states_as_rasa_with_reverts_restarts_and_new_sessions(inserted: list[Event]) -> None:
    for _, events in _conversations()[:12]:
        for at in list(_user_messages(events))[1:3] + [len(events) - 1]:
            _grow_and_compare(_with(events, at, inserted))


def test_same_states_as_rasa_when_old_events_are_dropped() -> None:
    longest = max((events for _, events in _conversations()), key=len)
    _grow_and_compare(list(longest), max_event_history=12)


def test_a_new_domain_is_not_served_states_made_with_the_old_one() -> None:
    _, events = max(_conversations(), key=lambda conversation: len(conversation[1]))
    domain = _domain()
    tracker = DialogueStateTracker.from_events("grown", list(events), slots=domain.slots)
    past_states.past_states(tracker, domain)
    other = Domain.from_dict({**domain.as_dict(), "slots": {}})
    assert past_states.past_states(tracker, other) == other.states_for_tracker_history(tracker)


def test_only_the_last_states_when_asked() -> None:
    domain = _domain()
    for _, events in _conversations()[:20]:
        tracker = DialogueStateTracker("grown", domain.slots)
        for event in events:
            tracker.update(event, domain)
            every = past_states.past_states(tracker, domain)
            for count in (1, 2, 4):
                with past_states.only_last(count):
                    assert past_states.past_states(tracker, domain) == every[-count:]
            assert past_states.past_states(tracker, domain) == every  # only inside the block
