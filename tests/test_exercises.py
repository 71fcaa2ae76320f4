"""Every checker passes its reference solution (also pasted into a notebook cell as shown), calls
the untouched stub "not attempted", fails plausible wrong answers with a specific message, and
survives what a student's code can do to it: raise, loop forever, print megabytes, answer in
float64, change its inputs in place. It never raises itself, except for the student's own stop."""

import time

import pytest
import torch
from torch import nn

from course_utils import EXERCISES, check, hint, solution
from course_utils.exercises.framework import (FAILED, NOT_ATTEMPTED, PASSED, CheckResult, CheckTimeout,
                                              progress_made, stall_limit)
from course_utils.plotting import TEXT_COLOURS

from answers import capstone, normalisation, placement, placement_design, residual_blocks, residual_math, zoo

STUBS = {**residual_blocks.STUBS, **residual_math.STUBS, **normalisation.STUBS,
         **placement.STUBS, **placement_design.STUBS, **zoo.STUBS, **capstone.STUBS}
WRONG = {**residual_blocks.WRONG, **residual_math.WRONG, **normalisation.WRONG,
         **placement.WRONG, **placement_design.WRONG, **zoo.WRONG, **capstone.WRONG}
RIGHT = {**residual_blocks.RIGHT, **residual_math.RIGHT, **normalisation.RIGHT, **placement.RIGHT,
         **placement_design.RIGHT, **zoo.RIGHT, **capstone.RIGHT}
NOT_ATTEMPTED_ALSO = (residual_blocks.NOT_ATTEMPTED_ALSO + residual_math.NOT_ATTEMPTED_ALSO
                      + normalisation.NOT_ATTEMPTED_ALSO + placement.NOT_ATTEMPTED_ALSO
                      + placement_design.NOT_ATTEMPTED_ALSO + zoo.NOT_ATTEMPTED_ALSO
                      + capstone.NOT_ATTEMPTED_ALSO)
ANSWERED = sorted(name for name, exercise in EXERCISES.items() if exercise.kind != "predict")
"""The exercises answered with code; a prediction is a number or an ordering (test_predictions.py)."""
SET_UP_CELL = "import torch\nimport torch.nn.functional as F\nfrom torch import nn\nimport course_utils as cu\n"


def test_every_exercise_has_wrong_answers_and_a_stub_under_test():
    assert set(WRONG) == set(STUBS) == set(ANSWERED)


@pytest.mark.parametrize("name", ANSWERED)
def test_reference_solution_passes(name):
    exercise = EXERCISES[name]
    result = exercise.check(exercise.reference)
    assert result.passed, str(result)
    assert result.status == PASSED and bool(result)


@pytest.mark.parametrize("name", ANSWERED)
def test_the_solution_runs_as_shown_when_pasted_after_the_set_up_cell(name):
    namespace = {}
    exec(SET_UP_CELL, namespace)
    exec(solution(name).code, namespace)
    reference = EXERCISES[name].reference
    answer = namespace[getattr(reference, "__name__", name)]
    result = check(name, answer)
    assert result.passed, str(result)


@pytest.mark.parametrize("name", ANSWERED)
def test_untouched_stub_reads_not_attempted(name):
    result = check(name, STUBS[name])
    assert result.status == NOT_ATTEMPTED, str(result)
    assert "not attempted" in str(result) and not result.passed


@pytest.mark.parametrize("name, answer", NOT_ATTEMPTED_ALSO)
def test_a_debug_exercise_s_bug_spelt_another_way_is_still_the_bug(name, answer):
    result, untouched = check(name, answer), check(name, STUBS[name])
    assert result.status == NOT_ATTEMPTED, str(result)
    assert result.message.startswith(untouched.message)  # the same bug shows the same symptom


def test_a_debug_exercise_s_untouched_cell_shows_the_error_it_raises():
    result = check("quick_residual", STUBS["quick_residual"])
    assert "modified by an inplace operation" in result.message


def test_every_exercise_declares_one_of_the_kinds_and_its_notebook_heading_names_it():
    import json

    from conftest import ROOT
    from course_utils.exercises import NOTEBOOK_OF
    from course_utils.exercises.framework import KINDS

    for name, exercise in EXERCISES.items():
        assert exercise.kind in KINDS
        path = ROOT / "notebooks" / f"{NOTEBOOK_OF[name]}.ipynb"
        cells = ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
        at = next(i for i, text in enumerate(cells) if f'cu.check("{name}"' in text)
        heading = next(line for text in reversed(cells[:at]) for line in reversed(text.splitlines())
                       if line.startswith("### Exercise"))
        assert f"({exercise.kind})" in heading, (name, heading)


def test_a_half_filled_answer_says_what_is_left():
    result = check("reduced_dims", {"batch": (0, 1), "layer": ...})
    assert result.status == NOT_ATTEMPTED and "still `...` for 'layer'" in result.message


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


def _float64(reference):
    return lambda *args: reference(*args).double()


class Float64Block(nn.Module):
    def __init__(self, branch):
        super().__init__()
        self.branch = branch

    def forward(self, x):
        return (x + self.branch(x)).double()


class Float64DeepNormLayer(EXERCISES["deepnorm_layer"].reference):
    def forward(self, x):
        return super().forward(x).double()


@pytest.mark.parametrize("name, answer", [
    ("residual_block", Float64Block),
    ("pre_norm_stack", _float64(EXERCISES["pre_norm_stack"].reference)),
    ("deepnorm_layer", Float64DeepNormLayer),
    ("general_highway_block", _float64(EXERCISES["general_highway_block"].reference)),
    ("unet_merge", _float64(EXERCISES["unet_merge"].reference)),
    ("residual_jacobian_by_hand", _float64(EXERCISES["residual_jacobian_by_hand"].reference)),
])
def test_a_right_answer_in_float64_is_judged_by_its_values(name, answer):
    result = check(name, answer)
    assert result.passed, str(result)


def _forever(*args):
    while True:
        pass


class LoopsInForward(nn.Module):
    def __init__(self, branch, *sizes):
        super().__init__()
        self.branch = branch

    def forward(self, x):
        return _forever()


class LoopsInInit(nn.Module):
    def __init__(self, branch, *sizes):
        super().__init__()
        _forever()

    def forward(self, x):
        return x


CLASSES = ("residual_block", "projection_shortcut", "quick_residual", "deepnorm_layer")  # nn.Modules
LOOPING = [(name, _forever) for name in ANSWERED if name not in (*CLASSES, "reduced_dims")]
LOOPING += [(name, loops) for name in CLASSES for loops in (LoopsInForward, LoopsInInit)]


@pytest.mark.parametrize("name, answer", LOOPING)
def test_an_answer_that_never_returns_is_stopped_with_the_limit_in_the_message(name, answer):
    result = EXERCISES[name].check(answer, seconds=0.3)
    assert result.status == FAILED
    assert "ran for 0.3 s without finishing" in result.message and "never ends" in result.message
    assert "slow" not in result.message
    assert check("residual_block", EXERCISES["residual_block"].reference).passed   # usable after


def test_the_zoo_model_allows_a_longer_stall_for_its_training_steps():
    assert EXERCISES["zoo_model"].seconds > EXERCISES["residual_block"].seconds


def test_a_slow_but_correct_answer_passes_and_is_told_the_machine_is_slow():
    """Every call finishes, slowly: the check takes far longer than the stall limit and passes,
    saying how long it took and how much of that was the student's code."""
    reference = EXERCISES["path_count"].reference
    calls = []

    def slow_path_count(n_blocks, branches, path_length):
        time.sleep(0.15)
        calls.append(1)
        return reference(n_blocks, branches, path_length)

    started = time.monotonic()
    result = EXERCISES["path_count"].check(slow_path_count, seconds=0.4)
    took = time.monotonic() - started
    assert took > 0.4 * 2 and len(calls) >= 4, (took, len(calls))
    assert result.passed, str(result)
    assert "This machine is slow or busy: the check took" in result.message, result.message
    student_s = float(result.message.split("s of it in your code")[0].rsplit(",", 1)[1])
    assert 0.15 * len(calls) - 0.05 <= student_s <= took + 0.05, (student_s, took, len(calls))


def test_a_training_loop_that_reports_its_steps_is_never_stopped_however_long_it_runs():
    with stall_limit(0.3) as liveness:
        for _ in range(8):
            time.sleep(0.1)
            progress_made()
    assert time.monotonic() - liveness.started > 0.3 * 2


def test_a_loop_that_makes_no_progress_is_stopped_after_the_stall_limit():
    started = time.monotonic()
    with pytest.raises(CheckTimeout):
        with stall_limit(0.3):
            while True:
                time.sleep(0.05)
    assert 0.3 <= time.monotonic() - started < 3


def test_a_check_runs_torch_on_one_thread_and_gives_the_threads_back():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = []
        reference = EXERCISES["path_count"].reference

        def recording(n_blocks, branches, path_length):
            seen.append(torch.get_num_threads())
            return reference(n_blocks, branches, path_length)

        assert check("path_count", recording).passed
        assert set(seen) == {1} and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_a_debugger_or_profiler_still_runs_after_a_check():
    # CPython 3.11 hung a traced thread once a check had cancelled an exception it never sent
    import subprocess
    import sys

    script = ("import sys, course_utils as cu\n"
              "cu.check('path_count', lambda n, b, k: 1)\n"
              "sys.settrace(lambda *a: None)\n"
              "total = sum(range(1000))\n"
              "sys.settrace(None)\n"
              "print('traced', total)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "traced 499500", done.stderr


def test_pressing_stop_during_a_check_still_stops_it():
    def interrupted(n_blocks, branches, path_length):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        check("path_count", interrupted)


def test_what_the_answer_prints_is_captured_and_cut_short(capsys):
    def chatty(n_blocks, branches, path_length):
        print("x" * 10_000_000)
        for i in range(100):
            print("line", i)
        return (branches + 1) ** n_blocks
    result = check("path_count", chatty)
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    assert result.status == FAILED and "Your code printed:" in result.message
    assert len(result.message) < 3000 and "more lines" in result.message


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
    assert TEXT_COLOURS["wrong"] in result._repr_html_() and "Your block returns 2x." in result._repr_html_()


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_hints_are_graded_and_the_solution_is_the_tested_reference(name):
    exercise = EXERCISES[name]
    assert len(exercise.hints) >= 2
    assert hint(name).level == 1 and hint(name, 2).text == exercise.hints[1]
    assert hint(name, 99).level == len(exercise.hints)       # past the last: the last
    code = solution(name).code
    assert getattr(exercise.reference, "__name__", name) in code and "```python" in solution(name)._repr_markdown_()


@pytest.mark.parametrize("level", [0, -1, "2", 2.0, None, True])
def test_a_hint_level_that_is_not_a_whole_number_from_1_is_refused(level):
    with pytest.raises(ValueError, match="level must be a whole number from 1 to 3"):
        hint("residual_block", level)


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="no exercise called 'residual'; the exercises are: .*residual_block"):
        check("residual", None)
    with pytest.raises(TypeError, match="name the exercise with a str"):
        hint(["residual_block"])
