"""``DialogueStateTracker.copy`` and FormAction's temporary tracker without replaying the conversation.

Rasa copies the tracker before every action it runs (the copy takes the policy's
events and is thrown away if the action is rejected) by replaying every event of the
session into a fresh tracker: at turn 100 of one conversation that replay was about
8 % of the Rasa server's CPU, growing with every turn (reports/bench_profile.md).
The copy here takes the same state directly: the same event objects in a new deque,
a copy of each slot, of the active loop and of the latest action. Whatever Rasa's
replay leaves unset on a copy (``sender_source``, ``model_id``, ``assistant_id``)
stays unset here too. A form does the same for every slot it validates and every
question it asks: it rebuilds a tracker from the session's events plus a few of its own
(``FormAction._temporary_tracker``, 6 % of the CPU at turn 100 after the changes above);
here that is a copy of the tracker with the form's events added. tests/test_tracker_copy.py
compares both with Rasa's replays after every event of the test stories and rules.
"""

from __future__ import annotations

import copy
import dataclasses

from rasa.core.actions.forms import FormAction
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker


def copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A tracker in the same state as ``tracker.travel_back_in_time(float("inf"))``."""
    duplicate = tracker.init_copy()
    duplicate.events.extend(tracker.events)
    for name, slot in tracker.slots.items():
        duplicate.slots[name] = copy.copy(slot)
    duplicate._paused = tracker._paused
    duplicate.followup_action = tracker.followup_action
    duplicate.latest_action = dict(tracker.latest_action) if tracker.latest_action is not None else None
    duplicate.latest_message = tracker.latest_message
    duplicate.latest_bot_utterance = tracker.latest_bot_utterance
    duplicate.active_loop = dataclasses.replace(tracker.active_loop) if tracker.active_loop else None
    return duplicate


def temporary_tracker(
    self: FormAction, current_tracker: DialogueStateTracker, additional_events: list[Event], domain: Domain
) -> DialogueStateTracker:
    """The same tracker as Rasa 3.6's ``FormAction._temporary_tracker``: the events after the
    latest restart, then the form's requested slot, its execution and ``additional_events``."""
    tracker = copy_tracker(current_tracker)
    tracker.events = tracker._create_events(current_tracker.events_after_latest_restart())
    for event in [
        SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)),
        ActionExecuted(self.name()),
        *additional_events,
    ]:
        tracker.update(event)
    return tracker


def install() -> None:
    DialogueStateTracker.copy = copy_tracker  # type: ignore[method-assign]
    FormAction._temporary_tracker = temporary_tracker  # type: ignore[method-assign]
