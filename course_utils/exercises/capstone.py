"""Exercises of notebook 06, the capstone: the residual sub-layer wrapper, with a third placement
(Swin Transformer V2's res-post-norm), that the notebook's post- and pre-norm models are built
from (write); the windows a language model trains on, whose targets are not the next characters
(debug); how unequal a model's gradients are across its layers (measure)."""

from __future__ import annotations

from typing import Any

import math
from numbers import Real

import torch

from .framework import (Exercise, Incorrect, NotAttempted, call_student, close, expect_function,
                        expect_tensor, refuse_course_code)
from .placement import _COMPUTES, _call, _candidates, _pieces

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def residual_sublayer(x, sublayer, norm, placement):
    # one residual sub-layer of a transformer layer, with its LayerNorm where `placement` says
    if placement == "post":
        return norm(x + sublayer(x))          # add, then normalise the sum
    if placement == "pre":
        return x + sublayer(norm(x))          # normalise the branch's input; the skip carries x
    if placement == "res-post":
        return x + norm(sublayer(x))          # normalise the branch's output; the skip carries x
    raise ValueError(f"placement must be 'post', 'pre' or 'res-post', got {placement!r}")


def next_char_windows(ids, starts, seq_len):
    # ids: (N,) the text's character ids; starts: (B,) where each window begins
    positions = starts[:, None] + torch.arange(seq_len)      # (B, seq_len)
    inputs = ids[positions]
    targets = ids[positions + 1]          # at every position: the character that comes NEXT
    return inputs, targets


def gradient_spread(runs, variant, checkpoint=1):
    norms = runs.gradient_norms[variant][:, checkpoint]      # (seeds, layers) at that checkpoint
    per_seed = norms.max(dim=1).values / norms.min(dim=1).values
    return per_seed.median().item()


# ---------------------------------------------------------------------------------------------
# Checker of residual_sublayer.

_NAMES = ("x", "sublayer", "norm", "placement")
_SIGNATURE = "residual_sublayer(x, sublayer, norm, placement)"


_WRITES = "Write the sub-layer yourself, from `sublayer`, `norm` and the skip."


_PLACEMENTS = {"post": "post", "pre": "pre", "res-post": "norm on branch"}   # -> _candidates key
_FORMULAS = {"post": "LN(x + F(x))", "pre": "x + F(LN(x))", "res-post": "x + LN(F(x))"}


def _placement_result(answer: Any, x, F, N, placement: str) -> torch.Tensor:
    """The answer's output for `placement`, or Incorrect saying why there is none."""
    what = f"residual_sublayer(x, sublayer, norm, {placement!r})"

    def call(*args: Any) -> Any:
        try:
            return answer(*args)
        except ValueError as error:      # a placement the answer does not accept: said below
            return error

    got = _call(call, x.clone(), F, N, placement, what=what, names=_NAMES, writes=_WRITES)
    if isinstance(got, ValueError):
        raise Incorrect(f"{what} raises ValueError ({str(got)[:80]}): {placement!r} is one of "
                        f"the three placements to accept, {_FORMULAS[placement]}.")
    return expect_tensor(got, shape=x.shape, what=what).detach()


def _check_residual_sublayer(answer: Any) -> str:
    expect_function(answer, _SIGNATURE)
    refuse_course_code(answer, "residual_sublayer", writes=_WRITES)
    for seed in (0, 1):
        x, F, N = _pieces(seed)
        candidates = _candidates(x, F, N)
        results = {placement: _placement_result(answer, x, F, N, placement)
                   for placement in _PLACEMENTS}
        if all(close(results[p], results["post"], atol=1e-5) for p in ("pre", "res-post")):
            raise Incorrect("residual_sublayer gives the same result for 'post', 'pre' and "
                            "'res-post': it ignores `placement`. The three placements put the "
                            "LayerNorm in different places, so they compute different things.")
        with torch.no_grad():
            candidates["norm on skip"] = N(x) + F(x)
            candidates["sandwich"] = x + N(F(N(x)))
        for placement, got in results.items():
            if close(got, candidates[_PLACEMENTS[placement]], atol=1e-5):
                continue
            if close(got, candidates["norm on skip"], atol=1e-5):
                raise Incorrect(f"With placement={placement!r} it computes LN(x) + F(x): the norm "
                                "is on the skip and the branch sees x raw. That is none of the "
                                "placements: each normalises the sum, the branch's input or the "
                                "branch's output, and none normalises what the skip carries.")
            if close(got, candidates["sandwich"], atol=1e-5):
                raise Incorrect(f"With placement={placement!r} it computes x + LN(F(LN(x))): the "
                                "norm runs on the branch's input AND on its output (the form of "
                                "CogView's Sandwich-LN, Ding et al. 2021, which uses two separate "
                                f"LayerNorms), where {placement!r} is "
                                f"{_FORMULAS[placement]}.")
            other = next((p for p, key in _PLACEMENTS.items()
                          if p != placement and close(got, candidates[key], atol=1e-5)), None)
            if other is not None:
                raise Incorrect(f"With placement={placement!r} it computes {_FORMULAS[other]}, "
                                f"which is {other!r}: {placement!r} is {_FORMULAS[placement]}.")
            for mistake, value in candidates.items():
                if mistake not in ("post", "pre", "norm on branch") and mistake in _COMPUTES \
                        and close(got, value, atol=1e-5):
                    raise Incorrect(f"With placement={placement!r} it computes "
                                    f"{_COMPUTES[mistake]}.")
            expected = candidates[_PLACEMENTS[placement]]
            raise Incorrect(f"With placement={placement!r} it returns something else (largest "
                            f"difference {(got - expected).abs().max():.3g} from "
                            f"{_FORMULAS[placement]}). Call `sublayer` and `norm`; do not build "
                            "new layers.")
    x, _, N = _pieces(2)
    zero = lambda v: torch.zeros_like(v)   # noqa: E731
    got = expect_tensor(call_student(answer, x.clone(), zero, N, "pre", what=_SIGNATURE,
                                     names=_NAMES), shape=x.shape, what=_SIGNATURE)
    if not close(got.detach(), x, atol=1e-6):
        raise Incorrect("With placement='pre' and a branch that outputs zeros it should return x "
                        "itself, exactly.")
    def unknown_placement() -> Any:
        try:
            returned = answer(x.clone(), zero, N, "middle")
        except ValueError:
            return None
        except Exception as error:      # noqa: BLE001 - the student's code may raise anything
            return error
        return "None" if returned is None else "a result"

    outcome = call_student(unknown_placement, what="residual_sublayer(x, sublayer, norm, 'middle')")
    if isinstance(outcome, BaseException):
        raise Incorrect(f"For an unknown placement ('middle') it raises {type(outcome).__name__}; "
                        "raise ValueError, which says the VALUE of an argument is wrong, with a "
                        "message naming the placements you accept.")
    if outcome is not None:
        raise Incorrect(f"For an unknown placement ('middle') it returns {outcome}. A typo such as "
                        "'Pre' would then silently train a model you did not ask for: raise "
                        "ValueError instead.")
    return ("'post' gives LN(x + F(x)), 'pre' x + F(LN(x)), 'res-post' x + LN(F(x)), and anything "
            "else is refused. With a branch of zeros, pre returns x exactly, res-post x + β "
            "(LN of zeros is its shift β: x while β = 0, as at initialisation) and post LN(x). "
            "The post-norm and pre-norm models below use your function for every residual "
            "sub-layer.")


# ---------------------------------------------------------------------------------------------
# next_char_windows (debug): the targets were the inputs themselves.

_WINDOW_NAMES = ("ids", "starts", "seq_len")


def _ids(value: Any, shape: tuple[int, int], what: str) -> torch.Tensor:
    """`value` if it is a tensor of character ids of `shape`, else Incorrect saying what it is."""
    if not isinstance(value, torch.Tensor):
        raise Incorrect(f"{what} should be a tensor of character ids, got {type(value).__name__}.")
    if value.is_floating_point() or value.dtype == torch.bool:
        raise Incorrect(f"{what} holds {value.dtype} values; character ids are integers: index "
                        "`ids` with the positions rather than computing new values.")
    if tuple(value.shape) != shape:
        raise Incorrect(f"{what} has shape {tuple(value.shape)}; it should be (B, seq_len) = "
                        f"{shape}, one row per window.")
    return value


def _check_next_char_windows(answer: Any) -> str:
    signature = "next_char_windows(ids, starts, seq_len)"
    expect_function(answer, signature)
    ids = torch.tensor([5, 2, 7, 7, 1, 0, 3, 9, 4, 6, 8, 2, 5, 1])
    for starts, seq_len in ((torch.tensor([0, 3, 6]), 4), (torch.tensor([9, 1]), 3)):
        what = f"next_char_windows(ids, starts={starts.tolist()}, seq_len={seq_len})"
        got = call_student(answer, ids.clone(), starts.clone(), seq_len, what=what,
                           names=_WINDOW_NAMES)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise Incorrect(f"{what} should return a pair (inputs, targets), got "
                            f"{type(got).__name__}.")
        positions = starts[:, None] + torch.arange(seq_len)
        inputs = _ids(got[0], (len(starts), seq_len), "inputs")
        if not torch.equal(inputs, ids[positions]):
            raise Incorrect("the inputs changed: keep inputs = ids[positions], the window as it "
                            "is. What is wrong is what the model is asked to predict.")
        targets = got[1]
        if isinstance(targets, torch.Tensor) and targets.shape == (len(starts), seq_len - 1) \
                and torch.equal(targets, ids[positions][:, 1:]):
            raise Incorrect("the shift is right, but the targets are one shorter than the inputs "
                            "now. The model predicts at EVERY one of its seq_len positions: take "
                            "the targets from one window further along, ids[positions + 1].")
        targets = _ids(targets, (len(starts), seq_len), "targets")
        if torch.equal(targets, ids[positions + 1]):
            continue
        if torch.equal(targets, ids[positions]):
            raise NotAttempted(
                f"Here is what it returns for ids = {ids.tolist()}, the window starting at "
                f"{int(starts[0])}: inputs {inputs[0].tolist()}, targets {targets[0].tolist()}. "
                "A causal model trained on such windows drives its training loss towards 0 bits "
                "per character and still writes nonsense. Why? Fix the function and run the "
                "cell again (cu.hint('next_char_windows') if you are stuck).")
        if torch.equal(targets, ids[positions - 1]):
            raise Incorrect("the targets are the PREVIOUS characters: a causal model has just seen "
                            "them, so it can copy them. Predict the one that comes next.")
        if torch.equal(targets, ids[positions].roll(-1, dims=1)):
            raise Incorrect("rolling the window shifts all targets but the last, which wraps "
                            "around to the window's first character. Read the last target from "
                            "the text: ids[positions + 1].")
        raise Incorrect(f"the targets are not the next characters: for the window starting at "
                        f"{int(starts[0])} they should be {ids[positions + 1][0].tolist()}, got "
                        f"{targets[0].tolist()}.")
    return ("targets = ids[positions + 1]: at every position the model predicts the character it "
            "has not seen yet. This is how the notebook's training windows are cut.")


# ---------------------------------------------------------------------------------------------
# gradient_spread (measure): on gradient records this notebook did not make.


class _Recorded:
    """What gradient_spread reads of a CharModelRuns: gradient_norms[variant] is
    (n_seeds, n_checkpoints, n_layers)."""

    def __init__(self, gradient_norms: dict[str, torch.Tensor]):
        self.gradient_norms = gradient_norms

    def __repr__(self) -> str:
        return "CharModelRuns(...)"


def _records() -> list[tuple[str, _Recorded, str, int]]:
    gen = torch.Generator().manual_seed(6)
    layers = torch.arange(1, 13, dtype=torch.float64)
    vanishing = 10.0 ** (-(12 - layers) / 3)                 # grows towards the output
    flat = 0.03 * (1 + 0.3 * torch.sin(layers))              # uneven, largest in the middle

    def seeds(profile: torch.Tensor, n: int, outlier: float = 1.0) -> torch.Tensor:
        checkpoints = []
        for k in range(4):                                    # each checkpoint its own profile
            rows = torch.stack([profile ** (1 + k / 4) * torch.exp(
                0.3 * torch.randn(12, generator=gen, dtype=torch.float64)) for _ in range(n)])
            rows[-1] = rows[-1] ** outlier                    # one seed far from the others
            checkpoints.append(rows)
        return torch.stack(checkpoints, dim=1)                # (n_seeds, 4, 12)

    five = _Recorded({"post-norm": seeds(vanishing, 5, 1.4), "pre-norm": seeds(flat, 5)})
    three = _Recorded({"post-norm": seeds(vanishing, 3, 1.3), "pre-norm": seeds(flat.flip(0), 3)})
    three.gradient_norms["post-norm"][:, 2] = three.gradient_norms["post-norm"][:, 2].flip(1)
    return [("5 seeds", five, "post-norm", 1), ("5 seeds", five, "pre-norm", 1),
            ("5 seeds", five, "post-norm", 3), ("3 seeds", three, "pre-norm", 0),
            ("3 seeds", three, "post-norm", 2)]


def _spread_candidates(norms: torch.Tensor) -> dict[str, float]:
    per_seed = norms.max(dim=1).values / norms.min(dim=1).values
    return {"mean": per_seed.mean().item(),
            "min over max": (1 / per_seed).median().item(),
            "last over first": (norms[:, -1] / norms[:, 0]).median().item(),
            "first over last": (norms[:, 0] / norms[:, -1]).median().item(),
            "pooled": (norms.max() / norms.min()).item(),
            "median profile": (norms.median(dim=0).values.max() / norms.median(dim=0).values.min()).item(),
            "over seeds": (norms.max(dim=0).values / norms.min(dim=0).values).median().item()}


_SPREAD_MISTAKES = {
    "mean": "it averages the seeds with the mean; take the median, so that one unusual seed "
            "cannot move the answer.",
    "last over first": "it divides the last layer's gradient by the first's; the largest and "
                       "the smallest need not sit at the ends (a profile can peak in the middle).",
    "first over last": "it divides the first layer's gradient by the last's; take the largest "
                       "over the smallest, whichever layers they are.",
    "min over max": "it is upside down: the smallest over the largest. The spread is at least 1.",
    "pooled": "it takes the largest and smallest over all seeds together; compute each seed's "
              "spread, then the median of those.",
    "median profile": "it takes the median profile first and then its spread; take each seed's "
                      "spread first, then the median of the spreads.",
    "over seeds": "it takes the largest and smallest over the SEEDS, for each layer (dim 0); a "
                  "seed's spread is over its layers (dim 1 of the (seeds, layers) slice).",
}


def _check_gradient_spread(answer: Any) -> str:
    expect_function(answer, "gradient_spread(runs, variant, checkpoint=1)")
    for what, runs, variant, checkpoint in _records():
        norms = runs.gradient_norms[variant][:, checkpoint]
        want = gradient_spread(runs, variant, checkpoint)
        call = f"gradient_spread(runs, {variant!r}, checkpoint={checkpoint}) on {what}"
        got = call_student(answer, runs, variant, checkpoint, what=call)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, Real):
            raise Incorrect(f"{call} returned {type(got).__name__}; return one number.")
        got = float(got)
        if math.isclose(got, want, rel_tol=1e-6):
            continue
        for mistake, value in _spread_candidates(norms).items():
            if math.isclose(got, value, rel_tol=1e-6):
                raise Incorrect(f"{call}: {_SPREAD_MISTAKES[mistake]}")
        if checkpoint != 1 and math.isclose(got, gradient_spread(runs, variant, 1), rel_tol=1e-6):
            raise Incorrect(f"{call} gives the spread at checkpoint 1: use the `checkpoint` "
                            "argument.")
        raise Incorrect(f"{call} returned {got:.4g}; the median over seeds of (largest layer "
                        f"gradient / smallest) is {want:.4g}.")
    return ("the median over seeds of each seed's largest layer gradient over its smallest. "
            "Now use it on the notebook's runs (the line below the check).")


EXERCISES = (
    Exercise("residual_sublayer",
             "write residual_sublayer(x, sublayer, norm, placement): one residual sub-layer with "
             "its LayerNorm after the sum ('post'), on the branch's input ('pre') or on the "
             "branch's output ('res-post'); any other placement raises ValueError",
             _check_residual_sublayer,
             ("Three formulas, one per placement. For each, ask what the norm is applied to (the "
              "sum, the branch's input, the branch's output) and whether x itself comes out "
              "of the sub-layer.",
              "post: the norm is the last thing applied, to x + F(x). pre: the norm is the first "
              "thing the branch does. res-post: the norm is the last thing the branch does. In "
              "pre and res-post the skip carries x unchanged.",
              "if placement == 'post': return norm(x + sublayer(x)); if placement == 'pre': "
              "return x + sublayer(norm(x)); if placement == 'res-post': return x + "
              "norm(sublayer(x)); otherwise raise ValueError(...)."),
             residual_sublayer),
    Exercise("next_char_windows",
             "fix next_char_windows(ids, starts, seq_len), which cuts the training windows of a "
             "character language model, so that the model learns what comes next",
             _check_next_char_windows,
             ("The model is causal: when it predicts position t it has already seen the character "
              "at position t. What should it be asked for there?",
              "Each target is the character one step further along the text than its input.",
              "targets = ids[positions + 1]"),
             next_char_windows, kind="debug"),
    Exercise("gradient_spread",
             "write gradient_spread(runs, variant, checkpoint=1): for each seed, its largest "
             "layer gradient norm divided by its smallest, at that checkpoint; return the median "
             "over seeds",
             _check_gradient_spread,
             ("runs.gradient_norms[variant] is (seeds, checkpoints, layers). Pick the checkpoint "
              "first; that leaves one row of layer norms per seed.",
              "For each row: its max divided by its min (dim=1). Then one number from the seeds' "
              "spreads: their median.",
              "norms = runs.gradient_norms[variant][:, checkpoint]; per_seed = "
              "norms.max(dim=1).values / norms.min(dim=1).values; return per_seed.median().item()"),
             gradient_spread, kind="measure"),
)
