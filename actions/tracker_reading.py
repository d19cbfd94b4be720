"""Small readers for what the user just said, shared by the actions."""

from __future__ import annotations

from rasa_sdk import Tracker


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Values of ``entity`` in the latest message, in the order they appear."""
    found = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]
    found.sort(key=lambda e: e.get("start") or 0)
    return [str(e["value"]) for e in found if e.get("value")]
