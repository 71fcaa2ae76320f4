import pytest
import torch
from torch import nn

import course_utils as cu
from course_utils import MLPStack, Residual, mlp_branch, mlp_stack, zero_last_linear
from course_utils.runtime import seeded


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


def test_he_init_gives_weight_variance_2_over_fan_in_and_zero_biases():
    layer = cu.he_init(nn.Linear(400, 300))
    assert layer.weight.var().item() == pytest.approx(2 / 400, rel=0.05)
    assert torch.equal(layer.bias, torch.zeros(300))
    with pytest.raises(TypeError, match="he_init needs a torch.nn.Module"):
        cu.he_init(torch.zeros(3))


def test_the_inits_change_the_weights_and_fixup_scales_the_first_layer_of_a_zeroed_branch():
    build = lambda **kw: seeded(lambda: cu.mlp_stack(9, width=16, norm="none", **kw), 0)
    default, he = build(), build(init="he")
    assert not torch.equal(default.blocks[0][0].branch[0].weight, he.blocks[0][0].branch[0].weight)
    assert all(torch.equal(m.bias, torch.zeros_like(m.bias)) for m in he.modules()
               if isinstance(m, nn.Linear))
    zero, fixup = build(init="he", branch_init="zero"), build(init="he", branch_init="fixup")
    for z, f in zip(zero.blocks, fixup.blocks):
        assert not f[0].branch[3].weight.any() and not f[0].branch[3].bias.any()
        assert torch.allclose(f[0].branch[0].weight, z[0].branch[0].weight / 3)    # 9 ** -0.5
    x = torch.randn(5, 2)
    assert torch.equal(zero.head(zero.stem(x)), zero(x))     # every block the identity at init


def test_a_preactivation_stack_has_nothing_after_the_add_and_a_final_norm():
    stack = cu.mlp_stack(3, width=8, preactivation=True)
    block = stack.blocks[0]
    assert len(block) == 1 and isinstance(block[0], cu.Residual)          # no ReLU after the add
    kinds = [type(m).__name__ for m in block[0].branch]
    assert kinds == ["BatchNorm1d", "ReLU", "Linear", "BatchNorm1d", "ReLU", "Linear"]
    assert [type(m).__name__ for m in stack.final] == ["BatchNorm1d", "ReLU"]
    x = torch.randn(6, 8) - 3                       # a stream with negative entries
    cu.zero_last_linear(block[0].branch)
    assert torch.equal(block(x), x)                 # x + 0, negatives kept: no mask
    original = cu.mlp_stack(1, width=8)
    cu.zero_last_linear(original.blocks[0][0].branch)
    assert torch.equal(original.blocks[0](x), torch.relu(x))   # the original block's mask
    assert stack(torch.randn(4, 2)).shape == (4, 2) and stack.n_layers == 8
