from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from clinic import database, request_store
from clinic.request_store import (
    REFERENCE_ALPHABET,
    RequestNotFound,
    RequestStore,
    SchemaTooNew,
    StoreUnavailable,
)

PHONE = "+13015550199"
EMAIL = "pat@example.org"
SMS_SENDER = "+13015550177"


@pytest.fixture
def store(database_url: str) -> Iterator[RequestStore]:
    store = RequestStore(database_url)
    yield store
    store.dispose()


def execute_sql(url: str, *statements: str) -> None:
    """Change the database behind the store's back, as another process would."""
    engine = create_engine(url, future=True)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def save(store: RequestStore, **overrides: Any) -> str:
    values: dict[str, Any] = {
        "kind": "intake",
        "channel": "rest",
        "sender_id": "visitor-1",
        "answers": {"pain_area": "lower back", "duration": "2 weeks"},
        "clinic_id": "greenbelt",
        "contact_name": "Pat Doe",
        "contact_phone": PHONE,
        "contact_email": EMAIL,
    }
    values.update(overrides)
    return store.save_request(**values).reference


def test_save_and_read_back(store: RequestStore, database_url: str) -> None:
    saved = store.save_request(
        kind="booking",
        channel="twilio",
        sender_id="+13015550123",
        answers={"preferred_day": "Tuesday", "notes": "knee – after surgery"},
        clinic_id="bowie",
        contact_name="Pat Doe",
        contact_phone=PHONE,
        contact_email=EMAIL,
    )
    assert re.fullmatch(rf"PT-[{REFERENCE_ALPHABET}]{{6}}", saved.reference)
    assert saved.created_at.tzinfo is not None

    # A second store (a new process, say) sees it: it was committed before returning.
    other = RequestStore(database_url)
    try:
        stored = other.get(saved.reference.lower())
    finally:
        other.dispose()
    assert stored is not None
    assert stored.id == saved.id and stored.reference == saved.reference
    assert (stored.kind, stored.channel, stored.clinic_id) == ("booking", "twilio", "bowie")
    assert (stored.urgency, stored.status) == ("normal", "new")
    assert stored.answers == {"preferred_day": "Tuesday", "notes": "knee – after surgery"}
    assert (stored.contact_name, stored.contact_phone, stored.contact_email) == (
        "Pat Doe",
        PHONE,
        EMAIL,
    )
    assert stored.created_at == saved.created_at
    assert stored.created_at.utcoffset() == timezone.utc.utcoffset(None)
    assert stored.status_changed_at is None and stored.status_changed_by is None


def test_contact_details_are_stored_once(store: RequestStore) -> None:
    """The intake form's answers include the contact details; they are kept only in their columns."""
    answers = {
        "pain_area": "lower back",
        "contact_name": "Pat Doe",
        "contact_phone": PHONE,
        "contact_email": "none",
    }
    stored = store.get(save(store, answers=answers, contact_email=None))
    assert stored is not None and stored.answers == {"pain_area": "lower back"}
    assert (stored.contact_name, stored.contact_phone, stored.contact_email) == ("Pat Doe", PHONE, None)


def test_get_unknown_reference(store: RequestStore) -> None:
    assert store.get("PT-ZZZZZZ") is None


def test_urgent_kind_implies_urgent(store: RequestStore) -> None:
    stored = store.get(save(store, kind="urgent"))
    assert stored is not None and stored.urgency == "urgent"


@pytest.mark.parametrize(
    "overrides",
    [{"kind": "complaint"}, {"urgency": "high"}, {"kind": "urgent", "urgency": "normal"}],
)
def test_invalid_values_are_rejected_before_storing(store: RequestStore, overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        save(store, **overrides)
    assert store.list_requests() == []


def test_reference_collision_is_retried(store: RequestStore, monkeypatch: pytest.MonkeyPatch) -> None:
    first = save(store)
    candidates = iter([first, first, "PT-NEW234"])
    monkeypatch.setattr(request_store, "_new_reference", lambda: next(candidates))
    assert save(store) == "PT-NEW234"
    assert len(store.list_requests()) == 2


def test_list_orders_urgent_first_then_newest(store: RequestStore) -> None:
    old_normal = save(store, sender_id="a")
    old_urgent = save(store, sender_id="b", kind="urgent")
    new_normal = save(store, sender_id="c", kind="callback")
    new_urgent = save(store, sender_id="d", kind="callback", urgency="urgent")
    listed = [request.reference for request in store.list_requests()]
    assert listed == [new_urgent, old_urgent, new_normal, old_normal]
    assert [r.reference for r in store.list_requests(limit=2)] == [new_urgent, old_urgent]


def test_emergencies_come_before_urgent_requests(store: RequestStore) -> None:
    urgent = save(store, sender_id="a", kind="urgent")
    emergency = save(store, sender_id="b", kind="urgent", urgency="emergency")
    later_urgent = save(store, sender_id="c", kind="urgent")
    normal = save(store, sender_id="d")
    assert [r.reference for r in store.list_requests()] == [emergency, later_urgent, urgent, normal]
    assert store.get(emergency).urgency == "emergency"
    with pytest.raises(ValueError, match="urgency 'urgent' or 'emergency'"):
        save(store, kind="urgent", urgency="normal")


def test_list_filters(store: RequestStore) -> None:
    greenbelt_sms = save(store, clinic_id="greenbelt", channel="twilio")
    save(store, clinic_id="bowie", channel="rest")
    no_clinic = save(store, clinic_id=None, channel="rest")
    assert [r.reference for r in store.list_requests(clinic_id="greenbelt")] == [greenbelt_sms]
    assert [r.reference for r in store.list_requests(channel="twilio")] == [greenbelt_sms]
    store.set_status(no_clinic, "contacted", "frontdesk")
    assert [r.reference for r in store.list_requests(status="contacted")] == [no_clinic]
    assert len(store.list_requests(status="new")) == 2
    with pytest.raises(ValueError):
        store.list_requests(status="pending")


def test_status_change_records_history(store: RequestStore) -> None:
    reference = save(store)
    contacted = store.set_status(reference, "contacted", "alice")
    assert contacted.status == "contacted"
    assert contacted.status_changed_by == "alice"
    assert contacted.status_changed_at is not None
    assert contacted.updated_at == contacted.status_changed_at

    unchanged = store.set_status(reference, "contacted", "bob")
    assert unchanged.status_changed_by == "alice"

    store.set_status(reference.lower(), "booked", "bob")
    history = store.status_history(reference)
    assert [(h.old, h.new, h.changed_by) for h in history] == [
        ("new", "contacted", "alice"),
        ("contacted", "booked", "bob"),
    ]
    assert all(h.changed_at.tzinfo is not None for h in history)
    assert history[0].changed_at <= history[1].changed_at


def test_status_change_validation(store: RequestStore) -> None:
    reference = save(store)
    with pytest.raises(ValueError):
        store.set_status(reference, "done", "alice")
    with pytest.raises(ValueError):
        store.set_status(reference, "closed", "  ")
    with pytest.raises(RequestNotFound):
        store.set_status("PT-ZZZZZZ", "closed", "alice")
    with pytest.raises(RequestNotFound):
        store.status_history("PT-ZZZZZZ")


def test_failure_mid_transaction_keeps_earlier_rows(store: RequestStore, database_url: str) -> None:
    first = save(store, sender_id="a")
    second = save(store, sender_id="b")
    execute_sql(database_url, "DROP TABLE status_history")

    with pytest.raises(StoreUnavailable) as excinfo:
        store.set_status(first, "contacted", "alice")
    assert isinstance(excinfo.value.__cause__, SQLAlchemyError)

    # The status update ran before the failing history insert: it was rolled back.
    stored = store.get(first)
    assert stored is not None and stored.status == "new"
    assert {r.reference for r in store.list_requests()} == {first, second}


def test_dropped_tables_raise_store_unavailable(store: RequestStore, database_url: str) -> None:
    save(store)
    execute_sql(database_url, "DROP TABLE status_history", "DROP TABLE requests")
    with pytest.raises(StoreUnavailable) as excinfo:
        save(store)
    assert isinstance(excinfo.value.__cause__, SQLAlchemyError)
    with pytest.raises(StoreUnavailable):
        store.list_requests()


def test_works_again_after_dispose(store: RequestStore) -> None:
    reference = save(store)
    store.dispose()
    assert store.get(reference) is not None


def test_newer_schema_is_refused(store: RequestStore, database_url: str) -> None:
    save(store)
    execute_sql(database_url, "UPDATE alembic_version SET version_num = '0099'")
    newer = RequestStore(database_url)
    with pytest.raises(SchemaTooNew, match="schema revision 0099"):
        newer.list_requests()
    # Refusing is a kind of "unavailable": actions need only one except clause.
    with pytest.raises(StoreUnavailable):
        newer.get("PT-ZZZZZZ")


def test_contact_details_never_logged_or_shown(store: RequestStore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    reference = save(store, channel="twilio", sender_id=SMS_SENDER)
    store.set_status(reference, "contacted", "alice")
    stored = store.get(reference)
    assert reference in caplog.text
    for secret in (PHONE, EMAIL, SMS_SENDER, "lower back"):
        assert secret not in caplog.text
        assert secret not in repr(stored)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:1/test",  # nothing listens on port 1
        "sqlite:////proc/no-such-dir/requests.db",
        "nosuchdialect://somewhere/db",
    ],
)
def test_unreachable_database_raises_store_unavailable(url: str) -> None:
    store = RequestStore(url)  # lazy: constructing never connects
    with pytest.raises(StoreUnavailable) as excinfo:
        save(store)
    assert excinfo.value.__cause__ is not None
    assert PHONE not in str(excinfo.value)


def test_unwritable_sqlite_path(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    store = RequestStore(f"sqlite:///{blocker / 'requests.db'}")
    with pytest.raises(StoreUnavailable, match="unable to open database file") as excinfo:
        save(store)
    assert isinstance(excinfo.value.__cause__, SQLAlchemyError)


def test_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("CLINIC_DB_URL", f"sqlite:///{db}")
    store = RequestStore()
    try:
        save(store)
    finally:
        store.dispose()
    assert db.exists()


def test_default_sqlite_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = tmp_path / "var" / "clinic_requests.db"
    monkeypatch.delenv("CLINIC_DB_URL", raising=False)
    monkeypatch.setattr(database, "DEFAULT_DB_PATH", default)
    store = RequestStore()
    assert not default.parent.exists()  # nothing happens until first use
    try:
        save(store)
    finally:
        store.dispose()
    assert default.exists()
