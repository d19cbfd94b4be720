"""Front-desk console: the queue, a request's page, status changes, CSV export, asking the assistant."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clinic.conversation_ids import sign
from tests.console_harness import csrf_token, store_conversation

MARKUP = "<script>alert(1)</script>"


@pytest.fixture
def store(console_app):
    return console_app.extensions["console"].store


def references(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["reference"] for item in response.json["requests"]]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def change_status(client, reference: str, status: str):
    return client.post(
        f"/console/api/requests/{reference}/status",
        json={"status": status},
        headers={"X-CSRFToken": csrf_token(client, "/console/")},
    )


def test_urgent_requests_come_first_then_newest(staff_client, store):
    older = store.save_request(kind="booking", channel="rest", sender_id="web-1").reference
    urgent = store.save_request(kind="urgent", channel="twilio", sender_id="+13015550111").reference
    newer = store.save_request(kind="callback", channel="socketio", sender_id="web-2").reference
    assert references(staff_client.get("/console/api/requests")) == [urgent, newer, older]


def test_filters_and_csv_export_match(staff_client, store):
    wanted = store.save_request(kind="booking", channel="rest", sender_id="a", clinic_id="college-park")
    store.save_request(kind="booking", channel="twilio", sender_id="b", clinic_id="college-park")
    store.save_request(kind="booking", channel="rest", sender_id="c", clinic_id="silver-spring")
    closed = store.save_request(kind="intake", channel="rest", sender_id="d", clinic_id="college-park")
    store.set_status(closed.reference, "closed", changed_by="alice")

    query = "?clinic=college-park&status=new&channel=rest"
    assert references(staff_client.get("/console/api/requests" + query)) == [wanted.reference]
    rows = csv_rows(staff_client.get("/console/api/requests.csv" + query))
    assert [row["Reference"] for row in rows] == [wanted.reference]
    assert rows[0]["Clinic"] == "College Park Physical Therapy" and rows[0]["Channel"] == "Website (REST)"

    everything = csv_rows(staff_client.get("/console/api/requests.csv"))
    assert [row["Reference"] for row in everything] == references(staff_client.get("/console/api/requests"))
    assert len(everything) == 4


@pytest.mark.parametrize("query", ["?status=lost", "?clinic=atlantis"])
def test_unknown_filter_values_are_refused(staff_client, query):
    response = staff_client.get("/console/api/requests" + query)
    assert response.status_code == 400 and response.json["error"]


def test_csv_cells_cannot_become_spreadsheet_formulas(staff_client, store):
    store.save_request(
        kind="callback",
        channel="rest",
        sender_id="web-1",
        contact_name='=HYPERLINK("http://evil.example","click")',
        contact_phone="+13015550123",
        answers={"reason": "@SUM(A1)"},
    )
    row = csv_rows(staff_client.get("/console/api/requests.csv"))[0]
    assert row["Name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["Reason"] == "'@SUM(A1)"
    assert row["Phone"] == "(301) 555-0123"  # text to a spreadsheet, and no apostrophe to see


def test_patient_markup_is_shown_as_text(staff_client, store, console_tracker_db_url):
    saved = store.save_request(
        kind="intake",
        channel="rest",
        sender_id="web-xss",
        contact_name=MARKUP,
        answers={"symptoms": MARKUP},
    )
    store_conversation(console_tracker_db_url, "web-xss", [("user", MARKUP), ("bot", "Sorry to hear that.")])

    page = staff_client.get(f"/console/requests/{saved.reference}").get_data(as_text=True)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert MARKUP not in page
    assert page.count(escaped) == 3  # name, answer, transcript
    transcript = page[page.index('<ol class="transcript">') :]
    assert escaped in transcript and "Sorry to hear that." in transcript
    assert transcript.index(escaped) < transcript.index("Sorry to hear that.")

    listed = staff_client.get("/console/api/requests")
    assert listed.mimetype == "application/json" and listed.json["requests"][0]["contact_name"] == MARKUP


def test_request_page_shows_answers_and_a_missing_transcript(staff_client, store):
    saved = store.save_request(
        kind="booking",
        channel="twilio",
        sender_id="+13015550111",
        clinic_id="college-park",
        answers={"preferred_time": "mornings"},
    )
    page = staff_client.get(f"/console/requests/{saved.reference}").get_data(as_text=True)
    assert "<dt>Preferred time</dt><dd>mornings</dd>" in page and ">SMS<" in page
    assert "No messages found for this conversation." in page
    assert staff_client.get("/console/requests/PT-NOPE22").status_code == 404


def test_status_change_is_stored_with_who_and_when(staff_client, store):
    reference = store.save_request(kind="callback", channel="rest", sender_id="web-1").reference
    before = datetime.now(timezone.utc)

    response = change_status(staff_client, reference, "contacted")
    assert response.status_code == 200 and response.json["request"]["status"] == "contacted"

    stored = store.get(reference)
    assert stored.status == "contacted" and stored.status_changed_by == "alice"
    assert before - timedelta(seconds=1) <= stored.status_changed_at <= datetime.now(timezone.utc)
    [change] = store.status_history(reference)
    assert (change.old, change.new, change.changed_by) == ("new", "contacted", "alice")
    page = staff_client.get(f"/console/requests/{reference}").get_data(as_text=True)
    assert "new → contacted by alice" in page


def test_status_change_refuses_unknown_statuses_and_requests(staff_client, store):
    reference = store.save_request(kind="callback", channel="rest", sender_id="web-1").reference
    assert change_status(staff_client, reference, "deleted").status_code == 400
    assert change_status(staff_client, "PT-NOPE22", "closed").status_code == 404
    assert store.get(reference).status == "new"


class FakeRasa(BaseHTTPRequestHandler):
    """Answers the REST webhook like Rasa and remembers what it was sent."""

    received: list[dict] = []

    def do_POST(self):
        FakeRasa.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        body = json.dumps(
            [
                {"recipient_id": "x", "text": "Lie on your back and lift one leg."},
                {"recipient_id": "x", "text": "Hold it for 30 seconds.", "buttons": [{"title": "Next step"}]},
            ]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_rasa(console_app):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    services = console_app.extensions["console"]
    console_app.extensions["console"] = dataclasses.replace(
        services, rasa_url=f"http://127.0.0.1:{server.server_address[1]}"
    )
    FakeRasa.received = []
    yield FakeRasa.received
    server.shutdown()
    server.server_close()


def ask(client, question: str):
    return client.post(
        "/console/api/ask",
        json={"question": question},
        headers={"X-CSRFToken": csrf_token(client, "/console/")},
    )


def test_ask_the_assistant_as_the_staff_member(staff_client, fake_rasa):
    response = ask(staff_client, "how do I do the hamstring stretch?")
    assert response.status_code == 200
    assert response.json["replies"] == [
        "Lie on your back and lift one leg.",
        "Hold it for 30 seconds.\nYou can offer: Next step.",
    ]
    # The id is signed with the secret Rasa checks, so the console's conversation is not open to forgery.
    staff_id = sign("test-only-id-secret", "staff-alice")
    assert fake_rasa == [{"sender": staff_id, "message": "how do I do the hamstring stretch?"}]


def test_ask_reports_an_assistant_that_does_not_answer(staff_client):
    response = ask(staff_client, "hello?")  # the app's Rasa URL has nothing listening
    assert response.status_code == 502 and "not answering" in response.json["error"]
    assert ask(staff_client, "   ").status_code == 400
