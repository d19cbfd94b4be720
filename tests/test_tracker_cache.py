"""The tracker store that keeps trackers between messages (tracker_store/cached_sql.py) hands back
exactly what the database holds: turns another Rasa server stored, rows erasure removed, and never
events of a turn that was not saved."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
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


def stored_rows(db: str) -> list[tuple]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = [
            tuple(row)
            for row in conn.execute(
                text(
                    "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
                )
            )
        ]
    engine.dispose()
    return rows


def new_session(store: CachedSQLTrackerStore, sender: str, text_: str) -> None:
    """A turn that starts a new session on the same tracker, as Rasa does when a session expired."""
    tracker = run(store.get_or_create_tracker(sender))
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    tracker.update(UserUttered(text_, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))


def test_the_rows_stored_are_the_ones_rasa_stores(tmp_path):
    ours, rasas = str(tmp_path / "ours.db"), str(tmp_path / "rasa.db")
    events = [
        UserUttered("my knee", {"name": "greet", "confidence": 0.9}, timestamp=1.0),
        SlotSet("body_area", "knee", timestamp=2.0),
        ActionExecuted("action_listen", timestamp=3.0),
    ]
    for store in (server(ours), SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=rasas)):
        for _ in range(3):
            tracker = run(store.get_or_create_tracker("ana"))
            for event in events:
                tracker.update(event)
            run(store.save(tracker))
    first, *rest = stored_rows(ours)
    rasas_first, *rasas_rest = stored_rows(rasas)
    assert rest == rasas_rest and len(rest) == 3 * len(events)
    assert first[:2] == rasas_first[:2]  # the new tracker's action_listen, stamped when it was made


def test_a_new_session_stores_each_event_once(db):
    store = server(db)
    turn(store, "ana", "hi")
    new_session(store, "ana", "back again")
    turn(store, "ana", "thanks")
    user_rows = [data for _, type_name, *_, data in stored_rows(db) if type_name == "user"]
    assert [json.loads(data)["text"] for data in user_rows] == ["hi", "back again", "thanks"]
    assert user_texts(server(db), "ana") == ["back again", "thanks"]  # a new server reads the latest session


class Collecting(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


def test_an_event_broker_is_sent_each_new_event_once(db):
    broker = Collecting()
    store = server(db, event_broker=broker)
    turn(store, "ana", "hi")
    new_session(store, "ana", "back again")
    turn(store, "ana", "thanks")
    published = [(e["sender_id"], e["event"], e.get("text")) for e in broker.published]
    assert [e for e in published if e[1] == "user"] == [
        ("ana", "user", t) for t in ("hi", "back again", "thanks")
    ]
    assert len(published) == len(stored_rows(db))


def test_the_database_file_logs_ahead_and_a_new_server_reads_every_saved_turn(db):
    store = server(db)
    turn(store, "ana", "hi")
    turn(store, "ana", "my knee hurts")
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    assert user_texts(server(db), "ana") == ["hi", "my knee hurts"]
