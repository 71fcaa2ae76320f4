import pytest

from course_utils import QUIZZES
from course_utils.quiz import Question, check_bank, grade, question_widget, quiz
from course_utils.plotting import TEXT_COLOURS
from conftest import NOTEBOOKS

Q = Question(prompt="2 + 2?", choices=("3", "4", "5"), correct=(1,), explanation="Count them.",
             reasons=("One short.", "", "One too many."))


@pytest.mark.parametrize("stem", sorted(QUIZZES))
def test_every_bank_is_well_formed_and_belongs_to_a_notebook(stem):
    check_bank(QUIZZES[stem])
    assert stem in {path.stem for path in NOTEBOOKS}


def test_every_notebook_has_a_quiz_of_at_least_five_questions():
    for path in NOTEBOOKS:
        assert len(QUIZZES.get(path.stem, ())) >= 5, path.stem


def test_the_shared_quiz_s_questions_sit_in_the_notebooks_they_belong_to():
    sources = {stem: {q.source for q in bank} for stem, bank in QUIZZES.items()}
    for number in (1, 3, 5, 7):
        assert any(s.startswith(f"shared quiz, question {number}") for s in sources["01_highway_analogy"])
    own = [q for q in QUIZZES["01_highway_analogy"] if q.source == "course"]
    assert len(own) >= 2
    assert any(s.startswith("shared quiz, question 2") for s in sources["02_residual_math"])
    for number in (6, 8):
        assert any(s.startswith(f"shared quiz, question {number}")
                   for s in sources.get("04_post_norm_vs_pre_norm", ()))
    own = [q for q in QUIZZES["04_post_norm_vs_pre_norm"] if q.source == "course"]
    assert len(own) >= 3
    assert len([q for q in QUIZZES["03_layernorm_vs_batchnorm"] if q.source == "course"]) >= 5
    assert any(s.startswith("shared quiz, question 4") for s in sources["05_architecture_zoo"])
    assert len([q for q in QUIZZES["05_architecture_zoo"] if q.source == "course"]) >= 4


@pytest.mark.parametrize("stem", sorted(QUIZZES))
def test_no_letter_is_the_key_of_more_than_half_a_quiz(stem):
    keys = [q.correct[0] for q in QUIZZES[stem]]
    assert max(keys.count(k) for k in set(keys)) <= len(keys) / 2, keys
    assert len(set(keys)) >= 3                      # and the keys are spread, not two letters


@pytest.mark.parametrize("stem", sorted(QUIZZES))
def test_every_wrong_choice_says_why_it_is_wrong_before_the_explanation(stem):
    for q in QUIZZES[stem]:
        for i, choice in enumerate(q.choices):
            feedback = grade(q, i)
            if i in q.correct:
                assert feedback.correct
                continue
            assert q.reasons[i].strip() and q.reasons[i] in feedback.message
            assert feedback.message.index(q.reasons[i]) < feedback.message.index(q.explanation)


@pytest.mark.parametrize("stem", sorted(QUIZZES))
def test_quiz_text_holds_no_dollar_maths_for_colab(stem):
    for q in QUIZZES[stem]:
        for text in (q.prompt, *q.choices, *q.reasons, q.explanation):
            assert "$" not in text, text


def test_grading_accepts_an_index_a_letter_or_the_text():
    assert grade(Q, 1).correct and grade(Q, "b").correct and grade(Q, "4").correct
    wrong = grade(Q, "A")
    assert not wrong.correct
    assert "Not quite: A is not right. One short. The answer is B. Count them." == wrong.message


@pytest.mark.parametrize("answer", [None, 7, -1, "Z", True, 2.0, ""])
def test_grading_an_invalid_answer_asks_for_one_and_never_raises(answer):
    feedback = grade(Q, answer)
    assert not feedback.correct and feedback.message == "Choose one of the answers A-C first."


def test_feedback_shows_the_explanation_after_a_right_answer():
    assert str(grade(Q, 1)) == "✓ Correct. Count them."


def test_bank_checks_catch_mistakes():
    with pytest.raises(ValueError, match="out of range"):
        check_bank((Question("?", ("a", "b"), (2,), "x", ("", "no")),))
    with pytest.raises(ValueError, match="no explanation"):
        check_bank((Question("?", ("a", "b"), (0,), " ", ("", "no")),))
    with pytest.raises(ValueError, match="share a prompt"):
        check_bank((Q, Q))
    with pytest.raises(ValueError, match="a reason for each wrong choice"):
        check_bank((Question("?", ("a", "b"), (0,), "x"),))
    with pytest.raises(ValueError, match="Colab shows"):
        check_bank((Question("$x$?", ("a", "b"), (0,), "x", ("", "no")),))
    with pytest.raises(ValueError, match="A is the key of 2 of 3 questions"):
        check_bank(tuple(Question(f"{i}?", ("a", "b"), (0 if i < 2 else 1,), "x",
                                  ("", "no") if i < 2 else ("no", "")) for i in range(3)))


def test_the_widget_gives_feedback_when_the_button_is_pressed():
    box = question_widget(Q, 1)
    prompt, buttons, submit, output = box.children
    assert "Question 1." in prompt.value and buttons.value is None
    assert [label for label, _ in buttons.options] == ["A) 3", "B) 4", "C) 5"]
    submit.click()                                       # nothing chosen yet
    assert output.outputs[-1]["data"]["text/plain"] == "✗ Choose one of the answers A-C first."
    buttons.value = 0
    submit.click()
    assert output.outputs[-1]["data"]["text/plain"].startswith("✗ Not quite: A is not right. One short.")
    buttons.value = 1
    submit.click()
    assert len(output.outputs) == 1                      # the old feedback is replaced
    assert output.outputs[0]["data"]["text/plain"] == "✓ Correct. Count them."
    assert TEXT_COLOURS["right"] in output.outputs[0]["data"]["text/html"]


def test_quiz_for_an_unknown_notebook_lists_the_known_ones():
    with pytest.raises(ValueError, match="no quiz for '09_nope'; the quizzes are: 01_highway_analogy"):
        quiz("09_nope")
