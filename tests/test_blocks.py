import pytest
import torch
from torch import nn

from course_utils import MLPStack, Residual, mlp_branch, mlp_stack, zero_last_linear


def test_residual_adds_the_branch_to_its_input():
    branch = nn.Linear(5, 5)
    x = torch.randn(3, 5)
    with torch.no_grad():
        assert torch.allclose(Residual(branch)(x), x + branch(x))


def test_residual_with_a_zeroed_branch_is_the_identity_to_the_bit():
    block = Residual(zero_last_linear(mlp_branch(16, norm="none")))
    for shape in [(4, 16), (2, 7, 16)]:
        x = torch.randn(shape)
        assert torch.equal(block(x), x)


def test_zeroed_branch_with_batchnorm_after_it_still_outputs_zero():
    branch = zero_last_linear(mlp_branch(16, norm="batch"))
    assert torch.equal(branch(torch.randn(8, 16)), torch.zeros(8, 16))


def test_residual_refuses_a_branch_that_changes_the_shape():
    with pytest.raises(ValueError, match="changed the shape from \\(4, 5\\) to \\(4, 6\\)"):
        Residual(nn.Linear(5, 6))(torch.randn(4, 5))


def test_residual_needs_a_module():
    with pytest.raises(TypeError, match="nn.Module"):
        Residual(lambda x: x)


def test_zero_last_linear_needs_a_linear_layer():
    with pytest.raises(ValueError, match="no nn.Linear"):
        zero_last_linear(nn.ReLU())


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
@pytest.mark.parametrize("residual", [True, False])
def test_mlp_stack_maps_points_to_logits(norm, residual):
    model = mlp_stack(3, residual=residual, norm=norm, width=8)
    assert model(torch.randn(10, 2)).shape == (10, 2)
    assert len(model.blocks) == 3 and model.n_layers == 8


def test_plain_and_residual_stacks_differ_only_in_the_skip():
    torch.manual_seed(0)
    plain = mlp_stack(2, residual=False, width=8)
    torch.manual_seed(0)
    residual = mlp_stack(2, residual=True, width=8)
    assert [p.shape for p in plain.parameters()] == [p.shape for p in residual.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(plain.parameters(), residual.parameters()))
    x = torch.randn(6, 2)
    assert not torch.allclose(plain(x), residual(x))


def test_zero_branch_init_makes_every_block_the_identity_on_the_stream():
    model = mlp_stack(5, branch_init="zero", norm="batch", width=8)
    x0 = model.stem(torch.randn(16, 2))           # non-negative after the stem's ReLU
    x = x0
    for block in model.blocks:
        x = block(x)
    assert torch.equal(x, x0)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(n_blocks=0), ValueError, "n_blocks must be at least 1"),
    (dict(n_blocks=2, norm="bn"), ValueError, "unknown norm 'bn'"),
    (dict(n_blocks=2, branch_init="small"), ValueError, "unknown branch_init 'small'"),
    (dict(n_blocks=2, width=0), ValueError, "width must be at least 1"),
    (dict(n_blocks=2, n_classes=1), ValueError, "n_classes must be at least 2"),
    (dict(n_blocks=2.5), TypeError, "whole number"),
])
def test_mlp_stack_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        mlp_stack(**kwargs)


def test_mlp_stack_says_what_input_it_expects():
    model = mlp_stack(2)
    with pytest.raises(ValueError, match="2 features in its last dimension, got shape \\(4, 3\\)"):
        model(torch.randn(4, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        model(torch.randn(4, 5, 2))
    with pytest.raises(ValueError, match="at least 2 samples"):
        model(torch.randn(1, 2))
    model.eval()
    assert model(torch.randn(1, 2)).shape == (1, 2)     # eval mode: running statistics


def test_mlp_stack_is_an_mlpstack():
    assert isinstance(mlp_stack(1), MLPStack)
