"""Run rasa-sdk actions the way the action server does, without a server."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(
    text: str = "",
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    sender_id: str = "test-user",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities or [],
    }
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def entity(name: str, value: str, start: int = 0) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": start, "end": start + len(value)}


def run_action(action, tracker: Tracker, domain: dict | None = None) -> tuple[list[dict], list[dict]]:
    """(messages the action sent, events it returned); an async action is awaited, as the server does."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, domain or {})
    if inspect.iscoroutine(events):
        events = asyncio.run(events)
    return dispatcher.messages, events


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
