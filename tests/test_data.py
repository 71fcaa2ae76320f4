import pytest
import torch

from course_utils import two_spirals


def test_two_spirals_shapes_types_and_balance():
    X, y = two_spirals(100, seed=0)
    assert X.shape == (100, 2) and X.dtype == torch.float32
    assert y.shape == (100,) and y.dtype == torch.long
    assert y.sum().item() == 50


def test_two_spirals_is_standardised():
    X, _ = two_spirals(1000, seed=1)
    assert torch.allclose(X.mean(0), torch.zeros(2), atol=1e-5)
    assert torch.allclose(X.std(0), torch.ones(2), atol=1e-5)


def test_two_spirals_depends_only_on_its_seed():
    torch.manual_seed(123)
    a = two_spirals(200, seed=3)
    torch.manual_seed(456)
    b = two_spirals(200, seed=3)
    c = two_spirals(200, seed=4)
    assert torch.equal(a[0], b[0]) and not torch.equal(a[0], c[0])


def test_the_two_classes_are_point_reflections_of_each_other():
    X, y = two_spirals(200, seed=0)
    assert torch.allclose(X[y == 0], -X[y == 1], atol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_points=3), "at least 4"), (dict(n_points=101), "even"),
    (dict(turns=0), "turns must be at least"), (dict(noise=-1.0), "noise must be at least 0"),
])
def test_two_spirals_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        two_spirals(**kwargs)
