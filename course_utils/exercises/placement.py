"""Exercises of notebook 04: the post-norm, pre-norm and DeepNorm sub-layers, and the parameter
count of nn.MultiheadAttention."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from numbers import Integral
from typing import Any

import torch
from torch import nn

from .framework import (Exercise, Incorrect, call_student, close, expect_function, expect_tensor,
                        seeded_modules)

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def post_norm_sublayer(x: torch.Tensor, sublayer, norm) -> torch.Tensor:
    # Vaswani et al. 2017: add first, then normalise the sum
    return norm(x + sublayer(x))


def pre_norm_sublayer(x: torch.Tensor, sublayer, norm) -> torch.Tensor:
    # Tensor2Tensor 2018, GPT-2 2019 (Xiong et al. 2020): normalise the branch's input; the skip
    # carries x itself
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
    def make() -> tuple[torch.Tensor, nn.Module, nn.Module]:
        x = 3.0 + 2.0 * torch.randn(2, 5, _D)          # a stream with a mean and a scale
        sublayer = nn.Sequential(nn.Linear(_D, _D), nn.Tanh(), nn.Linear(_D, _D))
        norm = nn.LayerNorm(_D)
        nn.init.normal_(norm.weight, 1.0, 0.3), nn.init.normal_(norm.bias, 0.0, 0.3)
        return x, sublayer, norm

    return seeded_modules(make, seed)


def _candidates(x, F, N, alpha: float = 1.0) -> dict[str, torch.Tensor]:
    with torch.no_grad():
        return {
            "post": N(x + F(x)),
            "pre": x + F(N(x)),
            "ln skip pre": N(x) + F(N(x)),
            "no skip post": N(F(x)),
            "no skip pre": F(N(x)),
            "norm on branch": x + N(F(x)),
            "deepnorm": N(alpha * x + F(x)),
            "alpha on branch": N(x + alpha * F(x)),
            "alpha outside": alpha * N(x + F(x)),
        }


_COMPUTES = {   # what a recognised answer computes
    "post": "LN(x + F(x)): that is post-norm, the norm on the main path after the sum",
    "pre": "x + F(LN(x)): that is pre-norm, the norm inside the branch",
    "ln skip pre": "LN(x) + F(LN(x)), a formula some summaries give for pre-norm, and it is wrong: "
                "it normalises the skip too, which must carry x itself, un-normalised (Xiong et "
                "al. 2020)",
    "no skip post": "a sub-layer without its `x +`: the `x +` is missing, so there is no residual "
                    "connection at all",
    "no skip pre": "a sub-layer without its `x +`: the `x +` is missing, so there is no residual "
                   "connection at all",
    "norm on branch": "x + LN(F(x)): it normalises the branch's OUTPUT",
    "alpha on branch": "LN(x + alpha * F(x)): alpha multiplies the branch (a known bug of one "
                       "public annotated implementation)",
    "alpha outside": "alpha * LN(x + F(x)): alpha scales the whole output",
}
_WANTED = {
    "post": "Post-norm adds first and normalises the sum: `return norm(x + sublayer(x))`.",
    "pre": "Pre-norm normalises only the branch's input and adds x itself: "
           "`return x + sublayer(norm(x))`.",
    "deepnorm": "DeepNorm scales the SKIP by alpha, inside the norm: "
                "`return norm(alpha * x + sublayer(x))`.",
}


def _diagnosis(want: str, mistake: str) -> str:
    computes = _COMPUTES[mistake]
    if want == "deepnorm" and mistake == "post":
        computes = ("LN(x + F(x)) up to rounding: post-norm without alpha, or alpha on the whole "
                    "sum, which changes nothing, since LayerNorm removes any common scale")
    return f"it computes {computes}. {_WANTED[want]}"


_NAMES = ("x", "sublayer", "norm", "alpha")


def _check_sublayer(answer: Any, *, name: str, want: str, extra: tuple = (), alpha: float = 1.0,
                    reference: Callable) -> str:
    signature = f"{name}(x, sublayer, norm{', alpha' if extra else ''})"
    expect_function(answer, signature)
    for seed in (0, 1):
        x, F, N = _pieces(seed)
        candidates = _candidates(x, F, N, alpha)             # from the pristine x
        got = call_student(answer, x.clone(), F, N, *extra, what=signature, names=_NAMES)
        got = expect_tensor(got, shape=x.shape, what=name)
        if close(got.detach(), candidates[want], atol=1e-5):
            continue
        for mistake, value in candidates.items():
            if mistake != want and mistake in _COMPUTES and close(got.detach(), value, atol=1e-5):
                raise Incorrect(f"{name}: {_diagnosis(want, mistake)}")
        raise Incorrect(f"{name} returned something else (largest difference "
                        f"{(got.detach() - candidates[want]).abs().max():.3g}). "
                        f"Compare with the formula in the notebook; call `sublayer` and `norm`, "
                        f"do not build new layers.")
    # F = 0 pins the skip: post-norm gives LN(x), pre-norm gives x exactly
    x, _, N = _pieces(2)
    zero = lambda v: torch.zeros_like(v)   # noqa: E731
    got = expect_tensor(call_student(answer, x.clone(), zero, N, *extra, what=signature,
                                     names=_NAMES), shape=x.shape, what=name)
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


@contextmanager
def _counting_attention_modules() -> Iterator[list[int]]:
    """Count the nn.MultiheadAttention modules built inside the block."""
    built, original = [0], nn.MultiheadAttention.__init__

    def counting_init(self, *args, **kwargs):
        built[0] += 1
        original(self, *args, **kwargs)

    nn.MultiheadAttention.__init__ = counting_init
    try:
        yield built
    finally:
        nn.MultiheadAttention.__init__ = original


def _check_mha_param_count(answer: Any) -> str:
    expect_function(answer, "mha_param_count(d_model, n_heads)")
    for d, h in ((512, 8), (64, 4), (12, 3), (8, 1), (96, 12)):
        want = sum(p.numel() for p in nn.MultiheadAttention(d, h).parameters())
        with _counting_attention_modules() as built:
            got = call_student(answer, d, h, what=f"mha_param_count({d}, {h})")
        if built[0]:
            raise Incorrect("mha_param_count builds an nn.MultiheadAttention to count its "
                            "parameters. The exercise is to count them from the shapes: which "
                            "projections does attention have, and how big is each?")
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
            "LayerNorm's 1,024, 1,051,648 (the '~1.05M' that summaries quote).")


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
