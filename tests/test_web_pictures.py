"""The widget and the exercise pages in headless Chromium, on a phone and a desktop screen.

Through the live servers: every bubble is on screen within a second of its
socket.io ``bot_uttered`` event (no artificial delay), phone numbers and 911
are tel: links that never break across lines, an exercise reply is a lead, a
list and the safety note, asking for a picture shows every step's picture,
and each exercise page shows every picture and prints its steps.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clinic.content import get_content

pytestmark = pytest.mark.live

ANSWER_TIMEOUT_MS = 30_000
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
CONTENT = get_content()

# Records, in page time, when each bot_uttered event arrived (web/chat.js
# announces it as "clinic:bot-uttered") and when each bot bubble reached the DOM.
BUBBLE_CLOCK = """
window.__bubbles = { arrived: [], shown: [] };
window.addEventListener("clinic:bot-uttered", () => window.__bubbles.arrived.push(performance.now()));
new MutationObserver((records) => {
  const now = performance.now();
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType !== 1) continue;
      const found = node.matches(".rw-message") ? [node] : [...node.querySelectorAll(".rw-message")];
      for (const bubble of found) {
        if (bubble.closest(".rw-from-response")) window.__bubbles.shown.push(now);
      }
    }
  }
}).observe(document, { childList: true, subtree: true });
"""

# Text in bot bubbles that looks like a phone number or 911 but is not inside a tel: link.
UNLINKED_NUMBERS = """
() => [...document.querySelectorAll(".rw-response .rw-markdown")].flatMap((bubble) => {
  const copy = bubble.cloneNode(true);
  copy.querySelectorAll('a[href^="tel:"]').forEach((a) => a.remove());
  const phone = /(?:\\(\\d{3}\\)|\\b\\d{3})[\\s.-]?\\d{3}[.-]\\d{4}\\b|\\b911\\b/g;
  return copy.textContent.match(phone) || [];
})
"""

# Phone links, references and hours drawn on more than one line.
BROKEN_ACROSS_LINES = """
() => [...document.querySelectorAll('.rw-response a[href^="tel:"], .rw-response code')]
  .filter((node) => node.getClientRects().length > 1)
  .map((node) => node.textContent)
"""

# The page's words (text nodes outside the widget) drawn under a box.
COVERED_TEXT = """
(box) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const covered = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest(".rw-widget-container, script")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const under = [...range.getClientRects()].some((r) => r.right > box.x && r.left < box.x + box.width
                                                       && r.bottom > box.y && r.top < box.y + box.height);
    if (under) covered.push(node.textContent.trim().slice(0, 40));
  }
  return covered;
}
"""

SCROLL_TO_TOP_OF_BUBBLE = """
(bubble) => {
  const list = bubble.closest(".rw-messages-container");
  list.scrollTop += bubble.getBoundingClientRect().top - list.getBoundingClientRect().top - 8;
}
"""

ALL_IMAGES_LOADED = """
(selector) => [...document.querySelectorAll(selector)].every((img) => img.complete && img.naturalWidth > 0)
"""


def open_chat(page: Page) -> None:
    page.locator(".rw-launcher").click(timeout=ANSWER_TIMEOUT_MS)
    page.locator(".rw-new-message").wait_for()
    expect(page.locator(".rw-response").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)


def ask(page: Page, question: str) -> None:
    """Send ``question`` and wait until the bubbles stop coming."""
    before = page.evaluate("window.__bubbles.arrived.length")
    page.fill(".rw-new-message", question)
    page.press(".rw-new-message", "Enter")
    expect(page.locator(".rw-client").last).to_contain_text(question)
    page.wait_for_function(
        "(n) => __bubbles.arrived.length > n && __bubbles.shown.length >= __bubbles.arrived.length",
        arg=before,
        timeout=ANSWER_TIMEOUT_MS,
    )
    page.wait_for_timeout(300)  # a turn's later messages follow within milliseconds


@pytest.mark.parametrize("screen", SCREENS)
def test_widget_replies_are_immediate_tappable_laid_out_and_show_pictures(
    live_assistant, browser, artifacts_dir, screen
):
    context = browser.new_context(viewport=SCREENS[screen])
    context.add_init_script(BUBBLE_CLOCK)
    page = context.new_page()
    try:
        page.goto(live_assistant.web_url + "/")
        open_chat(page)

        ask(page, "how do I do the hamstring stretch?")
        stretch = CONTENT.exercises["seated_hamstring_stretch"]
        reply = page.locator(".rw-response", has=page.locator("ol")).last
        expect(reply.locator("ol > li")).to_have_count(len(stretch.steps), timeout=ANSWER_TIMEOUT_MS)
        expect(reply.locator(".rw-markdown > blockquote:last-child")).to_have_text(CONTENT.disclaimer)
        expect(reply.locator(f'a[href$="/exercises/{stretch.key}"]')).to_have_count(1)

        ask(page, "is there a picture of the hip kick?")
        kick = CONTENT.exercises["hip_kick_3way"]
        pictures = page.locator(".rw-image-frame[src*='/exercises/hip_kick_3way/']")
        expect(pictures).to_have_count(len(kick.steps), timeout=ANSWER_TIMEOUT_MS)
        page.wait_for_function(ALL_IMAGES_LOADED, arg=".rw-image-frame")

        ask(page, "what is the phone number of the Greenbelt clinic?")
        expect(page.locator('.rw-response a[href^="tel:+1"]').last).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        ask(page, "clinics near 20770")
        clinics = page.locator(".rw-response ul").last.locator("li")  # one clinic per line
        expect(clinics.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        assert clinics.count() >= 2
        assert all(clinic.locator('a[href^="tel:+1"]').count() == 1 for clinic in clinics.all())
        ask(page, "I suddenly can't control my bladder and my legs are numb")
        expect(page.locator('.rw-response a[href="tel:911"]').last).to_be_visible(timeout=ANSWER_TIMEOUT_MS)

        reply.evaluate(SCROLL_TO_TOP_OF_BUBBLE)
        page.screenshot(path=str(artifacts_dir / f"widget_{screen}.png"))
        page.locator(".rw-image-frame").first.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / f"widget_{screen}_pictures.png"))

        assert page.evaluate(UNLINKED_NUMBERS) == []
        assert page.evaluate(BROKEN_ACROSS_LINES) == []
        bubbles = page.evaluate("window.__bubbles")
        assert len(bubbles["shown"]) == len(bubbles["arrived"])
        lags = [shown - arrived for arrived, shown in zip(bubbles["arrived"], bubbles["shown"], strict=True)]
        print(
            f"{screen}: {len(lags)} bubbles, slowest {max(lags):.0f} ms after its bot_uttered",
            [round(x) for x in lags],
        )
        assert max(lags) < 1000, lags
    finally:
        context.close()


def test_the_launcher_leaves_the_page_readable_on_a_phone(live_assistant, browser):
    page = browser.new_page(viewport=SCREENS["phone"])
    try:
        page.goto(live_assistant.web_url + "/")
        launcher = page.locator(".rw-launcher")
        launcher.wait_for(timeout=ANSWER_TIMEOUT_MS)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        box = launcher.bounding_box()
        covered = page.evaluate(COVERED_TEXT, box)
        assert covered == []
    finally:
        page.close()


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("exercise", CONTENT.exercises.values(), ids=lambda e: e.key)
def test_each_exercise_page_shows_every_picture_and_prints(
    live_assistant, browser, artifacts_dir, exercise, screen
):
    page = browser.new_page(viewport=SCREENS[screen])
    try:
        response = page.goto(f"{live_assistant.web_url}/exercises/{exercise.key}")
        assert response is not None and response.status == 200
        expect(page.locator("ol.steps > li img")).to_have_count(len(exercise.steps))
        page.wait_for_function(ALL_IMAGES_LOADED, arg="ol.steps img")
        for step in exercise.steps:
            expect(page.locator("ol.steps")).to_contain_text(step)
        expect(page.locator(".safety").first).to_have_text(CONTENT.disclaimer)
        if screen == "desktop" and exercise.key == "hip_kick_3way":
            page.screenshot(path=str(artifacts_dir / f"exercise_page_{exercise.key}.png"), full_page=True)

        page.emulate_media(media="print")
        for item in page.locator("ol.steps > li").all():
            expect(item).to_be_visible()
        expect(page.locator(".print")).to_be_hidden()
        assert page.pdf()[:4] == b"%PDF"
    finally:
        page.close()


def test_an_unknown_exercise_or_picture_is_not_found(live_assistant, browser):
    page = browser.new_page()
    try:
        for path in ("/exercises/moonwalk", "/exercises/hip_kick_3way/exercises.yml"):
            response = page.request.get(live_assistant.web_url + path)
            assert response.status == 404, path
    finally:
        page.close()


@pytest.mark.parametrize(
    "text, markdown",
    [
        (
            "Call us on (301) 555-0163 or 911 now.",
            "Call us on [(301) 555-0163](tel:+13015550163) or [911](tel:911) now.",
        ),
        ("Your reference is PT-MK6WQW.", "Your reference is `PT-MK6WQW`."),
        ("Open 7:00 AM-7:00 PM today.", "Open `7:00 AM-7:00 PM` today."),
        (
            "[The page](https://x.example/a) or https://x.example/b.",
            "[The page](https://x.example/a) or [https://x.example/b](https://x.example/b).",
        ),
        ("Steps:\n1. Sit.\n2. Lean.\nSAFE", "Steps:\n\n1. Sit.\n2. Lean.\n\n> SAFE"),
        (
            "Clinics:\nA; (301) 555-0142\nB; (301) 555-0117",
            "Clinics:\n\n- A; [(301) 555-0142](tel:+13015550142)\n- B; [(301) 555-0117](tel:+13015550117)",
        ),
        ("Reply 1. for more", "Reply 1. for more"),
    ],
)
def test_reply_text_becomes_markdown_to_act_on(live_assistant, browser, text, markdown):
    page = browser.new_page()
    try:
        page.goto(live_assistant.web_url + "/")
        assert page.evaluate("([text]) => ClinicReplyMarkdown(text, 'SAFE')", [text]) == markdown
    finally:
        page.close()
