"""Predict exercises: a prediction recorded before the experiment is judged against what the
experiment measured; None records nothing; a prediction made after the run is judged but said to
be late; bad predictions are refused with a note, never an exception; and neither call can change
a claim (no random numbers drawn, nothing changed), which is why the sweep's fingerprint may leave
their cells out."""

import json
import random
import sys

import pytest
import torch

import course_utils as cu
from conftest import ROOT
from course_utils import EXERCISES, run_log, student_record
from course_utils.exercises import NOTEBOOK_OF, predictions
from course_utils.exercises.framework import FAILED, NOT_ATTEMPTED, PASSED
from course_utils.experiments.small_batch import SmallBatchResult
from course_utils.zoo import ZooComparison

sys.path.insert(0, str(ROOT / "benchmarks"))
import claims as sweep  # noqa: E402

PREDICTS = sorted(name for name, exercise in EXERCISES.items() if exercise.kind == "predict")


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path))
    monkeypatch.setattr(run_log, "_FIRST_RUN", {})
    predictions.forget_predictions()
    yield
    predictions.forget_predictions()


def _zoo(plain=900.0, resnet=40.0, rezero=1.0):
    gradient = {"plain": [plain, 1.0], "resnet": [resnet, 1.0], "rezero": [rezero, 1.0]}
    return ZooComparison(16, gradient, {}, {})


def _small_batch(bn_at_2=36.0):
    error = {"batch": torch.tensor([[1.0, 8.0, bn_at_2]] * 3), "group": torch.tensor([[0.3] * 3] * 3),
             "layer": torch.tensor([[0.2] * 3] * 3)}
    return SmallBatchResult((32, 8, 2), (0, 1, 2), error)


def test_every_notebook_has_a_predict_a_debug_and_a_measure_exercise_and_the_course_two_designs():
    kinds = {}
    for name, exercise in EXERCISES.items():
        kinds.setdefault(NOTEBOOK_OF[name], set()).add(exercise.kind)
    assert len(kinds) == 6
    for stem, present in kinds.items():
        assert {"predict", "debug", "measure"} <= present, (stem, present)
    assert sum(exercise.kind == "design" for exercise in EXERCISES.values()) >= 2


@pytest.mark.parametrize("name", PREDICTS)
def test_the_notebook_asks_before_its_experiment_runs_and_checks_after(name):
    spec = predictions.PREDICTIONS[name]
    path = ROOT / "notebooks" / f"{NOTEBOOK_OF[name]}.ipynb"
    cells = [("".join(c["source"]), c["cell_type"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    code = [i for i, (_, kind) in enumerate(cells) if kind == "code"]
    asked = next(i for i in code if f'cu.predict("{name}", None)' in cells[i][0])
    ran = next(i for i in code if f"cu.{spec.experiment}(" in cells[i][0])
    checked = next(i for i in code if f'cu.check("{name}", {spec.result_name})' in cells[i][0])
    assert asked < ran < checked
    assert sweep.presentation_only(cells[asked][0]) and sweep.presentation_only(cells[checked][0])
    assert not any(kind == "markdown" and "### Exercise" in text for text, kind in cells[asked + 1:checked])


def test_a_right_ordering_made_before_the_run_passes_and_explains():
    note = cu.predict("gradient_order", ["plain (BatchNorm, no skip)", "resnet basic (batchnorm + skip)", "ReZero"])
    assert note.recorded and "Now run the experiment" in str(note)
    run_log.note_run("zoo_comparison")
    result = cu.check("gradient_order", _zoo())
    assert result.status == PASSED, str(result)
    assert "ReZero's branches start at alpha = 0" in result.message and "after the experiment" not in result.message
    assert student_record.load()["exercises"]["gradient_order"]["predicted_before_run"] is True


def test_a_wrong_ordering_fails_and_shows_the_measured_one():
    cu.predict("gradient_order", ["ReZero", "ResNet basic (BatchNorm + skip)", "plain (BatchNorm, no skip)"])
    run_log.note_run("zoo_comparison")
    result = cu.check("gradient_order", _zoo())
    assert result.status == FAILED
    assert "measured plain (BatchNorm, no skip) (900) > ResNet basic (BatchNorm + skip) (40) > ReZero (1)" in result.message


def test_the_measured_ordering_is_the_result_s_not_a_stored_one():
    cu.predict("gradient_order", ["ResNet basic (BatchNorm + skip)", "plain (BatchNorm, no skip)", "ReZero"])
    assert cu.check("gradient_order", _zoo(plain=20.0, resnet=40.0)).status == PASSED


def test_a_number_within_the_tolerance_passes_and_one_outside_fails():
    cu.predict("batchnorm_at_batch_2", 48)
    assert cu.check("batchnorm_at_batch_2", _small_batch(36.0)).status == PASSED
    cu.predict("batchnorm_at_batch_2", 5)
    result = cu.check("batchnorm_at_batch_2", _small_batch(36.0))
    assert result.status == FAILED and "measured 36 %: more than 15 points from it" in result.message
    assert "+1 or -1" in result.message


def test_a_percentage_given_as_a_fraction_is_recorded_with_a_question():
    note = cu.predict("batchnorm_at_batch_2", 0.35)
    assert note.recorded and "did you mean 35 %? Then record 35." in note.message


def test_none_records_nothing_and_the_check_shows_the_measurement():
    cu.predict("batchnorm_at_batch_2", 30)
    note = cu.predict("batchnorm_at_batch_2", None)       # the cell as after Run All
    assert not note.recorded and "replace None" in str(note)
    result = cu.check("batchnorm_at_batch_2", _small_batch(36.0))
    assert result.status == NOT_ATTEMPTED and "Measured: 36 %" in result.message
    assert "batchnorm_at_batch_2" not in student_record.load()["exercises"]


def test_a_prediction_made_after_the_run_is_judged_and_said_to_be_late():
    run_log.note_run("small_batch_study")
    note = cu.predict("batchnorm_at_batch_2", 40)
    assert note.recorded and "already run" in str(note)
    result = cu.check("batchnorm_at_batch_2", _small_batch(36.0))
    assert result.status == PASSED and "after the experiment had run" in result.message
    assert student_record.load()["exercises"]["batchnorm_at_batch_2"]["predicted_before_run"] is False


@pytest.mark.parametrize("value, message", [
    ("35", "not str"), (True, "not bool"), (float("nan"), "outside the range"), (250, "outside the range"),
    (-1, "outside the range"), ([35], "not list")])
def test_a_bad_number_is_refused_with_a_note(value, message):
    note = cu.predict("batchnorm_at_batch_2", value)
    assert not note.recorded and message in note.message
    assert cu.check("batchnorm_at_batch_2", _small_batch()).status == NOT_ATTEMPTED


@pytest.mark.parametrize("value, message", [
    ("ReZero", "an ordering is a list"), (["ReZero", "plain", "ResNet basic (BatchNorm + skip)"], "'plain' is not one of"),
    (["ReZero", "ReZero", "ResNet basic (BatchNorm + skip)"], "'plain (BatchNorm, no skip)' is missing"),
    (["ReZero", "ResNet basic (BatchNorm + skip)"], "is missing"), ([1, 2, 3], "1 is not one of"), (3.0, "an ordering is a list")])
def test_a_bad_ordering_is_refused_with_a_note(value, message):
    note = cu.predict("gradient_order", value)
    assert not note.recorded and message in note.message, note.message


def test_the_check_of_another_object_says_what_to_pass():
    cu.predict("gradient_order", list(predictions.PREDICTIONS["gradient_order"].items))
    result = cu.check("gradient_order", torch.zeros(3))
    assert result.status == FAILED and "pass `comparison`" in result.message


def test_predict_refuses_unknown_names_and_other_kinds_of_exercise():
    with pytest.raises(ValueError, match="no exercise called 'nope'"):
        cu.predict("nope", 1)
    with pytest.raises(ValueError, match="'tame' is a design exercise, not a prediction"):
        cu.predict("tame", 1)


def test_neither_call_draws_a_random_number_or_changes_the_result():
    torch.manual_seed(3)
    random.seed(3)
    states = torch.get_rng_state(), random.getstate()
    result = _zoo()
    before = json.dumps(result.gradient)
    cu.predict("gradient_order", list(predictions.PREDICTIONS["gradient_order"].items))
    cu.check("gradient_order", result)
    assert torch.equal(torch.get_rng_state(), states[0]) and random.getstate() == states[1]
    assert json.dumps(result.gradient) == before


@pytest.mark.parametrize("name", PREDICTS)
def test_the_reference_prediction_is_recorded_and_the_solution_shows_it(name):
    spec = predictions.PREDICTIONS[name]
    assert cu.predict(name, spec.reference).recorded
    assert f'cu.predict("{name}"' in cu.solution(name).code


def test_prediction_cells_are_left_out_of_the_fingerprint(tmp_path):
    path = ROOT / "notebooks" / "01_highway_analogy.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    copy = tmp_path / path.name

    def fingerprint_with(source):
        cells = notebook["cells"][:2] + [{"cell_type": "code", "execution_count": None, "id": "x",
                                          "metadata": {}, "outputs": [], "source": source}] + notebook["cells"][2:]
        copy.write_text(json.dumps({**notebook, "cells": cells}), encoding="utf-8")
        return sweep.code_fingerprint(copy)

    assert fingerprint_with('cu.predict("plain_56_loss", 0.4)   # mine') == sweep.code_fingerprint(path)
    assert fingerprint_with('cu.check("plain_56_loss", deg)') == sweep.code_fingerprint(path)
    for changed in ('cu.predict("plain_56_loss", 0.4)\ntorch.manual_seed(1)', 'cu.check("tame", deg)',
                    'cu.predict("plain_56_loss", float(torch.rand(1)))'):
        assert fingerprint_with(changed) != sweep.code_fingerprint(path), changed


def test_progress_counts_predictions_made_before_the_run():
    cu.predict("gradient_order", list(predictions.PREDICTIONS["gradient_order"].items))
    cu.check("gradient_order", _zoo())
    shown = cu.progress()
    assert shown.predicted["05_architecture_zoo"] == (1, 1)
    assert "predicted before the run" in str(shown) and "1 of 1" in shown._repr_html_()
