"""scripts/action_responses.py accepts exactly the action server responses Rasa accepts, and
rejects the others with Rasa's own error."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction

from scripts import action_responses
from tests.story_conversations import conversations

SCHEMA = RemoteAction.action_response_format_spec()
EVENT_NAMES = [
    branch["properties"]["event"]["const"] for branch in SCHEMA["properties"]["events"]["items"]["oneOf"]
]
REPLY = {"text": "How long has it hurt?", "buttons": [], "custom": {}, "response": "utter_ask_duration"}


def _events() -> list[dict[str, Any]]:
    """Every event of the test stories and rules as the action server sends them, one of each kind."""
    seen = {event.as_dict()["event"]: event.as_dict() for _, events in conversations() for event in events}
    least = {name: {"event": name} for name in EVENT_NAMES} | {
        "entities": {"event": "entities", "entities": []}
    }
    return [*seen.values(), *(least[name] for name in EVENT_NAMES if name not in seen)]


def _broken(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The event with each of its fields given a value of the wrong kind, or taken away."""
    variants = []
    for key, value in event.items():
        for wrong in ("text", 7, 1.5, None, [], {}, True):
            if type(wrong) is not type(value):
                variants.append({**event, key: wrong})
        variants.append({k: v for k, v in event.items() if k != key})
    return variants


def _responses() -> list[Any]:
    events = _events()
    valid = [{"events": [event], "responses": [REPLY]} for event in events]
    valid.append({"events": events, "responses": []})
    broken = [{"events": [variant]} for event in events for variant in _broken(event)]
    odd: list[Any] = [
        {},
        {"events": []},
        {"events": "slot"},
        {"events": ["slot"]},
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"event": 3}]},
        {"events": [{"event": ["slot"]}]},
        {"events": [events[0], {"name": "missing its kind"}]},
        {"responses": "hello"},
        {"responses": [{"text": 5}]},
        {"responses": [REPLY], "events": [{**events[0], "timestamp": "yesterday"}]},
        [],
        "events",
        None,
    ]
    return valid + broken + odd


def test_the_corpus_has_valid_and_broken_responses_of_every_kind():
    full = validators.validator_for(SCHEMA)(SCHEMA)
    valid = [response for response in _responses() if full.is_valid(response)]
    kinds = {event["event"] for response in valid for event in response.get("events", [])}
    assert kinds == set(EVENT_NAMES)
    assert 50 < len(valid) < len(_responses()) - 200


def test_the_quick_check_accepts_exactly_what_the_whole_schema_accepts():
    full = validators.validator_for(SCHEMA)(SCHEMA)
    quick = action_responses.quick_check(SCHEMA)
    disagreements = [r for r in _responses() if quick(r) != full.is_valid(r)]
    assert disagreements == []


def _outcome(validate, response: Any) -> tuple[Any, ...]:
    try:
        return ("accepted", validate(RemoteAction("action_x", None), copy.deepcopy(response)))
    except ValidationError as error:
        return ("rejected", error.message, list(error.absolute_path), list(error.schema_path))


def test_responses_are_accepted_and_rejected_as_rasa_does_with_rasas_errors(monkeypatch):
    rasas = RemoteAction._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasas)
    action_responses.install()
    ours = RemoteAction._validate_action_result
    assert ours is not rasas
    sample = [r for r in _responses() if isinstance(r, dict)][::3]  # Rasa's own check takes 30 ms a response
    outcomes = [(_outcome(rasas, r), _outcome(ours, r)) for r in sample]
    assert all(rasa == mine for rasa, mine in outcomes)
    assert {rasa[0] for rasa, _ in outcomes} == {"accepted", "rejected"}


@pytest.mark.parametrize(
    "response", [{"events": [{"event": "slot", "name": 5}]}, {"events": [{"event": "x"}]}]
)
def test_a_broken_response_names_what_is_wrong_and_where_to_read_more(response):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
        action_responses.install()
        with pytest.raises(
            ValidationError, match="Failed to validate Action server response.*custom-actions"
        ):
            RemoteAction("action_x", None)._validate_action_result(response)
