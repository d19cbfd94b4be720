"""Consent that means it: a refused form leaves no answers in the tracker database, "delete my
data" and the console's delete remove a conversation and its requests with an audit line, and
`make purge` removes what is older than the retention period."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select, text, update

from clinic.data_erasure import DataEraser, conversation_digest
from clinic.request_store import RequestStore
from clinic.schema import processed_messages, requests_table
from clinic.sms_state import SmsState
from tests.conftest import REPO
from tests.console_harness import csrf_token, store_conversation
from tests.live_ids import new_rest_sender
from tests.test_live_rest import say

NAME, PHONE, PHONE_DIGITS = "Zelda Quartermaine", "(301) 555-0178", "3015550178"
ANSWERS = ("about 3 weeks", "tuesdays after my shift", "Quartermaine", PHONE, PHONE_DIGITS)
FORM_TURNS = [
    ("I'd like to book an appointment", "what brings you in"),
    ("my lower back", "How long"),
    ("about 3 weeks", "0 to 10"),
    ("6", "safety question"),
    ("no", "full name"),
    (NAME, "phone number"),
    (PHONE, "email"),
    ("skip", "Which clinic"),
    ("20770", "Which days and times"),
    ("tuesdays after my shift", "store your answers"),
]


def _texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def _fill_the_form(assistant, sender: str) -> None:
    for message, expected in FORM_TURNS:
        reply = _texts(say(assistant, sender, message))
        assert expected in reply, f"after {message!r}: {reply!r}"


def _tracker_rows(assistant) -> list[tuple[str, str]]:
    """(sender_id, data) of every event in the tracker database the live Rasa server writes."""
    engine = create_engine(f"sqlite:///{assistant.var_dir / 'tracker.db'}", future=True)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text("SELECT sender_id, data FROM events"))]
    engine.dispose()
    return rows


def _requests_named(db_url: str, name: str) -> int:
    engine = create_engine(db_url, future=True)
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM requests WHERE contact_name = :n"), {"n": name}
        ).scalar()
    engine.dispose()
    return int(count)


@pytest.mark.live
def test_refused_consent_leaves_no_answers_in_the_tracker_database(live_assistant):
    sender = new_rest_sender(live_assistant)
    _fill_the_form(live_assistant, sender)
    refusal = _texts(say(live_assistant, sender, "no"))
    assert "I haven't saved anything" in refusal

    # Only this conversation's rows: other live tests book with the same answers.
    rows = [data for sender_id, data in _tracker_rows(live_assistant) if sender_id == sender]
    for answer in ANSWERS:
        assert not [data for data in rows if answer in data], f"{answer!r} is still in the tracker database"
    assert [data for data in rows if '"[redacted]"' in data], "the form run's turns are kept, redacted"
    assert _requests_named(live_assistant.db_url, NAME) == 0

    after = _texts(say(live_assistant, sender, "how do I do the hamstring stretch?"))
    assert "heel" in after  # the conversation goes on


@pytest.mark.live
def test_delete_my_data_removes_the_conversation_and_its_requests(live_assistant):
    name = "Yusuf Delacroix-Oduya"
    sender = new_rest_sender(live_assistant)
    turns = [(name if m == NAME else m, e) for m, e in FORM_TURNS]
    for message, expected in turns:
        assert expected in _texts(say(live_assistant, sender, message))
    assert "Shall I send it" in _texts(say(live_assistant, sender, "yes"))
    assert "saved with reference" in _texts(say(live_assistant, sender, "yes"))
    assert _requests_named(live_assistant.db_url, name) == 1

    asked = _texts(say(live_assistant, sender, "please delete my data"))
    assert "Shall I delete them?" in asked
    assert "haven't deleted anything" in _texts(say(live_assistant, sender, "no"))
    assert _requests_named(live_assistant.db_url, name) == 1 and any(
        name in d for _, d in _tracker_rows(live_assistant)
    )

    assert "Shall I delete them?" in _texts(say(live_assistant, sender, "delete my data"))
    done = _texts(say(live_assistant, sender, "yes"))
    assert "I've deleted this conversation and your 1 request." in done

    assert _requests_named(live_assistant.db_url, name) == 0
    rows = _tracker_rows(live_assistant)
    assert not [data for _, data in rows if name in data or "Delacroix" in data]
    erased_ids = {sender_id for sender_id, _ in rows if sender in sender_id}
    assert erased_ids == set(), "the conversation's events should be gone"
    audit = DataEraser(live_assistant.db_url).audit_log()[-1]
    assert audit["requested_by"] == "patient" and audit["requests_removed"] == 1
    assert audit["conversation"].startswith("sha256:") and "Delacroix" not in json.dumps(audit, default=str)


@pytest.mark.live
def test_delete_my_data_during_a_booking_is_not_taken_as_an_answer(live_assistant):
    sender = new_rest_sender(live_assistant)
    for message, expected in FORM_TURNS[:3]:
        assert expected in _texts(say(live_assistant, sender, message))
    asked = _texts(say(live_assistant, sender, "please delete my data"))
    assert "Shall I delete them?" in asked
    assert "Done: I've deleted this conversation" in _texts(say(live_assistant, sender, "yes"))
    assert not [d for s, d in _tracker_rows(live_assistant) if s == sender and "about 3 weeks" in d]


def test_staff_delete_removes_the_conversation_and_every_request_from_it(
    console_app, staff_client, console_tracker_db_url, tmp_path
):
    store = console_app.extensions["console"].store
    first = store.save_request(kind="callback", channel="sms", sender_id="+13017000064", contact_name=NAME)
    second = store.save_request(kind="booking", channel="sms", sender_id="+13017000064", contact_name=NAME)
    other = store.save_request(kind="callback", channel="rest", sender_id="web-other", contact_name="Other")
    store_conversation(console_tracker_db_url, "+13017000064", [("user", "call me on 301 700 0064")])
    store_conversation(console_tracker_db_url, "web-other", [("user", "hello")])
    page = f"/console/requests/{first.reference}"

    unconfirmed = staff_client.post(f"{page}/erase", data={"csrf_token": csrf_token(staff_client, page)})
    assert unconfirmed.status_code == 400 and store.get(first.reference) is not None

    erased = staff_client.post(
        f"{page}/erase", data={"csrf_token": csrf_token(staff_client, page), "confirm": "yes"}
    )
    assert erased.status_code == 303 and erased.headers["Location"] == "/console/"
    assert store.get(first.reference) is None and store.get(second.reference) is None
    assert store.get(other.reference) is not None
    transcripts = console_app.extensions["console"].transcripts
    assert transcripts.read("+13017000064") == [] and transcripts.read("web-other")

    audit = DataEraser(f"sqlite:///{tmp_path / 'clinic.db'}").audit_log()
    assert [
        (a["requested_by"], a["conversation"], a["requests_removed"], a["conversations_removed"])
        for a in audit
    ] == [("staff:alice", conversation_digest("+13017000064"), 2, 1)]
    assert "3017000064" not in json.dumps(audit, default=str)


def test_purge_removes_what_is_older_than_the_retention_period(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'clinic.db'}"
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = RequestStore(db_url)
    saved = {
        name: store.save_request(kind="callback", channel="rest", sender_id=name)
        for name in ("old-closed", "recent-closed", "old-open")
    }
    for name in ("old-closed", "recent-closed"):
        store.set_status(saved[name].reference, "closed", changed_by="alice")
    long_ago = datetime.now(timezone.utc) - timedelta(days=100)
    engine = create_engine(db_url, future=True)
    with engine.begin() as conn:
        for name in ("old-closed", "old-open"):
            conn.execute(
                update(requests_table)
                .where(requests_table.c.sender_id == name)
                .values(updated_at=long_ago, created_at=long_ago)
            )
    sms = SmsState(db_url)
    for sid in ("SM" + "0" * 32, "SM" + "1" * 32):
        assert sms.first_delivery(sid)
    with engine.begin() as conn:
        conn.execute(
            update(processed_messages)
            .where(processed_messages.c.message_sid == "SM" + "0" * 32)
            .values(processed_at=long_ago)
        )
    sms.dispose()
    for sender in ("old-chat", "recent-chat", "old-open"):
        store_conversation(tracker_url, sender, [("user", "hello"), ("bot", "Hi!")])
    tracker = create_engine(tracker_url, future=True)
    with tracker.begin() as conn:
        conn.execute(
            text("UPDATE events SET timestamp = :ts WHERE sender_id IN ('old-chat', 'old-open')"),
            {"ts": time.time() - 100 * 86400},
        )

    env = {
        **os.environ,
        "CLINIC_DB_URL": db_url,
        "TRACKER_DB_URL": tracker_url,
        "CLINIC_RETENTION_DAYS": "90",
    }
    result = subprocess.run(
        [sys.executable, "-m", "scripts.purge"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Removed 1 conversation and 1 closed request older than 90 days." in result.stdout

    assert store.get(saved["old-closed"].reference) is None
    assert store.get(saved["recent-closed"].reference) is not None and store.get(saved["old-open"].reference)
    with tracker.connect() as conn:
        left = set(conn.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    assert left == {"recent-chat", "old-open"}  # an open request keeps its conversation
    with engine.connect() as conn:
        deliveries = set(conn.execute(select(processed_messages.c.message_sid)).scalars())
    assert deliveries == {"SM" + "1" * 32}
    assert [(a["requested_by"], a["conversation"]) for a in DataEraser(db_url).audit_log()] == [
        ("retention", None)
    ]
    for disposable in (engine, tracker):
        disposable.dispose()
    store.dispose()
