"""The events Rasa sends the action server: the recent turns, not the whole session.

Rasa puts every event of the session into every action server request: at turn 100 of
one conversation, serialising them was about a quarter of the Rasa server's CPU per
message, and the action server decoded them all again for each call
(reports/bench_profile.md). The actions read only what is recent, so the request carries:

- the events of the last ``RECENT_TURNS`` user messages;
- from the start of the form run that was going on when those began, if one was
  (``actions/request_keys.py`` keys a request by its form run's first activation);
- the latest session start or restart, if it came before (the key of a red-flag episode).

Slots, the latest message, the active loop and everything else in the request are
Rasa's own, unchanged. tests/test_action_events.py checks that the actions' readers of
``tracker.events`` give the same answers on these events as on all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, Event, Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

RECENT_TURNS = 10
_FRESH_START = (SessionStarted, Restarted)


def _recent_turns_start(events: Sequence[Event]) -> int:
    """Where the latest ``RECENT_TURNS`` user messages begin (0 when there are fewer)."""
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            if seen == RECENT_TURNS:
                return index
    return 0


def _form_run_start(events: Sequence[Event], before: int) -> int | None:
    """Where the form run active at ``before`` was first activated, if one was active."""
    run_start, name = None, None
    for index in range(before - 1, -1, -1):
        event = events[index]
        if isinstance(event, _FRESH_START):
            break
        if isinstance(event, ActiveLoop):
            if run_start is None and not event.name:
                return None  # the latest loop event before the window ended a run
            if run_start is not None and event.name != name:
                break
            run_start, name = index, event.name
    return run_start


def recent_events(all_events: Iterable[Event]) -> list[Event]:
    events = list(all_events)
    start = _recent_turns_start(events)
    run_start = _form_run_start(events, start)
    if run_start is not None:
        start = run_start
    fresh = next((i for i in range(start - 1, -1, -1) if isinstance(events[i], _FRESH_START)), None)
    return ([events[fresh]] if fresh is not None else []) + events[start:]


def action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> dict[str, Any]:
    """``RemoteAction._action_call_format`` of Rasa 3.6, with the recent events only."""
    tracker_state = tracker.current_state(EventVerbosity.NONE)
    tracker_state["events"] = [event.as_dict() for event in recent_events(tracker.events)]
    result = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": tracker_state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        result["domain"] = domain.as_dict()
    return result


def install() -> None:
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
