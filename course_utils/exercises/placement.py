"""Exercises of notebook 04: the post-norm, pre-norm and DeepNorm sub-layers, and the parameter
count of nn.MultiheadAttention (write); a pre-norm attention sub-layer whose norm runs over the
wrong axis, so that position 0 sees the future (debug); how many training steps a set of runs
needs before its median loss falls below a level (measure)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator
from numbers import Integral
from typing import Any

import torch
from torch import nn

from ..batched import BatchedTransformer
from ..data import reverse_task
from ..runtime import seeded
from ..training import Runs, train_batched
from ..transformer import SelfAttention, TinyTransformer
from .framework import (Exercise, Incorrect, NotAttempted, call_student, close,
                        constructions_counted, expect_function, expect_tensor, progress_made,
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


def pre_norm_attention(x, attention, gamma, beta, eps=1e-5):
    # x: (B, T, C). LayerNorm normalises each token over its own C channels: the LAST axis
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True, unbiased=False)
    normed = (x - mean) / torch.sqrt(var + eps) * gamma + beta
    return x + attention(normed)


def steps_to_loss(runs, level):
    typical = runs.loss.median(dim=0).values           # the median run, step by step
    for step, loss in enumerate(typical.tolist()):
        if loss < level:
            return step
    return None


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


def _check_mha_param_count(answer: Any) -> str:
    expect_function(answer, "mha_param_count(d_model, n_heads)")
    for d, h in ((512, 8), (64, 4), (12, 3), (8, 1), (96, 12)):
        want = sum(p.numel() for p in nn.MultiheadAttention(d, h).parameters())
        with constructions_counted(nn.MultiheadAttention) as built:
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


# ---------------------------------------------------------------------------------------------
# pre_norm_attention (debug): the norm over the wrong axis lets position 0 see the future.

_B, _T, _C = 3, 6, 8
_ATTENTION_NAMES = ("x", "attention", "gamma", "beta", "eps")


def _attention_pieces() -> tuple[torch.Tensor, nn.Module, torch.Tensor, torch.Tensor]:
    def make() -> tuple[torch.Tensor, nn.Module, torch.Tensor, torch.Tensor]:
        x = 2.0 + 3.0 * torch.randn(_B, _T, _C)            # a stream with a mean and a scale
        attention = SelfAttention(_C, 2, causal=True)
        gamma, beta = 1.0 + 0.3 * torch.randn(_C), 0.3 * torch.randn(_C)
        return x, attention, gamma, beta

    return seeded_modules(make, 4)


def _normalised(x, dims, gamma, beta, eps, *, unbiased: bool = False, eps_outside: bool = False):
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=unbiased)
    scale = var.sqrt() + eps if eps_outside else torch.sqrt(var + eps)
    return (x - mean) / scale * gamma + beta


def _attention_candidates(x, attention, gamma, beta, eps) -> dict[str, torch.Tensor]:
    with torch.no_grad():
        right = _normalised(x, -1, gamma, beta, eps)
        return {
            "right": x + attention(right),
            "given": x + attention(_normalised(x, 1, gamma, beta, eps)),
            "sequence": x + attention(_normalised(x, (1, 2), gamma, beta, eps)),
            "batch": x + attention(_normalised(x, 0, gamma, beta, eps)),
            "unbiased": x + attention(_normalised(x, -1, gamma, beta, eps, unbiased=True)),
            "eps outside": x + attention(_normalised(x, -1, gamma, beta, eps, eps_outside=True)),
            "no gamma beta": x + attention(_normalised(x, -1, 1.0, 0.0, eps)),
            "normalised skip": right + attention(right),
            "no skip": attention(right),
            "post": _normalised(x + attention(x), -1, gamma, beta, eps),
            "no norm": x + attention(x),
            "default eps": x + attention(_normalised(x, -1, gamma, beta, 1e-5)),
        }


_ATTENTION_MISTAKES = {
    "sequence": "it takes the mean and variance over the whole sequence (dims 1 and 2 together), "
                "so position 0 still sees the future: every token's statistics include the later "
                "tokens. A LayerNorm normalises each token over its own C channels only.",
    "batch": "it takes the mean and variance over the batch (dim 0), as BatchNorm does: each "
             "sequence's output now depends on the other sequences in the batch. A LayerNorm "
             "normalises each token over its own C channels.",
    "unbiased": "the axis is right now, but the variance divides by C − 1 (`unbiased=True`, the "
                "default of torch.var); LayerNorm divides by C: keep `unbiased=False`.",
    "eps outside": "the axis is right now, but eps was moved outside the square root; LayerNorm "
                   "divides by sqrt(var + eps), as the given code did.",
    "no gamma beta": "the axis is right now, but gamma and beta are not applied: the norm's "
                     "learned gain and shift multiply and shift the normalised tokens.",
    "normalised skip": "it adds the normalised stream back, LN(x) + F(LN(x)), the wrong pre-norm "
                       "formula of section 2: the skip must carry x itself.",
    "no skip": "the `x +` is missing: without it there is no residual connection (pitfall 1).",
    "no norm": "the norm is gone: the attention now sees x itself, with its mean and scale. "
               "Keep the LayerNorm, and fix the axis it normalises over.",
    "post": "it computes LN(x + F(x)), post-norm. Keep the given structure, x + F(LN(x)), and "
            "fix only what is wrong inside the norm.",
}


def _position_zero_change(answer: Any, x, attention, gamma, beta, *, row: int) -> float:
    """How much the output at position 0 of sequence 0 changes when only token `row` of the
    LAST position changes (row 0: the same sequence; row 1: another sequence of the batch)."""
    changed = x.clone()
    changed[row, -1] += 5.0
    what = "pre_norm_attention(x, attention, gamma, beta)"
    before = expect_tensor(call_student(answer, x.clone(), attention, gamma, beta, what=what,
                                        names=_ATTENTION_NAMES), shape=x.shape, what=what)
    after = expect_tensor(call_student(answer, changed, attention, gamma, beta, what=what,
                                       names=_ATTENTION_NAMES), shape=x.shape, what=what)
    return (after.detach() - before.detach())[0, 0].abs().max().item()


def _check_pre_norm_attention(answer: Any) -> str:
    expect_function(answer, "pre_norm_attention(x, attention, gamma, beta, eps=1e-5)")
    x, attention, gamma, beta = _attention_pieces()
    for eps in (None, 0.5):
        extra = () if eps is None else (eps,)
        what = f"pre_norm_attention(x, attention, gamma, beta{'' if eps is None else ', eps=0.5'})"
        got = call_student(answer, x.clone(), attention, gamma, beta, *extra, what=what,
                           names=_ATTENTION_NAMES)
        got = expect_tensor(got, shape=x.shape, what=what).detach()
        candidates = _attention_candidates(x, attention, gamma, beta, 1e-5 if eps is None else eps)
        if close(got, candidates["right"], atol=1e-4):
            continue
        if close(got, candidates["given"], atol=1e-4):
            leak = _position_zero_change(answer, x, attention, gamma, beta, row=0)
            raise NotAttempted(
                "This is still the function as given. The attention is causal, so the output at "
                "position 0 should depend on token 0 alone; yet changing only the LAST token of "
                f"a sequence changes its output at position 0 by up to {leak:.2f}. In a language "
                "model that is the answer leaking into the question. Find which numbers used at "
                "position 0 depend on later tokens, fix that, run the cell, and check again.")
        for mistake, message in _ATTENTION_MISTAKES.items():
            if close(got, candidates[mistake], atol=1e-4):
                raise Incorrect(f"pre_norm_attention: {message}")
        if eps is not None and close(got, candidates["default eps"], atol=1e-4):
            raise Incorrect("With eps=0.5 your function gives what eps=1e-5 gives: it ignores its "
                            "`eps` argument (nn.LayerNorm(C) and F.layer_norm without eps= use "
                            "their own 1e-5). Pass eps on.")
        future = _position_zero_change(answer, x, attention, gamma, beta, row=0)
        if future > 1e-5:
            raise Incorrect(f"Position 0 still sees the future: changing only the last token "
                            f"changes the output at position 0 by up to {future:.3g}. A "
                            "LayerNorm's statistics must come from the token itself, its C "
                            "channels, never from other positions.")
        other = _position_zero_change(answer, x, attention, gamma, beta, row=1)
        if other > 1e-5:
            raise Incorrect(f"A sequence's output depends on the other sequences of the batch "
                            f"(by up to {other:.3g}): the statistics must come from each token's "
                            "own C channels, not from across the batch.")
        raise Incorrect(f"pre_norm_attention returned something else (largest difference "
                        f"{(got - candidates['right']).abs().max():.3g}). Change only what is "
                        "wrong; keep x + attention(normed), gamma, beta and eps as they were.")
    return ("each token is normalised over its own C channels (the last axis), so position 0 "
            "sees only itself, as a causal model must.")


# ---------------------------------------------------------------------------------------------
# steps_to_loss (measure): on runs the notebook did not make.

_TRAINED: dict[str, torch.Tensor] = {}


class _Beats:
    """A progress sink for train_batched: each step tells the watchdog the check is alive."""

    def update(self, n: int = 1) -> None:
        progress_made()


def _trained_losses() -> tuple[torch.Tensor, torch.Tensor]:
    """(6, 80) losses and accuracies of six small post-norm reversers (2 layers, width 16, 8
    tokens of 8 symbols; seeds 3-5 without, then with, a 30-step warm-up; Adam at 1e-2), trained
    as one batched computation once per session."""
    if not _TRAINED:
        seeds = (3, 4, 5)

        def run() -> Runs:
            data = [reverse_task(512, seq_len=8, vocab=8, seed=s) for s in seeds]
            X = torch.stack([X for X, _ in data]).repeat(2, 1, 1)
            y = torch.stack([y for _, y in data]).repeat(2, 1, 1)
            model = BatchedTransformer([
                seeded(lambda: TinyTransformer(vocab=8, seq_len=8, n_layers=2, d_model=16,
                                               n_heads=2, d_ff=32, placement="post"), s)
                for _ in range(2) for s in seeds])
            return train_batched(model, X, y, seeds=seeds * 2, steps=80, batch_size=16, lr=1e-2,
                                 optimizer="adam", warmup_steps=[0] * 3 + [30] * 3,
                                 weight_decay=0.0, progress=_Beats())

        runs = seeded_modules(run)
        _TRAINED.update(loss=runs.loss, accuracy=runs.accuracy)
    return _TRAINED["loss"], _TRAINED["accuracy"]


def _runs_to_measure() -> Iterator[tuple[str, torch.Tensor, torch.Tensor, float]]:
    single = torch.tensor([[2.5, 1.8, 0.9, 0.6]])          # first, before any training
    yield "a single run of 4 steps", single, torch.zeros_like(single), 1.0
    loss, accuracy = _trained_losses()
    mixed = [3, 1, 2, 0, 5]                       # five runs, with and without warm-up
    diverged = loss[mixed].clone()
    diverged[1, 4:] = math.inf                    # as train_batched records a diverged run
    yield from [
        ("5 runs, one of which diverged at step 4", diverged, accuracy[mixed], 1.0),
        ("3 post-norm runs without warm-up", loss[:3], accuracy[:3], 1.0),
        ("3 post-norm runs without warm-up", loss[:3], accuracy[:3], 0.5),
        ("3 post-norm runs with a 30-step warm-up", loss[3:], accuracy[3:], 1.0),
        ("5 runs", loss[1:], accuracy[1:], 0.5),
        ("3 runs and a level they never reach", loss[3:], accuracy[3:], 0.01),
    ]


def _first_below(curve: torch.Tensor, level: float) -> int | None:
    return next((step for step, v in enumerate(curve.tolist()) if v < level), None)


def _as_step(got: Any, call: str) -> int | None:
    if got is None:
        return None
    if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_floating_point() \
            and got.dtype != torch.bool:
        return int(got.item())
    if isinstance(got, bool) or not isinstance(got, Integral):
        if isinstance(got, float) and got.is_integer():
            raise Incorrect(f"{call} returned the float {got!r}; return the step as an int.")
        raise Incorrect(f"{call} returned {type(got).__name__} {got!r}: return the step as an "
                        "int (a column index of runs.loss), or None.")
    return int(got)


def _steps_diagnosis(loss: torch.Tensor, level: float, what: str, got: int | None,
                     expected: int | None) -> str:
    steps = loss.shape[1]
    if expected is None and got is not None and got in (-1, steps, steps - 1, 0):
        return (f"For {what} the median loss never falls below {level}; return None then, "
                f"not {got!r}.")
    if expected is not None and got == expected + 1:
        return (f"For {what} you returned {got}, one more than the step's index: count the steps "
                f"from 0, as the columns of runs.loss are (runs.loss[:, {expected}] is the "
                "first below the level).")
    if got == _first_below(loss[0], level):
        return (f"For {what} you followed only the first run, runs.loss[0]; take the median over "
                "all the runs at each step.")
    if got == _first_below(loss.min(dim=0).values, level):
        return (f"For {what} you returned the first step at which ANY run is below the level "
                "(the fastest run); take the median over runs, the typical run.")
    reached = [step for step in map(lambda row: _first_below(row, level), loss) if step is not None]
    if reached and got in (statistics.median(reached), statistics.median_low(reached)):
        return (f"For {what} you found each run's own first step, then their median; the task "
                "is the first step of the median CURVE: take the median over runs at every "
                "step first, then walk along it.")
    if got == _first_below(loss.mean(dim=0), level):
        if torch.isinf(loss).any():
            since = int(torch.isinf(loss).any(dim=0).nonzero()[0, 0])
            return (f"For {what} you returned {got!r}. One run diverged: its loss is inf from "
                    f"step {since} on, so the MEAN over runs is inf too and never falls below "
                    "the level. Take the median over runs (dim 0): one odd run cannot move it.")
        return (f"For {what} you averaged the runs (mean); take the median over runs at each "
                "step (dim 0), as the notebook's claims do: one run that lags or diverges "
                "cannot move it.")
    return (f"For {what} (level {level}) you returned {got!r}; the median loss over runs first "
            f"falls below {level} at step {expected!r}.")


def _check_steps_to_loss(answer: Any) -> str:
    expect_function(answer, "steps_to_loss(runs, level)")
    for what, loss, accuracy, level in _runs_to_measure():
        expected = steps_to_loss(Runs(loss.clone(), accuracy.clone()), level)
        call = f"steps_to_loss(runs, {level}) for {what}"
        got = _as_step(call_student(answer, Runs(loss.clone(), accuracy.clone()), level,
                                    what=call), call)
        if got != expected:
            raise Incorrect(_steps_diagnosis(loss, level, what, got, expected))
    return ("right on seven sets of runs the notebook did not train (with and without warm-up, "
            "one diverged, a level never reached).")


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
    Exercise("pre_norm_attention",
             "fix pre_norm_attention(x, attention, gamma, beta, eps=1e-5), a causal pre-norm "
             "attention sub-layer x + attention(LN(x)) on a (B, T, C) stream, so that position 0 "
             "no longer sees the future",
             _check_pre_norm_attention,
             ("The attention is causal, so something else lets later tokens reach position 0. "
              "Which numbers computed before the attention mix different positions?",
              "x is (B, T, C): dim 0 is the batch, dim 1 the positions, dim 2 the channels. A "
              "LayerNorm takes its mean and variance over each token's own channels.",
              "Use `dim=-1` in both the mean and the variance: `x.mean(dim=-1, keepdim=True)`, "
              "`x.var(dim=-1, keepdim=True, unbiased=False)`; leave the rest as it is."),
             pre_norm_attention, kind="debug"),
    Exercise("steps_to_loss",
             "write steps_to_loss(runs, level): the first training step (a column index of "
             "runs.loss, from 0) at which the median loss over the runs falls below `level`, or "
             "None if it never does",
             _check_steps_to_loss,
             ("runs.loss has one row per run (a seed) and one column per training step. Make "
              "one typical curve out of the rows first, then walk along it.",
              "The typical run is the median over runs at each step (dim 0): a run that "
              "diverged (its loss is inf from then on) cannot move it, unlike the mean.",
              "`typical = runs.loss.median(dim=0).values`, then `for step, loss in "
              "enumerate(typical.tolist()):` return `step` at the first `loss < level`; after "
              "the loop, return None."),
             steps_to_loss, kind="measure"),
)
