"""Exercises of notebook 03: LayerNorm and training-mode BatchNorm from scratch, and which
dimensions of a (B, T, C) tensor each norm averages over (write); an accuracy helper that
evaluates a BatchNorm net in training mode (debug); the largest batch size at which BatchNorm
has fallen behind LayerNorm in a small-batch study (measure)."""

from __future__ import annotations

import copy
import functools
import inspect
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import torch
from torch import nn

from ..data import two_spirals
from ..experiments.small_batch import SmallBatchResult
from .framework import (Exercise, Incorrect, NotAttempted, call_student, close, expect_function,
                        expect_tensor, progress_made, seeded_modules)

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

    used: list[str] = []

    def watched(name: str, function: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            used.append(name)
            return function(*args, **kwargs)
        return wrapper

    saved = [(course_utils, "evaluate", course_utils.evaluate),
             (training, "evaluate", training.evaluate),
             (training, "evaluate_batched", training.evaluate_batched)]
    for module, name, function in saved:
        setattr(module, name, watched(f"cu.{name}", function))
    try:
        yield used
    finally:
        for module, name, function in saved:
            setattr(module, name, function)


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
