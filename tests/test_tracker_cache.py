"""The tracker store that keeps trackers between messages (tracker_store/cached_sql.py) hands back
exactly what the database holds: turns another Rasa server stored, rows erasure removed, and never
events of a turn that was not saved."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from sqlalchemy import create_engine, text

from tracker_store.cached_sql import CachedSQLTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet]
slots:
  body_area:
    type: text
    mappings: [{type: custom}]
"""
)


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "tracker.db")


def server(db: str, **kwargs) -> CachedSQLTrackerStore:
    """One Rasa server's tracker store on the shared database."""
    return CachedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=db, **kwargs)


def turn(store: CachedSQLTrackerStore, sender: str, text_: str, area: str | None = None) -> None:
    tracker = run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(text_, {"name": "greet", "confidence": 1.0}))
    if area:
        tracker.update(SlotSet("body_area", area))
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))


def user_texts(store: CachedSQLTrackerStore, sender: str) -> list[str]:
    tracker = run(store.retrieve(sender))
    return [e.text for e in tracker.events if isinstance(e, UserUttered)] if tracker else []


def test_turns_stored_by_another_server_are_seen(db):
    first, second = server(db), server(db)
    turn(first, "ana", "hi", area="knee")
    turn(second, "ana", "my knee hurts")
    turn(first, "ana", "thanks")
    assert user_texts(first, "ana") == user_texts(second, "ana") == ["hi", "my knee hurts", "thanks"]
    assert run(second.retrieve("ana")).get_slot("body_area") == "knee"


def test_a_conversation_whose_rows_were_removed_is_forgotten(db):
    store = server(db)
    turn(store, "ana", "hi")
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE sender_id = 'ana'"))
    engine.dispose()
    assert run(store.retrieve("ana")) is None


def test_events_of_a_turn_that_was_never_saved_are_not_handed_back(db):
    store = server(db)
    turn(store, "ana", "hi")
    failed = run(store.retrieve("ana"))
    failed.update(UserUttered("this turn failed before it was saved"))
    assert user_texts(store, "ana") == ["hi"]


def test_the_kept_tracker_is_handed_back_while_the_rows_are_unchanged(db):
    store = server(db)
    turn(store, "ana", "hi")
    assert run(store.retrieve("ana")) is run(store.retrieve("ana"))


def test_only_the_most_recent_conversations_are_kept(db):
    store = server(db, max_conversations=2)
    for sender in ("ana", "ben", "cy"):
        turn(store, sender, f"hi from {sender}")
    assert user_texts(store, "ana") == ["hi from ana"]  # read again from the database
    assert len(store._kept) == 2
