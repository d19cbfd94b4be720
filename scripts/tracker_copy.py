"""``DialogueStateTracker.copy`` without replaying the conversation.

Rasa copies the tracker before every action it runs (the copy takes the policy's
events and is thrown away if the action is rejected) by replaying every event of the
session into a fresh tracker: at turn 100 of one conversation that replay was about
8 % of the Rasa server's CPU, growing with every turn (reports/bench_profile.md).
The copy here takes the same state directly: the same event objects in a new deque,
a copy of each slot, of the active loop and of the latest action. Whatever Rasa's
replay leaves unset on a copy (``sender_source``, ``model_id``, ``assistant_id``)
stays unset here too. tests/test_tracker_copy.py compares both copies after every
event of the test stories and rules.
"""

from __future__ import annotations

import copy
import dataclasses

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


def install() -> None:
    DialogueStateTracker.copy = copy_tracker  # type: ignore[method-assign]
