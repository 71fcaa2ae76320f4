"""Quizzes by notebook stem: `QUIZZES["01_highway_analogy"]` is a tuple of Questions."""

from __future__ import annotations

from . import capstone, highway, normalisation, placement, residual_math, zoo
from .framework import Feedback, Question, check_bank, grade, question_widget

QUIZZES: dict[str, tuple[Question, ...]] = {
    "01_highway_analogy": highway.QUESTIONS,
    "02_residual_math": residual_math.QUESTIONS,
    "03_layernorm_vs_batchnorm": normalisation.QUESTIONS,
    "04_post_norm_vs_pre_norm": placement.QUESTIONS,
    "05_architecture_zoo": zoo.QUESTIONS,
    "06_capstone_small_gpt": capstone.QUESTIONS,
}


def quiz(stem: str) -> None:
    """Display the quiz of notebook `stem` (e.g. "01_highway_analogy")."""
    import ipywidgets as widgets
    from IPython.display import display

    from .. import site

    if not isinstance(stem, str) or stem not in QUIZZES:
        known = ", ".join(sorted(QUIZZES))
        raise ValueError(f"no quiz for {stem!r}; the quizzes are: {known}")
    if site.export_dir() is not None:        # the website: the same quiz, graded in the page
        site.show_quiz(QUIZZES[stem], stem)
        return
    box = widgets.VBox([question_widget(q, i + 1, stem) for i, q in enumerate(QUIZZES[stem])])
    display(box)


__all__ = ["QUIZZES", "Feedback", "Question", "check_bank", "grade", "quiz", "question_widget"]
