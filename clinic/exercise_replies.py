"""The one place that turns exercise content into words for the user.

Every reply carrying exercise instructions, or recommending an exercise by
name (a "why" answer, the back-pain overview), is built here and ends with the
clinic's safety line. Actions never format exercise text themselves;
``tests/test_safety_line.py`` enforces that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clinic.content import Content, Exercise, Topic

STEP_BY_STEP_HINT = 'Reply "next" if you\'d like it one step at a time.'


@dataclass(frozen=True)
class ExerciseReply:
    text: str
    exercise: str


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


def topic_reply(content: Content, topic: Topic) -> str:
    """A topic's text with the visit offer; closed by the safety line when it recommends an exercise."""
    parts = [topic.text, content.visit_offer if topic.offer_visit else ""]
    if topic.related_exercises:
        return with_safety_line(content, parts)
    return "\n\n".join(p for p in parts if p)


def visit_buttons() -> list[dict[str, str]]:
    """Book a visit or find the nearest clinic (the request_appointment / find_clinic intents)."""
    return [
        {"title": "Book a visit", "payload": "/request_appointment"},
        {"title": "Find a clinic", "payload": "/find_clinic"},
    ]


def full_instructions(content: Content, exercise: Exercise) -> ExerciseReply:
    steps = [f"{n}. {step}" for n, step in enumerate(exercise.steps, start=1)]
    heading = f"The {exercise.name}: {exercise.summary}"
    return exercise_reply(content, exercise, [heading, *steps, STEP_BY_STEP_HINT])


def detail(content: Content, exercise: Exercise, kind: str) -> ExerciseReply:
    return exercise_reply(content, exercise, [f"{exercise.name.capitalize()}: {exercise.details[kind]}"])


def single_step(content: Content, exercise: Exercise, index: int) -> ExerciseReply:
    """Step ``index`` (0-based) of ``exercise``, for people who want small pieces."""
    total = len(exercise.steps)
    lines = [f"{exercise.name.capitalize()}, step {index + 1} of {total}: {exercise.steps[index]}"]
    lines.append('Reply "next" for the next step.' if index + 1 < total else "That's the last step.")
    return exercise_reply(content, exercise, lines)


def finished(content: Content, exercise: Exercise) -> ExerciseReply:
    """After the last step: how to start again."""
    return exercise_reply(
        content,
        exercise,
        [
            f"That was the last step of the {exercise.name}. "
            'Say "next" to go through it again, or ask me anything else.'
        ],
    )


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
