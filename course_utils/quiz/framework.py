"""Quiz questions, their grading (a pure function) and the widget that asks them.

The widget is core ipywidgets only (RadioButtons + Button + Output), so it runs in JupyterLab,
VS Code and Colab alike. Quiz text is plain Unicode (x + F(x), ∂L/∂x, λᴸ): Colab does not
typeset $...$ inside widgets.
"""

from __future__ import annotations

import html
import string
from dataclasses import dataclass
from typing import Any

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class Question:
    """One multiple-choice question.

    Attributes:
        prompt: the question, in plain Unicode (no $...$ maths).
        choices: the possible answers, shown as A, B, C, ...
        correct: indices of the choices that count as right (usually one).
        explanation: why, shown after answering.
        reasons: one per choice: for a wrong choice, one line on why it is wrong, shown when it
            is chosen; "" for a right one.
        source: where the question comes from: "course", or "shared quiz, question N" for the
            questions of a widely shared quiz on residual connections, corrected where wrong.
    """

    prompt: str
    choices: tuple[str, ...]
    correct: tuple[int, ...]
    explanation: str
    reasons: tuple[str, ...] = ()
    source: str = "course"

    def letter(self, index: int) -> str:
        return LETTERS[index]


@dataclass(frozen=True)
class Feedback:
    """The result of grading one answer."""

    correct: bool
    message: str

    def __str__(self) -> str:
        return ("✓ " if self.correct else "✗ ") + self.message

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from ..plotting import TEXT_COLOURS

        colour = TEXT_COLOURS["right" if self.correct else "wrong"]
        return f"<div style='color:{colour}'>{html.escape(str(self))}</div>"


def _choice_index(question: Question, answer: Any) -> int | None:
    """The index an answer names: an index, a letter ("b"), or the text of a choice."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer if 0 <= answer < len(question.choices) else None
    if isinstance(answer, str):
        text = answer.strip()
        if len(text) == 1 and text.upper() in LETTERS[:len(question.choices)]:
            return LETTERS.index(text.upper())
        if text in question.choices:
            return question.choices.index(text)
    return None


def grade(question: Question, answer: Any) -> Feedback:
    """Grade `answer` (index, letter or choice text) to `question`; never raises."""
    index = _choice_index(question, answer)
    if index is None:
        letters = f"{LETTERS[0]}-{LETTERS[len(question.choices) - 1]}"
        return Feedback(False, f"Choose one of the answers {letters} first.")
    if index in question.correct:
        return Feedback(True, f"Correct. {question.explanation}")
    right = " or ".join(question.letter(i) for i in question.correct)
    reason = question.reasons[index] if index < len(question.reasons) else ""
    why = f" {reason}" if reason else ""
    return Feedback(False, f"Not quite: {question.letter(index)} is not right.{why} The answer "
                           f"is {right}. {question.explanation}")


def check_bank(questions: tuple[Question, ...]) -> None:
    """Raise ValueError if a question bank is malformed (used by the tests): every question
    needs distinct choices, a key in range, an explanation and a reason for each wrong choice;
    no text may hold $...$; and no letter may be the key of more than half the bank."""
    prompts = [q.prompt for q in questions]
    if len(set(prompts)) != len(prompts):
        raise ValueError("two questions share a prompt")
    for q in questions:
        if len(q.choices) < 2 or len(set(q.choices)) != len(q.choices):
            raise ValueError(f"{q.prompt!r}: needs at least two distinct choices")
        if not q.correct or any(not 0 <= i < len(q.choices) for i in q.correct):
            raise ValueError(f"{q.prompt!r}: correct indices {q.correct} out of range")
        if not q.explanation.strip():
            raise ValueError(f"{q.prompt!r}: has no explanation")
        if len(q.reasons) != len(q.choices) or any(
                bool(reason.strip()) == (i in q.correct) for i, reason in enumerate(q.reasons)):
            raise ValueError(f"{q.prompt!r}: needs a reason for each wrong choice, none for a "
                             "right one")
        for text in (q.prompt, *q.choices, *q.reasons, q.explanation):
            if "$" in text:
                raise ValueError(f"{q.prompt!r}: $ in {text!r}: Colab shows $...$ raw inside "
                                 "widgets; write the maths in Unicode")
    keys = [q.correct[0] for q in questions]
    for key in set(keys):
        if keys.count(key) > len(keys) / 2:
            raise ValueError(f"{LETTERS[key]} is the key of {keys.count(key)} of {len(keys)} "
                             "questions: balance the keys so the quiz cannot be gamed")


def question_widget(question: Question, number: int, stem: str | None = None) -> Any:
    """A RadioButtons + Button + Output widget for one question; with `stem` (the notebook's),
    each graded answer is kept in the student's progress record (course_utils.progress)."""
    import ipywidgets as widgets

    prompt = widgets.HTML(f"<b>Question {number}.</b> {html.escape(question.prompt)}")
    options = [(f"{question.letter(i)}) {c}", i) for i, c in enumerate(question.choices)]
    buttons = widgets.RadioButtons(options=options, value=None,
                                   layout=widgets.Layout(width="auto"))
    submit = widgets.Button(description="Check answer", button_style="primary")
    output = widgets.Output()

    def on_click(_: Any) -> None:
        output.outputs = ()                              # replace the previous feedback
        feedback = grade(question, buttons.value)
        output.append_display_data(feedback)
        if stem is not None and buttons.value is not None:
            from ..student_record import record_quiz_answer

            note = record_quiz_answer(stem, number, question.letter(buttons.value), feedback.correct)
            if note:
                output.append_stdout(note + "\n")

    submit.on_click(on_click)
    return widgets.VBox([prompt, buttons, submit, output])
