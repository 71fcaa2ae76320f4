"""Every notebook in a real JupyterLab in Chromium: it runs top to bottom without an error, every
slider and drop-down redraws the figure it drives, the quiz answers, and an untouched exercise
says "not attempted". Notebooks are discovered in notebooks/, not listed here."""

from __future__ import annotations

import json
import re

import pytest

from course_utils import QUIZZES

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

CACHED_REDRAW_LIMIT_S = 2.0       # a setting seen before must be back within this
NEW_REDRAW_LIMIT_S = 60.0         # a new setting is timed and reported; this only bounds the wait
_timings: list[dict] = []


def test_runs_top_to_bottom_without_error_output(notebook):
    assert notebook.output_problems() == []


def test_every_knob_redraws_the_figure_it_drives(notebook):
    knobs = notebook.knobs()
    assert knobs, f"{notebook.name} shows no slider or drop-down"
    for knob in knobs:
        direction = 1 if knob.can_move_right() else -1
        start_value, start_figure = knob.value(), knob.figure()
        assert start_figure, f"{knob.label!r}: no figure drawn when the cell ran"

        knob.move(direction)                                     # a setting never shown before
        new_figure, new_s = notebook.wait_for_new_figure(knob, start_figure, timeout_s=NEW_REDRAW_LIMIT_S)
        assert knob.value() != start_value

        knob.move(-direction)                                    # back: seen before, cached
        back_figure, back_s = notebook.wait_for_new_figure(knob, new_figure, timeout_s=CACHED_REDRAW_LIMIT_S)
        assert knob.value() == start_value and back_figure == start_figure

        knob.move(direction)                                     # forward again: cached too
        again_figure, again_s = notebook.wait_for_new_figure(knob, back_figure, timeout_s=CACHED_REDRAW_LIMIT_S)
        assert again_figure == new_figure

        knob.move(-direction)                                    # leave it as it was
        notebook.wait_for_new_figure(knob, again_figure, timeout_s=CACHED_REDRAW_LIMIT_S)
        _timings.append(dict(notebook=notebook.name, knob=knob.label, kind=knob.kind,
                             new_s=round(new_s, 3), cached_s=round(max(back_s, again_s), 3)))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "redraw_times.json").write_text(json.dumps(_timings, indent=1))
    for row in _timings:
        print(f"{row['notebook']:34s} {row['knob']:10s} new {row['new_s']:.2f} s, cached {row['cached_s']:.2f} s")


def test_quiz_answers_wrong_then_right_with_feedback(notebook):
    stem = notebook.name.removesuffix(".ipynb")
    question = QUIZZES[stem][0]
    wrong = next(i for i in range(len(question.choices)) if i not in question.correct)
    feedback = notebook.answer(1, wrong)
    assert feedback.startswith("✗ Not quite"), feedback
    feedback = notebook.answer(1, question.correct[0])
    assert feedback.startswith("✓ Correct."), feedback
    # the browser typesets $...$ with MathJax, so compare the longest stretch of plain prose
    prose = max(re.split(r"\$[^$]*\$", question.explanation), key=len).strip()
    assert prose[:40] in feedback, (prose, feedback)


def test_untouched_exercise_says_not_attempted(notebook):
    # the first check may be a prediction's, whose untouched cell recorded no prediction
    text = notebook.output_text_of_first_cell_containing("cu.check(")
    assert "not attempted" in text or "no prediction recorded" in text, text
