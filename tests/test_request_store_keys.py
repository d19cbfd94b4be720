"""The request store stores a request once per idempotency key, keeps one urgent record per
episode, limits new requests per sender, and the SMS state answers a Twilio message once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from clinic.request_store import (
    RequestStore,
    SenderLimit,
    TooManyRequests,
    idempotency_key,
)
from clinic.sms_state import SmsState


@pytest.fixture
def store(database_url: str) -> Iterator[RequestStore]:
    store = RequestStore(database_url, sender_limit=SenderLimit(3, timedelta(days=1)))
    yield store
    store.dispose()


def booking(store: RequestStore, key: str | None, sender: str = "web-1"):
    return store.save_request(
        kind="booking", channel="rest", sender_id=sender, contact_name="Ana Lopez", idempotency_key=key
    )


def test_the_same_key_again_returns_the_first_request_and_stores_nothing(store: RequestStore) -> None:
    key = idempotency_key("booking", "web-1", 1764087912.5)
    first = booking(store, key)
    again = booking(store, key)
    assert not first.repeated and again.repeated
    assert again.reference == first.reference
    assert [r.reference for r in store.list_requests()] == [first.reference]


def test_submits_racing_with_one_key_store_one_request(store: RequestStore) -> None:
    key = idempotency_key("booking", "web-1", 1764087912.5)
    start = threading.Barrier(3)
    references: list[str] = []

    def submit() -> None:
        start.wait()
        references.append(booking(store, key).reference)

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(references)) == 1 and len(references) == 3
    assert len(store.list_requests()) == 1


def test_a_sender_at_the_limit_is_refused_a_new_request_but_gets_its_earlier_one(store: RequestStore) -> None:
    first = booking(store, "run-1")
    booking(store, "run-2")
    booking(store, None)
    with pytest.raises(TooManyRequests):
        booking(store, "run-4")
    assert booking(store, "run-1").reference == first.reference  # a repeat is not a new request
    assert booking(store, "other-run", sender="web-2").repeated is False  # others are not limited
    assert len(store.list_requests()) == 4


def test_a_later_red_flag_is_added_to_the_episode_record(store: RequestStore) -> None:
    key = idempotency_key("urgent", "+13015550123", 1764087912.5)
    first = store.save_request(
        kind="urgent",
        urgency="urgent",
        channel="twilio",
        sender_id="+13015550123",
        answers={"source": "message", "red_flags": ["Fever"], "message": "I have a fever"},
        idempotency_key=key,
    )
    store.set_status(first.reference, "closed", "alice")
    store.add_to_urgent(first.reference, urgency="emergency", red_flags=["Fever", "Numbness"], message="numb")
    updated = store.add_to_urgent(first.reference, urgency="urgent", red_flags=["Fever"], message="numb")
    assert updated.urgency == "emergency"  # the most serious level any message reached
    assert updated.answers["red_flags"] == ["Fever", "Numbness"]
    assert updated.answers["message"] == "I have a fever\nnumb"  # the same words are not added twice
    assert updated.status == "new", "a closed record with a new red flag goes back to the queue"
    assert [(h.old, h.new) for h in store.status_history(first.reference)] == [
        ("new", "closed"),
        ("closed", "new"),
    ]
    assert len(store.list_requests()) == 1


def test_a_twilio_message_is_claimed_once_until_it_is_forgotten(database_url: str) -> None:
    state = SmsState(database_url)
    try:
        assert state.first_delivery("SM0123456789abcdef")
        assert not state.first_delivery("SM0123456789abcdef")
        state.forget_delivery("SM0123456789abcdef")  # answering it failed: a retry is processed
        assert state.first_delivery("SM0123456789abcdef")
        assert state.first_delivery("SM0123456789abcdee")
    finally:
        state.dispose()


def test_the_sender_limit_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_NEW_REQUESTS_PER_DAY", "2")
    assert SenderLimit.from_env() == SenderLimit(2, timedelta(days=1))
    monkeypatch.delenv("CLINIC_NEW_REQUESTS_PER_DAY")
    assert SenderLimit.from_env().count == 5
    monkeypatch.setenv("CLINIC_NEW_REQUESTS_PER_DAY", "0")
    with pytest.raises(ValueError):
        SenderLimit.from_env()
