"""The zoo's blocks: shapes, formulas at a glance, the stack wrapper and the shared probe."""

import pytest
import torch

from course_utils import ZOO, ZooStack, parameter_count, zoo_comparison
from course_utils.zoo import (GROWTH, DenseLayer, HighwayBlock, ReZeroBlock, RWKVBlock,
                              token_shift)


@pytest.mark.parametrize("arch", [a for a in ZOO if a != "densenet"])
def test_every_block_keeps_the_stream_shape(arch):
    block = ZOO[arch].build(32, 4)
    assert block(torch.randn(3, 8, 32)).shape == (3, 8, 32)


def test_dense_layer_appends_its_growth():
    assert DenseLayer(32, GROWTH)(torch.randn(3, 8, 32)).shape == (3, 8, 32 + GROWTH)


def test_rezero_is_the_identity_at_init_and_highway_mostly_carries():
    x = torch.randn(2, 5, 16)
    assert torch.equal(ReZeroBlock(16)(x), x)
    highway = HighwayBlock(16)
    carry = 1 - torch.sigmoid(highway.gate(x))
    assert carry.mean() > 0.8                       # gate bias -2: about 0.88 carried


def test_token_shift_moves_every_token_one_step_later():
    x = torch.arange(6.0).reshape(1, 3, 2)
    assert token_shift(x).tolist() == [[[0.0, 0.0], [0.0, 1.0], [2.0, 3.0]]]


def test_rwkv_time_mix_is_causal():
    block = RWKVBlock(16)
    x = torch.randn(1, 6, 16)
    changed = x.clone()
    changed[0, -1] += 3.0
    assert torch.allclose(block(x)[0, :-1], block(changed)[0, :-1], atol=1e-6)


def test_zoo_stack_runs_every_architecture_and_refuses_bad_input():
    for arch in ZOO:
        assert ZooStack(arch, 2, width=16)(torch.randn(2, 4, 2)).shape == (2, 4, 2)
    with pytest.raises(ValueError, match="unknown arch 'vgg'"):
        ZooStack("vgg", 2)
    with pytest.raises(ValueError, match="n_blocks must be at least 1"):
        ZooStack("rezero", 0)
    with pytest.raises(ValueError, match=r"x must have 3 dimensions"):
        ZooStack("rezero", 2)(torch.randn(4, 2))
    with pytest.raises(ValueError, match="divisible by 4"):
        ZooStack("pre_norm", 2, width=18)


def test_zoo_comparison_probes_every_architecture_from_a_seed():
    a, b = zoo_comparison(4, seed=1), zoo_comparison(4, seed=1)
    assert set(a.gradient) == set(ZOO) and a.gradient == b.gradient
    assert all(len(v) == 5 and v[-1] == 1.0 for k, v in a.gradient.items() if k != "unet" or v[-1])
    assert a.parameters["rezero"] == parameter_count(ReZeroBlock(32))
