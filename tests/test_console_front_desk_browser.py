"""The front desk's console in Debian's Chromium, on a desktop and on a phone: search,
pages, new requests appearing without a reload, answers in plain words, what the
assistant could not answer, and lines to read to a caller. Screenshots go to
reports/artifacts/."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
import uuid

import pytest

from clinic.request_store import RequestStore
from clinic.staff_accounts import StaffAccounts
from tests.live_ids import new_rest_sender

pytestmark = pytest.mark.live

STAFF_PASSWORD = "front desk browser password"
SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
BOOKING = {
    "body_area": "back",
    "pain_duration": "3 weeks",
    "pain_level": 5.0,
    "red_flag_screen": False,
    "preferred_clinic": "college-park",
    "preferred_times": "weekday mornings",
    "consent": True,
    "confirmed": True,
}


@pytest.fixture(scope="module")
def front_desk(live_assistant):
    """A staff login and 30 bookings from one family name, so that a search has two pages."""
    family = f"Quist{uuid.uuid4().hex[:6]}"
    user = f"desk{uuid.uuid4().hex[:6]}"
    StaffAccounts(live_assistant.db_url).add(user, STAFF_PASSWORD)
    store = RequestStore(live_assistant.db_url)
    references = [
        store.save_request(
            kind="booking",
            channel="rest",
            sender_id=f"web-{family}-{i}",
            answers=BOOKING,
            clinic_id="college-park",
            contact_name=f"Robin {family} {i}",
            contact_phone=f"+1240555{1000 + i}",
        ).reference
        for i in range(30)
    ]
    yield live_assistant, user, family, references, store
    store.dispose()


def logged_in_page(browser, live_assistant, user: str, size: str, clock: bool = False):
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    if clock:
        page.clock.install()  # so the test can move time on to the next refresh
    page.goto(live_assistant.console_url)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button:has-text('Log in')")
    page.locator("#queue-status", has_text=re.compile(r"\d+ requests? · updated")).wait_for(timeout=10_000)
    return context, page


def say(live_assistant, sender: str, text: str) -> list[dict]:
    request = urllib.request.Request(
        f"{live_assistant.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def rows(page):
    return page.locator("#queue tbody tr")


def shown(tab, **query: str) -> list[str]:
    """The rows, once the queue shows the answer to ``query`` (the page sets ``data-shown``)."""
    expected = urllib.parse.urlencode(query)
    tab.wait_for_function(
        "(q) => document.getElementById('queue').dataset.shown === q", arg=expected, timeout=10_000
    )
    return rows(tab).all_inner_texts()


@pytest.mark.parametrize("size", SIZES)
def test_search_and_pages(browser, front_desk, artifacts_dir, size):
    live_assistant, user, family, references, _ = front_desk
    context, page = logged_in_page(browser, live_assistant, user, size)
    try:
        page.fill("input[name=q]", family.lower())
        first_page = shown(page, q=family.lower())
        assert len(first_page) == 25 and page.locator("#page-label").inner_text() == "Page 1 of 2"
        assert references[-1] in first_page[0]  # newest first
        assert all(family in row for row in first_page)
        assert "Area: back · For how long: 3 weeks · Pain: 5 out of 10" in first_page[0]
        assert "(240) 555-1029" in first_page[0]
        page.screenshot(path=str(artifacts_dir / f"console_queue_{size}.png"))

        page.click("#pager >> text=Next →")
        second_page = shown(page, q=family.lower(), page="2")
        assert len(second_page) == 5 and page.locator("#page-label").inner_text() == "Page 2 of 2"
        assert references[0] in second_page[-1]
        assert "page=2" in page.url and f"q={family.lower()}" in page.url

        page.fill("input[name=q]", "(240) 555-1007")  # a phone number as staff type it
        [found] = shown(page, q="(240) 555-1007")
        assert references[7] in found
        page.fill("input[name=q]", references[3].lower())
        [found] = shown(page, q=references[3].lower())
        assert references[3] in found and page.locator("#pager").is_hidden()
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_new_requests_appear_without_a_reload(browser, front_desk, artifacts_dir, size):
    live_assistant, user, family, _, store = front_desk
    context, page = logged_in_page(browser, live_assistant, user, size, clock=True)
    try:
        page.fill("input[name=q]", family)
        assert len(shown(page, q=family)) == 25
        page.evaluate("window.stillTheSamePage = true")
        new = store.save_request(
            kind="urgent",
            urgency="emergency",
            channel="twilio",
            sender_id="+12405550777",
            contact_name=f"Sam {family}",
            answers={"message": "I can't feel my legs and I can't control my bladder"},
        ).reference
        assert rows(page).filter(has_text=new).count() == 0
        page.clock.fast_forward(16_000)  # the page checks every 15 seconds
        row = rows(page).first
        row.filter(has_text=new).wait_for(timeout=10_000)  # at the top: an emergency
        assert page.evaluate("window.stillTheSamePage") is True
        assert "fresh" in row.get_attribute("class") and "EMERGENCY" in row.inner_text()
        assert "I can't feel my legs" in row.inner_text()
        page.screenshot(path=str(artifacts_dir / f"console_queue_new_{size}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_answers_read_as_plain_words(browser, front_desk, artifacts_dir, size):
    live_assistant, user, _, _, _ = front_desk
    sender = new_rest_sender(live_assistant)
    say(live_assistant, sender, "I can't control my bladder and my back hurts")
    [urgent] = [r for r in RequestStore(live_assistant.db_url).list_requests() if r.sender_id == sender]
    context, page = logged_in_page(browser, live_assistant, user, size)
    try:
        page.goto(f"{live_assistant.console_url}requests/{urgent.reference}")
        answers = page.locator("dl.answers")
        answers.wait_for(timeout=10_000)
        text = answers.inner_text()
        assert "Red flags" in text and "loss of bladder or bowel control" in text
        assert "I can't control my bladder and my back hurts" in text
        for raw in ("True", "['", "red_flags", "source"):
            assert raw not in text
        page.screenshot(path=str(artifacts_dir / f"console_request_{size}.png"), full_page=True)
    finally:
        context.close()


def test_unanswered_questions_are_grouped_without_phone_numbers(browser, front_desk, artifacts_dir):
    live_assistant, user, _, _, _ = front_desk
    tag = uuid.uuid4().hex[:4]
    for question in [
        "can you fix my car",
        "could you fix my car please",
        f"do you sell gift cards {tag}",
        "call me on 301-555-0142 about the weather",
    ]:
        say(live_assistant, new_rest_sender(live_assistant), question)
    context, page = logged_in_page(browser, live_assistant, user, "desktop")
    try:
        page.click("nav.sections >> text=Not answered")
        table = page.locator("table.misses")
        table.wait_for(timeout=10_000)
        text = table.inner_text()
        assert "fix my car" in text and "gift cards" in text
        assert "call me on [phone] about the weather" in text
        assert "555" not in text
        car = page.locator("table.misses tbody tr", has_text="fix my car")
        assert int(car.locator("td.count").inner_text()) >= 2
        page.screenshot(path=str(artifacts_dir / "console_unanswered.png"), full_page=True)
    finally:
        context.close()


def test_ask_the_assistant_gives_lines_to_read_out(browser, front_desk, artifacts_dir):
    live_assistant, user, _, _, _ = front_desk
    context, page = logged_in_page(browser, live_assistant, user, "desktop")
    try:
        page.fill("#ask-form input", "where is the nearest clinic to 20770")
        page.click("#ask-form button")
        line = page.locator("#ask-script li").first
        line.wait_for(timeout=30_000)
        script = "\n".join(page.locator("#ask-script li").all_inner_texts())
        assert "Greenbelt Physical Therapy" in script
        assert "3 0 1, 5 5 5, 0 1 4 2" in script  # (301) 555-0142, read out in groups
        assert "Options:" not in script and "**" not in script and "](" not in script
        page.screenshot(path=str(artifacts_dir / "console_ask_clinics.png"), full_page=True)
    finally:
        context.close()
