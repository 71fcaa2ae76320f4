"""The rules every public function's arguments go through, written once in
course_utils.validation (tests/test_bad_input.py checks that the public functions use them)."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.validation import (as_tuple, check_bool, check_choice, check_choices,
                                     check_float, check_int, check_ints, check_labels,
                                     check_module, check_result, check_seed, check_size,
                                     check_tensor)


def test_check_int_takes_whole_numbers_and_never_half_accepts_a_float():
    assert check_int("n", 3) == 3
    assert check_int("n", np.int64(3)) == 3 and type(check_int("n", np.int64(3))) is int
    with pytest.raises(TypeError, match=r"n must be a whole number such as 4, got 4.0 \(float\)"):
        check_int("n", 4.0)
    with pytest.raises(ValueError, match="n must be at least 1, got 0"):
        check_int("n", 0)
    with pytest.raises(ValueError, match="at most 5"):
        check_int("n", 6, maximum=5)
    for bad in (2.5, True, "3", None):
        with pytest.raises(TypeError, match="whole number"):
            check_int("n", bad)


def test_seeds_are_whole_numbers_from_0_below_2_to_the_63():
    assert check_seed(0) == 0 and check_seed(2**63 - 1) == 2**63 - 1
    for bad, error in ((-1, ValueError), (2**64, ValueError), (True, TypeError), ("0", TypeError),
                       (1.5, TypeError), (None, TypeError)):
        with pytest.raises(error, match="seed"):
            check_seed(bad)


def test_check_float_rejects_nan_inf_out_of_range_and_non_numbers():
    assert check_float("lr", 1) == 1.0
    with pytest.raises(ValueError, match="finite"):
        check_float("lr", float("nan"))
    with pytest.raises(ValueError, match="at least 0"):
        check_float("lr", -1.0, minimum=0)
    with pytest.raises(ValueError, match="greater than 0"):
        check_float("eps", 0.0, positive=True)
    for bad in ("0.1", None, True):
        with pytest.raises(TypeError, match="lr must be a number"):
            check_float("lr", bad)


def test_check_bool_takes_true_or_false_only():
    assert check_bool("warmup", np.bool_(True)) is True
    with pytest.raises(TypeError, match="warmup must be True or False"):
        check_bool("warmup", "yes")


def test_choices_are_case_insensitive_and_list_the_valid_ones():
    assert check_choice("norm", "BatchNorm".lower()[:5], ("none", "batch")) == "batch"
    assert check_choice("placement", " Post ", ("post", "pre")) == "post"
    assert check_choice("depth", 4, (2, 4, 8)) == 4
    with pytest.raises(ValueError, match="unknown norm 'bn'; choose one of 'none', 'batch'"):
        check_choice("norm", "bn", ("none", "batch"))
    with pytest.raises(ValueError, match="unknown norm 3"):
        check_choice("norm", 3, ("none", "batch"))
    assert check_choices("norms", "layer", ("batch", "layer")) == ("layer",)   # one name is one
    assert check_choices("norms", ["Layer", "batch"], ("batch", "layer")) == ("layer", "batch")


def test_sequences_wrap_a_single_number_and_refuse_the_rest():
    assert as_tuple("depths", 8) == (8,) and as_tuple("depths", [2, 4]) == (2, 4)
    with pytest.raises(ValueError, match="depths is empty"):
        as_tuple("depths", ())
    with pytest.raises(TypeError, match="depths must be a sequence"):
        as_tuple("depths", "8")
    with pytest.raises(ValueError, match="every value of depths must be at least 1, got 0"):
        check_ints("depths", (2, 0))


def test_check_tensor_says_what_is_wrong_and_how_to_fix_it():
    x = torch.zeros(2, 3)
    assert check_tensor("x", x, ndim=2, last_dim=3) is x
    with pytest.raises(TypeError, match="torch.Tensor"):
        check_tensor("x", [[0.0]])
    with pytest.raises(TypeError, match=r"floating-point.*x.float\(\)"):
        check_tensor("x", torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(TypeError, match=r"x holds torch.float64 numbers .* pass x.float\(\)"):
        check_tensor("x", x.double())
    assert check_tensor("x", x.double(), dtype=None).dtype == torch.float64
    assert check_tensor("x", x.double(), like=nn.Linear(3, 3).double()).dtype == torch.float64
    with pytest.raises(ValueError, match=r"2 or 3 dimensions, got shape \(2,\)"):
        check_tensor("x", torch.zeros(2), ndim=(2, 3))
    with pytest.raises(ValueError, match="4 features"):
        check_tensor("x", x, last_dim=4)
    with pytest.raises(ValueError, match="x is empty"):
        check_tensor("x", torch.zeros(0, 3))
    with pytest.raises(ValueError, match="NaN or infinite"):
        check_tensor("x", torch.tensor([1.0, math.inf]))


def test_labels_modules_and_results():
    with pytest.raises(TypeError, match=r"y.long\(\)"):
        check_labels("y", torch.zeros(3))
    with pytest.raises(ValueError, match="negative labels"):
        check_labels("y", torch.tensor([0, -1]))
    with pytest.raises(ValueError, match="X and y hold different numbers of samples: 3 vs 2"):
        check_labels("y", torch.tensor([0, 1]), samples=3)
    with pytest.raises(ValueError, match="has no learnable parameters"):
        check_module("model", nn.ReLU())
    with pytest.raises(TypeError, match="has no blocks"):
        check_module("model", nn.Linear(2, 2), needs=("blocks",))
    with pytest.raises(TypeError, match=r"draw_x draws the result of cu.f \(a int\), got NoneType"):
        check_result("draw_x", None, int, "cu.f")


def test_sizes_are_refused_before_starting_with_what_they_would_need():
    check_size("a small thing", n_bytes=1e6, seconds=10)
    with pytest.raises(ValueError, match="would need about 9.3 GB of memory"):
        check_size("a stack", n_bytes=1e10)
    with pytest.raises(ValueError, match="would take about 167 minutes"):
        check_size("a run", seconds=1e4)
