"""The website's printable page per exercise, and the addresses of its pictures.

A page is ``/exercises/<key>`` on the clinic's website (``clinic.site``); each
step's picture is ``/exercises/<key>/<file name>``, served from the file the
content lists beside the step (data/content/exercises.yml).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from clinic.content import Content, Exercise
from clinic.site import exercise_page_url

DETAIL_LABELS = {
    "reps": "How many",
    "hold": "How long",
    "support": "What you need",
    "other_side": "Other side",
}


def page_path(exercise: Exercise) -> str:
    """The page's path on the site, e.g. /exercises/hip_kick_3way."""
    return urlsplit(exercise_page_url(exercise.key)).path


def picture_path(exercise: Exercise, index: int) -> str | None:
    """Where step ``index``'s (0-based) picture is served, if it has one."""
    picture = exercise.pictures[index] if index < len(exercise.pictures) else None
    return f"{page_path(exercise)}/{PurePosixPath(picture).name}" if picture else None


def picture_urls(exercise: Exercise) -> list[str]:
    """Every step's picture, in step order (steps without one are skipped)."""
    page = exercise_page_url(exercise.key)
    names = (PurePosixPath(p).name for p in exercise.pictures if p)
    return [f"{page}/{name}" for name in names]


def picture_file(exercise: Exercise, name: str) -> str | None:
    """The content-relative file behind a served picture name, or None if the exercise has none such."""
    return next((p for p in exercise.pictures if p and PurePosixPath(p).name == name), None)


@dataclass(frozen=True)
class Site:
    """What the page shares with the rest of the website (web/brand.json, the main line)."""

    name: str
    phone: str
    phone_display: str


def render_page(content: Content, exercise: Exercise, site: Site) -> str:
    """The whole HTML page: lead, each step with its picture, the article's figures, the safety line."""
    title = exercise.name[0].upper() + exercise.name[1:]
    figures = "\n".join(
        f"<div><dt>{escape(label)}</dt><dd>{escape(exercise.details[kind])}</dd></div>"
        for kind, label in DETAIL_LABELS.items()
    )
    steps = "\n".join(_step(exercise, index) for index in range(len(exercise.steps)))
    safety = f'<p class="safety" role="note">{escape(content.disclaimer)}</p>'
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(title)}: {escape(site.name)}</title>
  <link rel="stylesheet" href="/brand.css">
  <link rel="stylesheet" href="/clinic.css">
  <link rel="stylesheet" href="/exercise.css">
</head>
<body class="exercise-page">
  <header class="site-header">
    <a class="brand" href="/"><img class="logo" src="/logo.svg" alt="">{escape(site.name)}</a>
    <a class="call" href="tel:{escape(site.phone)}">{escape(site.phone_display)}</a>
  </header>
  <main>
    <h1>{escape(title)}</h1>
    <p class="lead">{escape(exercise.summary)}</p>
    {safety}
    <ol class="steps">
{steps}
    </ol>
    <dl class="figures">
{figures}
    </dl>
    {safety}
    <p class="print-hint no-print"><button type="button" class="print">Print this page</button></p>
  </main>
  <script src="/print.js"></script>
</body>
</html>
"""


def _step(exercise: Exercise, index: int) -> str:
    text = escape(exercise.steps[index])
    path = picture_path(exercise, index)
    picture = f'<img src="{escape(path)}" alt="{text}" width="320" height="280">' if path else ""
    return f"      <li>{picture}<p>{text}</p></li>"
