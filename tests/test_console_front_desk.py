"""The console a busy front desk works from: pages of the queue, search, snippets, answers
in plain words, tapped buttons by their titles, a spreadsheet-ready CSV, what the
assistant could not answer, and lines to read to a caller."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from clinic.directory import load_directory
from console.spoken import script_lines, speakable
from tests.console_harness import store_conversation

BOOKING_ANSWERS = {
    "body_area": "back",
    "pain_duration": "2 weeks",
    "pain_level": 5.0,
    "red_flag_screen": False,
    "preferred_clinic": "college-park",
    "preferred_times": "weekday mornings",
    "consent": True,
    "confirmed": True,
}
URGENT_ANSWERS = {
    "source": "message",
    "level": "emergency",
    "red_flags": ["Loss of bladder or bowel control"],
    "message": "I can't control my bladder since this morning and my back hurts",
}


@pytest.fixture
def store(console_app):
    return console_app.extensions["console"].store


def listed(client, query: str = "") -> dict:
    response = client.get("/console/api/requests" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def page_text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


# -- the queue ---------------------------------------------------------------


def test_queue_comes_in_pages_of_25_most_urgent_then_newest(staff_client, store):
    made = [
        store.save_request(kind="booking", channel="rest", sender_id=f"web-{i}").reference for i in range(30)
    ]
    urgent = store.save_request(kind="urgent", urgency="urgent", channel="rest", sender_id="web-u").reference
    emergency = store.save_request(
        kind="urgent", urgency="emergency", channel="rest", sender_id="web-e"
    ).reference

    first = listed(staff_client)
    assert (first["page"], first["pages"], first["total"]) == (1, 2, 32)
    assert [r["reference"] for r in first["requests"]] == [emergency, urgent, *reversed(made[7:])]
    second = listed(staff_client, "?page=2")
    assert [r["reference"] for r in second["requests"]] == list(reversed(made[:7]))
    assert listed(staff_client, "?page=9")["page"] == 2  # past the end: the last page
    assert staff_client.get("/console/api/requests?page=x").status_code == 400


def test_search_finds_a_name_a_phone_in_any_format_or_a_reference(staff_client, store):
    maria = store.save_request(
        kind="callback",
        channel="rest",
        sender_id="web-1",
        contact_name="Maria Lopez",
        contact_phone="+13015550123",
    ).reference
    sms = store.save_request(kind="urgent", channel="twilio", sender_id="+12405550222").reference
    other = store.save_request(
        kind="booking",
        channel="rest",
        sender_id="web-2",
        contact_name="Ana Ruiz",
        contact_phone="+13015550999",
    ).reference

    def found(q: str) -> list[str]:
        return [r["reference"] for r in listed(staff_client, f"?q={q}")["requests"]]

    assert found("maria") == [maria]
    assert found("LOPEZ%20maria") == [maria]  # every word, in any order
    assert found("(301)%20555-0123") == [maria]
    assert found("555%200123") == [maria]
    assert found("%2B1%20240%20555%200222") == [sms]  # an SMS sender is its phone
    assert found(maria.lower()) == [maria]
    assert found(other[-4:]) == [other]
    assert found("nobody") == []
    assert found("%25") == []  # a wildcard is a character, not "anything"


def test_each_row_has_a_one_line_snippet_of_what_was_said(staff_client, store):
    store.save_request(
        kind="urgent", urgency="emergency", channel="rest", sender_id="w1", answers=URGENT_ANSWERS
    )
    store.save_request(kind="booking", channel="rest", sender_id="w2", answers=BOOKING_ANSWERS)
    store.save_request(kind="urgent", channel="rest", sender_id="w3", answers={"message": "word " * 100})
    emergency, long_one, booking = listed(staff_client)["requests"]
    assert emergency["snippet"] == URGENT_ANSWERS["message"]
    assert (
        booking["snippet"]
        == "Area: back · For how long: 2 weeks · Pain: 5 out of 10 · Best times: weekday mornings"
    )
    assert len(long_one["snippet"]) <= 140 and long_one["snippet"].endswith("…")


def test_phone_numbers_are_shown_as_people_write_them(staff_client, store):
    store.save_request(kind="callback", channel="rest", sender_id="w", contact_phone="+13015550123")
    store.save_request(kind="urgent", channel="twilio", sender_id="+12405550222")
    phones = [r["contact_phone"] for r in listed(staff_client)["requests"]]
    assert phones == ["(240) 555-0222", "(301) 555-0123"]


def test_queue_page_refreshes_itself_and_has_search_and_pages(staff_client):
    page = page_text(staff_client, "/console/")
    assert 'name="q"' in page and 'id="pager"' in page and 'data-refresh-seconds="15"' in page


# -- a request's page ----------------------------------------------------------


def test_answers_read_as_plain_words(staff_client, store):
    booking = store.save_request(kind="booking", channel="rest", sender_id="w1", answers=BOOKING_ANSWERS)
    page = page_text(staff_client, f"/console/requests/{booking.reference}")
    for label, words in [
        ("Area", "back"),
        ("For how long", "2 weeks"),
        ("Pain", "5 out of 10"),
        ("Warning signs (safety question)", "none reported"),
        ("Clinic", "College Park Physical Therapy"),
        ("Best times", "weekday mornings"),
        ("May store answers and call", "yes"),
        ("Confirmed the request", "yes"),
    ]:
        assert f"<dt>{label}</dt><dd>{words}</dd>" in page
    for raw in ("True", "5.0", "college-park", "pain_level", "["):
        assert raw not in page[page.index("<h2>Answers</h2>") : page.index("<h2>Conversation</h2>")]

    urgent = store.save_request(
        kind="urgent", urgency="emergency", channel="rest", sender_id="w2", answers=URGENT_ANSWERS
    )
    page = page_text(staff_client, f"/console/requests/{urgent.reference}")
    assert "<dt>Red flags</dt><dd>loss of bladder or bowel control</dd>" in page
    assert "<dt>Found in</dt><dd>their message</dd>" in page
    assert f"<dt>What they said</dt><dd>{URGENT_ANSWERS['message']}</dd>".replace("'", "&#39;") in page


def test_a_tapped_button_shows_as_its_title(staff_client, store, console_tracker_db_url):
    saved = store.save_request(kind="booking", channel="socketio", sender_id="web-b", answers={})
    store_bot_buttons(
        console_tracker_db_url,
        "web-b",
        [
            ("bot", "Here's your request. Shall I send it?", [("Yes, send it", "/affirm"), ("No", "/deny")]),
            ("user", "/affirm", []),
            ("bot", "Saved.", []),
            ("user", "/request_human", []),  # no button offered it: the domain's title
            ("user", "/some_new_intent", []),  # nowhere: the intent in words
        ],
    )
    page = page_text(staff_client, f"/console/requests/{saved.reference}")
    transcript = page[page.index('<ol class="transcript">') :]
    assert "/affirm" not in transcript and "/request_human" not in transcript
    assert '<span class="tap">Tapped</span> Yes, send it' in transcript
    assert '<span class="tap">Tapped</span> Talk to a person' in transcript
    assert '<span class="tap">Tapped</span> Some new intent' in transcript


def store_bot_buttons(url: str, sender_id: str, events: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    """Messages as Rasa stores them, a bot message's buttons in its ``data``."""
    store_conversation(url, "setup", [])
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        for offset, (kind, message, buttons) in enumerate(events):
            data = {"event": kind, "text": message}
            if buttons:
                data["data"] = {"buttons": [{"title": t, "payload": p} for t, p in buttons]}
            conn.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, :ts, :d)"),
                {"s": sender_id, "t": kind, "ts": time.time() + offset, "d": json.dumps(data)},
            )
    engine.dispose()


# -- the CSV -------------------------------------------------------------------


def test_csv_has_local_times_plain_phones_and_a_column_per_answer(staff_client, store):
    saved = store.save_request(
        kind="booking",
        channel="rest",
        sender_id="w1",
        answers=BOOKING_ANSWERS,
        contact_name="Maria Lopez",
        contact_phone="+12405550222",
    )
    response = staff_client.get("/console/api/requests.csv")
    assert response.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    zone = load_directory().timezone
    local = saved.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert row[f"Received ({zone.key})"] == local
    assert row["Phone"] == "(240) 555-0222"
    assert row["Pain"] == "5 out of 10"
    assert row["Clinic"] == "College Park Physical Therapy"
    assert row["Warning signs (safety question)"] == "none reported"
    assert row["Best times"] == "weekday mornings"
    assert "answers" not in row and "{" not in response.get_data(as_text=True)


def test_csv_exports_every_page_of_a_search(staff_client, store):
    for i in range(30):
        store.save_request(
            kind="booking", channel="rest", sender_id=f"w{i}", contact_name=f"Pat Smith {'x' * i}"
        )
    store.save_request(kind="booking", channel="rest", sender_id="other", contact_name="Ana Ruiz")
    rows = list(
        csv.DictReader(
            io.StringIO(staff_client.get("/console/api/requests.csv?q=smith").get_data(as_text=True))
        )
    )
    assert len(rows) == 30


# -- what the assistant could not answer ---------------------------------------

MISSES = [
    ("user", "what is the capital of france", "utter_out_of_scope"),
    ("user", "Whats the capital of France?", "utter_out_of_scope"),
    ("user", "do you take aetna insurance", "utter_default"),
    ("user", "Do you take Aetna insurance??", "utter_default_options"),
    ("user", "is Maria Lopez working today? call me on 301-555-0199 or maria@example.org", "utter_default"),
    ("user", "how do I do the hamstring stretch", "utter_explain"),  # answered: not listed
    ("user", "/affirm", "utter_default"),  # a button, not a question
]


def store_turns(url: str, sender_id: str, turns, at: datetime, name: str | None = None) -> None:
    """User messages each answered by the response named, as Rasa stores them."""
    store_conversation(url, "setup", [])
    engine = create_engine(url, future=True)
    base = at.timestamp()
    with engine.begin() as conn:
        rows = []
        if name:
            rows.append(("slot", {"event": "slot", "name": "contact_name", "value": name}, "contact_name"))
        for kind, message, response in turns:
            rows.append((kind, {"event": "user", "text": message}, None))
            rows.append(
                ("bot", {"event": "bot", "text": "...", "metadata": {"utter_action": response}}, None)
            )
        for offset, (kind, data, action) in enumerate(rows):
            conn.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, action_name, data) "
                    "VALUES (:s, :t, :ts, :a, :d)"
                ),
                {"s": sender_id, "t": kind, "ts": base + offset, "a": action, "d": json.dumps(data)},
            )
    engine.dispose()


def test_unanswered_messages_are_grouped_by_wording_without_personal_details(
    staff_client, console_tracker_db_url
):
    now = datetime.now(timezone.utc)
    store_turns(console_tracker_db_url, "web-1", MISSES, now - timedelta(hours=1), name="Maria Lopez")
    store_turns(
        console_tracker_db_url, "web-old", [("user", "parking?", "utter_default")], now - timedelta(days=30)
    )

    page = page_text(staff_client, "/console/unanswered")
    assert "5 messages in 3 groups" in page
    rows = page[page.index("<tbody>") :]
    assert rows.index("capital of france") < rows.index("call me on")  # the most asked first
    assert '<td class="count" data-label="Times">2</td>' in rows
    assert "aetna" in rows.lower() and "hamstring" not in rows and "/affirm" not in rows
    assert "is [name] working today? call me on [phone] or [email]" in rows
    for personal in ("Maria", "Lopez", "555", "example.org"):
        assert personal not in rows
    assert "parking" not in rows  # outside the last week


def test_unanswered_page_takes_a_period(staff_client, console_tracker_db_url):
    zone = load_directory().timezone
    old = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo(zone.key))
    store_turns(console_tracker_db_url, "web-2", [("user", "do you do pilates", "utter_out_of_scope")], old)
    assert "pilates" in page_text(staff_client, "/console/unanswered?from=2026-03-10&to=2026-03-10")
    assert "pilates" not in page_text(staff_client, "/console/unanswered?from=2026-03-11&to=2026-03-12")
    assert staff_client.get("/console/unanswered?from=2026-03-12&to=2026-03-11").status_code == 400
    assert staff_client.get("/console/unanswered?from=yesterday").status_code == 400


# -- lines to read to a caller ---------------------------------------------------


def test_ask_lines_offer_buttons_and_drop_markup():
    lines = script_lines(
        [
            {"text": "**Call 911 now.** Or our clinic on [(301) 555-0142](tel:+13015550142)."},
            {
                "text": "Which would you like?",
                "buttons": [{"title": "Hip kick"}, {"title": "Talk to a person"}],
            },
            {"image": "https://example.org/hip-kick-1.svg"},
        ]
    )
    assert lines == [
        "Call 911 now. Or our clinic on 3 0 1, 5 5 5, 0 1 4 2.",
        "Which would you like?\nYou can offer: Hip kick or Talk to a person.",
    ]


def test_clinic_lists_are_spoken_one_per_line():
    spoken = speakable(
        "Here are the nearest clinics:\n- **Greenbelt Physical Therapy** (0.0 mi): (301) 555-0142, 7:00 AM-7:00 PM\n"
        "- College Park Physical Therapy: 301-555-0117. Details: https://example.org/clinics/college-park"
    )
    assert spoken.splitlines() == [
        "Here are the nearest clinics:",
        "Greenbelt Physical Therapy (0.0 miles): 3 0 1, 5 5 5, 0 1 4 2, 7:00 AM to 7:00 PM",
        "College Park Physical Therapy: 3 0 1, 5 5 5, 0 1 1 7. Details: on our website",
    ]
