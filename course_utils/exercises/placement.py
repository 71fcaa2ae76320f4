"""Exercises of notebook 04: the post-norm, pre-norm and DeepNorm sub-layers, and the parameter
count of nn.MultiheadAttention."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral
from typing import Any

import torch
from torch import nn

from .framework import Exercise, Incorrect, call_student, close, expect_function, expect_tensor

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def post_norm_sublayer(x: torch.Tensor, sublayer, norm) -> torch.Tensor:
    # Vaswani et al. 2017: add first, then normalise the sum
    return norm(x + sublayer(x))


def pre_norm_sublayer(x: torch.Tensor, sublayer, norm) -> torch.Tensor:
    # GPT-2 / Xiong et al. 2020: normalise the branch's input; the skip carries x itself
    return x + sublayer(norm(x))


def deepnorm_sublayer(x: torch.Tensor, sublayer, norm, alpha: float) -> torch.Tensor:
    # Wang et al. 2022: post-norm with the SKIP scaled by alpha > 1
    return norm(alpha * x + sublayer(x))


def mha_param_count(d_model: int, n_heads: int) -> int:
    # W_Q, W_K, W_V and the output projection W_O: four d x d matrices and four biases of d.
    # The heads split d_model between them; they add no parameters.
    return 4 * d_model * d_model + 4 * d_model


# ---------------------------------------------------------------------------------------------
# Checkers.

_D = 8


def _pieces(seed: int = 0) -> tuple[torch.Tensor, nn.Module, nn.Module]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        x = 3.0 + 2.0 * torch.randn(2, 5, _D)          # a stream with a mean and a scale
        sublayer = nn.Sequential(nn.Linear(_D, _D), nn.Tanh(), nn.Linear(_D, _D))
        norm = nn.LayerNorm(_D)
        nn.init.normal_(norm.weight, 1.0, 0.3), nn.init.normal_(norm.bias, 0.0, 0.3)
    return x, sublayer, norm


def _candidates(x, F, N, alpha: float = 1.0) -> dict[str, torch.Tensor]:
    with torch.no_grad():
        return {
            "post": N(x + F(x)),
            "pre": x + F(N(x)),
            "seed pre": N(x) + F(N(x)),
            "no skip post": N(F(x)),
            "no skip pre": F(N(x)),
            "norm on branch": x + N(F(x)),
            "deepnorm": N(alpha * x + F(x)),
            "alpha on branch": N(x + alpha * F(x)),
            "alpha outside": alpha * N(x + F(x)),
        }


_MESSAGES = {
    "post": "that is POST-norm, LN(x + F(x)): the norm sits after the sum. Pre-norm normalises "
            "only the branch's input.",
    "pre": "that is PRE-norm, x + F(LN(x)): the norm sits inside the branch. Post-norm adds "
           "first and normalises the sum.",
    "seed pre": "that is LN(x) + F(LN(x)), the formula our source document gives, and it is "
                "wrong: the skip must carry x itself, un-normalised (Xiong et al. 2020).",
    "no skip post": "the `x +` is missing: without it there is no residual connection at all.",
    "no skip pre": "the `x +` is missing: without it there is no residual connection at all.",
    "norm on branch": "it normalises the branch's OUTPUT, x + LN(F(x)).",
    "alpha on branch": "alpha multiplies the branch; DeepNorm puts it on the SKIP: "
                       "LN(alpha * x + F(x)) (a known bug of one public annotated implementation).",
    "alpha outside": "alpha scales the whole output; DeepNorm puts it on the skip, inside the LN.",
}


def _check_sublayer(answer: Any, *, name: str, want: str, extra: tuple = (), alpha: float = 1.0,
                    reference: Callable) -> str:
    signature = f"{name}(x, sublayer, norm{', alpha' if extra else ''})"
    expect_function(answer, signature)
    for seed in (0, 1):
        x, F, N = _pieces(seed)
        got = call_student(answer, x.clone(), F, N, *extra, what=signature)
        got = expect_tensor(got, shape=x.shape, what=name)
        candidates = _candidates(x, F, N, alpha)
        if close(got.detach(), candidates[want], atol=1e-5):
            continue
        for mistake, value in candidates.items():
            if mistake != want and mistake in _MESSAGES and close(got.detach(), value, atol=1e-5):
                raise Incorrect(f"{name}: {_MESSAGES[mistake]}")
        raise Incorrect(f"{name} returned something else (largest difference "
                        f"{(got.detach() - candidates[want]).abs().max():.3g}). "
                        f"Compare with the formula in the notebook; call `sublayer` and `norm`, "
                        f"do not build new layers.")
    # F = 0 pins the skip: post-norm gives LN(x), pre-norm gives x exactly
    x, _, N = _pieces(2)
    zero = lambda v: torch.zeros_like(v)   # noqa: E731
    got = expect_tensor(call_student(answer, x, zero, N, *extra, what=signature), shape=x.shape,
                        what=name)
    if not close(got.detach(), reference(x, zero, N, *extra).detach(), atol=1e-5):
        raise Incorrect(f"{name} is wrong when the sublayer outputs zeros.")
    return ""


def _check_post_norm(answer: Any) -> str:
    _check_sublayer(answer, name="post_norm_sublayer", want="post", reference=post_norm_sublayer)
    return "post_norm_sublayer = LN(x + F(x)); with F = 0 it returns LN(x), not x."


def _check_pre_norm(answer: Any) -> str:
    _check_sublayer(answer, name="pre_norm_sublayer", want="pre", reference=pre_norm_sublayer)
    return "pre_norm_sublayer = x + F(LN(x)); with F = 0 it returns x itself: a clean identity path."


def _check_deepnorm(answer: Any) -> str:
    _check_sublayer(answer, name="deepnorm_sublayer", want="deepnorm", extra=(2.0,), alpha=2.0,
                    reference=deepnorm_sublayer)
    return "deepnorm_sublayer = LN(alpha * x + F(x)): alpha up-weights the skip."


def _check_mha_param_count(answer: Any) -> str:
    expect_function(answer, "mha_param_count(d_model, n_heads)")
    for d, h in ((512, 8), (64, 4), (12, 3), (8, 1), (96, 12)):
        got = call_student(answer, d, h, what=f"mha_param_count({d}, {h})")
        want = sum(p.numel() for p in nn.MultiheadAttention(d, h).parameters())
        if got is None:
            raise Incorrect(f"mha_param_count({d}, {h}) returned None: did you forget a `return`?")
        if isinstance(got, bool) or not isinstance(got, Integral):
            if isinstance(got, float) and got == want:
                raise Incorrect(f"mha_param_count({d}, {h}) returned the float {got!r}; "
                                "return an int (use // rather than /).")
            raise Incorrect(f"mha_param_count({d}, {h}) returned {type(got).__name__}; "
                            "return an int.")
        if got == want:
            continue
        if got == 4 * d * d:
            raise Incorrect(f"mha_param_count({d}, {h}) = {got}: the weights are right, but "
                            "nn.MultiheadAttention also has a bias of size d for each of the "
                            "four projections.")
        if got in (3 * d * d + 3 * d, 3 * d * d):
            raise Incorrect(f"mha_param_count({d}, {h}) = {got}: Q, K and V are there, but the "
                            "output projection W_O (d x d plus a bias) is missing.")
        if h > 1 and got in (h * (4 * d * d + 4 * d), h * 4 * d * d):
            raise Incorrect(f"mha_param_count({d}, {h}) = {got}: the count grows with the heads "
                            "here, but the heads SPLIT d_model (each works in d/h dimensions): "
                            "more heads, same parameters.")
        raise Incorrect(f"mha_param_count({d}, {h}) returned {got:,}; nn.MultiheadAttention"
                        f"({d}, {h}) has {want:,}. Count W_Q, W_K, W_V, W_O and their biases.")
    return ("4·d² + 4·d, whatever the number of heads: 1,050,624 for d = 512; with the "
            "LayerNorm's 1,024, 1,051,648 (the seed's '~1.05M').")


EXERCISES = (
    Exercise("post_norm_sublayer",
             "write post_norm_sublayer(x, sublayer, norm) -> LN(x + F(x))",
             _check_post_norm,
             ("Call sublayer on x, add x, then apply norm.",
              "return norm(x + sublayer(x))"),
             post_norm_sublayer),
    Exercise("pre_norm_sublayer",
             "write pre_norm_sublayer(x, sublayer, norm) -> x + F(LN(x))",
             _check_pre_norm,
             ("Only the branch sees the normalised input; what is added back is x itself.",
              "return x + sublayer(norm(x))"),
             pre_norm_sublayer),
    Exercise("deepnorm_sublayer",
             "write deepnorm_sublayer(x, sublayer, norm, alpha) -> LN(alpha * x + F(x))",
             _check_deepnorm,
             ("DeepNorm is post-norm with a heavier skip.",
              "alpha multiplies x on the skip, inside the norm: return norm(alpha * x + sublayer(x))"),
             deepnorm_sublayer),
    Exercise("mha_param_count",
             "write mha_param_count(d_model, n_heads) -> int, biases included",
             _check_mha_param_count,
             ("Multi-head attention has four projections: queries, keys, values and the output.",
              "Each projection is a d x d matrix plus a bias of d. The heads split d between "
              "them.",
              "return 4 * d_model * d_model + 4 * d_model"),
             mha_param_count),
)
