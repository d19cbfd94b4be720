"""The front desk, in a real browser, works a call-back a patient asked for over REST."""

from __future__ import annotations

import json
import urllib.request

import pytest

from clinic.request_store import RequestStore
from clinic.staff_accounts import StaffAccounts
from tests.live_ids import new_rest_sender

pytestmark = pytest.mark.live

STAFF_USER = "frontdesk"
STAFF_PASSWORD = "browser test password"


def say(assistant, sender: str, text: str) -> str:
    request = urllib.request.Request(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return "\n".join(reply.get("text", "") for reply in json.loads(response.read()))


def test_front_desk_sees_a_call_back_asked_for_over_rest(live_assistant, browser, artifacts_dir):
    sender = new_rest_sender(live_assistant)
    for message in ("talk to a person", "Maria Lopez", "301-555-0123"):
        reply = say(live_assistant, sender, message)
    [stored] = [r for r in RequestStore(live_assistant.db_url).list_requests() if r.sender_id == sender]
    assert stored.reference in reply
    StaffAccounts(live_assistant.db_url).add(STAFF_USER, STAFF_PASSWORD)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(live_assistant.console_url)
        assert page.url.endswith("/console/login")
        page.fill("input[name=username]", STAFF_USER)
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.click("button:has-text('Log in')")

        row = page.locator("#queue tbody tr", has_text=stored.reference)
        row.wait_for(timeout=10_000)
        assert "Maria Lopez" in row.inner_text() and "callback" in row.inner_text()
        page.screenshot(path=str(artifacts_dir / "console_queue.png"), full_page=True)

        row.locator("a", has_text=stored.reference).click()
        transcript = page.locator("ol.transcript")
        transcript.wait_for(timeout=10_000)
        assert "talk to a person" in transcript.inner_text()
        assert stored.reference in transcript.inner_text()  # the bot's confirmation

        page.select_option("#status-form select", "contacted")
        page.click("#status-form button")
        page.locator(".history li", has_text="new → contacted by frontdesk").wait_for(timeout=10_000)
        assert RequestStore(live_assistant.db_url).get(stored.reference).status_changed_by == STAFF_USER
        page.screenshot(path=str(artifacts_dir / "console_request.png"), full_page=True)

        page.click("text=← All requests")
        page.fill("#ask-form input", "how do I do the hamstring stretch?")
        page.click("#ask-form button")
        page.locator("#ask-script li", has_text="heel").first.wait_for(timeout=30_000)
        page.screenshot(path=str(artifacts_dir / "console_ask.png"), full_page=True)
    finally:
        page.close()
