"""The course as a static website: what the site build (tools/build_book.py) asks of a notebook.

The site build executes every notebook once with COURSE_SITE_EXPORT naming a folder. Only then:
- an Explorer shows its knobs as HTML over figures pre-rendered for its grid of settings (written
  into that folder, which the site serves at `URL`); the site's script (book/_static/course.js)
  swaps the image when a knob moves, with no kernel;
- a quiz shows as HTML whose feedback, written here by `grade`, the site's script reveals;
- no progress bar is drawn (a static page has nothing to update).
A student's kernel never has COURSE_SITE_EXPORT set: the notebooks run as they always do.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .explorer import Explorer
    from .quiz.framework import Question

ENV = "COURSE_SITE_EXPORT"
URL = "_static/explorers"
"""Where the site serves the export folder, relative to a notebook's page."""


def export_dir() -> Path | None:
    """The folder the site build exports into, or None (always None in a student's kernel)."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


def _display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "explorer"


def explorer_html(explorer: Explorer, folder: Path) -> str:
    """Render every setting of the explorer's grid into `folder`/<name>/ and return the HTML
    knobs and image that show them. The folder's name is the images' hash: a rebuild with the
    same figures writes nothing new."""
    settings = explorer.site_settings()
    rendered = [(explorer.image(**s), explorer.alt(**s)) for s in settings]
    digest = hashlib.sha256(b"".join(png for png, _ in rendered)).hexdigest()[:12]
    name = f"{_slug(explorer.title or '')}-{digest}"
    target = folder / name
    target.mkdir(parents=True, exist_ok=True)
    for i, (png, _) in enumerate(rendered):
        (target / f"{i}.png").write_bytes(png)
    current = explorer.settings()
    index = settings.index(current)
    knobs = []
    for knob_name, choices in explorer.grid.items():
        widget = explorer.knobs[knob_name]
        label = html.escape(widget.description or knob_name)
        position = [value for _, value in choices].index(current[knob_name])
        control_id = f"{name}-{_slug(knob_name)}"
        if type(widget).__name__ == "Dropdown":
            options = "".join(f'<option value="{i}"{" selected" if i == position else ""}>'
                              f"{html.escape(text)}</option>" for i, (text, _) in enumerate(choices))
            control = f'<select id="{control_id}" data-knob="{len(knobs)}">{options}</select>'
        else:
            labels = html.escape(json.dumps([text for text, _ in choices]), quote=True)
            shown = html.escape(choices[position][0])
            control = (f'<input type="range" id="{control_id}" data-knob="{len(knobs)}" min="0" '
                       f'max="{len(choices) - 1}" step="1" value="{position}" '
                       f'aria-valuetext="{shown}" data-labels="{labels}">'
                       f'<output for="{control_id}">{shown}</output>')
        knobs.append(f'<span class="course-knob"><label for="{control_id}">{label}</label> {control}</span>')
    data = {"files": [f"{URL}/{name}/{i}.png" for i in range(len(settings))],
            "alts": [alt for _, alt in rendered],
            "sizes": [len(choices) for choices in explorer.grid.values()]}
    payload = json.dumps(data).replace("</", "<\\/")     # no "</script>" inside the script
    title = f'<p class="course-explorer-title"><strong>{html.escape(explorer.title)}</strong></p>' \
        if explorer.title else ""
    note = (f"Move a knob: the figure is one of {len(settings)} drawn when this page was built. "
            "Run the notebook to try every setting.")
    return (f'<div class="course-explorer">{title}'
            f'<div class="course-knobs">{"".join(knobs)}</div>'
            f'<img class="course-explorer-image" src="{data["files"][index]}" '
            f'alt="{html.escape(rendered[index][1], quote=True)}">'
            f'<p class="course-explorer-note">{html.escape(note)}</p>'
            f'<script type="application/json" class="course-explorer-data">'
            f'{payload}</script></div>')


def show_explorer(explorer: Explorer) -> None:
    """Display the explorer's site HTML (the site build only)."""
    _display_html(explorer_html(explorer, export_dir()))


def quiz_html(questions: tuple[Question, ...], stem: str) -> str:
    """A quiz as HTML: radio buttons and a Check button per question; every possible feedback
    is written here by `grade` and the site's script shows the one that was asked for."""
    from .quiz.framework import grade

    parts = []
    for number, question in enumerate(questions, start=1):
        group = f"{_slug(stem)}-q{number}"
        options = "".join(
            f'<label><input type="radio" name="{group}" value="{i}"> '
            f"{question.letter(i)}) {html.escape(choice)}</label>"
            for i, choice in enumerate(question.choices))
        feedback = {str(i): grade(question, i) for i in range(len(question.choices))}
        feedback["none"] = grade(question, None)
        templates = "".join(
            f'<template data-choice="{key}"><p class="course-feedback-{"right" if f.correct else "wrong"}">'
            f"{html.escape(str(f))}</p></template>" for key, f in feedback.items())
        parts.append(f'<fieldset class="course-question"><legend><strong>Question {number}.</strong> '
                     f"{html.escape(question.prompt)}</legend>{options}"
                     f'<button type="button" class="course-check">Check answer</button>'
                     f'<div class="course-feedback" role="status" aria-live="polite"></div>'
                     f"{templates}</fieldset>")
    return f'<div class="course-quiz">{"".join(parts)}</div>'


def show_quiz(questions: tuple[Question, ...], stem: str) -> None:
    """Display the quiz's site HTML (the site build only)."""
    _display_html(quiz_html(questions, stem))


def progress_allowed() -> bool:
    """Progress bars are drawn except while the site is built."""
    return export_dir() is None


__all__ = ["ENV", "URL", "explorer_html", "export_dir", "progress_allowed", "quiz_html",
           "show_explorer", "show_quiz"]
