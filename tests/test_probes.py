import math

import pytest
import torch
from torch import nn

from course_utils import layer_profile, mlp_stack, two_spirals


def test_profile_has_one_entry_per_layer_input_to_output_and_is_finite():
    torch.manual_seed(0)
    model = mlp_stack(6, norm="batch", width=8)
    X, y = two_spirals(64, seed=0)
    profile = layer_profile(model, X, y)
    assert len(profile.activation_rms) == len(profile.gradient_rms) == 7
    assert all(math.isfinite(v) and v > 0 for v in profile.activation_rms + profile.gradient_rms)
    # ordered input -> output: entry 0 is the stem's output, the last is the last block's
    with torch.no_grad():
        x0 = model.stem(X)
        x = x0
        for block in model.blocks:
            x = block(x)
    assert profile.activation_rms[0] == pytest.approx(x0.pow(2).mean().sqrt().item(), rel=1e-6)
    assert profile.activation_rms[-1] == pytest.approx(x.pow(2).mean().sqrt().item(), rel=1e-6)


def test_profile_leaves_no_gradients_and_no_hooks_behind():
    model = mlp_stack(3, width=8)
    X, y = two_spirals(32, seed=0)
    layer_profile(model, X, y)
    assert all(p.grad is None for p in model.parameters())
    assert not any(m._forward_hooks for m in model.modules())


def test_residual_gradient_reaches_the_input_where_plain_vanishes():
    X, y = two_spirals(128, seed=0)
    torch.manual_seed(0)
    plain = layer_profile(mlp_stack(30, residual=False, norm="none"), X, y)
    torch.manual_seed(0)
    residual = layer_profile(mlp_stack(30, residual=True, norm="none"), X, y)
    assert plain.gradient_ratio() < 1e-10
    assert 0.3 < residual.gradient_ratio() < 3


def test_profile_needs_blocks():
    with pytest.raises(TypeError, match="has no blocks: build it with course_utils.mlp_stack"):
        layer_profile(nn.Linear(2, 2), torch.randn(4, 2), torch.zeros(4, dtype=torch.long))
