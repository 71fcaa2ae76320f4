"""Exercises of notebook 04: a pre-norm stack with its final LayerNorm, a DeepNorm layer with its
beta initialisation, and the parameter count of nn.MultiheadAttention (write); a pre-norm
attention sub-layer whose norm runs over the wrong axis, so that position 0 sees the future
(debug); how many training steps a set of runs needs before its median loss falls below a level
(measure)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from numbers import Integral
from typing import Any

import torch
from torch import nn

from ..batched import BatchedTransformer
from ..data import reverse_task
from ..runtime import seeded
from ..training import Runs, train_batched
from ..transformer import FeedForward, SelfAttention, TinyTransformer, TransformerBlock
from .framework import (Exercise, Incorrect, NotAttempted, call_student, close,
                        constructions_counted, course_name, expect_function,
                        expect_module_class, expect_tensor, progress_made, refuse_course_code,
                        seeded_modules, watching_calls)


# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def pre_norm_stack(x: torch.Tensor, sublayers, norms, final_norm) -> torch.Tensor:
    # pre-norm (GPT-2; Xiong et al. 2020): each norm prepares only its branch's input, so the
    # stream x is never normalised on the way; one final LayerNorm before the head does it
    for sublayer, norm in zip(sublayers, norms):
        x = x + sublayer(norm(x))                     # (B, T, C)
    return final_norm(x)


class DeepNormLayer(nn.Module):
    """One layer of an encoder of n_layers DeepNorm layers (Wang et al. 2022):
    x -> LN(alpha x + Attention(x)) -> LN(alpha x + FFN(x))."""

    def __init__(self, d_model, n_heads, d_ff, n_layers):
        super().__init__()
        self.attention = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        weights = (self.attention.in_proj_weight, self.attention.out_proj.weight,
                   self.fc1.weight, self.fc2.weight)
        biases = (self.attention.in_proj_bias, self.attention.out_proj.bias,
                  self.fc1.bias, self.fc2.bias)
        with torch.no_grad():                       # Xavier-normal weights, zero biases
            for weight, bias in zip(weights, biases):
                nn.init.xavier_normal_(weight)
                nn.init.zeros_(bias)
        # Wang et al. 2022, encoder-only, N = n_layers: alpha on the skip, beta on the weights
        # that set the size of a branch's output (W^V, W^O, the FFN), not on W^Q and W^K
        self.alpha = (2 * n_layers) ** 0.25
        beta = (8 * n_layers) ** -0.25
        with torch.no_grad():
            self.attention.in_proj_weight[2 * d_model:].mul_(beta)  # rows: W^Q, W^K, W^V
            for weight in (self.attention.out_proj.weight, self.fc1.weight, self.fc2.weight):
                weight.mul_(beta)

    def forward(self, x):                           # x: (B, T, d_model)
        x = self.norm1(self.alpha * x + self.attention(x, x, x, need_weights=False)[0])
        return self.norm2(self.alpha * x + self.fc2(torch.relu(self.fc1(x))))


def layer_param_count(d_model: int, n_heads: int, d_ff: int) -> int:
    # attention: W_Q, W_K, W_V, W_O, four d x d matrices with a bias of d each (the heads split
    # d_model between them and add nothing); the feed-forward network: d -> d_ff -> d, each
    # Linear with its bias; two LayerNorms, a gain and a shift of d each
    attention = 4 * d_model * d_model + 4 * d_model
    feed_forward = d_model * d_ff + d_ff + d_ff * d_model + d_model
    norms = 2 * 2 * d_model
    return attention + feed_forward + norms


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
# Delegation: an answer that hands the work to the course's own code (is cu.pre_norm_sublayer,
# calls it or cu.deepnorm_constants, builds or subclasses cu.TransformerBlock) is told so, with
# the course's two ways of seeing it: framework.watching_calls (functions) and
# framework.constructions_counted (classes).

_COURSE_FUNCTIONS = ("pre_norm_sublayer", "post_norm_sublayer", "deepnorm_sublayer",
                     "deepnorm_constants", "init_block")
_COURSE_CLASSES = (TransformerBlock, TinyTransformer, SelfAttention, FeedForward)


def _call(answer: Any, *args: Any, what: str, names: tuple[str, ...] = (),
          writes: str) -> Any:
    """call_student, and Incorrect if the call used the course's own sub-layers or blocks."""
    import course_utils
    from .. import transformer

    targets = [(module, function, course_name(module.__name__, function))
               for function in _COURSE_FUNCTIONS for module in (course_utils, transformer)]
    with watching_calls(targets) as used, ExitStack() as stack:
        built = [(cls, stack.enter_context(constructions_counted(cls))) for cls in _COURSE_CLASSES]
        try:
            result = call_student(answer, *args, what=what, names=names)
        except Incorrect:
            if not used and not any(count[0] for _, count in built):
                raise
            result = None
    course = [f"calls {label}" for label in used[:1]] or \
        [f"builds {course_name(cls.__module__, cls.__qualname__)}" for cls, count in built if count[0]]
    if course:
        raise Incorrect(f"Your code {course[0]}, the course's own code: that hands the "
                        f"exercise to the course. {writes}")
    return result


# ---------------------------------------------------------------------------------------------
# One sub-layer, and what plausible wrong ones compute (notebook 06's residual_sublayer uses these).

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


# ---------------------------------------------------------------------------------------------
# pre_norm_stack (write): a stack of pre-norm sub-layers and the final LayerNorm it needs.

_STACK_NAMES = ("x", "sublayers", "norms", "final_norm")
_STACK_WRITES = ("Write the loop yourself, with the sub-layers and norms you are given: "
                 "x + sublayer(norm(x)) is one line.")


def _stack_pieces(n_sublayers: int, seed: int):
    def make():
        x = 3.0 + 2.0 * torch.randn(2, 5, _D)          # a stream with a mean and a scale
        sublayers = [nn.Sequential(nn.Linear(_D, _D), nn.Tanh(), nn.Linear(_D, _D))
                     for _ in range(n_sublayers)]
        norms = [nn.LayerNorm(_D) for _ in range(n_sublayers + 1)]
        for norm in norms:                             # each norm its own gain and shift
            nn.init.normal_(norm.weight, 1.0, 0.3), nn.init.normal_(norm.bias, 0.0, 0.3)
        return x, sublayers, norms[:-1], norms[-1]

    return seeded_modules(make, seed)


def _stack_candidates(x, Fs, Ns, final) -> dict[str, torch.Tensor]:
    def run(step, *, end=final, start=lambda v: v):
        h = start(x)
        for F, N in zip(Fs, Ns):
            h = step(h, F, N)
        return end(h)

    same = lambda v: v                                  # noqa: E731
    pre = lambda h, F, N: h + F(N(h))                   # noqa: E731
    with torch.no_grad():
        return {
            "right": run(pre),
            "no final": run(pre, end=same),
            "final every": run(lambda h, F, N: final(h + F(N(h))), end=same),
            "final every and end": run(lambda h, F, N: final(h + F(N(h)))),
            "ln skip": run(lambda h, F, N: N(h) + F(N(h))),
            "post": run(lambda h, F, N: N(h + F(h)), end=same),
            "post and final": run(lambda h, F, N: N(h + F(h))),
            "parallel": final(x + sum(F(N(x)) for F, N in zip(Fs, Ns))),
            "first norm": run(lambda h, F, N: h + F(Ns[0](h))),
            "final as norm": run(lambda h, F, N: h + F(final(h))),
            "first only": final(x + Fs[0](Ns[0](x))),
            "no skip": run(lambda h, F, N: F(N(h))),
            "norm on branch": run(lambda h, F, N: h + N(F(h))),
            "final first": run(pre, start=final, end=same),
        }


_STACK_MISTAKES = {
    "no final": "it returns the stream as the last sub-layer leaves it. In a pre-norm stack no "
                "norm touches the stream itself (each one only prepares its branch's input), and "
                "its size grows with depth (Xiong et al. 2020, Lemma 2): the head needs "
                "final_norm, applied once, after the last sub-layer.",
    "final every": "it applies final_norm to the stream after every sub-layer. That normalises the "
                   "stream on its way, as post-norm does, and the skips no longer carry x "
                   "untouched: use final_norm once, after the loop.",
    "final every and end": "it applies final_norm to the stream after every sub-layer. That "
                           "normalises the stream on its way, as post-norm does, and the skips no "
                           "longer carry x untouched: use final_norm once, after the loop.",
    "ln skip": "each sub-layer computes LN(x) + F(LN(x)), the wrong formula of section 2: the "
               "skip must carry x itself, un-normalised.",
    "post": "each sub-layer computes norms[i](x + F(x)): that is post-norm, the norm on the "
            "main path after the sum. Pre-norm normalises only the branch's input: "
            "x + F(LN(x)).",
    "post and final": "each sub-layer computes norms[i](x + F(x)): that is post-norm, the norm on "
                      "the main path after the sum. Pre-norm normalises only the branch's input: "
                      "x + F(LN(x)).",
    "parallel": "every sub-layer reads the stack's INPUT x and their outputs are summed. In a "
                "stack, sub-layer i + 1 reads what sub-layer i returned: update x in the loop.",
    "first norm": "every sub-layer uses norms[0]. Sub-layer i has its own LayerNorm, norms[i] "
                  "(pair them with zip).",
    "final as norm": "every sub-layer normalises its input with final_norm. Sub-layer i has its "
                     "own LayerNorm, norms[i]; final_norm is the one before the head.",
    "first only": "it returns after the first sub-layer: is the `return` inside the loop?",
    "no skip": "a sub-layer without its `x +`: the `x +` is missing, so there is no residual "
               "connection at all.",
    "norm on branch": "each sub-layer computes x + LN(F(x)): it normalises the branch's OUTPUT. "
                      "Pre-norm normalises its input.",
    "final first": "it applies final_norm to the stack's input. The final norm sits at the END, "
                   "after the last sub-layer, right before the head reads the stream.",
}


def _check_pre_norm_stack(answer: Any) -> str:
    signature = "pre_norm_stack(x, sublayers, norms, final_norm)"
    refuse_course_code(answer, "pre_norm_stack", writes=_STACK_WRITES)
    expect_function(answer, signature)
    for n_sublayers, seed in ((3, 0), (4, 1), (1, 2)):
        x, Fs, Ns, final = _stack_pieces(n_sublayers, seed)
        candidates = _stack_candidates(x, Fs, Ns, final)          # from the pristine x
        got = _call(answer, x.clone(), list(Fs), list(Ns), final, what=signature,
                    names=_STACK_NAMES, writes=_STACK_WRITES)
        got = expect_tensor(got, shape=x.shape, what="pre_norm_stack").detach()
        if close(got, candidates["right"], atol=1e-5):
            continue
        for mistake, message in _STACK_MISTAKES.items():
            if close(got, candidates[mistake], atol=1e-5):
                raise Incorrect(f"pre_norm_stack ({n_sublayers} sub-layers): {message}")
        raise Incorrect(f"pre_norm_stack ({n_sublayers} sub-layers) returned something else "
                        f"(largest difference {(got - candidates['right']).abs().max():.3g}). "
                        "Run each sub-layer pre-norm style, in order, then the final norm; call "
                        "the sublayers and norms you are given, do not build new layers.")
    return ("each sub-layer adds F(LN(x)) to a stream that no norm touches on its way, and "
            "final_norm normalises it once, before the head: what a pre-norm model needs and a "
            "post-norm one, whose stream leaves every sub-layer normalised, does not.")


# ---------------------------------------------------------------------------------------------
# deepnorm_layer (write): the DeepNorm sub-layers and the beta initialisation.

_DN_D, _DN_HEADS, _DN_FF = 64, 4, 128
_DN_CASES = ((6, 0), (16, 1))                          # (n_layers, seed)
_DN_WRITES = ("Write the two sub-layers and the scaling yourself, in the class you are given.")
_DN_MODULES = {"attention": nn.MultiheadAttention, "fc1": nn.Linear, "fc2": nn.Linear,
               "norm1": nn.LayerNorm, "norm2": nn.LayerNorm}
_DN_GROUPS = ("W^Q", "W^K", "W^V", "W^O", "fc1", "fc2")
_DN_SCALED = ("W^V", "W^O", "fc1", "fc2")


def _dn_constants(n_layers: int) -> tuple[float, float]:
    return (2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25


def _dn_weights(layer: nn.Module) -> dict[str, torch.Tensor]:
    w, d = layer.attention.in_proj_weight.detach(), layer.attention.embed_dim
    return {"W^Q": w[:d], "W^K": w[d:2 * d], "W^V": w[2 * d:],
            "W^O": layer.attention.out_proj.weight.detach(), "fc1": layer.fc1.weight.detach(),
            "fc2": layer.fc2.weight.detach()}


def _dn_given(n_layers: int, seed: int) -> dict[str, torch.Tensor]:
    """The weights as the given code initialises them, before DeepNorm's beta: the reference's,
    with beta divided out again."""
    _, beta = _dn_constants(n_layers)
    reference = seeded_modules(lambda: DeepNormLayer(_DN_D, _DN_HEADS, _DN_FF, n_layers), seed)
    return {group: weight.clone() / (beta if group in _DN_SCALED else 1.0)
            for group, weight in _dn_weights(reference).items()}


def _dn_construct(answer: Any, n_layers: int, seed: int) -> nn.Module:
    what = f"DeepNormLayer({_DN_D}, {_DN_HEADS}, {_DN_FF}, n_layers={n_layers})"

    def build() -> Any:
        return _call(answer, _DN_D, _DN_HEADS, _DN_FF, n_layers, what=what, writes=_DN_WRITES)

    try:
        layer = seeded_modules(build, seed)
    except Incorrect as wrong:
        if isinstance(wrong.error, RuntimeError) and "leaf Variable" in str(wrong.error):
            raise Incorrect(f"{wrong} Autograd refuses an in-place change of a weight it is "
                            "watching: scale the weights inside `with torch.no_grad():`.",
                            error=wrong.error) from None
        raise
    if not isinstance(layer, nn.Module):
        raise Incorrect(f"{what} built {type(layer).__name__}, not an nn.Module.")
    return layer


def _dn_forward(layer: nn.Module, x: torch.Tensor, n_layers: int) -> torch.Tensor:
    what = f"forward(x) of DeepNormLayer(..., n_layers={n_layers})"
    try:
        got = _call(layer, x.clone(), what=what, names=("x",), writes=_DN_WRITES)
    except Incorrect as wrong:
        if isinstance(wrong.error, (TypeError, AttributeError)) and "tuple" in str(wrong.error):
            raise Incorrect(f"{wrong} nn.MultiheadAttention returns a pair, (output, attention "
                            "weights): take the output, `self.attention(x, x, x)[0]`.",
                            error=wrong.error) from None
        raise
    if isinstance(got, tuple):
        raise Incorrect(f"{what} returned a tuple. nn.MultiheadAttention returns a pair, (output, "
                        "attention weights): take its [0], and return one tensor.")
    return expect_tensor(got, shape=x.shape, what=what).detach()


def _dn_modules(layer: nn.Module) -> None:
    for name, kind in _DN_MODULES.items():
        if not isinstance(getattr(layer, name, None), kind):
            raise Incorrect(f"DeepNormLayer has no {kind.__name__} called `self.{name}`: keep the "
                            "modules the given code builds, with their names (the check reads "
                            "their weights).")


def _dn_candidates(layer: nn.Module, x: torch.Tensor, n_layers: int) -> dict[str, torch.Tensor]:
    attention = lambda h: layer.attention(h, h, h, need_weights=False)[0]   # noqa: E731
    ffn = lambda h: layer.fc2(torch.relu(layer.fc1(h)))                     # noqa: E731
    n1, n2 = layer.norm1, layer.norm2
    alpha, beta = _dn_constants(n_layers)

    def deepnorm(a: float, first=n1, second=n2, feed=ffn) -> torch.Tensor:
        h = first(a * x + attention(x))
        return second(a * h + feed(h))

    def both(sublayer: Callable) -> torch.Tensor:
        return sublayer(sublayer(x, attention, n1), ffn, n2)

    with torch.no_grad():
        other = [(f"alpha for n_layers = {n}", _dn_constants(n)[0])
                 for n, _ in _DN_CASES if n != n_layers]
        wrong_alpha = [("(8N)^(1/4), 1 / beta", 1 / beta), ("(2N)^(1/2)", (2 * n_layers) ** 0.5),
                       ("N^(1/4)", n_layers ** 0.25), ("beta", beta), ("1 / alpha", 1 / alpha),
                       *other]
        return {
            "right": deepnorm(alpha),
            "alpha on branch": both(lambda h, F, N: N(h + alpha * F(h))),
            "alpha outside": both(lambda h, F, N: alpha * N(h + F(h))),
            "post": both(lambda h, F, N: N(h + F(h))),
            "pre": both(lambda h, F, N: h + F(N(h))),
            "pre alpha": both(lambda h, F, N: alpha * h + F(N(h))),
            "no skip": both(lambda h, F, N: N(F(h))),
            "norms swapped": deepnorm(alpha, first=n2, second=n1),
            "no relu": deepnorm(alpha, feed=lambda h: layer.fc2(layer.fc1(h))),
            "attention only": n1(alpha * x + attention(x)),
            **{f"alpha={label}": deepnorm(value) for label, value in wrong_alpha},
        }


_DN_MISTAKES = {
    "alpha on branch": "each sub-layer computes LN(x + alpha·G(x)): alpha multiplies the BRANCH "
                       "(a known bug of one public annotated implementation). DeepNorm "
                       "up-weights the skip: LN(alpha·x + G(x)).",
    "alpha outside": "each sub-layer computes alpha·LN(x + G(x)): alpha scales the whole output. "
                     "DeepNorm up-weights the skip, inside the norm: LN(alpha·x + G(x)).",
    "post": "each sub-layer computes LN(x + G(x)) up to rounding: post-norm without alpha, or "
            "alpha on the whole sum, which the LayerNorm removes. DeepNorm up-weights the skip "
            "only: LN(alpha·x + G(x)).",
    "pre": "each sub-layer computes x + G(LN(x)): that is pre-norm. DeepNorm keeps post-norm's "
           "order, the norm after the sum: LN(alpha·x + G(x)).",
    "pre alpha": "each sub-layer computes alpha·x + G(LN(x)): the norm sits inside the branch, as "
                 "in pre-norm. DeepNorm keeps post-norm's order, the norm after the sum: "
                 "LN(alpha·x + G(x)).",
    "no skip": "a sub-layer without its skip: the `alpha * x +` is missing.",
    "norms swapped": "the attention sub-layer uses norm2 and the feed-forward one norm1: each "
                     "sub-layer has its own LayerNorm, norm1 for attention, norm2 for the "
                     "feed-forward network.",
    "no relu": "the feed-forward network has no ReLU between fc1 and fc2 (without it, two "
               "linear layers are one).",
    "attention only": "it returns after the attention sub-layer. A layer is two sub-layers: "
                      "attention, then the feed-forward network, each wrapped DeepNorm's way.",
}


def _dn_forward_mistake(mistake: str, n_layers: int) -> str:
    if mistake in _DN_MISTAKES:
        return _DN_MISTAKES[mistake]
    label = mistake.removeprefix("alpha=")
    alpha, _ = _dn_constants(n_layers)
    advice = ("compute alpha from n_layers" if label.startswith("alpha for")
              else "beta is the other constant, a gain for the initial weights")
    if label in ("(2N)^(1/2)", "N^(1/4)"):
        advice = "check the formula of section 6"
    return (f"the sub-layers are DeepNorm's, but the skip is scaled by {label}; for an encoder of "
            f"N = {n_layers} layers alpha = (2N)^(1/4) = {alpha:.3f} ({advice}).")


def _dn_scales(snapshot: dict[str, torch.Tensor], norms: dict[str, tuple[torch.Tensor, ...]],
               given: dict[str, torch.Tensor], n_layers: int) -> None:
    """Raise Incorrect unless the student's initial weights are the given ones, with exactly
    W^V, W^O, fc1 and fc2 multiplied by beta."""
    _, beta = _dn_constants(n_layers)
    scale = {}
    for group in _DN_GROUPS:
        mine, base = snapshot[group].double(), given[group].double()
        if mine.shape != base.shape:
            raise Incorrect(f"{group} has shape {tuple(mine.shape)}, expected "
                            f"{tuple(base.shape)}: keep the modules as the given code builds them.")
        s = float((mine * base).sum() / (base * base).sum())
        if (mine - s * base).norm() > 1e-4 * max(mine.norm(), 1e-12):
            raise Incorrect(f"{group} holds new random weights, not the given ones scaled: "
                            "DeepNorm's beta is a factor on the initialisation you already "
                            "have (Wang et al.'s code also initialises first, then scales). "
                            "Multiply the given weights by beta instead of drawing new ones.")
        scale[group] = s
    near = lambda s, v: math.isclose(s, v, rel_tol=1e-3)            # noqa: E731
    if not (near(scale["W^Q"], 1) and near(scale["W^K"], 1)):
        if near(scale["W^Q"], beta) and near(scale["W^K"], beta) and near(scale["W^V"], beta):
            raise Incorrect("You scaled all of in_proj_weight. Its rows stack W^Q, W^K and W^V, "
                            "d_model rows each; DeepNorm scales only W^V: W^Q and W^K only decide "
                            "where attention looks (through the softmax), not the size of the "
                            "branch's output.")
        if near(scale["W^Q"], beta) and near(scale["W^V"], 1):
            raise Incorrect("You scaled the first d_model rows of in_proj_weight, which are W^Q. "
                            "Its rows stack W^Q, W^K and W^V in that order: W^V is the last "
                            "third, in_proj_weight[2 * d_model:].")
        raise Incorrect(f"W^Q and W^K changed (by {scale['W^Q']:.3f} and {scale['W^K']:.3f}): "
                        "DeepNorm leaves them as initialised, since they only decide where "
                        "attention looks.")
    if all(near(scale[g], 1) for g in _DN_SCALED):
        raise Incorrect(f"The forward pass is right, but no weight was scaled by beta: for "
                        f"n_layers = {n_layers} DeepNorm starts the value and output projections "
                        f"and both feed-forward linears at beta = (8N)^(-1/4) = {beta:.3f} times "
                        "their Xavier initialisation, so that each branch starts small.")
    for group in _DN_SCALED:
        if near(scale[group], beta):
            continue
        if near(scale[group], 1):
            raise Incorrect(f"{group} is not scaled: DeepNorm scales W^V, W^O, fc1 and fc2, "
                            "every weight that sets the size of a branch's output.")
        raise Incorrect(f"With n_layers = {n_layers}, {group} was multiplied by "
                        f"{scale[group]:.3f}; beta = (8N)^(-1/4) = {beta:.3f} for an encoder of "
                        f"N = {n_layers} layers.")
    for name, (gain, shift) in norms.items():
        if not (torch.all(gain == 1) and torch.all(shift == 0)):
            raise Incorrect(f"{name}'s gain or shift changed at initialisation. beta scales "
                            "weights inside the branches; the LayerNorms start as nn.LayerNorm "
                            "does (gain 1, shift 0).")


def _check_deepnorm_layer(answer: Any) -> str:
    refuse_course_code(answer, "DeepNormLayer", writes=_DN_WRITES)
    expect_module_class(answer, "DeepNormLayer")
    for n_layers, seed in _DN_CASES:
        layer = _dn_construct(answer, n_layers, seed)
        x = seeded_modules(lambda: 0.5 + torch.randn(2, 6, _DN_D), seed)   # (B, T, C)
        _dn_forward(layer, x, n_layers)          # the untouched stub: "not attempted"
        _dn_modules(layer)
        snapshot = {group: w.clone() for group, w in _dn_weights(layer).items()}
        norms = {name: (getattr(layer, name).weight.detach().clone(),
                        getattr(layer, name).bias.detach().clone()) for name in ("norm1", "norm2")}
        gains = seeded_modules(lambda: (1 + 0.3 * torch.randn(4, _DN_D)), seed + 10)
        with torch.no_grad():                    # norms with their own gain and shift
            for norm, gain, shift in ((layer.norm1, gains[0], gains[1] - 1),
                                      (layer.norm2, gains[2], gains[3] - 1)):
                norm.weight.copy_(gain), norm.bias.copy_(shift)
        got = _dn_forward(layer, x, n_layers)
        candidates = _dn_candidates(layer, x, n_layers)
        if not close(got, candidates["right"], atol=1e-4):
            for mistake, value in candidates.items():
                if mistake != "right" and close(got, value, atol=1e-4):
                    raise Incorrect(f"DeepNormLayer(n_layers={n_layers}): "
                                    f"{_dn_forward_mistake(mistake, n_layers)}")
            raise Incorrect(f"DeepNormLayer(n_layers={n_layers}) returned something else "
                            f"(largest difference {(got - candidates['right']).abs().max():.3g}). "
                            "Each sub-layer is LN(alpha·x + G(x)): attention first, then the "
                            "feed-forward network fc2(ReLU(fc1(x))).")
        _dn_scales(snapshot, norms, _dn_given(n_layers, seed), n_layers)
    return ("LN(alpha·x + G(x)) for both sub-layers, alpha = (2N)^(1/4) on the skip, and W^V, "
            "W^O, fc1 and fc2 start at beta = (8N)^(-1/4) times their Xavier initialisation, "
            "W^Q and W^K as they were: each branch starts small next to an up-weighted skip.")


def _check_layer_param_count(answer: Any) -> str:
    signature = "layer_param_count(d_model, n_heads, d_ff)"
    expect_function(answer, signature)
    for d, h, f in ((512, 8, 2048), (64, 4, 256), (12, 3, 7), (8, 1, 8), (96, 12, 384)):
        what = f"layer_param_count({d}, {h}, {f})"
        want = sum(p.numel() for p in nn.TransformerEncoderLayer(d, h, f).parameters())
        with constructions_counted(nn.MultiheadAttention) as attention, \
                constructions_counted(nn.TransformerEncoderLayer) as layer:
            got = call_student(answer, d, h, f, what=what)
        if attention[0] or layer[0]:
            raise Incorrect("layer_param_count builds PyTorch's layer or attention to count its "
                            "parameters. The exercise is to count them from the shapes: which "
                            "weight matrices, biases and gains does a layer have, and how big is "
                            "each?")
        if got is None:
            raise Incorrect(f"{what} returned None: did you forget a `return`?")
        if isinstance(got, bool) or not isinstance(got, Integral):
            if isinstance(got, float) and got == want:
                raise Incorrect(f"{what} returned the float {got!r}; return an int (use // "
                                "rather than /).")
            raise Incorrect(f"{what} returned {type(got).__name__}; return an int.")
        if got == want:
            continue
        attention_only = 4 * d * d + 4 * d
        if got in (attention_only, attention_only + 2 * d):
            raise Incorrect(f"{what} = {got:,}: that is the attention (section 3) and at most one "
                            "LayerNorm. A layer also has its feed-forward network, d -> d_ff -> d, "
                            "and a LayerNorm for each of its two sub-layers.")
        if got == want - 2 * d:
            raise Incorrect(f"{what} = {got:,}: one LayerNorm is missing; each of the layer's two "
                            "sub-layers has its own (gain and shift of d each).")
        if got == want - f - d:
            raise Incorrect(f"{what} = {got:,}: the feed-forward network's two biases (d_ff and "
                            "d) are missing.")
        if got == want - 4 * d:
            raise Incorrect(f"{what} = {got:,}: the LayerNorms are missing: each has a gain and a "
                            "shift of d.")
        if got == attention_only + 2 * d * d + 2 * d + 4 * d:
            raise Incorrect(f"{what} = {got:,}: the feed-forward network is d -> d_ff -> d, not "
                            "d -> d -> d: use d_ff for its hidden width.")
        if h > 1 and got in (want + (h - 1) * attention_only, h * want):
            raise Incorrect(f"{what} = {got:,}: the count grows with the heads here, but the "
                            "heads SPLIT d_model (each works in d/h dimensions): more heads, same "
                            "parameters.")
        raise Incorrect(f"{what} returned {got:,}; nn.TransformerEncoderLayer({d}, {h}, {f}) has "
                        f"{want:,}. Count attention's four projections, the feed-forward "
                        "network's two layers, their biases, and the two LayerNorms.")
    return ("4·d² + 4·d for attention, 2·d·d_ff + d_ff + d for the feed-forward network, 4·d for "
            "the two LayerNorms: 3,152,384 for d = 512, d_ff = 2048, of which the feed-forward "
            "network holds two thirds, whatever the number of heads.")


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
    Exercise("pre_norm_stack",
             "write pre_norm_stack(x, sublayers, norms, final_norm): the stream x (B, T, C) "
             "through every sub-layer in turn, pre-norm style (norms[i] is the LayerNorm of "
             "sublayers[i]), then the final LayerNorm a pre-norm model has before its head",
             _check_pre_norm_stack,
             ("Follow the stream x through the stack: each sub-layer's output is the next one's "
              "input. Which of the norms touch the stream itself, and which only touch what a "
              "branch reads?",
              "In pre-norm each norms[i] only prepares the input of sublayers[i]; the skip "
              "carries x un-normalised, so nothing normalises the stream on its way and its size "
              "grows with depth (Xiong et al. 2020, Lemma 2). final_norm does it once, after the "
              "last sub-layer, before the head.",
              "`for sublayer, norm in zip(sublayers, norms): x = x + sublayer(norm(x))`, then, "
              "after the loop, `return final_norm(x)`."),
             pre_norm_stack),
    Exercise("deepnorm_layer",
             "complete DeepNormLayer(d_model, n_heads, d_ff, n_layers), one layer of an encoder "
             "of n_layers DeepNorm layers: attention, then the feed-forward network, each "
             "LN(alpha·x + G(x)), with beta scaling the right initial weights",
             _check_deepnorm_layer,
             ("DeepNorm is post-norm with two changes, both set by the depth N: one makes the "
              "skip heavier, the other makes each branch start smaller. Section 6 gives both "
              "formulas; the work is where each one goes.",
              "alpha multiplies the skip x inside each LayerNorm, in the forward pass. beta "
              "multiplies, once, in __init__, the weights that set the size of a branch's "
              "output: attention's value and output projections and both feed-forward linears. "
              "W^Q and W^K only decide where attention looks (through the softmax), so they keep "
              "their scale.",
              "`self.attention.in_proj_weight` stacks W^Q, W^K and W^V, d_model rows each, in that "
              "order: W^V is its last third. Change weights in place where autograd does not "
              "watch: `with torch.no_grad(): weight.mul_(beta)`. nn.MultiheadAttention returns "
              "a pair (output, weights): `self.attention(x, x, x)[0]`.",
              "In __init__: `self.alpha = (2 * n_layers) ** 0.25`, `beta = (8 * n_layers) ** "
              "-0.25`, then under `torch.no_grad()` multiply "
              "`self.attention.in_proj_weight[2 * d_model:]`, `self.attention.out_proj.weight`, "
              "`self.fc1.weight` and `self.fc2.weight` by beta. In forward: `x = self.norm1("
              "self.alpha * x + self.attention(x, x, x, need_weights=False)[0])`, then `return "
              "self.norm2(self.alpha * x + self.fc2(torch.relu(self.fc1(x))))`."),
             DeepNormLayer),
    Exercise("layer_param_count",
             "write layer_param_count(d_model, n_heads, d_ff) -> int: the parameters of one "
             "transformer layer (attention, feed-forward network, two LayerNorms), biases included",
             _check_layer_param_count,
             ("Section 0 drew the layer: which sub-layers does it have, and which norms?",
              "Attention: section 3's four projections. The feed-forward network: a d -> d_ff "
              "Linear and a d_ff -> d Linear, each with its bias. Each of the two sub-layers has a "
              "LayerNorm, a gain and a shift of d each. The heads add nothing.",
              "return 4 * d_model * d_model + 4 * d_model + 2 * d_model * d_ff + d_ff + d_model "
              "+ 4 * d_model"),
             layer_param_count),
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
