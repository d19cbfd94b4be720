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


def entity_keys(tracker: Tracker, entity: str) -> list[str]:
    """Content keys of ``entity`` in the latest message: the EntityRuler pattern id
    (added by clinic_nlp.entity_ids), else the value (a button payload's key)."""
    found = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]
    found.sort(key=lambda e: e.get("start") or 0)
    return [str(e.get("id") or e["value"]) for e in found if e.get("id") or e.get("value")]


def screened_words(tracker: Tracker) -> str:
    """What the person wrote that raised the screening question, with their yes to it."""
    typed = [
        str(e.get("text") or "")
        for e in tracker.events
        if e.get("event") == "user" and not str(e.get("text") or "").startswith("/")
    ]
    before = typed[-2] if len(typed) >= 2 and typed[-1] == latest_text(tracker) else (typed or [""])[-1]
    return f"{before}\n(yes to the screening question)".lstrip()
