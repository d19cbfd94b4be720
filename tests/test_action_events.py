"""scripts/action_events.py: the actions read the same from the recent events as from all of them.

Every reader of ``tracker.events`` in actions/ is run, after every event of one long
session (many test conversations, a form run longer than the window, a form activated
twice, a restart and a new session), on the events Rasa would have sent (all of them)
and on the ones the action server now gets; the answers must be the same.
"""

from __future__ import annotations

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker

from actions.fallback_actions import MISS_ACTION, misses_in_a_row
from actions.request_keys import form_run_started, red_flag_episode_key
from actions.tracker_reading import screened_words
from scripts.action_events import RECENT_TURNS, recent_events
from tests.story_conversations import chained, domain


def _long_form_run(turns: int) -> list[Event]:
    events: list[Event] = [ActionExecuted("intake_form"), ActiveLoop("intake_form")]
    for turn in range(turns):
        events += [
            ActionExecuted("action_listen"),
            UserUttered(f"answer {turn}", {"name": "inform", "confidence": 1.0}),
            ActionExecuted("intake_form"),
            SlotSet("requested_slot", "pain_duration"),
        ]
        if turn == turns // 2:
            events += [ActiveLoop("intake_form")]  # Rasa repeats an activation of the running form
    return [
        *events,
        ActiveLoop(None),
        ActionExecuted("action_submit_booking"),
        ActionExecuted("action_listen"),
    ]


def _misses(count: int) -> list[Event]:
    return [
        event
        for turn in range(count)
        for event in (
            UserUttered(f"asdf {turn}", {"name": "nlu_fallback", "confidence": 1.0}),
            ActionExecuted(MISS_ACTION),
            ActionExecuted("action_listen"),
        )
    ]


def _session() -> list[Event]:
    new_session = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    return [
        *new_session,
        *chained(6),
        *_long_form_run(RECENT_TURNS + 5),
        *_misses(RECENT_TURNS + 2),
        *chained(6, start=6),
        Restarted(),
        *chained(3, start=12),
        *_long_form_run(3),
        *new_session,
        *chained(4, start=15),
    ]


def _form_of_this_turn(tracker: Tracker) -> str | None:
    """The form running, or the one that ended this turn (its request is submitted now)."""
    if tracker.active_loop.get("name"):
        return tracker.active_loop["name"]
    ended = False
    for event in reversed(tracker.events):
        if event.get("event") == "user" and not ended:
            return None
        if event.get("event") == "active_loop":
            if event.get("name"):
                return event["name"]
            ended = True
    return None


def _readings(tracker: Tracker) -> tuple:
    """What the actions read from the events; a form run's start where a request is keyed by it."""
    form = _form_of_this_turn(tracker)
    return (
        form and form_run_started(tracker, form),
        red_flag_episode_key(tracker),
        misses_in_a_row(tracker) >= 2,
        screened_words(tracker),
    )


def test_the_actions_read_the_same_from_the_recent_events() -> None:
    tracker = DialogueStateTracker("grown", domain().slots)
    sent = []
    for index, event in enumerate(_session()):
        event.timestamp = float(index)  # distinct times, as a live conversation has
        tracker.update(event, domain())
        state = tracker.current_state(EventVerbosity.ALL)
        recent = [e.as_dict() for e in recent_events(tracker.events)]
        assert _readings(Tracker.from_dict({**state, "events": recent})) == _readings(
            Tracker.from_dict(state)
        ), f"after event {index}: {event}"
        sent.append(len(recent))
    assert len(tracker.events) > 300
    assert max(sent[-100:]) < len(tracker.events) / 3


def test_a_short_conversation_is_sent_whole() -> None:
    events = chained(1)
    assert recent_events(events) == events
