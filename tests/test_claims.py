import numpy as np
import pytest
import torch

from course_utils import ClaimFailed, expect
from course_utils.claims import format_figure


def test_expect_prints_the_claim_and_its_figures(capsys):
    expect(2 > 1, "two is more than one", ratio=2 / 3, n=4, flag=True)
    assert capsys.readouterr().out == "✓ two is more than one  (ratio = 0.667, n = 4, flag = True)\n"


def test_expect_raises_naming_the_claim_when_it_does_not_hold():
    with pytest.raises(ClaimFailed, match="claim does not hold: residual wins  \\(loss = 0.5\\)"):
        expect(False, "residual wins", loss=0.5)


def test_expect_accepts_one_element_tensors_and_numpy_bools(capsys):
    expect(torch.tensor(True), "tensor")
    expect(np.bool_(True), "numpy")
    with pytest.raises(ClaimFailed):
        expect(torch.tensor(False), "tensor false")
    assert capsys.readouterr().out.count("✓") == 2


def test_expect_refuses_an_ambiguous_condition():
    with pytest.raises(TypeError, match="reduce it with .all\\(\\) or .any\\(\\)"):
        expect(torch.tensor([True, False]), "many")
    with pytest.raises(TypeError, match="True/False"):
        expect(0.3, "a number is not a condition")


def test_figures_are_rounded_for_reading():
    assert format_figure(0.123456) == "0.123"
    assert format_figure(1234567.0) == "1.23e+06"
    assert format_figure(torch.tensor(2.0)) == "2"
    assert format_figure([0.5, 1.0]) == "[0.5, 1]"
    assert format_figure(float("inf")) == "inf"
