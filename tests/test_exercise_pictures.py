"""Exercise pictures: one per step, drawn by scripts/draw_exercise_pictures.py, and the printable page."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from actions.exercise_actions import ActionExplainExercise
from channels.sms_render import render_replies
from clinic import asks, exercise_pages
from clinic.channels import SMS_CHANNEL
from clinic.content import DEFAULT_CONTENT_DIR, ContentError, load_content
from scripts.draw_exercise_pictures import PICTURES, PICTURES_DIR, svg
from tests.action_harness import entity, make_tracker, run_action, slot_events

CONTENT = load_content()


@pytest.mark.parametrize("exercise", CONTENT.exercises.values(), ids=lambda e: e.key)
def test_every_step_has_its_picture_beside_it(exercise):
    assert len(exercise.pictures) == len(exercise.steps)
    assert all(exercise.pictures), f"a step of {exercise.key} has no picture"
    for picture in exercise.pictures:
        assert picture.startswith(f"pictures/{exercise.key}/")
        ElementTree.parse(DEFAULT_CONTENT_DIR / picture)  # well-formed SVG


def test_the_pictures_on_disk_are_what_the_script_draws():
    drawn = {f"pictures/{p.path}" for p in PICTURES}
    listed = {p for e in CONTENT.exercises.values() for p in e.pictures}
    assert drawn == listed
    for picture in PICTURES:
        on_disk = (PICTURES_DIR / picture.path).read_text(encoding="utf-8")
        assert on_disk == svg(picture), f"run `python -m scripts.draw_exercise_pictures` ({picture.path})"


def test_a_picture_outside_the_content_directory_is_refused(tmp_path: Path):
    for name in ("topics.yml", "safety.yml", "body_parts.yml"):
        (tmp_path / name).write_text((DEFAULT_CONTENT_DIR / name).read_text())
    exercises = (DEFAULT_CONTENT_DIR / "exercises.yml").read_text()
    (tmp_path / "pictures").symlink_to(DEFAULT_CONTENT_DIR / "pictures")
    (tmp_path / "exercises.yml").write_text(
        exercises.replace("pictures/hip_kick_3way/1-hold-on.svg", "../x.svg")
    )
    with pytest.raises(ContentError, match="step 1: picture '../x.svg'"):
        load_content(tmp_path)


def test_the_page_has_every_step_its_picture_the_figures_and_the_safety_line():
    exercise = CONTENT.exercises["seated_hamstring_stretch"]
    site = exercise_pages.Site("Physical Therapy Clinics", "+13015550100", "(301) 555-0100")
    page = exercise_pages.render_page(CONTENT, exercise, site)
    for step in exercise.steps:
        assert f"<p>{step}</p>" in page
    for index in range(len(exercise.steps)):
        assert f'src="{exercise_pages.picture_path(exercise, index)}"' in page
    assert exercise.details["hold"] in page
    assert page.count(CONTENT.disclaimer) == 2  # before and after the steps
    assert 'href="tel:+13015550100"' in page


@pytest.mark.parametrize(
    "message",
    [
        "is there a picture of the hip kick?",
        "show me a picture",
        "do you have a video of it",
        "what does it look like?",
    ],
)
def test_asking_for_a_picture_is_a_pictures_question(message):
    assert asks.exercise_question(message, names_exercise="kick" in message) == asks.PICTURES
    assert asks.route(message, "nlu_fallback", 0.3, []) == asks.ASK_EXERCISE


@pytest.mark.parametrize(
    "message, entities",
    [
        ("can I send you a picture of my knee?", [asks.Entity("body_part", "knee")]),
        ("how do i back up my photos", []),
        ("show me what you can do", []),
    ],
)
def test_other_talk_of_pictures_is_not_a_pictures_question(message, entities):
    assert asks.route(message, "nlu_fallback", 0.3, entities) != asks.ASK_EXERCISE


def ask_for_pictures(channel: str | None = None):
    tracker = make_tracker(
        "is there a picture of the hip kick?", "ask_exercise", [entity("exercise", "hip kick", 25)]
    )
    if channel:
        tracker.events = [{"event": "user", "text": tracker.latest_message["text"], "input_channel": channel}]
    return run_action(ActionExplainExercise(), tracker)


def test_asking_for_pictures_sends_the_page_link_then_every_steps_picture(monkeypatch):
    monkeypatch.setenv("CLINIC_SITE_ORIGIN", "https://clinic.example")
    messages, events = ask_for_pictures()
    kick = CONTENT.exercises["hip_kick_3way"]
    assert "(https://clinic.example/exercises/hip_kick_3way)" in messages[0]["text"]
    assert messages[0]["text"].endswith(CONTENT.disclaimer)
    names = [Path(p).name for p in kick.pictures]
    assert [m["image"] for m in messages[1:]] == [
        f"https://clinic.example/exercises/hip_kick_3way/{name}" for name in names
    ]
    assert slot_events(events)["last_question"] == asks.PICTURES


def test_on_sms_the_page_link_stands_for_the_pictures(monkeypatch):
    monkeypatch.setenv("CLINIC_SITE_ORIGIN", "https://clinic.example")
    messages, _ = ask_for_pictures(SMS_CHANNEL)
    assert [m.get("image") for m in messages] == [None]
    sms = render_replies(messages)
    print(f"pictures over SMS: {len(sms.parts)} part(s), {[len(p) for p in sms.parts]} characters")
    assert len(sms.parts) == 1
    assert "https://clinic.example/exercises/hip_kick_3way" in sms.parts[0]
    assert CONTENT.disclaimer in sms.parts[0]
