"""The one place that turns exercise content into words for the user.

Every reply carrying exercise instructions, or recommending an exercise by
name (a "why" answer, the back-pain overview), is built here and ends with the
clinic's safety line. Actions never format exercise text themselves;
``tests/test_safety_line.py`` enforces that.

On SMS, where every segment is paid for and read on a small screen, an
exercise comes whole only if it fits in ``SMS_MAX_SEGMENTS``; otherwise as the
link to its printable page plus the first step, and "next" walks on. There
the safety line comes once per walk-through, with its first reply, not with
every step (``tests/test_sms_fit.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clinic import sms_segments
from clinic.content import Content, Exercise, Topic

STEP_BY_STEP_HINT = 'Reply "next" if you\'d like it one step at a time.'
SMS_MAX_SEGMENTS = 2


@dataclass(frozen=True)
class ExerciseReply:
    text: str
    exercise: str
    step_index: int | None = None  # the last step shown alone, for "next"


def exercise_reply(content: Content, exercise: Exercise, parts: Sequence[str]) -> ExerciseReply:
    """Join the parts and close with the safety line. The only composer.

    Single newlines only: Rasa's channels split a text at blank lines into
    separate messages, and the safety line must stay in the same message.
    """
    return ExerciseReply(text=with_safety_line(content, parts), exercise=exercise.key)


def with_safety_line(content: Content, parts: Sequence[str]) -> str:
    body = "\n".join(p for p in parts if p)
    return f"{body}\n{content.disclaimer}"


def why_it_helps(content: Content, exercise: Exercise) -> ExerciseReply:
    """Why an exercise helps with back pain, in the article's words; it names the exercise."""
    topic = content.why_topic(exercise.key)
    text = topic.text if topic else exercise.summary
    return exercise_reply(content, exercise, [text])


def topic_reply(content: Content, topic: Topic, question: str | None = None) -> str:
    """A topic's text, after the opening for the kind of ``question`` if it has openings, with
    the visit offer; closed by the safety line when it recommends an exercise."""
    opening = topic.opening(question)
    text = f"{opening} {topic.text}" if opening else topic.text
    parts = [text, content.visit_offer if topic.offer_visit else ""]
    if topic.related_exercises:
        return with_safety_line(content, parts)
    return "\n\n".join(p for p in parts if p)


def visit_buttons() -> list[dict[str, str]]:
    """Book a visit or find the nearest clinic (the request_appointment / find_clinic intents)."""
    return [
        {"title": "Book a visit", "payload": "/request_appointment"},
        {"title": "Find a clinic", "payload": "/find_clinic"},
    ]


def full_instructions(content: Content, exercise: Exercise, page_url: str | None = None) -> ExerciseReply:
    steps = [f"{n}. {step}" for n, step in enumerate(exercise.steps, start=1)]
    heading = f"The {exercise.name}: {exercise.summary}"
    page = f"[The steps with a picture of each, to print]({page_url})" if page_url else ""
    return exercise_reply(content, exercise, [heading, *steps, page, STEP_BY_STEP_HINT])


def pictures(content: Content, exercise: Exercise, page_url: str) -> ExerciseReply:
    """The words that go with an exercise's pictures: its printable page, then the safety line."""
    lead = f"Pictures of the {exercise.name}, one for each step. [All of them on a page to print]({page_url})"
    return exercise_reply(content, exercise, [lead])


def sms_instructions(content: Content, exercise: Exercise, page_url: str) -> ExerciseReply:
    """The whole exercise if it fits in two segments; else the page's link and the first step."""
    steps = [f"{n}. {step}" for n, step in enumerate(exercise.steps, start=1)]
    whole = exercise_reply(content, exercise, [f"The {exercise.name}:", *steps])
    if sms_segments.fits(whole.text, SMS_MAX_SEGMENTS) or len(steps) == 1:
        return whole
    link, hint = f"Steps + pictures: {page_url}", 'Reply "next" for step 2.'
    # Shorter and shorter, as a long first step or site address needs: the link
    # (to every step) and the first step stay, the hint and labels go first.
    candidates = (
        [link, steps[0], hint],
        [link, steps[0]],
        [f"Pictures: {page_url}", exercise.steps[0]],
        [page_url, exercise.steps[0]],
    )
    texts = [with_safety_line(content, parts) for parts in candidates]
    text = next((t for t in texts if sms_segments.fits(t, SMS_MAX_SEGMENTS)), texts[-1])
    return ExerciseReply(text=text, exercise=exercise.key, step_index=0)


def detail(content: Content, exercise: Exercise, kind: str) -> ExerciseReply:
    return exercise_reply(content, exercise, [f"{exercise.name.capitalize()}: {exercise.details[kind]}"])


def single_step(content: Content, exercise: Exercise, index: int, on_sms: bool = False) -> ExerciseReply:
    """Step ``index`` (0-based) of ``exercise``, for people who want small pieces.

    On SMS the steps after the first, already named, are shorter: no name and,
    the safety line having come with the first, no safety line (once per walk-through).
    """
    total = len(exercise.steps)
    later_on_sms = on_sms and index > 0
    named = "Step" if later_on_sms else f"{exercise.name.capitalize()}, step"
    lines = [f"{named} {index + 1} of {total}: {exercise.steps[index]}"]
    lines.append('Reply "next" for the next step.' if index + 1 < total else "That's the last step.")
    if later_on_sms:
        return ExerciseReply(text="\n".join(lines), exercise=exercise.key, step_index=index)
    return exercise_reply(content, exercise, lines)


def finished(content: Content, exercise: Exercise, on_sms: bool = False) -> ExerciseReply:
    """After the last step: how to start again (on SMS without the safety line, already sent)."""
    line = (
        f"That was the last step of the {exercise.name}. "
        'Say "next" to go through it again, or ask me anything else.'
    )
    if on_sms:
        return ExerciseReply(text=line, exercise=exercise.key)
    return exercise_reply(content, exercise, [line])


def exercise_choices(content: Content, intent: str = "ask_exercise") -> list[dict[str, str]]:
    """Buttons naming every exercise, for "which exercise do you mean?"."""
    return [
        {"title": e.name.capitalize(), "payload": f'/{intent}{{"exercise":"{e.key}"}}'}
        for e in content.exercises.values()
    ]


def related_exercise_buttons(content: Content, keys: Sequence[str]) -> list[dict[str, str]] | None:
    buttons = [
        {
            "title": f"How to do the {content.exercises[k].name}",
            "payload": f'/ask_exercise{{"exercise":"{k}"}}',
        }
        for k in keys
    ]
    return buttons or None
