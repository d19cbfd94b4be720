"""scripts/tracker_copy.py copies a tracker into the same state as Rasa's replay does.

The same goes for the tracker a form validates and asks on.

After every event of the test stories and rules (forms included), and of one long
session made of many of them with restarts and reverts, the direct copy and Rasa's
replayed copy must agree on everything an action or a policy reads, and must stay
independent of the tracker they were copied from.
"""

from __future__ import annotations

import time

import pytest
from rasa.core.actions.forms import FormAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from scripts.tracker_copy import copy_tracker, temporary_tracker
from tests.story_conversations import chained, conversations, domain


def _everything(tracker: DialogueStateTracker) -> dict:
    return {
        "state": tracker.current_state(EventVerbosity.ALL),
        "slots": {name: (slot.value, slot.has_been_set) for name, slot in tracker.slots.items()},
        "slot_types": {name: type(slot) for name, slot in tracker.slots.items()},
        "active_loop": tracker.active_loop,
        "latest_bot_utterance": tracker.latest_bot_utterance,
        "latest_message": tracker.latest_message,
        "past_states": domain().states_for_tracker_history(tracker),
        "others": (tracker.sender_id, tracker.sender_source, tracker.model_id, tracker._max_event_history),
    }


def _grow_and_compare(events: list[Event]) -> None:
    tracker = DialogueStateTracker("grown", domain().slots)
    for index, event in enumerate(events):
        tracker.update(event, domain())
        replayed, direct = tracker.travel_back_in_time(float("inf")), copy_tracker(tracker)
        assert _everything(direct) == _everything(replayed), f"after event {index}: {event}"


def test_the_same_tracker_as_rasas_replay_after_every_event() -> None:
    for _, events in conversations():
        _grow_and_compare(list(events))


def test_the_same_tracker_in_a_long_session_with_restarts_and_reverts() -> None:
    events = chained(12)
    events[40:40] = [UserUtteranceReverted()]
    events[90:90] = [ActionReverted()]
    events[150:150] = [Restarted()]
    _grow_and_compare(events)


def test_with_a_bounded_history_the_copy_keeps_what_rasas_replay_would_forget() -> None:
    """Rasa's replay of the last ``max_event_history`` events loses slots set before them;
    the direct copy is in the tracker's own state (the Rasa server keeps every event)."""
    tracker = DialogueStateTracker("grown", domain().slots, max_event_history=25)
    for event in chained(4):
        tracker.update(event, domain())
        assert _everything(copy_tracker(tracker)) == _everything(tracker)


def test_the_copy_and_the_original_change_independently() -> None:
    tracker = DialogueStateTracker.from_events("grown", chained(3), slots=domain().slots)
    tracker.update(ActiveLoop("intake_form"), domain())
    before = _everything(tracker)
    duplicate = copy_tracker(tracker)
    for event in [
        SlotSet("body_area", "knee"),
        ActionExecuted("intake_form"),
        UserUttered("my knee", {"name": "inform", "confidence": 1.0}),
    ]:
        duplicate.update(event, domain())
    duplicate.active_loop.rejected = True  # Rasa edits the active loop in place
    assert _everything(tracker) == before
    assert duplicate.get_slot("body_area") == "knee" and tracker.get_slot("body_area") != "knee"


def test_a_forms_temporary_tracker_is_the_one_rasa_rebuilds(monkeypatch: pytest.MonkeyPatch) -> None:
    """FormAction validates slots and asks its questions on a tracker of the session's events
    after the latest restart plus its own; the copy with those added is the same tracker."""
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)  # the form's own events, made twice
    events = chained(10)
    events[60:60] = [Restarted()]
    forms = [FormAction(name, None) for name in domain().form_names]
    added = [SlotSet("body_area", "knee"), SlotSet("pain_level", 4.0)]
    tracker = DialogueStateTracker("grown", domain().slots)
    for index, event in enumerate(events):
        tracker.update(event, domain())
        for form in forms:
            rebuilt = form._temporary_tracker(tracker, added, domain())
            copied = temporary_tracker(form, tracker, added, domain())
            assert _everything(copied) == _everything(rebuilt), f"{form.name()} after event {index}: {event}"
