"""A locked request table gives the truthful "couldn't save" within seconds, not a stalled turn.

Each save runs in a thread that the test waits for a bounded time: before the
store had statement and lock timeouts it waited for as long as the lock was held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from actions.intake_form import ActionSubmitIntake
from clinic.database import LOCK_TIMEOUT_MS, STATEMENT_TIMEOUT_MS
from clinic.migrate import upgrade
from clinic.request_store import RequestStore, StoreUnavailable
from tests.action_harness import make_tracker, run_action, slot_events
from tests.test_intake_actions import ANSWERS

# Far beyond the store's timeouts: only a store without them is still waiting then.
PATIENCE_S = 10 * (STATEMENT_TIMEOUT_MS + LOCK_TIMEOUT_MS) / 1000


@pytest.fixture
def locked_requests(postgres_schema_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database whose requests table another connection holds locked
    against writes (as a long transaction that changes it does)."""
    upgrade(postgres_schema_url)
    engine = create_engine(postgres_schema_url, future=True)
    holder: Connection = engine.connect()
    transaction = holder.begin()
    holder.execute(text("LOCK TABLE requests IN EXCLUSIVE MODE"))
    try:
        yield postgres_schema_url
    finally:
        transaction.rollback()
        holder.close()
        engine.dispose()


def finishes(work: Callable[[], Any]) -> tuple[bool, Any]:
    """(whether ``work`` finished within PATIENCE_S, its result or exception)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(PATIENCE_S)
    return not thread.is_alive(), outcome[0] if outcome else None


def test_a_save_into_a_locked_table_fails_with_the_store_error(locked_requests: str) -> None:
    store = RequestStore(locked_requests)
    try:
        store.get("PT-ABC234")  # connects (and finds the schema current) before the save
        done, result = finishes(
            lambda: store.save_request(kind="callback", channel="rest", sender_id="web-1")
        )
    finally:
        store.dispose()
    assert done, f"the save was still waiting for the lock after {PATIENCE_S:.0f} s"
    assert isinstance(result, StoreUnavailable)


def test_the_patient_hears_that_the_request_was_not_saved(
    locked_requests: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLINIC_DB_URL", locked_requests)
    tracker = make_tracker("yes", "affirm", slots=ANSWERS)
    done, result = finishes(lambda: run_action(ActionSubmitIntake(), tracker))
    assert done, f"the patient was still waiting after {PATIENCE_S:.0f} s"
    messages, events = result
    reply = messages[0]["text"]
    assert "couldn't save your request" in reply and "(301) 555-0142" in reply
    assert "reference" not in reply
    assert not any(slot_events(events).values())
