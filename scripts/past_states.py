"""A tracker's past states (what RulePolicy matches rules against), extended from the previous call.

Rasa computes them from scratch for every action prediction: it replays the whole
conversation into a fresh tracker and takes the state before each action. With
tracker_store/cached_sql.py the same tracker object lives across a conversation's turns,
and a state depends only on the applied events before it, so ``past_states`` here keeps,
per tracker, domain and ``omit_unset_slots``, the applied events it replayed, the replayed
tracker and the states so far, and replays only the events added since.

The replay starts again from the first event, as Rasa's does, whenever the applied
events are not the kept ones plus new ones at the end: a revert, restart, new session, a
form's repeated execution (Rasa drops the events since its previous execution), or
events dropped by ``max_event_history``. With ``ignore_rule_only_turns`` (not RulePolicy's
case), whose states also depend on the states before them, Rasa's own code runs.
``applied_events`` (which events count, after reverts and restarts) is kept the same way.
tests/test_past_states.py compares both with Rasa's own, event after event, on the test
stories and rules with reverts, restarts and new sessions inserted.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker


@dataclass
class _Replay:
    domain: Domain
    tracker: DialogueStateTracker  # a fresh tracker that applied ``applied``, as Rasa's replay does
    applied: list[Event] = field(default_factory=list)
    states: list[State] = field(default_factory=list)  # the state before each ActionExecuted in ``applied``


@dataclass
class _Applied:
    events: list[Event]  # the tracker's events folded so far
    loop_names: set[str]  # the loops these events activate
    applied: list[Event]


_replays: dict[int, dict[bool, _Replay]] = {}  # by id(tracker); dropped when the tracker is collected
_applied: dict[int, _Applied] = {}  # by id(tracker), as well
_rasa_applied_events = DialogueStateTracker.applied_events
_last_only: contextvars.ContextVar[int | None] = contextvars.ContextVar("past_states_last_only", default=None)


def _is_extended(events: Sequence[Event], kept: list[Event]) -> bool:
    return len(events) >= len(kept) and all(a is b for a, b in zip(events, kept, strict=False))


def _loop_names(events: Iterable[Event]) -> set[str]:
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def applied_events(tracker: DialogueStateTracker) -> list[Event]:
    """The same as ``DialogueStateTracker.applied_events``: the events not undone by a later one.

    Rasa's is a fold over all events, given the names of all loops the events activate;
    while a tracker only gains events and no new loop name, the fold goes on from where
    the previous call stopped.
    """
    events = tracker.events
    kept = _applied.get(id(tracker))
    new_events = list(itertools.islice(events, len(kept.events), None)) if kept else []
    if (
        kept is None
        or not _is_extended(events, kept.events)
        or not _loop_names(new_events) <= kept.loop_names
    ):
        if kept is None:
            weakref.finalize(tracker, _applied.pop, id(tracker), None)
        kept = _applied[id(tracker)] = _Applied(
            list(events), _loop_names(events), _rasa_applied_events(tracker)
        )
        return list(kept.applied)
    try:
        _fold(tracker, kept, new_events)
    except BaseException:
        _applied.pop(id(tracker), None)
        raise
    return list(kept.applied)


def _fold(tracker: DialogueStateTracker, kept: _Applied, new_events: list[Event]) -> None:
    for event in new_events:  # the body of Rasa 3.6's DialogueStateTracker.applied_events
        if isinstance(event, (Restarted, SessionStarted)):
            kept.applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, kept.applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, kept.applied)
            tracker._undo_till_previous(ActionExecuted, kept.applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in kept.loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, kept.applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, kept.applied)
        else:
            kept.applied.append(event)
    kept.events.extend(new_events)


def _state(domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool) -> State:
    return domain._clean_state(domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots))


def _copy(state: State) -> State:
    """Callers delete keys of a state and of its sub-states (the featurizers do), and a sub-state may be
    the replayed tracker's own (``latest_action``); the values in sub-states are immutable."""
    return {key: dict(sub_state) for key, sub_state in state.items()}  # type: ignore[misc]


def _replay_for(tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> _Replay:
    by_args = _replays.get(id(tracker))
    if by_args is None:
        by_args = _replays[id(tracker)] = {}
        weakref.finalize(tracker, _replays.pop, id(tracker), None)
    replay = by_args.get(omit_unset_slots)
    if replay is None or replay.domain is not domain:
        replay = by_args[omit_unset_slots] = _Replay(domain, tracker.init_copy())
    return replay


def past_states(
    tracker: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """The same as ``DialogueStateTracker.past_states``, new copies on every call."""
    if ignore_rule_only_turns:
        return domain.states_for_tracker_history(
            tracker,
            omit_unset_slots=omit_unset_slots,
            ignore_rule_only_turns=ignore_rule_only_turns,
            rule_only_data=rule_only_data,
        )
    replay = _replay_for(tracker, domain, omit_unset_slots)
    applied = tracker.applied_events()
    if not _is_extended(applied, replay.applied):
        replay.tracker, replay.applied, replay.states = tracker.init_copy(), [], []
    try:
        for event in applied[len(replay.applied) :]:
            if isinstance(event, ActionExecuted):
                replay.states.append(_copy(_state(domain, replay.tracker, omit_unset_slots)))
            replay.tracker.update(event)
    except BaseException:
        _replays.get(id(tracker), {}).pop(omit_unset_slots, None)
        raise
    replay.applied = applied
    earlier = replay.states
    last = _last_only.get()
    if last is not None:
        earlier = earlier[max(0, len(earlier) - (last - 1)) :]
    return [_copy(state) for state in earlier] + [_copy(_state(domain, replay.tracker, omit_unset_slots))]


@contextlib.contextmanager
def only_last(count: int) -> Iterator[None]:
    """Within the block, ``past_states`` returns the last ``count`` states only (at least the
    current one): a caller that reads only those (scripts/rule_states.py) need not have every
    kept state copied for it."""
    token = _last_only.set(max(count, 1))
    try:
        yield
    finally:
        _last_only.reset(token)


def install() -> None:
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]
    DialogueStateTracker.past_states = past_states  # type: ignore[method-assign]
