"""The transformer block family of notebooks 04 and 05: each placement's formula, agreement with
PyTorch's own layer, DeepNorm's constants, and clear errors for bad input."""

import pytest
import torch
from torch import nn

from course_utils import (TinyTransformer, TransformerBlock, deepnorm_constants,
                          deepnorm_sublayer, post_norm_sublayer, pre_norm_sublayer, reverse_task)
from course_utils.transformer import to_torch_encoder_layer

D, H, FF = 16, 4, 32


def _zero(v):
    return torch.zeros_like(v)


def test_with_a_zero_sublayer_post_norm_gives_ln_x_and_pre_norm_gives_x():
    x, norm = 3 + torch.randn(2, 5, D), nn.LayerNorm(D)
    assert torch.allclose(post_norm_sublayer(x, _zero, norm), norm(x))
    assert torch.equal(pre_norm_sublayer(x, _zero, norm), x)
    assert torch.allclose(deepnorm_sublayer(x, _zero, norm, alpha=2.0), norm(2 * x))


def test_deepnorm_scales_the_skip_not_the_branch():
    x, norm = torch.randn(2, 5, D), nn.LayerNorm(D)
    branch = nn.Linear(D, D)
    expected = norm(2.0 * x + branch(x))
    assert torch.allclose(deepnorm_sublayer(x, branch, norm, alpha=2.0), expected)
    assert not torch.allclose(deepnorm_sublayer(x, branch, norm, alpha=2.0), norm(x + 2.0 * branch(x)))


@pytest.mark.parametrize("placement, norm_first", [("post", False), ("pre", True)])
def test_blocks_match_torch_transformer_encoder_layer(placement, norm_first):
    torch.manual_seed(0)
    block = TransformerBlock(D, H, FF, placement=placement)
    layer = to_torch_encoder_layer(block)
    assert layer.norm_first is norm_first and layer.linear1.out_features == FF
    x = torch.randn(3, 7, D)
    assert torch.allclose(block(x), layer(x), atol=1e-5)


def test_only_post_and_pre_norm_blocks_have_a_torch_twin():
    with pytest.raises(ValueError, match="PyTorch twin"):
        to_torch_encoder_layer(TransformerBlock(D, H, FF, placement="deepnorm"))


def test_deepnorm_constants_follow_the_paper():
    alpha, beta = deepnorm_constants(6)
    assert alpha == pytest.approx(12 ** 0.25) and beta == pytest.approx(48 ** -0.25)
    with pytest.raises(ValueError, match="n_layers must be at least 1"):
        deepnorm_constants(0)


def test_tiny_transformer_shapes_final_norm_and_zeroed_queries():
    pre = TinyTransformer(vocab=8, seq_len=6, d_model=D, n_heads=H, d_ff=FF, n_layers=2,
                          placement="pre")
    post = TinyTransformer(vocab=8, seq_len=6, d_model=D, n_heads=H, d_ff=FF, n_layers=2,
                           placement="post")
    tokens = torch.randint(0, 8, (3, 6))
    assert pre(tokens).shape == (3, 6, 8)
    assert isinstance(pre.final_norm, nn.LayerNorm) and isinstance(post.final_norm, nn.Identity)
    pre.zero_queries_and_keys()
    w = pre.blocks[0].attention.attention.in_proj_weight
    assert w[:2 * D].abs().sum() == 0 and w[2 * D:].abs().sum() > 0


def test_dropping_the_skip_removes_the_identity_path():
    block = TransformerBlock(D, H, FF, placement="pre", skip=False)
    for module in (block.attention, block.feed_forward):
        for p in module.parameters():
            nn.init.zeros_(p)
    x = torch.randn(2, 4, D)
    assert block(x).abs().max() == 0                   # F = 0 and no skip: nothing is left


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(placement="sandwich"), ValueError, "unknown placement 'sandwich'"),
    (dict(n_layers=0), ValueError, "n_layers must be at least 1"),
    (dict(d_model=10, n_heads=4), ValueError, "divisible by n_heads"),
])
def test_tiny_transformer_refuses_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        TinyTransformer(**kwargs)


@pytest.mark.parametrize("tokens, error, message", [
    (torch.randn(2, 5), TypeError, "integer ids"),
    (torch.zeros(2, 13, dtype=torch.long), ValueError, "positions for 12"),
    (torch.full((2, 5), 16), ValueError, "token ids must lie in 0..15"),
    (torch.zeros(5, dtype=torch.long), ValueError, r"shape \(B, T\)"),
])
def test_tiny_transformer_refuses_bad_tokens(tokens, error, message):
    with pytest.raises(error, match=message):
        TinyTransformer(n_layers=1)(tokens)


def test_reverse_task_targets_are_the_reversed_inputs():
    X, y = reverse_task(5, seq_len=4, vocab=3, seed=1)
    assert X.shape == y.shape == (5, 4) and torch.equal(y, X.flip(1))
    assert X.max() < 3 and torch.equal(X, reverse_task(5, seq_len=4, vocab=3, seed=1)[0])
