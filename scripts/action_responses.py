"""Rasa's check of each action server response, at a fraction of its cost, with its errors.

Rasa validates every response with ``jsonschema.validate``, which first checks the
schema itself against the draft 2020-12 meta-schema: about 30 ms of CPU per custom
action call. A validator built once removes that. What is left is the schema's
``oneOf`` over Rasa's 23 event kinds, tried for every event of the response, each
failed branch building its error objects: about 1 ms per call, two or more calls per
message.

Each of those branches fixes the event's name (``"event": {"const": ...}``), so a
branch named otherwise fails on any event, and "exactly one branch holds" is decided
by the branches of the event's own name alone. A response is first checked that
way: the schema without the ``oneOf``, then each event against its name's branches.
A response that fails is checked again with the whole schema, which gives Rasa's own
error (``best_match``, with the sentence Rasa adds), so only valid responses take
the short way. tests/test_action_responses.py compares both ways on valid and
broken responses of every event kind.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

Schema = dict[str, Any]


def _validator(schema: Schema) -> Any:
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _event_name(branch: Schema) -> str | None:
    return branch.get("properties", {}).get("event", {}).get("const")


def quick_check(schema: Schema) -> Callable[[Any], bool]:
    """Whether a response is valid: the same answer as the whole schema's validator."""
    without_branches = copy.deepcopy(schema)
    item = without_branches["properties"]["events"]["items"]
    branches = item.pop("oneOf")
    unnamed = [branch for branch in branches if _event_name(branch) is None]
    by_name: dict[str, Any] = {}
    for name in {_event_name(branch) for branch in branches} - {None}:
        named = [branch for branch in branches if _event_name(branch) == name]
        by_name[name] = _validator({"oneOf": named + unnamed})
    base = _validator(without_branches)
    only_unnamed = _validator({"oneOf": unnamed}) if unnamed else None

    def is_valid(response: Any) -> bool:
        if not base.is_valid(response):
            return False
        events = response.get("events") if isinstance(response, dict) else None
        if not isinstance(events, list):
            return True  # no events: nothing the branches check
        for event in events:
            name = event.get("event") if isinstance(event, dict) else None
            branches = by_name.get(name, only_unnamed) if isinstance(name, str) else only_unnamed
            if branches is None or not branches.is_valid(event):
                return False
        return True

    return is_valid


def install() -> None:
    schema = RemoteAction.action_response_format_spec()
    validator = _validator(schema)
    is_valid = quick_check(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if is_valid(result):
            return True
        error = exceptions.best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (  # as RemoteAction._validate_action_result words it
                ". Failed to validate Action server response from API, make sure your response from the "
                f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
