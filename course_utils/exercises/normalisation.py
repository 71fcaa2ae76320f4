"""Exercises of notebook 03: LayerNorm and training-mode BatchNorm from scratch, and which
dimensions of a (B, T, C) tensor each norm averages over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from .framework import (Exercise, Incorrect, NotAttempted, call_student, close, expect_function,
                       expect_tensor)

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
               eps: float = 1e-5) -> torch.Tensor:
    # statistics of each sample (each token) over its last dimension, the features
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, unbiased=False, keepdim=True)      # biased: divide by n, not n - 1
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


def batch_norm_train(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
                     eps: float = 1e-5) -> torch.Tensor:
    # x: (B, C); statistics of each channel over the batch
    mean = x.mean(dim=0, keepdim=True)
    var = x.var(dim=0, unbiased=False, keepdim=True)
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


REDUCED_DIMS_SOURCE = """
reduced_dims = {
    # dims of a (B, T, C) tensor averaged into ONE mean and variance
    "batch": (0, 1),    # nn.BatchNorm1d on (B, C, T): each channel over batch and time
    "layer": (2,),      # nn.LayerNorm(C): each token over its channels
}
"""
reduced_dims: dict[str, tuple[int, ...]] = {}
exec(REDUCED_DIMS_SOURCE)    # the value the checker is tested with is the code solution() shows


# ---------------------------------------------------------------------------------------------
# Checkers: each wrong variant the checkers recognise, computed so the message can name it.

def _variants(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float,
              dim: int) -> dict[str, torch.Tensor]:
    """The right answer normalising over `dim`, and the classic mistakes."""
    mean = x.mean(dim=dim, keepdim=True)
    var = x.var(dim=dim, unbiased=False, keepdim=True)
    unbiased = x.var(dim=dim, unbiased=True, keepdim=True)
    other = 0 if dim != 0 else -1
    return {
        "right": gamma * (x - mean) / torch.sqrt(var + eps) + beta,
        "unbiased": gamma * (x - mean) / torch.sqrt(unbiased + eps) + beta,
        "eps outside": gamma * (x - mean) / (torch.sqrt(var) + eps) + beta,
        "no affine": (x - mean) / torch.sqrt(var + eps),
        "gamma only": gamma * (x - mean) / torch.sqrt(var + eps),
        "wrong axis": gamma * (x - x.mean(dim=other, keepdim=True)) / torch.sqrt(
            x.var(dim=other, unbiased=False, keepdim=True) + eps) + beta,
        "all values": gamma * (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + eps) + beta,
        "eps ignored": gamma * (x - mean) / torch.sqrt(var + 1e-5) + beta,
    }


_MISTAKES = {
    "unbiased": "it uses the unbiased variance (dividing by n - 1). Normalisation layers "
                "normalise with the biased one, dividing by n (only the running variance that "
                "BatchNorm keeps for eval mode is unbiased): use x.var(..., unbiased=False) or "
                "((x - mean) ** 2).mean(...).",
    "eps outside": "eps is added after the square root. It belongs inside: "
                   "sqrt(var + eps), as in nn.LayerNorm and nn.BatchNorm1d.",
    "no affine": "gamma and beta are ignored. Scale by gamma and add beta after normalising.",
    "gamma only": "beta is ignored: add beta after scaling by gamma.",
    "all values": "it normalises over ALL values at once, not per {unit}.",
    "eps ignored": "it ignores the eps it is given (the check passed eps = 0.5): use the "
                   "argument, not a hard-coded 1e-5.",
}


_NAMES = ("x", "gamma", "beta", "eps")


def _check_norm(answer: Any, *, name: str, shape: tuple[int, ...], dim: int, unit: str,
                axis_hint: str, reference: Callable[..., torch.Tensor]) -> str:
    expect_function(answer, f"{name}(x, gamma, beta, eps=1e-5)")
    gen = torch.Generator().manual_seed(3)
    channels = shape[-1]
    x = 2.0 + 3.0 * torch.randn(shape, generator=gen, dtype=torch.float64)
    x = x + torch.arange(shape[0], dtype=torch.float64).reshape(-1, *[1] * (len(shape) - 1))
    gamma = 0.5 + torch.rand(channels, generator=gen, dtype=torch.float64)
    beta = torch.randn(channels, generator=gen, dtype=torch.float64)
    for eps in (1e-5, 0.5):          # a large eps makes "where does eps go" visible
        variants = _variants(x, gamma, beta, eps, dim)           # from pristine inputs
        x_in = x.clone().requires_grad_(True)
        got = call_student(answer, x_in, gamma.clone(), beta.clone(), eps,
                           what=f"{name}(x, gamma, beta, eps={eps})", names=_NAMES)
        got = expect_tensor(got, shape=shape, what=name)
        if close(got.detach(), variants["right"]):
            continue
        for mistake, value in variants.items():
            if mistake == "right" or not close(got.detach(), value):
                continue
            if mistake == "wrong axis":
                raise Incorrect(f"{name} normalises over the wrong dimension: {axis_hint}")
            raise Incorrect(f"{name} is close, but {_MISTAKES[mistake].format(unit=unit)}")
        raise Incorrect(f"{name}(x, gamma, beta, eps={eps}) does not match {reference.__name__}"
                        f" (largest difference {(got.detach().double() - variants['right']).abs().max():.3g})."
                        f" Compute mean and biased variance per {unit}, then "
                        "gamma * (x - mean) / sqrt(var + eps) + beta.")
    # the backward pass: autograd through the student's ops must give the reference gradient
    x_in = x.clone().requires_grad_(True)
    got = call_student(answer, x_in, gamma.clone(), beta.clone(), 1e-5, what=name, names=_NAMES)
    weights = torch.randn(shape, generator=gen, dtype=torch.float64)
    if not got.requires_grad:
        raise Incorrect(f"{name}'s output is cut off from autograd (no grad_fn): keep to torch "
                        "operations, without .detach(), .item() or NumPy.")
    (got * weights).sum().backward()
    x_ref = x.clone().requires_grad_(True)
    (reference(x_ref, gamma, beta, 1e-5) * weights).sum().backward()
    if not close(x_in.grad, x_ref.grad, atol=1e-6):
        raise Incorrect(f"{name}'s forward pass is right but its gradient is not: is part of "
                        "the computation detached?")
    return f"{name} matches the reference forward and backward, for eps = 1e-5 and 0.5."


def _check_layer_norm(answer: Any) -> str:
    message = _check_norm(answer, name="layer_norm", shape=(3, 4, 6), dim=-1, unit="token",
                          axis_hint="LayerNorm takes mean and variance over the LAST dimension "
                                    "(the features of one token): dim=-1, keepdim=True.",
                          reference=layer_norm)
    return message + " It is what nn.LayerNorm computes, token by token."


def _check_batch_norm_train(answer: Any) -> str:
    message = _check_norm(answer, name="batch_norm_train", shape=(8, 5), dim=0, unit="channel",
                          axis_hint="BatchNorm takes mean and variance of each CHANNEL over the "
                                    "batch: dim=0 for a (B, C) input, keepdim=True.",
                          reference=batch_norm_train)
    return message + " It is nn.BatchNorm1d in training mode (before the running statistics)."


def _as_dims(value: Any, key: str) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list, set, frozenset)) or not all(
            isinstance(d, int) and not isinstance(d, bool) for d in value):
        raise Incorrect(f"reduced_dims[{key!r}] should be a tuple of dimension numbers, e.g. "
                        f"(0,), got {value!r}.")
    dims = {d % 3 if -3 <= d < 3 else d for d in value}
    if any(d not in (0, 1, 2) for d in dims):
        raise Incorrect(f"reduced_dims[{key!r}] = {value!r}: a (B, T, C) tensor only has "
                        "dims 0, 1, 2 (or -3, -2, -1).")
    return tuple(sorted(dims))


def _check_reduced_dims(answer: Any) -> str:
    if not isinstance(answer, dict):
        raise Incorrect(f"Expected a dict like {{'batch': (...), 'layer': (...)}}, got "
                        f"{type(answer).__name__}.")
    if any(value is Ellipsis for value in answer.values()):
        left = [key for key, value in answer.items() if value is Ellipsis]
        raise NotAttempted(f"Replace each `...` with a tuple of dims, such as (0,): still "
                           f"`...` for {', '.join(repr(k) for k in left)}. Then run the cell again.")
    missing = {"batch", "layer"} - set(answer)
    if missing:
        raise Incorrect(f"The dict has no entry for {sorted(missing)}: give one for 'batch' and "
                        "one for 'layer'.")
    batch, layer = _as_dims(answer["batch"], "batch"), _as_dims(answer["layer"], "layer")
    if batch == (2,) and layer in ((0, 1), (0,)):
        raise Incorrect("The two are swapped: BatchNorm averages over examples (and time) for "
                        "each channel; LayerNorm averages over channels for each token.")
    if batch == (0,):
        raise Incorrect("BatchNorm for sequences averages each channel over the batch AND over "
                        "time: nn.BatchNorm1d on a (B, C, T) input uses every (b, t) pair.")
    if batch != (0, 1):
        raise Incorrect(f"reduced_dims['batch'] = {batch}: BatchNorm keeps one statistic per "
                        "channel, so it averages over every other dimension.")
    if layer == (1, 2):
        raise Incorrect("LayerNorm in a transformer normalises each token on its own: over its "
                        "channels only, never across time (that would mix positions).")
    if layer != (2,):
        raise Incorrect(f"reduced_dims['layer'] = {layer}: LayerNorm keeps one statistic per "
                        "token (per b and t).")
    return "BatchNorm: one statistic per channel over (B, T); LayerNorm: one per token over C."


EXERCISES = (
    Exercise("layer_norm",
             "write layer_norm(x, gamma, beta, eps=1e-5) normalising over the last dimension",
             _check_layer_norm,
             ("Mean and variance over dim=-1 with keepdim=True, so they broadcast back over x.",
              "Normalisation layers normalise with the biased variance: x.var(dim=-1, "
              "unbiased=False, keepdim=True). eps goes inside the square root.",
              "return gamma * (x - mean) / torch.sqrt(var + eps) + beta"),
             layer_norm),
    Exercise("batch_norm_train",
             "write batch_norm_train(x, gamma, beta, eps=1e-5) for a (B, C) input in training mode",
             _check_batch_norm_train,
             ("One mean and one variance per channel: reduce over the batch, dim=0.",
              "x.mean(dim=0, keepdim=True) and x.var(dim=0, unbiased=False, keepdim=True).",
              "return gamma * (x - mean) / torch.sqrt(var + eps) + beta"),
             batch_norm_train),
    Exercise("reduced_dims",
             "fill in reduced_dims = {'batch': (...), 'layer': (...)}: the dims of a (B, T, C) "
             "tensor each norm averages over",
             _check_reduced_dims,
             ("Ask: how many means does each norm keep? BatchNorm: one per channel. LayerNorm: "
              "one per token.",
              "Whatever a norm keeps one statistic per is NOT reduced; every other dim is.",
              "BatchNorm keeps C, so it reduces (0, 1); LayerNorm keeps (B, T), so it reduces "
              "(2,)."),
             reduced_dims, reference_source=REDUCED_DIMS_SOURCE),
)
