"""Every checker passes its reference solution, calls the untouched stub "not attempted", and
fails plausible wrong answers with a specific message, without ever raising itself."""

import pytest
from torch import nn

from course_utils import EXERCISES, check, hint, solution
from course_utils.exercises.framework import FAILED, NOT_ATTEMPTED, PASSED, CheckResult

from answers import normalisation, placement, residual_blocks, residual_math, zoo

STUBS = {**residual_blocks.STUBS, **residual_math.STUBS, **normalisation.STUBS,
         **placement.STUBS, **zoo.STUBS}
WRONG = {**residual_blocks.WRONG, **residual_math.WRONG, **normalisation.WRONG,
         **placement.WRONG, **zoo.WRONG}
RIGHT = {**normalisation.RIGHT}


def test_every_exercise_has_wrong_answers_and_a_stub_under_test():
    assert set(WRONG) == set(STUBS) == set(EXERCISES)


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_reference_solution_passes(name):
    exercise = EXERCISES[name]
    result = exercise.check(exercise.reference)
    assert result.passed, str(result)
    assert result.status == PASSED and bool(result)


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_untouched_stub_reads_not_attempted(name):
    result = check(name, STUBS[name])
    assert result.status == NOT_ATTEMPTED, str(result)
    assert "not attempted" in str(result) and not result.passed


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_an_empty_answer_reads_not_attempted(name):
    assert check(name, None).status == NOT_ATTEMPTED


@pytest.mark.parametrize("name, answer", [(n, a) for n, answers in RIGHT.items() for a in answers])
def test_other_spellings_of_a_right_answer_pass(name, answer):
    result = check(name, answer)
    assert result.passed, str(result)


@pytest.mark.parametrize("name, answer, message",
                         [(n, a, m) for n, cases in WRONG.items() for a, m in cases])
def test_wrong_answers_fail_with_a_specific_message(name, answer, message):
    result = check(name, answer)
    assert result.status == FAILED, str(result)
    assert message in result.message


def test_a_checker_that_cannot_use_an_answer_still_gives_feedback():
    exercise = EXERCISES["residual_block"]

    class Weird(nn.Module):
        def __init__(self, branch):
            super().__init__()
            self.branch = branch

        def forward(self, x):
            return x + self.branch(x)

        def parameters(self, recurse=True):
            raise AttributeError("no parameters here")

    result = exercise.check(Weird)
    assert result.status == FAILED and "checker could not use your answer" in result.message


def test_results_render_as_text_and_html():
    result = CheckResult("residual_block", FAILED, "Your block returns 2x.")
    assert str(result) == "✗ residual_block: not yet. Your block returns 2x."
    assert "#D55E00" in result._repr_html_() and "Your block returns 2x." in result._repr_html_()


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_hints_are_graded_and_the_solution_is_the_tested_reference(name):
    exercise = EXERCISES[name]
    assert len(exercise.hints) >= 2
    assert hint(name).level == 1 and hint(name, 2).text == exercise.hints[1]
    assert hint(name, 99).level == len(exercise.hints)       # past the last: the last
    assert hint(name, 0).level == 1
    code = solution(name).code
    assert getattr(exercise.reference, "__name__", name) in code and "```python" in solution(name)._repr_markdown_()


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="no exercise called 'residual'; the exercises are: .*residual_block"):
        check("residual", None)
