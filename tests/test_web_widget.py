"""The demo clinic page in headless Chromium, chatting over Rasa's socket.io channel."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clinic.content import get_content

pytestmark = pytest.mark.live

ANSWER_TIMEOUT_MS = 30_000
PHYSICIAN_LINE = "check with your physician"


def ask(page: Page, question: str) -> None:
    page.fill(".rw-new-message", question)
    page.press(".rw-new-message", "Enter")
    expect(page.locator(".rw-client").last).to_contain_text(question)


def open_chat(page: Page) -> None:
    """Open the widget unless its stored state already has it open."""
    launcher = page.locator(".rw-launcher")
    launcher.wait_for(timeout=ANSWER_TIMEOUT_MS)
    if not page.locator(".rw-conversation-container").is_visible():
        launcher.click()
    page.locator(".rw-new-message").wait_for()


def test_chat_widget_answers_keeps_history_on_reload_and_offers_quick_replies(
    live_assistant, browser, artifacts_dir
):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    messages = page.locator(".rw-messages-container")
    try:
        page.goto(live_assistant.web_url + "/")
        open_chat(page)
        expect(messages).to_contain_text("Hi!", timeout=ANSWER_TIMEOUT_MS)

        ask(page, "how do I do the hamstring stretch?")
        expect(messages).to_contain_text(PHYSICIAN_LINE, timeout=ANSWER_TIMEOUT_MS)
        answer = messages.inner_text()
        assert "heel" in answer and get_content().disclaimer in answer.replace("\n", " ")

        page.reload()
        open_chat(page)
        expect(messages).to_contain_text("how do I do the hamstring stretch?")
        expect(messages).to_contain_text(PHYSICIAN_LINE)
        page.screenshot(path=str(artifacts_dir / "web_widget_after_reload.png"), animations="disabled")
        # The same Rasa conversation continues: "it" is still the hamstring stretch.
        ask(page, "how long do I hold it?")
        hold = get_content().exercises["seated_hamstring_stretch"].details["hold"]
        expect(messages).to_contain_text(hold, timeout=ANSWER_TIMEOUT_MS)

        ask(page, "what can you do?")
        reply = page.locator(".rw-replies .rw-reply", has_text="Hip kick")
        reply.click(timeout=ANSWER_TIMEOUT_MS)
        expect(messages).to_contain_text("kitchen counter", timeout=ANSWER_TIMEOUT_MS)
        expect(messages.locator(".rw-response").last).to_contain_text(PHYSICIAN_LINE)
    finally:
        page.screenshot(path=str(artifacts_dir / "web_widget.png"), animations="disabled")
        context.close()
