import pytest
import torch

from course_utils.validation import check_choice, check_float, check_int, check_tensor


def test_check_int_accepts_whole_numbers_and_rejects_the_rest():
    assert check_int("n", 3) == 3
    assert check_int("n", 4.0) == 4
    with pytest.raises(ValueError, match="n must be at least 1, got 0"):
        check_int("n", 0)
    with pytest.raises(ValueError, match="at most 5"):
        check_int("n", 6, maximum=5)
    with pytest.raises(TypeError, match="whole number"):
        check_int("n", 2.5)
    with pytest.raises(TypeError, match="whole number"):
        check_int("n", True)
    with pytest.raises(TypeError, match="whole number"):
        check_int("n", "3")


def test_check_float_rejects_nan_inf_and_out_of_range():
    assert check_float("lr", 1) == 1.0
    with pytest.raises(ValueError, match="finite"):
        check_float("lr", float("nan"))
    with pytest.raises(ValueError, match="at least 0"):
        check_float("lr", -1.0, minimum=0)
    with pytest.raises(TypeError):
        check_float("lr", "0.1")


def test_check_choice_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown norm 'bn'; choose one of 'none', 'batch'"):
        check_choice("norm", "bn", ("none", "batch"))


def test_check_tensor_says_what_is_wrong():
    x = torch.zeros(2, 3)
    assert check_tensor("x", x, ndim=2, last_dim=3) is x
    with pytest.raises(TypeError, match="torch.Tensor"):
        check_tensor("x", [[0.0]])
    with pytest.raises(TypeError, match="floating-point"):
        check_tensor("x", torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="2 or 3 dimensions, got shape \\(2,\\)"):
        check_tensor("x", torch.zeros(2), ndim=(2, 3))
    with pytest.raises(ValueError, match="4 features"):
        check_tensor("x", x, last_dim=4)
