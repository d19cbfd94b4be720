"""The consent tracker store on a real SQLite tracker database, turn by turn as Rasa saves.

The live tests (tests/test_consent_and_deletion.py) drive it through the servers;
this one pins the row rewriting, including events that share a timestamp.
"""

from __future__ import annotations

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from clinic.consent_redaction import REDACTED
from tests.conftest import REPO
from tracker_store.consent_store import ConsentTrackerStore

NAME, PHONE = "Ana Ruiz", "(301) 555-0142"


def _rows(db_path) -> list[str]:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    with engine.connect() as conn:
        rows = [row[0] for row in conn.execute(text("SELECT data FROM events ORDER BY id"))]
    engine.dispose()
    return rows


def test_refusal_rewrites_the_answers_stored_in_earlier_turns(tmp_path):
    domain = Domain.load(REPO / "domain.yml")
    db = tmp_path / "tracker.db"
    store = ConsentTrackerStore(domain, inner={"type": "SQL", "dialect": "sqlite", "db": str(db)})
    tracker = DialogueStateTracker("web-1", domain.slots)
    same_time = 1_700_000_000.5
    turns = [
        [UserUttered("I'd like to book"), ActionExecuted("intake_form"), ActiveLoop("intake_form")],
        [
            UserUttered(NAME),
            # Two slot events of one action share a timestamp: only the answer is rewritten.
            SlotSet("contact_name", NAME, timestamp=same_time),
            SlotSet("requested_slot", "contact_phone", timestamp=same_time),
        ],
        [UserUttered(PHONE), SlotSet("contact_phone", "+13015550142")],
        [UserUttered("no"), SlotSet("consent", False), ActiveLoop(None)],
    ]
    for events in turns:
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))
        if events is turns[2]:
            assert NAME in "\n".join(
                _rows(db)
            )  # kept until the answer to "May the clinic store your answers?"

    rows = _rows(db)
    assert not [row for row in rows if NAME in row or "555" in row], rows
    assert sum(f'"text": "{REDACTED}"' in row for row in rows) == 2
    assert any('"name": "requested_slot", "value": "contact_phone"' in row for row in rows)
    assert any('"text": "I\'d like to book"' in row for row in rows)  # not an answer: kept
    reloaded = asyncio.run(store.retrieve("web-1"))
    assert reloaded.get_slot("contact_name") is None and reloaded.get_slot("consent") is False


def test_erasure_removes_every_row_of_the_conversation(tmp_path):
    domain = Domain.load(REPO / "domain.yml")
    db = tmp_path / "tracker.db"
    store = ConsentTrackerStore(domain, inner={"type": "SQL", "dialect": "sqlite", "db": str(db)})
    for sender in ("web-1", "web-2"):
        tracker = DialogueStateTracker(sender, domain.slots)
        tracker.update(UserUttered(f"my name is {NAME}"))
        asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("web-1"))
    tracker.update(UserUttered("yes"))
    tracker.update(SlotSet("data_erased", True))
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("web-1")) is None
    assert asyncio.run(store.retrieve("web-2")) is not None
