"""The one place that turns exercise content into words for the user.

Every reply carrying exercise instructions is built by ``exercise_reply``, which
ends it with the clinic's safety line. Actions never format exercise text
themselves; ``tests/test_safety_line.py`` enforces that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clinic.content import Content, Exercise

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
    body = "\n".join(p for p in parts if p)
    return ExerciseReply(text=f"{body}\n{content.disclaimer}", exercise=exercise.key)


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


def exercise_choices(content: Content, intent: str = "inform_exercise") -> list[dict[str, str]]:
    """Buttons naming every exercise, for "which exercise do you mean?"."""
    return [
        {"title": e.name.capitalize(), "payload": f'/{intent}{{"exercise":"{e.key}"}}'}
        for e in content.exercises.values()
    ]


def related_exercise_buttons(content: Content, keys: Sequence[str]) -> list[dict[str, str]] | None:
    buttons = [
        {
            "title": f"How to do the {content.exercises[k].name}",
            "payload": f'/ask_exercise_steps{{"exercise":"{k}"}}',
        }
        for k in keys
    ]
    return buttons or None
