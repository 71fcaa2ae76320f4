"""Exercises of notebook 03: GroupNorm, and BatchNorm that leaves the padding of sequences out of
its statistics, each written without PyTorch's or the course's norms, and which dimensions of an
image batch (B, C, H, W) BatchNorm and GroupNorm's two extremes average over (write); an accuracy helper that evaluates a BatchNorm
net in training mode (debug); the largest batch size at which BatchNorm has fallen behind
LayerNorm in a small-batch study (measure)."""

from __future__ import annotations

import copy
import functools
import inspect
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import torch
from torch import nn

from ..data import two_spirals
from ..experiments.small_batch import SmallBatchResult
from .framework import (Exercise, Incorrect, NotAttempted, call_student, close, expect_function,
                        expect_tensor, progress_made, seeded_modules, watching_calls)


# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def group_norm(x: torch.Tensor, num_groups: int, gamma: torch.Tensor, beta: torch.Tensor,
               eps: float = 1e-5) -> torch.Tensor:
    # x: (N, C, *). One mean and variance per sample and group of C // num_groups consecutive
    # channels, over those channels at every position (Wu & He 2018, Fig. 2); never over the batch
    grouped = x.reshape(x.shape[0], num_groups, -1)             # (N, G, C // G * positions)
    mean = grouped.mean(dim=-1, keepdim=True)
    var = grouped.var(dim=-1, unbiased=False, keepdim=True)     # biased, as in section 1
    x_hat = ((grouped - mean) / torch.sqrt(var + eps)).reshape(x.shape)
    per_channel = (1, -1) + (1,) * (x.dim() - 2)                # (1, C, 1, ...), as dim 1 of x
    return gamma.reshape(per_channel) * x_hat + beta.reshape(per_channel)


def masked_batch_norm(x: torch.Tensor, mask: torch.Tensor, gamma: torch.Tensor,
                      beta: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    # x: (B, T, C); mask: (B, T), True at the real tokens. Each channel's statistics over the
    # real tokens of the whole batch: the padding is left out
    real = mask.unsqueeze(-1).to(x.dtype)                       # (B, T, 1): 1 real, 0 padding
    count = real.sum()                                          # how many real tokens
    mean = (x * real).sum(dim=(0, 1)) / count                   # (C,)
    var = ((x - mean) ** 2 * real).sum(dim=(0, 1)) / count      # biased, as in section 1
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


REDUCED_DIMS_SOURCE = """
reduced_dims = {
    # dims of an image batch (B, C, H, W) averaged into ONE mean and variance
    "batch": (0, 2, 3),      # nn.BatchNorm2d(C): each channel over the images and the pixels
    "layer": (1, 2, 3),      # GroupNorm with 1 group: each image over all its channels and pixels
    "instance": (2, 3),      # GroupNorm with C groups: each channel of each image, over its pixels
}
"""
reduced_dims: dict[str, tuple[int, ...]] = {}
exec(REDUCED_DIMS_SOURCE)    # the value the checker is tested with is the code solution() shows


def batched_accuracy(model, X, y, batch_size=50):
    was_training = model.training
    model.eval()                     # BatchNorm: the running statistics, and nothing updated
    correct = 0
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            logits = model(X[start:start + batch_size])
            correct += (logits.argmax(dim=-1) == y[start:start + batch_size]).sum().item()
    model.train(was_training)        # leave the model in the mode it came in
    return correct / len(X)


def batchnorm_falls_behind(result, points=5.0):
    bn, ln = result.median("batch"), result.median("layer")     # medians over seeds, per batch size
    behind = [size for size, b, l in zip(result.batch_sizes, bn, ln) if b - l >= points]
    return max(behind) if behind else None


# ---------------------------------------------------------------------------------------------
# Checkers: each wrong variant the checkers recognise, computed so the message can name it.

def _norm_functions() -> list[tuple[Any, str, str]]:
    """PyTorch's normalisation functions (the ones nn.LayerNorm, nn.GroupNorm, nn.BatchNorm1d,
    nn.InstanceNorm1d and nn.RMSNorm run, whichever way F was imported: F's functions call
    torch's) and the course's entry points to them."""
    import course_utils
    from .. import norms
    from ..experiments import norm_statistics

    targets = [(course_utils, "make_norm", "cu.make_norm"), (norms, "make_norm", "cu.make_norm"),
               (course_utils, "normalise_sequence", "cu.normalise_sequence"),
               (norm_statistics, "normalise_sequence", "cu.normalise_sequence")]
    for kind in ("layer_norm", "group_norm", "batch_norm", "instance_norm", "rms_norm"):
        targets += [(nn.functional, kind, f"F.{kind}"), (torch, kind, f"torch.{kind}")]
    targets += [(torch, f"native_{kind}", f"torch.native_{kind}")
                for kind in ("layer_norm", "group_norm", "batch_norm")]
    return targets


_BROADCAST = "must match the size of tensor"       # torch's message for shapes that do not line up


def _call_norm(answer: Any, *args: Any, name: str, what: str, names: Sequence[str],
               lining_up: str) -> Any:
    """Call the student's norm; Incorrect if it delegates to PyTorch's or the course's own norm,
    or raises (with `lining_up`, saying how the shapes should line up, after a broadcasting
    error)."""
    with watching_calls(_norm_functions()) as used:
        try:
            got = call_student(answer, *args, what=what, names=names)
        except Incorrect as wrong:
            if not used:
                if isinstance(wrong.error, RuntimeError) and _BROADCAST in str(wrong.error):
                    raise Incorrect(f"{wrong} {lining_up}", error=wrong.error) from None
                raise
    if used:
        whose = ("the course's own norm" if used[0].startswith("cu.") else
                 "PyTorch's own normalisation (what nn.LayerNorm, nn.GroupNorm, nn.BatchNorm1d "
                 "and nn.RMSNorm run)")
        raise Incorrect(f"Your {name} calls {used[0]}, {whose}: it does the normalising for you. "
                        "The exercise is to compute the statistics yourself from x (reshape, "
                        "sums, mean, var): use no norm function or layer of PyTorch or of the "
                        "course.")
    return got


def _normalised(x: torch.Tensor, dims: int | tuple[int, ...], eps: float, *,
                unbiased: bool = False, eps_inside: bool = True) -> torch.Tensor:
    """x normalised with the mean and variance of the values along `dims`, no affine."""
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=unbiased, keepdim=True)
    return (x - mean) / (torch.sqrt(var + eps) if eps_inside else torch.sqrt(var) + eps)


_DETAILS = {    # slips the two norms share: (mistake, what to do)
    "unbiased": "it uses the unbiased variance (dividing by n - 1). Normalisation layers "
                "normalise with the biased one, dividing by n (only the running variance that "
                "BatchNorm keeps for eval mode is unbiased), as in section 1.",
    "eps outside": "eps is added after the square root. It belongs inside: sqrt(var + eps), as "
                   "in nn.GroupNorm and nn.BatchNorm1d.",
    "eps ignored": "it ignores the eps it is given (the check passed eps = 0.5): use the "
                   "argument, not a hard-coded 1e-5.",
    "no affine": "gamma and beta are ignored: scale by gamma and add beta after normalising.",
    "gamma only": "beta is ignored: add beta after scaling by gamma.",
}


def _judge(got: torch.Tensor, variants: dict[str, torch.Tensor], mistakes: dict[str, str], *,
           name: str, where: torch.Tensor | None = None) -> None:
    """Return if `got` is variants['right'] (at `where` only, if given); raise Incorrect naming
    the first known mistake it matches, or saying how far off it is."""
    def pick(t: torch.Tensor) -> torch.Tensor:
        return t.detach() if where is None else t.detach()[where]

    if close(pick(got), pick(variants["right"])):
        return
    for mistake, value in variants.items():
        if mistake == "right" or not close(pick(got), pick(value)):
            continue
        if mistake in _DETAILS:
            raise Incorrect(f"{name} is close, but {_DETAILS[mistake]}")
        raise Incorrect(f"{name} does not normalise the right values yet: {mistakes[mistake]}")
    largest = (pick(got).double() - pick(variants["right"]).double()).abs().max()
    raise Incorrect(f"{name} does not match the reference (largest difference {largest:.3g}). "
                    f"{mistakes['right']}")


def _backward(answer: Any, args: tuple, reference: Callable[..., torch.Tensor], *, name: str,
              names: Sequence[str], lining_up: str, upstream: torch.Tensor) -> None:
    """Autograd through the student's ops must give the reference gradient for x (args[0])."""
    x = args[0]
    x_in = x.clone().requires_grad_(True)
    got = _call_norm(answer, x_in, *args[1:], name=name, what=name, names=names,
                     lining_up=lining_up)
    if not (isinstance(got, torch.Tensor) and got.requires_grad):
        raise Incorrect(f"{name}'s output is cut off from autograd (no grad_fn): keep to torch "
                        "operations, without .detach(), .item() or NumPy.")
    (got * upstream).sum().backward()
    x_ref = x.clone().requires_grad_(True)
    (reference(x_ref, *args[1:]) * upstream).sum().backward()
    if x_in.grad is None or not close(x_in.grad, x_ref.grad, atol=1e-6):
        raise Incorrect(f"{name}'s forward pass is right but its gradient is not: is part of "
                        "the computation detached?")


# ----------------------------------------------------------------------------------- group_norm

_GROUP_NAMES = ("x", "num_groups", "gamma", "beta", "eps")
_GROUP_LINING_UP = ("Each tensor must line up with x: mean and var keep their dims "
                    "(keepdim=True), and gamma and beta, one value per CHANNEL (shape (C,)), are "
                    "reshaped to (1, C, 1, ...) to line up with dim 1 of x, not with its last dim.")
_GROUP_MISTAKES = {
    "right": "Put each sample's groups of consecutive channels on rows of their own, (N, "
             "num_groups, the rest), normalise each row (mean and biased variance, eps inside "
             "the root), reshape back, then gamma * x_hat + beta per channel.",
    "per position": "it normalises a group's channels at each position separately. One "
                    "statistic covers the group's channels at EVERY position (each time step, "
                    "or each pixel) of the sample.",
    "interleaved": "its groups are every num_groups-th channel (channel c in group c % "
                   "num_groups). A group is a run of consecutive channels: the first "
                   "C // num_groups channels form group 0.",
    "group size": "it makes groups of num_groups channels (C // num_groups groups). num_groups "
                  "is the number of groups; each holds C // num_groups channels.",
    "one group": "it ignores num_groups and normalises each sample over all its channels at "
                 "once: that is GroupNorm with one group. Split the channels into num_groups "
                 "groups first.",
    "instance": "it normalises each channel of each sample on its own: that is GroupNorm with "
                "one channel per group (InstanceNorm). Split the channels into num_groups "
                "groups of C // num_groups.",
    "with the batch": "its statistics also run over the batch (dim 0). GroupNorm's are per "
                      "sample, which is why the batch size cannot matter to it.",
}


def _group_variants(x: torch.Tensor, num_groups: int, gamma: torch.Tensor, beta: torch.Tensor,
                    eps: float) -> dict[str, torch.Tensor]:
    """The right answer and the classic mistakes, for an (N, C, *) input."""
    N, C, G = x.shape[0], x.shape[1], num_groups
    per_channel = (1, C) + (1,) * (x.dim() - 2)
    g, b = gamma.reshape(per_channel), beta.reshape(per_channel)

    def over(view: tuple[int, ...], dims: int | tuple[int, ...], **how: Any) -> torch.Tensor:
        return _normalised(x.reshape(view), dims, how.pop("eps", eps), **how).reshape(x.shape)

    right = over((N, G, -1), -1)
    return {
        "right": g * right + b,
        "unbiased": g * over((N, G, -1), -1, unbiased=True) + b,
        "eps outside": g * over((N, G, -1), -1, eps_inside=False) + b,
        "eps ignored": g * over((N, G, -1), -1, eps=1e-5) + b,
        "no affine": right,
        "gamma only": g * right,
        "per position": g * over((N, G, C // G, -1), 2) + b,
        "interleaved": g * over((N, C // G, G, -1), (1, 3)) + b,
        "group size": g * over((N, C // G, -1), -1) + b,
        "one group": g * over((N, 1, -1), -1) + b,
        "instance": g * over((N, C, -1), -1) + b,
        "with the batch": g * over((N, G, -1), (0, 2)) + b,
    }


def _group_input(shape: tuple[int, ...], gen: torch.Generator) -> torch.Tensor:
    """float64 values with an offset per sample, per channel and per position, so that every
    choice of which values share a statistic gives a different answer."""
    x = 1.0 + 2.0 * torch.randn(shape, generator=gen, dtype=torch.float64)
    rest = (1,) * (len(shape) - 2)
    x = x + torch.arange(shape[0], dtype=torch.float64).reshape(-1, 1, *rest)        # per sample
    x = x + 0.7 * torch.arange(shape[1], dtype=torch.float64).reshape(1, -1, *rest)  # per channel
    positions = torch.linspace(-1.5, 1.5, math.prod(shape[2:]), dtype=torch.float64)
    return x + positions.reshape(1, 1, *shape[2:])                                   # per position


_GROUP_CASES = (((3, 6, 5), 3), ((2, 8, 3, 4), 2))     # (x's shape, num_groups): 3-D, then 4-D


def _check_group_norm(answer: Any) -> str:
    expect_function(answer, "group_norm(x, num_groups, gamma, beta, eps=1e-5)")
    gen = torch.Generator().manual_seed(3)
    right_on: list[tuple[int, ...]] = []
    for shape, groups in _GROUP_CASES:
        x = _group_input(shape, gen)
        gamma = 0.5 + torch.rand(shape[1], generator=gen, dtype=torch.float64)
        beta = torch.randn(shape[1], generator=gen, dtype=torch.float64)
        try:
            for eps in (1e-5, 0.5):          # a large eps makes "where does eps go" visible
                variants = _group_variants(x, groups, gamma, beta, eps)   # from pristine inputs
                what = (f"group_norm(x of shape {shape}, num_groups={groups}, gamma, beta, "
                        f"eps={eps})")
                got = _call_norm(answer, x.clone(), groups, gamma.clone(), beta.clone(), eps,
                                 name="group_norm", what=what, names=_GROUP_NAMES,
                                 lining_up=_GROUP_LINING_UP)
                got = expect_tensor(got, shape=shape, what=what)
                _judge(got, variants, _GROUP_MISTAKES, name="group_norm")
        except Incorrect as wrong:
            if right_on and not str(wrong).startswith("Your group_norm calls"):
                raise Incorrect(f"{wrong} (It was right on an input of shape {right_on[0]}: write "
                                "it for any number of dims after C, taking the sizes from "
                                "x.shape rather than naming them.)", error=wrong.error) from None
            raise
        right_on.append(shape)
    upstream = torch.randn(shape, generator=gen, dtype=torch.float64)
    _backward(answer, (x, groups, gamma, beta, 1e-5), group_norm, name="group_norm",
              names=_GROUP_NAMES, lining_up=_GROUP_LINING_UP, upstream=upstream)
    return ("group_norm matches the reference forward and backward on a (3, 6, 5) and a "
            "(2, 8, 3, 4) input, for eps = 1e-5 and 0.5: it is what nn.GroupNorm computes. Its "
            "statistics never touch the batch; with num_groups=1 they cover a whole sample, with "
            "num_groups=C one channel of it (InstanceNorm).")


# ---------------------------------------------------------------------------- masked_batch_norm

_MASKED_NAMES = ("x", "mask", "gamma", "beta", "eps")
_MASKED_LINING_UP = ("Each tensor must line up with x, (B, T, C): the mask is (B, T), so "
                     "mask.unsqueeze(-1) (B, T, 1) lines up with it; statistics of shape (C,) "
                     "(or (1, 1, C)) line up with its last dim.")
_MASKED_MISTAKES = {
    "right": "Take each channel's mean and biased variance over the real tokens only (mask "
             "True), of every sequence: sums over batch and time divided by the number of real "
             "tokens; then gamma * (x - mean) / sqrt(var + eps) + beta.",
    "padding counted": "the padded positions are counted in the statistics: that is plain "
                       "BatchNorm over (B, T), the one whose output moved with the padding in "
                       "section 3. Average over the real tokens only (where mask is True).",
    "padding zeroed": "the padded positions are set to zero but still counted: their zeros pull "
                      "each channel's mean towards 0 and change its variance. Leave them out "
                      "of the sums, and out of the count.",
    "divided by B*T": "the sums run over the real tokens, but are divided by B * T, every "
                      "position. Divide by the number of real tokens, mask.sum().",
    "mask inverted": "the statistics come from the padded positions. mask is True at the REAL "
                     "tokens (and False at the padding).",
    "per sequence": "each sequence gets its own statistics. BatchNorm keeps one per channel, "
                    "shared by the whole batch: reduce over the real tokens of every sequence, "
                    "batch AND time.",
    "per time step": "each time step gets its own statistics, over the batch. BatchNorm on "
                     "sequences keeps one per channel, over batch AND time.",
    "variance counts padding": "the mean leaves the padding out but the variance does not: "
                               "the variance too is a mean over the real tokens only.",
}

_LENGTHS = (6, 4, 5, 2)      # real tokens of each sequence; the rest of T = 6 is padding


def _masked_variants(x: torch.Tensor, mask: torch.Tensor, gamma: torch.Tensor,
                     beta: torch.Tensor, eps: float) -> dict[str, torch.Tensor]:
    """The right answer and the classic mistakes, for a (B, T, C) input and its (B, T) mask."""
    real = mask.unsqueeze(-1).to(x.dtype)

    def weighted(weights: torch.Tensor, dims: tuple[int, ...], *, count: Any = None,
                 var_weights: torch.Tensor | None = None, unbiased: bool = False,
                 eps: float = eps, eps_inside: bool = True) -> torch.Tensor:
        n = weights.sum(dim=dims, keepdim=True) if count is None else count
        mean = (x * weights).sum(dim=dims, keepdim=True) / n
        w = weights if var_weights is None else var_weights
        m = w.sum(dim=dims, keepdim=True) if count is None else count
        var = ((x - mean) ** 2 * w).sum(dim=dims, keepdim=True) / (m - 1 if unbiased else m)
        return (x - mean) / (torch.sqrt(var + eps) if eps_inside else torch.sqrt(var) + eps)

    every = torch.ones_like(real)
    right = weighted(real, (0, 1))
    zeroed = x * real
    zeroed = (zeroed - zeroed.mean(dim=(0, 1))) / torch.sqrt(
        zeroed.var(dim=(0, 1), unbiased=False) + eps)
    return {
        "right": gamma * right + beta,
        "unbiased": gamma * weighted(real, (0, 1), unbiased=True) + beta,
        "eps outside": gamma * weighted(real, (0, 1), eps_inside=False) + beta,
        "eps ignored": gamma * weighted(real, (0, 1), eps=1e-5) + beta,
        "no affine": right,
        "gamma only": gamma * right,
        "padding counted": gamma * weighted(every, (0, 1)) + beta,
        "padding zeroed": gamma * zeroed + beta,
        "divided by B*T": gamma * weighted(real, (0, 1), count=float(x.shape[0] * x.shape[1]))
                          + beta,
        "mask inverted": gamma * weighted(1 - real, (0, 1)) + beta,
        "per sequence": gamma * weighted(real, (1,)) + beta,
        "per time step": gamma * weighted(real, (0,)) + beta,
        "variance counts padding": gamma * weighted(real, (0, 1), var_weights=every) + beta,
    }


def _check_masked_batch_norm(answer: Any) -> str:
    expect_function(answer, "masked_batch_norm(x, mask, gamma, beta, eps=1e-5)")
    gen = torch.Generator().manual_seed(4)
    B, T, C = len(_LENGTHS), max(_LENGTHS), 5
    mask = torch.arange(T) < torch.tensor(_LENGTHS).unsqueeze(1)                  # (B, T)
    x = 1.0 + 2.0 * torch.randn(B, T, C, generator=gen, dtype=torch.float64)
    x = x + torch.linspace(-2, 2, C, dtype=torch.float64)                          # per channel
    x = x + torch.arange(B, dtype=torch.float64).reshape(B, 1, 1)                  # per sequence
    x = x + 0.5 * torch.arange(T, dtype=torch.float64).reshape(1, T, 1)            # per position
    padding = 6.0 + torch.randn(B, T, C, generator=gen, dtype=torch.float64)       # not zeros
    x = torch.where(mask.unsqueeze(-1), x, padding)
    gamma = 0.5 + torch.rand(C, generator=gen, dtype=torch.float64)
    beta = torch.randn(C, generator=gen, dtype=torch.float64)
    for eps in (1e-5, 0.5):
        variants = _masked_variants(x, mask, gamma, beta, eps)
        what = f"masked_batch_norm(x, mask, gamma, beta, eps={eps})"
        got = _call_norm(answer, x.clone(), mask.clone(), gamma.clone(), beta.clone(), eps,
                         name="masked_batch_norm", what=what, names=_MASKED_NAMES,
                         lining_up=_MASKED_LINING_UP)
        if (isinstance(got, torch.Tensor) and got.is_floating_point()
                and tuple(got.shape) == (B, T, C) and torch.isfinite(got[mask]).all()
                and not torch.isfinite(got).all()):
            raise Incorrect(f"{what} returned NaN or infinite values at the padded positions. "
                            "They may hold anything finite (0, say, or x normalised like the "
                            "rest), but not NaN: 0 * NaN is NaN, so a NaN there reaches the real "
                            "tokens through any later sum over positions, masked attention "
                            "included.")
        got = expect_tensor(got, shape=(B, T, C), what=what)
        _judge(got, variants, _MASKED_MISTAKES, name="masked_batch_norm", where=mask)
    upstream = torch.randn(B, T, C, generator=gen, dtype=torch.float64) * mask.unsqueeze(-1)
    _backward(answer, (x, mask, gamma, beta, 1e-5), masked_batch_norm, name="masked_batch_norm",
              names=_MASKED_NAMES, lining_up=_MASKED_LINING_UP, upstream=upstream)
    return ("masked_batch_norm matches the reference forward and backward at the real tokens, "
            "for eps = 1e-5 and 0.5, with padding that is not zeros. Now the padding no longer "
            "moves the real tokens' outputs; the other sequences of the batch, and the later "
            "tokens of every sequence, still do (section 3): only a per-token norm (LayerNorm, "
            "RMSNorm) removes that.")


# --------------------------------------------------------------------------------- reduced_dims

_IMAGE_KEYS = ("batch", "layer", "instance")


def _as_dims(value: Any, key: str) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list, set, frozenset)) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in value):
        raise Incorrect(f"reduced_dims[{key!r}] should be a tuple of dimension numbers, e.g. "
                        f"(0,), got {value!r}.")
    dims = {d % 4 if -4 <= d < 4 else d for d in value}
    if any(d not in (0, 1, 2, 3) for d in dims):
        raise Incorrect(f"reduced_dims[{key!r}] = {value!r}: a (B, C, H, W) tensor only has "
                        "dims 0, 1, 2, 3 (or -4 to -1).")
    return tuple(sorted(dims))


_KEEPS = {"batch": "one statistic per channel", "layer": "one statistic per image",
          "instance": "one statistic per channel of each image"}
_RIGHT_DIMS = {"batch": (0, 2, 3), "layer": (1, 2, 3), "instance": (2, 3)}


def _check_reduced_dims(answer: Any) -> str:
    if not isinstance(answer, dict):
        raise Incorrect("Expected a dict like {'batch': (...), 'layer': (...), 'instance': "
                        f"(...)}}, got {type(answer).__name__}.")
    if any(value is Ellipsis for value in answer.values()):
        left = [key for key, value in answer.items() if value is Ellipsis]
        raise NotAttempted(f"Replace each `...` with a tuple of dims, such as (0,): still "
                           f"`...` for {', '.join(repr(k) for k in left)}. Then run the cell again.")
    missing = [key for key in _IMAGE_KEYS if key not in answer]
    if missing:
        raise Incorrect(f"The dict has no entry for {missing}: give one for each of 'batch', "
                        "'layer' and 'instance'.")
    dims = {key: _as_dims(answer[key], key) for key in _IMAGE_KEYS}
    if dims["batch"] == (0, 1) and dims["layer"] in ((2,), (3,)):
        raise Incorrect("That is the answer for a (B, T, C) sequence, with the channels LAST. An "
                        "image batch (B, C, H, W) has its channels at dim 1, as nn.BatchNorm2d "
                        "and nn.GroupNorm expect them, and two dims of pixels after them.")
    if dims["layer"] in ((2,), (3,)):
        raise Incorrect(f"reduced_dims['layer'] = {dims['layer']}: that is one dim of pixels (H "
                        "or W), not the channels, which are dim 1 in an image batch. GroupNorm "
                        "with one group takes all the channels of an image, at every pixel.")
    if dims["layer"] == (2, 3) and dims["instance"] == (1, 2, 3):
        raise Incorrect("'layer' and 'instance' are swapped: with one group, GroupNorm's group "
                        "holds ALL the channels of an image; with C groups, each group is one "
                        "channel.")
    for key in _IMAGE_KEYS:
        if 0 in dims[key] and key != "batch":
            raise Incorrect(f"reduced_dims[{key!r}] = {dims[key]} includes dim 0, the batch: "
                            "GroupNorm, with any number of groups, normalises each image on its "
                            "own, so its statistics never mix images.")
        if 1 in dims[key] and key in ("batch", "instance"):
            raise Incorrect(f"reduced_dims[{key!r}] = {dims[key]} includes dim 1, the channels: "
                            f"{_KEEPS[key]} means each channel gets its own mean, so the mean is "
                            "never taken ACROSS channels.")
    if dims["batch"] == (0,):
        raise Incorrect("reduced_dims['batch'] = (0,): nn.BatchNorm2d averages each channel over "
                        "the batch AND over every pixel (H and W): one mean per channel, not one "
                        "per channel and pixel.")
    if dims["layer"] == (1,):
        raise Incorrect("reduced_dims['layer'] = (1,): that normalises each pixel over its "
                        "channels (the per-pixel LayerNorm that ConvNeXt uses), one statistic "
                        "per pixel. GroupNorm with one group takes every channel at EVERY pixel "
                        "of the image together.")
    for key in _IMAGE_KEYS:
        if dims[key] != _RIGHT_DIMS[key]:
            raise Incorrect(f"reduced_dims[{key!r}] = {dims[key]}: that norm keeps "
                            f"{_KEEPS[key]}, so it averages over every other dim, and over no "
                            "dim it keeps.")
    return ("BatchNorm: one statistic per channel over (B, H, W); GroupNorm with 1 group "
            "(LayerNorm over the image): one per image over (C, H, W); with C groups "
            "(InstanceNorm): one per image and channel over (H, W).")


# ----------------------------------------------------------------------------- batched_accuracy


def _accuracy_as_given(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
                       batch_size: int = 50) -> float:
    """The notebook's cell, untouched: BatchNorm left in whatever mode the model is in."""
    correct = 0
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            logits = model(X[start:start + batch_size])
            correct += (logits.argmax(dim=-1) == y[start:start + batch_size]).sum().item()
    return correct / len(X)


@functools.lru_cache(maxsize=1)
def _trained_classifier() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """A small classifier with BatchNorm, trained briefly on two spirals (its running statistics
    are its training data's), and 200 fresh test points in random order."""
    model = seeded_modules(lambda: nn.Sequential(
        nn.Linear(2, 32), nn.BatchNorm1d(32), nn.ReLU(),
        nn.Linear(32, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 2)), seed=5)
    X, y = two_spirals(256, turns=0.75, seed=31)
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-2)
    picks = torch.Generator().manual_seed(0)
    for _ in range(60):
        batch = torch.randint(0, len(X), (64,), generator=picks)
        loss = nn.functional.cross_entropy(model(X[batch]), y[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        progress_made()                       # the checker's own training steps
    X_test, y_test = two_spirals(200, turns=0.75, seed=32)
    order = torch.randperm(len(X_test), generator=torch.Generator().manual_seed(1))
    return model.eval(), X_test[order], y_test[order]


def _statistics(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: b.detach().clone() for name, b in model.named_buffers()}


def _statistics_moved(model: nn.Module, before: dict[str, torch.Tensor]) -> float:
    """How far the model's BatchNorm running statistics moved from `before` (inf if the model
    lost or gained one; a change of the batch counter alone counts as a tiny move)."""
    after = _statistics(model)
    if set(after) != set(before) or any(after[k].shape != before[k].shape for k in before):
        return math.inf
    moved = max((0.0, *((after[k].double() - before[k].double()).abs().max().item()
                        for k in before if before[k].is_floating_point())))
    counted = any(not torch.equal(after[k], before[k]) for k in before)
    return moved if moved > 0 or not counted else 1e-12


def _after(trained: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int,
           training: bool) -> tuple[float, dict[str, torch.Tensor]]:
    """The as-given function's answer at `batch_size`, and the statistics it leaves behind."""
    model = copy.deepcopy(trained).train(training)
    return _accuracy_as_given(model, X, y, batch_size), _statistics(model)


@contextmanager
def _watching_course_evaluate() -> Iterator[list[str]]:
    """Note any call of the course's own evaluate functions made while the block runs."""
    import course_utils
    from .. import training

    with watching_calls([(course_utils, "evaluate", "cu.evaluate"),
                         (training, "evaluate", "cu.evaluate"),
                         (training, "evaluate_batched", "cu.evaluate_batched")]) as used:
        yield used


def _uncalled_eval(answer: Any) -> str:
    """A note if the answer's source mentions `.eval` without calling it."""
    try:
        source = inspect.getsource(answer)
    except (OSError, TypeError):
        return ""
    if re.search(r"\.eval\b(?!\s*\()", source):
        return (" (Your code mentions `.eval` without parentheses: that names the method "
                "without calling it, so nothing changes.)")
    return ""


_ACCURACY_CASES = ((8, True), (4, True), (64, True), (8, False))   # (batch_size, training mode?)


def _check_batched_accuracy(answer: Any) -> str:
    expect_function(answer, "batched_accuracy(model, X, y, batch_size=50)")
    trained, X, y = _trained_classifier()
    pristine = _statistics(trained)
    n = len(X)
    right, _ = _after(trained, X, y, n, training=False)
    same = lambda a, b: math.isclose(a, b, rel_tol=0, abs_tol=1e-9)     # noqa: E731
    for batch_size, training in _ACCURACY_CASES:
        came_in = "training" if training else "eval"
        model = copy.deepcopy(trained).train(training)
        what = f"batched_accuracy(model, X, y, batch_size={batch_size}), model in {came_in} mode"
        with _watching_course_evaluate() as used:
            value = call_student(answer, model, X.clone(), y.clone(), batch_size, what=what,
                                 names=("model", "X", "y"))
        if used:
            raise Incorrect(f"Your function calls {used[0]}, which does the evaluation for you. "
                            "Here the exercise is to fix the loop itself: make batched_accuracy "
                            "measure the model the way a deployed model is used.")
        if value is None:
            raise Incorrect(f"{what} returned None: did you forget a `return`?")
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, Real):
            raise Incorrect(f"{what} returned {type(value).__name__}; return the fraction of "
                            "points classified correctly, a number from 0 to 1.")
        value = float(value)
        moved = _statistics_moved(model, pristine)
        given, left_by_given = _after(trained, X, y, batch_size, training)
        as_given = (training and same(value, given)
                    and _statistics_moved(model, left_by_given) == 0)
        if as_given and model.training:
            at = {b: _after(trained, X, y, b, training=True)[0] for b in (8, 4)}
            raise NotAttempted(
                f"This is still the function as given. The same trained model, on the same {n} "
                f"test points, is right on {right:.1%} of them in eval mode, but your function "
                f"says {at[8]:.1%} at batch_size=8 and {at[4]:.1%} at batch_size=4; and after "
                f"the call its BatchNorm running statistics have moved (by up to {moved:.3f}): "
                "measuring the model changed it. Find why, fix it, run the cell, and check "
                "again." + _uncalled_eval(answer))
        if as_given:
            raise Incorrect("Your function switches to eval mode only after the forward passes: "
                            "by then BatchNorm has already used (and updated) the batch "
                            "statistics. Switch before the loop.")
        if same(value, 100 * right) and not same(right, 0):
            raise Incorrect(f"You returned {value:g}, a percentage; return the fraction from 0 to "
                            f"1 ({right:g} here).")
        if same(value, right * n) and n != 1:
            raise Incorrect(f"You returned {value:g}, the number of points classified "
                            f"correctly; return the fraction, divided by len(X) ({right:g} here).")
        if training and not same(given, right):
            full_batch, left_by_full_batch = _after(trained, X, y, n, training=True)
            if same(value, full_batch) and _statistics_moved(model, left_by_full_batch) == 0:
                raise Incorrect(
                    "One batch of the whole test set makes the answer independent of batch_size, "
                    "but BatchNorm still normalises with the statistics of the batch it is given "
                    "(the test set's), not the running statistics the model learned in "
                    "training. A deployed model must answer for one input alone.")
            if same(value, given) and moved == 0:
                raise Incorrect(
                    f"Your function still lets BatchNorm normalise each batch with that batch's "
                    f"own statistics: it says {value:.1%} at batch_size={batch_size}, where the "
                    f"model in eval mode is right on {right:.1%}. Use the running statistics.")
        if moved > 0:
            raise Incorrect("The call changed the model's BatchNorm running statistics (by up "
                            f"to {moved:.3g}): any forward pass in training mode updates them, "
                            "torch.no_grad() or not. Measuring a model must leave it as it was: "
                            "switch to eval mode before the first forward pass.")
        whole = (n // batch_size) * batch_size
        if not same(value, right) and whole < n:
            model_eval = copy.deepcopy(trained).eval()
            kept = _accuracy_as_given(model_eval, X[:whole], y[:whole], batch_size)
            if same(value, kept) or same(value, kept * whole / n):
                raise Incorrect(f"Your loop leaves out the last {n - whole} points: len(X) = {n} "
                                f"is not a multiple of batch_size = {batch_size}. Let the last "
                                "batch be shorter: range(0, len(X), batch_size) and "
                                "X[start:start + batch_size] do that.")
        if not same(value, right):
            raise Incorrect(f"{what} returned {value:.4g}; the fraction of the {n} points the "
                            f"model classifies correctly, in eval mode, is {right:.4g}.")
        if training and not model.training:
            raise Incorrect("The accuracy is right, but the model came in training mode and "
                            "leaves in eval mode: a training loop that checks its accuracy "
                            "between steps would go on training with running statistics (and "
                            "Dropout off). Note model.training first and restore it at the end "
                            "with model.train(was_training).")
        if not training and model.training:
            raise Incorrect("The accuracy is right, but the model came in eval mode and leaves "
                            "in training mode: restore the mode it came in, "
                            "model.train(was_training), not always model.train().")
    return (f"eval mode inside, with running statistics: {right:.1%} at every batch size, the "
            "running statistics untouched, and the model left in the mode it came in.")


# ------------------------------------------------------------------------ batchnorm_falls_behind


def _made_up_study(batch_sizes: tuple[int, ...], seeds: tuple[int, ...],
                   errors: dict[str, list[list[float]]],
                   batch_stat: list[list[float]]) -> SmallBatchResult:
    """A small-batch study's result with the given test errors (%), rows seeds, columns sizes."""
    return SmallBatchResult(batch_sizes, seeds, {k: torch.tensor(v) for k, v in errors.items()},
                            torch.tensor(batch_stat))


def _studies_to_measure() -> tuple[tuple[str, SmallBatchResult, float], ...]:
    """Small-batch studies the notebook did not run, made up so that the classic slips give
    different answers: (description, result, points)."""
    first = _made_up_study(
        (64, 16, 4, 2), (40, 41, 42, 43, 44),
        {"batch": [[0.8, 9.0, 15.0, 30.0], [1.0, 7.5, 13.1, 27.5], [40.0, 11.0, 18.2, 33.8],
                   [1.2, 8.2, 14.4, 29.1], [0.9, 9.6, 16.9, 31.6]],
         "group": [[1.2, 5.0, 3.0, 3.0], [1.0, 4.4, 2.6, 2.8], [1.5, 5.6, 3.3, 3.4],
                   [1.1, 4.9, 2.9, 3.1], [1.3, 5.2, 3.1, 2.7]],
         "layer": [[1.5, 1.5, 2.0, 2.5], [1.2, 1.3, 1.7, 2.2], [1.9, 1.8, 2.4, 2.9],
                   [1.4, 1.6, 2.2, 2.6], [1.7, 1.1, 1.8, 2.3]]},
        [[12.0, 20.0, 35.0, 45.0], [11.0, 19.0, 33.0, 44.0], [13.0, 22.0, 36.0, 47.0],
         [12.5, 20.5, 34.0, 46.0], [11.5, 21.0, 35.5, 45.5]])
    second = _made_up_study(
        (32, 8, 2), (50, 51, 52),
        {"batch": [[2.0, 6.0, 22.0], [1.5, 5.0, 19.0], [6.0, 12.0, 26.0]],
         "group": [[1.0, 2.0, 3.0], [0.9, 1.8, 2.6], [1.3, 2.3, 3.4]],
         "layer": [[1.0, 4.0, 2.0], [0.8, 3.5, 1.7], [1.2, 4.5, 2.4]]},
        [[3.5, 10.0, 30.0], [3.0, 9.0, 28.0], [4.0, 11.0, 33.0]])
    third = _made_up_study(
        (256, 64, 16), (60, 61, 62),
        {"batch": [[1.0, 1.5, 4.0], [0.8, 1.2, 3.0], [1.3, 1.9, 11.0]],
         "group": [[1.1, 1.2, 1.4], [0.9, 1.0, 1.2], [1.4, 1.3, 1.7]],
         "layer": [[1.2, 1.0, 1.5], [1.0, 0.9, 1.3], [1.4, 1.2, 1.7]]},
        [[4.0, 7.0, 12.0], [3.5, 6.5, 11.0], [4.5, 7.5, 13.0]])
    fourth = _made_up_study(    # at 128 BN is 6x LN but only 2.5 points behind; at 32 exactly 5
        (128, 32, 8), (70, 71, 72),
        {"batch": [[3.0, 6.5, 20.0], [2.5, 6.0, 18.0], [3.5, 7.0, 22.0]],
         "group": [[0.6, 1.5, 2.5], [0.5, 1.4, 2.2], [0.7, 1.6, 2.8]],
         "layer": [[0.5, 1.5, 2.0], [0.4, 1.25, 1.8], [0.6, 1.75, 2.2]]},
        [[5.0, 9.0, 25.0], [4.5, 8.5, 24.0], [5.5, 9.5, 26.0]])
    return (("a made-up study at batch 64, 16, 4, 2 (seeds 40 to 44)", first, 5.0),
            ("a made-up study at batch 32, 8, 2 (seeds 50 to 52)", second, 3.0),
            ("a made-up study at batch 256, 64, 16 (seeds 60 to 62)", third, 5.0),
            ("a made-up study at batch 128, 32, 8 (seeds 70 to 72)", fourth, 5.0))


def _largest_behind(sizes: tuple[int, ...], bn: list[float], other: list[float],
                    points: float) -> int | None:
    behind = [size for size, b, o in zip(sizes, bn, other) if b - o >= points]
    return max(behind) if behind else None


def _medians(t: torch.Tensor) -> list[float]:
    return t.median(dim=0).values.tolist()


def _means(t: torch.Tensor) -> list[float]:
    return t.mean(dim=0).tolist()


_BEHIND_SLIPS: list[tuple[Callable[[SmallBatchResult, float], Any], str]] = [
    (lambda r, p: _largest_behind(r.batch_sizes, _means(r.error["batch"]),
                                  _means(r.error["layer"]), p),
     "You averaged over the seeds (mean); a typical run is the MEDIAN over seeds (result."
     "median(norm)), which one seed's bad run cannot move."),
    (lambda r, p: next((s for i, s in sorted(enumerate(r.batch_sizes), key=lambda t: -t[1])
                        if any(b - l >= p for b, l in zip(r.error["batch"][:, i].tolist(),
                                                          r.error["layer"][:, i].tolist()))),
                       None),
     "You counted a batch size as soon as ONE seed's BatchNorm run fell behind; compare the "
     "medians over seeds, a typical run: result.median('batch') and result.median('layer')."),
    (lambda r, p: _largest_behind(r.batch_sizes, _medians(r.batch_stat_error),
                                  r.median("layer"), p),
     "You used batch_stat_error, BatchNorm evaluated with each test batch's own statistics; the "
     "study's error, in eval mode as a deployed model runs, is result.error['batch'] "
     "(result.median('batch'))."),
    (lambda r, p: (lambda s: min(s) if s else None)(
        [size for size, b, l in zip(r.batch_sizes, r.median("batch"), r.median("layer"))
         if b - l >= p]),
     "You returned the SMALLEST batch size at which BatchNorm is behind; the question is the "
     "largest: from which batch size down has it fallen behind?"),
    (lambda r, p: (lambda s: s[0] if s else None)(
        [i for i, (b, l) in enumerate(zip(r.median("batch"), r.median("layer"))) if b - l >= p]),
     "You returned a position in result.batch_sizes; return the batch size itself."),
    (lambda r, p: _largest_behind(r.batch_sizes, r.median("batch"),
                                  [r.median("batch")[r.batch_sizes.index(max(r.batch_sizes))]]
                                  * len(r.batch_sizes), p),
     "You compared BatchNorm with its own error at the largest batch; compare it with "
     "LayerNorm's error at the SAME batch size: how far behind a per-sample norm is it there?"),
    (lambda r, p: _largest_behind(r.batch_sizes, r.median("batch"), r.median("group"), p),
     "You compared BatchNorm with GroupNorm; the question compares it with LayerNorm "
     "(result.median('layer'))."),
    (lambda r, p: (lambda s: max(s) if s else None)(
        [size for size, b, l in zip(r.batch_sizes, r.median("batch"), r.median("layer"))
         if b >= p * l]),
     "You compared a RATIO (BatchNorm's error at least `points` TIMES LayerNorm's); `points` is "
     "a difference in percentage points: BatchNorm's median minus LayerNorm's."),
    (lambda r, p: (lambda s: max(s) if s else None)(
        [size for size, b, l in zip(r.batch_sizes, r.median("batch"), r.median("layer"))
         if b - l > p]),
     "Almost: 'at least `points` above' includes a gap of exactly `points`; use >=, not >."),
    (lambda r, p: (lambda s: s if s is not None else 0)(
        _largest_behind(r.batch_sizes, r.median("batch"), r.median("layer"), p)),
     "When BatchNorm is never that far behind, return None, not 0."),
]


def _check_batchnorm_falls_behind(answer: Any) -> str:
    expect_function(answer, "batchnorm_falls_behind(result, points=5.0)")
    studies = _studies_to_measure()
    got, want = [], []
    for described, result, points in studies:
        what = f"batchnorm_falls_behind(result, points={points}) for {described}"
        value = call_student(answer, copy.deepcopy(result), points, what=what)
        if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
            value = value.item()
        if value is not None and (isinstance(value, bool) or not isinstance(value, Integral)):
            raise Incorrect(f"{what} returned {value!r} ({type(value).__name__}); return a batch "
                            "size, an int from result.batch_sizes (or None).")
        got.append(None if value is None else int(value))
        want.append(batchnorm_falls_behind(result, points))
    if got == want:
        return ("right on four small-batch studies the notebook did not run, made up so that "
                "the usual slips give different answers.")
    for slip, message in _BEHIND_SLIPS:
        if all(g == slip(result, points) for g, (_, result, points) in zip(got, studies)):
            raise Incorrect(message)
    if len(set(got)) == 1:
        raise Incorrect(f"You returned {got[0]!r} for every study; the answers were "
                        f"{', '.join(repr(w) for w in want)}. The check runs your function on "
                        "studies the notebook did not run: compute the answer from `result`.")
    i = next(i for i, (g, w) in enumerate(zip(got, want)) if g != w)
    described, result, points = studies[i]
    medians = "; ".join(f"batch {s}: BN {b:.1f}, LN {l:.1f}" for s, b, l in
                        zip(result.batch_sizes, result.median("batch"), result.median("layer")))
    raise Incorrect(f"For {described}, points={points}, you returned {got[i]!r}; the answer is "
                    f"{want[i]!r} (median errors, %: {medians}).")


EXERCISES = (
    Exercise(
        name="group_norm",
        kind="write",
        task="write group_norm(x, num_groups, gamma, beta, eps=1e-5) for an (N, C, *) input: "
             "each sample's channels split into num_groups groups of consecutive channels, each "
             "group normalised over its channels at every position, then a gamma and a beta per "
             "channel. No norm of PyTorch's or the course's: compute the statistics yourself.",
        checker=_check_group_norm,
        hints=(
            "Ask which values share one mean. BatchNorm: one channel, across the batch. "
            "LayerNorm: the features of one sample. GroupNorm (Wu & He 2018, Fig. 2): one "
            "sample's group of C // num_groups channels, at every position. The batch never "
            "enters, so the batch size cannot matter.",
            "The channels of a group are consecutive, so a reshape can give each (sample, group) "
            "a row of its own; normalise each row as in section 1 and reshape back to x's shape. "
            "gamma and beta hold one value per CHANNEL: they must line up with dim 1 of x, "
            "whatever number of dims follow it.",
            "`grouped = x.reshape(x.shape[0], num_groups, -1)`; mean and biased var over "
            "dim=-1 with keepdim=True; `x_hat = ((grouped - mean) / torch.sqrt(var + eps))"
            ".reshape(x.shape)`; `shape = (1, -1) + (1,) * (x.dim() - 2)`; "
            "`return gamma.reshape(shape) * x_hat + beta.reshape(shape)`.",
        ),
        reference=group_norm,
    ),
    Exercise(
        name="masked_batch_norm",
        kind="write",
        task="write masked_batch_norm(x, mask, gamma, beta, eps=1e-5) for a (B, T, C) batch of "
             "padded sequences (mask: (B, T), True at the real tokens): training-mode BatchNorm "
             "whose statistics, per channel over batch and time, leave the padding out; the "
             "padded positions' outputs may be anything finite. No norm of PyTorch's or the "
             "course's: compute the statistics yourself.",
        checker=_check_masked_batch_norm,
        hints=(
            "Section 3: BatchNorm's output moved when padding was added, because the padding "
            "entered every channel's mean and variance. Which values should form a channel's "
            "statistics? The real tokens only, of every sequence in the batch.",
            "Turn the mask into weights that line up with x: (B, T, 1), 1 at a real token and 0 "
            "at padding. A mean over the real tokens is the sum of the weighted values divided "
            "by the NUMBER of real tokens, not by B * T; the variance is such a mean too, of the "
            "squared deviations (biased, eps inside the root, as in section 1).",
            "`real = mask.unsqueeze(-1).to(x.dtype)`; `count = real.sum()`; `mean = (x * real)"
            ".sum(dim=(0, 1)) / count`; `var = ((x - mean) ** 2 * real).sum(dim=(0, 1)) / "
            "count`; `return gamma * (x - mean) / torch.sqrt(var + eps) + beta`.",
        ),
        reference=masked_batch_norm,
    ),
    Exercise("reduced_dims",
             "fill in reduced_dims = {'batch': (...), 'layer': (...), 'instance': (...)}: the "
             "dims of an image batch (B, C, H, W) that BatchNorm and GroupNorm with 1 and with C "
             "groups each average over",
             _check_reduced_dims,
             ("Ask first what each norm keeps ONE statistic per. BatchNorm: per channel. GroupNorm "
              "with 1 group: per image. With C groups: per channel of each image.",
              "Whatever a norm keeps one statistic per is NOT reduced; every other dim is. The "
              "channels are dim 1 here, and the pixels are two dims, H and W.",
              "'batch': (0, 2, 3); 'layer': (1, 2, 3); 'instance': (2, 3)."),
             reduced_dims, reference_source=REDUCED_DIMS_SOURCE),
    Exercise(
        name="batched_accuracy",
        kind="debug",
        task="fix batched_accuracy(model, X, y, batch_size=50) so that it measures the model as "
             "it is deployed (the same answer at every batch size) and leaves the model as it "
             "found it: its mode and its BatchNorm running statistics.",
        checker=_check_batched_accuracy,
        hints=(
            "A BatchNorm layer computes two different functions (section 5). Which one does "
            "the model use while this function runs, and what does that one do to the layer?",
            "In training mode BatchNorm normalises each batch with that batch's own statistics, "
            "and updates its running statistics as it goes; torch.no_grad() stops neither.",
            "Before the loop: `was_training = model.training` and `model.eval()` (with the "
            "parentheses); after it: `model.train(was_training)`.",
        ),
        reference=batched_accuracy,
    ),
    Exercise(
        name="batchnorm_falls_behind",
        kind="measure",
        task="write batchnorm_falls_behind(result, points=5.0): for a cu.small_batch_study "
             "result, the largest batch size at which BatchNorm's median test error (over "
             "seeds) is at least `points` percentage points above LayerNorm's at the same batch "
             "size; None if it never is.",
        checker=_check_batchnorm_falls_behind,
        hints=(
            "result.median(norm) gives the median test error over seeds, one per batch size, "
            "in the order of result.batch_sizes.",
            "Compare the two norms batch size by batch size, keep the sizes at which BatchNorm "
            "is `points` or more behind, and take the largest: from there down, it has fallen "
            "behind.",
            "`behind = [s for s, b, l in zip(result.batch_sizes, result.median('batch'), "
            "result.median('layer')) if b - l >= points]`, then `max(behind) if behind else "
            "None`.",
        ),
        reference=batchnorm_falls_behind,
    ),
)
