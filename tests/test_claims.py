import math

import numpy as np
import pytest
import torch

from course_utils import above, below, between, expect
from course_utils.claims import RECORD, format_figure, held_in_tests


def test_expect_prints_the_claim_and_its_figures(capsys):
    expect(2 > 1, "two is more than one", ratio=2 / 3, n=4, flag=True)
    assert capsys.readouterr().out == "✓ two is more than one  (ratio = 0.667, n = 4, flag = True)\n"


def test_a_failed_claim_explains_itself_on_stderr_and_does_not_stop_the_lesson(capsys):
    expect(below(0.5, 0.1), "residual wins", loss=0.5)          # no exception: the notebook goes on
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("✗ claim does not hold: residual wins  (loss = 0.5)\n")
    assert "This run disagrees with the text above" in err and "Try another SEED" in err
    assert RECORD[-1].claim == "residual wins" and RECORD[-1].held is False


def test_the_failure_note_gives_the_sweep_s_count_when_the_claim_was_swept(capsys, monkeypatch):
    monkeypatch.setattr("course_utils.claims.held_in_tests", lambda claim: (40, 40))
    expect(False, "a swept claim")
    assert "it held on 40 of 40 runs in the course's tests" in capsys.readouterr().err
    assert held_in_tests("a sentence no notebook says") is None


def test_a_keyed_claim_is_recorded_and_looked_up_under_its_key(capsys):
    expect(True, "the plain net stays near chance", key="01.plain-56-near-chance", loss=0.69)
    assert capsys.readouterr().out == "✓ the plain net stays near chance  (loss = 0.69)\n"
    assert (RECORD[-1].key, RECORD[-1].claim) == ("01.plain-56-near-chance", "the plain net stays near chance")
    expect(True, "an unkeyed claim")
    assert RECORD[-1].key == "an unkeyed claim"
    assert held_in_tests("01.56-layer-plain-net-trains-worse-8") == (60, 60)   # the course's record
    with pytest.raises(TypeError, match="expect\\(\\)'s key names the claim"):
        expect(True, "a claim", key=3)


def test_a_pinning_check_prints_nothing_while_it_holds_and_a_difference_is_never_a_tick(capsys):
    expect(True, "the loss is finite", shown=False, loss=0.3)
    expect(above(3.0, 2.0), "post-norm's gradient grows with depth", differs="the paper: constant", ratio=3.0)
    assert capsys.readouterr().out == ("≠ differs from the paper: post-norm's gradient grows with depth; "
                                       "the paper: constant  (ratio = 3)\n")
    assert [r.held for r in RECORD[-2:]] == [True, True]
    expect(False, "the loss is finite", shown=False)
    expect(False, "post-norm's gradient grows", differs="the paper: constant")
    out, err = capsys.readouterr()
    assert out == "" and err.count("✗ claim does not hold") == 2
    with pytest.raises(TypeError, match="shown is True or False"):
        expect(True, "x", shown="no")
    with pytest.raises(TypeError, match="differs says what the paper found"):
        expect(True, "x", differs="")


def test_expect_accepts_one_element_tensors_and_numpy_bools(capsys):
    expect(torch.tensor(True), "tensor")
    expect(np.bool_(True), "numpy")
    expect(torch.tensor(False), "tensor false")
    out, err = capsys.readouterr()
    assert out.count("✓") == 2 and err.count("✗") == 1


def test_expect_refuses_an_ambiguous_condition():
    with pytest.raises(TypeError, match="reduce it with .all\\(\\) or .any\\(\\)"):
        expect(torch.tensor([True, False]), "many")
    with pytest.raises(TypeError, match="True/False"):
        expect(0.3, "a number is not a condition")
    with pytest.raises(TypeError, match="sentence"):
        expect(True, "")


def test_bounds_know_their_threshold_and_margin(capsys):
    claim = above(3.0, 2.0) & below(0.01, 0.1)
    assert bool(claim) and claim.margin == pytest.approx(0.5)      # 3 is 50 % past 2
    assert not between(5.0, 0.0, 4.0) and between(5.0, 0.0, 4.0).margin == pytest.approx(-0.25)
    assert below(-1.0, 0.0).margin == 1.0                           # a zero limit: absolute
    assert below(float("nan"), 1.0).margin == -math.inf and not below(float("nan"), 1.0)
    expect(claim, "both bounds hold")
    assert capsys.readouterr().out == "✓ both bounds hold  (3 > 2 and 0.01 < 0.1)\n"
    assert RECORD[-1].margin == pytest.approx(0.5)
    expect(True, "an exact fact")
    assert RECORD[-1].margin is None


def test_bounds_take_numbers_only():
    with pytest.raises(TypeError, match="value must be a number"):
        above("3", 1)
    with pytest.raises(TypeError, match="one number"):
        below(torch.ones(2), 1)
    with pytest.raises(TypeError, match="combine a bound with another bound"):
        above(2, 1) & True


def test_figures_are_rounded_for_reading():
    assert format_figure(0.123456) == "0.123"
    assert format_figure(1234567.0) == "1.23e+06"
    assert format_figure(torch.tensor(2.0)) == "2"
    assert format_figure([0.5, 1.0]) == "[0.5, 1]"
    assert format_figure(float("inf")) == "inf"
