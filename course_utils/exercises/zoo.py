"""Exercises of notebook 05: the highway block in its general form, with a carry gate of its own,
U-Net's crop-and-concatenate merge, and a model assembled from zoo blocks that must learn to
reverse sequences (write); a ReZero block whose alpha scales the skip instead of the branch
(debug); which architectures keep the gradient within a factor of the output's all along the
stack (measure)."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import torch
from torch import nn

from ..data import reverse_task
from ..progress_bars import progress_bar
from ..training import evaluate, train
from ..transformer import TransformerBlock
from ..zoo import (ZOO, HighwayBlock, PreActResNetBlock, ReZeroBlock, ResNetBasicBlock, RWKVBlock,
                   UNetBlock, ZooComparison, zoo_comparison)
from .framework import (Exercise, Incorrect, NotAttempted, call_student, checker_stderr, close,
                        constructions_counted, course_functions, expect_function, expect_tensor,
                        heartbeat, progress_made, seeded_modules, watching_calls)

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def general_highway_block(x: torch.Tensor, transform: nn.Module, transform_gate: nn.Module,
                          carry_gate: nn.Module) -> torch.Tensor:
    # Srivastava et al. 2015: y = H(x)·T(x) + x·C(x), each gate of its own; section 1's
    # HighwayBlock is the case C = 1 - T
    t = torch.sigmoid(transform_gate(x))      # per feature, how much of the transform gets in
    c = torch.sigmoid(carry_gate(x))          # per feature, how much of x is carried, whatever t is
    return transform(x) * t + x * c


def unet_merge(encoder: torch.Tensor, upsampled: torch.Tensor) -> torch.Tensor:
    # encoder: (B, C1, L1), upsampled: (B, C2, L2) with L1 >= L2. Crop the encoder map to the
    # centre L2 positions (unpadded convolutions lost its border), then concatenate channels.
    start = (encoder.shape[-1] - upsampled.shape[-1]) // 2
    cropped = encoder[..., start:start + upsampled.shape[-1]]
    return torch.cat([cropped, upsampled], dim=1)


class ZooModel(nn.Module):
    # token ids (B, T) -> logits (B, T, vocab): embeddings, four zoo blocks, a final LayerNorm
    def __init__(self, vocab: int = 16, seq_len: int = 12, width: int = 32):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.position = nn.Parameter(torch.randn(seq_len, width))
        self.blocks = nn.Sequential(
            TransformerBlock(width, 4, 2 * width, placement="pre"),   # moves tokens around
            PreActResNetBlock(width),                                 # per-token processing
            TransformerBlock(width, 4, 2 * width, placement="pre"),
            ReZeroBlock(width))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab)

    def forward(self, tokens):
        x = self.embed(tokens) + self.position[:tokens.shape[1]]
        return self.head(self.norm(self.blocks(x)))


def build_zoo_model() -> nn.Module:
    return ZooModel()


def rezero_block(x, branch, alpha):
    # ReZero (Bachlechner et al. 2020): alpha, a learned scalar that starts at 0, scales the
    # BRANCH; the skip carries x in full, so at alpha = 0 the block is exactly the identity
    return x + alpha * branch(x)


def kept_within(comparison, factor=2):
    kept = []
    for arch, gradient in comparison.gradient.items():
        # every point of the stack, its input end (gradient[0]) included; 1 is the output's
        if all(1 / factor <= g <= factor for g in gradient):
            kept.append(arch)
    return kept


# ---------------------------------------------------------------------------------------------
# Checkers.


_HIGHWAY_NAMES = ("x", "transform", "transform_gate", "carry_gate")
_HIGHWAY_WRITES = ("Write the block yourself, from transform, transform_gate and carry_gate: "
                   "two sigmoids, two products and a sum.")


def _highway_pieces() -> tuple[nn.Module, nn.Linear, nn.Linear, list[torch.Tensor]]:
    def make() -> tuple[nn.Module, nn.Linear, nn.Linear, list[torch.Tensor]]:
        transform = nn.Sequential(nn.Linear(8, 8), nn.ReLU())
        transform_gate, carry_gate = nn.Linear(8, 8), nn.Linear(8, 8)
        for gate in (transform_gate, carry_gate):
            nn.init.normal_(gate.bias, 0.0, 1.5)      # gates far from 0.5, so mistakes show
        return transform, transform_gate, carry_gate, [torch.randn(6, 8), torch.randn(2, 5, 8)]

    return seeded_modules(make, seed=2)


def _open_gate(width: int, bias: float) -> nn.Linear:
    """A gate that ignores x: sigmoid(bias) everywhere (1 for a large bias)."""
    gate = seeded_modules(lambda: nn.Linear(width, width))
    with torch.no_grad():
        gate.weight.zero_(), gate.bias.fill_(bias)
    return gate


def _negated(gate: nn.Linear) -> nn.Linear:
    """-gate(x), so that sigmoid(-gate(x)) = 1 - sigmoid(gate(x))."""
    negated = copy.deepcopy(gate)
    with torch.no_grad():
        negated.weight.neg_(), negated.bias.neg_()
    return negated


def _highway_variants(x: torch.Tensor, transform: nn.Module, transform_gate: nn.Module,
                      carry_gate: nn.Module) -> dict[str, torch.Tensor]:
    with torch.no_grad():
        h, a, b = transform(x), transform_gate(x), carry_gate(x)
        t, c = torch.sigmoid(a), torch.sigmoid(b)
        return {"right": h * t + x * c, "coupled": h * t + x * (1 - t), "swapped": h * c + x * t,
                "carry without sigmoid": h * t + x * b, "no sigmoids": h * a + x * b,
                "one minus carry": h * t + x * (1 - c), "x in full": h * t + x, "no carry": h * t,
                "transform ungated": h + x * c, "coupled by the carry gate": h * (1 - c) + x * c}


_HIGHWAY_SLIPS = {
    "coupled": "That is section 1's coupled block: it carries 1 − T(x) of x and never uses "
               "carry_gate. In the general form the carry has a gate of its own, "
               "C(x) = σ(carry_gate(x)), which does not depend on T.",
    "coupled by the carry gate": "That is the coupled block driven by the carry gate: it lets "
                                 "1 − C(x) of the transform in and never uses transform_gate. In "
                                 "the general form T(x) = σ(transform_gate(x)) has its own gate.",
    "swapped": "The gates are swapped: T(x) = σ(transform_gate(x)) multiplies the transform "
               "H(x), and C(x) = σ(carry_gate(x)) multiplies x.",
    "carry without sigmoid": "The carry gate needs a sigmoid too: C(x) = σ(carry_gate(x)), a "
                             "number between 0 and 1 for each feature; carry_gate(x) alone can "
                             "be negative or above 1.",
    "no sigmoids": "Both gates need a sigmoid: T(x) = σ(transform_gate(x)) and "
                   "C(x) = σ(carry_gate(x)) lie between 0 and 1; the layers' raw outputs do not.",
    "one minus carry": "C(x) is the fraction of x that is CARRIED: multiply x by C(x), not by "
                       "1 − C(x).",
    "x in full": "That adds x in full and never uses carry_gate: x + T(x)·H(x) is the special "
                 "case C = 1, a gated residual block. Multiply x by C(x).",
    "no carry": "The carry term x·C(x) is missing: with it the block can pass its input on.",
    "transform ungated": "The transform gets in ungated: multiply H(x) by "
                         "T(x) = σ(transform_gate(x)).",
}


def _highway_call(answer: Any, x: torch.Tensor, *pieces: nn.Module, what: str) -> torch.Tensor:
    """call_student, and Incorrect if the answer builds or runs the course's own blocks or
    calls its functions."""
    import course_utils

    shown = {cls: f"cu.{cls.__name__}" if hasattr(course_utils, cls.__name__)
             else f"cu.zoo.{cls.__name__}" for cls in ZOO_BLOCKS}
    targets = [(cls, "forward", f"runs {label}") for cls, label in shown.items()]
    targets += [(owner, name, f"calls {label}") for owner, name, label in course_functions()]
    with watching_calls(targets) as used, ExitStack() as stack:
        built = [(f"builds {label}", stack.enter_context(constructions_counted(cls)))
                 for cls, label in shown.items()]
        try:
            got = call_student(answer, x, *pieces, what=what, names=_HIGHWAY_NAMES)
        except Incorrect:
            if not used and not any(count[0] for _, count in built):
                raise
    course = [label for label, count in built if count[0]] + used
    if course:
        raise Incorrect(f"Your code {course[0]}, the course's own code: that hands the exercise "
                        f"to the course. {_HIGHWAY_WRITES}")
    return expect_tensor(got, shape=x.shape, what=what)


def _highway_weights(pieces: tuple[nn.Module, nn.Linear, nn.Linear]) -> dict[str, torch.Tensor]:
    transform, transform_gate, carry_gate = pieces
    return {"transform": transform[0].weight, "transform_gate": transform_gate.weight,
            "carry_gate": carry_gate.weight}


def _check_general_highway(answer: Any) -> str:
    expect_function(answer, "general_highway_block(x, transform, transform_gate, carry_gate)")
    transform, transform_gate, carry_gate, inputs = _highway_pieces()
    what = "general_highway_block(x, transform, transform_gate, carry_gate)"
    got, variants = [], []
    for x in inputs:
        got.append(_highway_call(answer, x.clone(), transform, transform_gate, carry_gate,
                                 what=f"{what} on x of shape {tuple(x.shape)}").detach())
        variants.append(_highway_variants(x, transform, transform_gate, carry_gate))
    if not all(close(g, v["right"]) for g, v in zip(got, variants)):
        for slip, message in _HIGHWAY_SLIPS.items():
            if all(close(g, v[slip]) for g, v in zip(got, variants)):
                raise Incorrect(message)
        gap = max((g.double() - v["right"].double()).abs().max().item()
                  for g, v in zip(got, variants))
        raise Incorrect(f"{what} returned other values (off by up to {gap:.3g}). y = "
                        "H(x)·T(x) + x·C(x), with H(x) = transform(x), T(x) = "
                        "σ(transform_gate(x)) and C(x) = σ(carry_gate(x)).")
    # the backward pass: x, the transform and both gates must get the reference's gradients
    x = inputs[0]
    mine, ours = (copy.deepcopy((transform, transform_gate, carry_gate)) for _ in range(2))
    x_mine, x_ours = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    upstream = torch.linspace(-1, 1, x.numel()).reshape(x.shape)     # dL/dy
    out = _highway_call(answer, x_mine, *mine, what=what)
    call_student(lambda: (out * upstream).sum().backward(), what="backward() through your block")
    (general_highway_block(x_ours, *ours) * upstream).sum().backward()
    gradients = [(f"{name}'s weights", weight.grad, _highway_weights(ours)[name].grad)
                 for name, weight in _highway_weights(mine).items()]
    gradients.append(("x", x_mine.grad, x_ours.grad))    # last: any gap above also shows here
    for name, got_grad, want in gradients:
        if got_grad is None or not close(got_grad, want):
            raise Incorrect(f"The output is right, but the gradient for {name} is missing or "
                            "wrong, so training could not move it: no torch.no_grad(), "
                            ".detach() or .data on the way.")
    # the two special cases, with the student's own function
    coupled = _highway_call(answer, x.clone(), transform, transform_gate, _negated(transform_gate),
                            what=f"{what} with carry_gate = −transform_gate").detach()
    wide_open = _highway_call(answer, x.clone(), transform, _open_gate(x.shape[-1], 30.0),
                              _open_gate(x.shape[-1], 30.0),
                              what=f"{what} with both gates wide open").detach()
    with torch.no_grad():
        t = torch.sigmoid(transform_gate(x))
        section_1 = t * transform(x) + (1 - t) * x
        residual = x + transform(x)
    if not (close(coupled, section_1) and close(wide_open, residual)):
        raise Incorrect("Right on the check's gates, but not on two special cases: with "
                        "carry_gate = −transform_gate your block should be section 1's, and with "
                        "both gates wide open (T = C = 1) it should be x + H(x). Compute "
                        "y = H(x)·T(x) + x·C(x) the same way for any gates.")
    return ("y = H(x)·T(x) + x·C(x), forward and backward. With carry_gate = −transform_gate "
            "your function gives section 1's coupled block (σ(−a) = 1 − σ(a)); with both gates "
            "wide open it gives x + H(x), a residual block: once the carry no longer trades "
            "against the transform, nothing stops the skip from passing x in full.")


def _check_unet_merge(answer: Any) -> str:
    expect_function(answer, "unet_merge(encoder, upsampled)")
    gen = torch.Generator().manual_seed(0)
    for (c1, l1), (c2, l2) in (((4, 12), (4, 8)), ((3, 9), (5, 5)), ((2, 6), (2, 6))):
        encoder = torch.randn(2, c1, l1, generator=gen)
        upsampled = torch.randn(2, c2, l2, generator=gen)
        got = call_student(answer, encoder, upsampled, what="unet_merge",
                           names=("encoder", "upsampled"))
        if isinstance(got, torch.Tensor) and got.shape == upsampled.shape and c1 == c2:
            raise Incorrect("U-Net CONCATENATES the encoder's map with the upsampled one (along "
                            "channels); adding them is a later variant (e.g. FPN-style skips).")
        got = expect_tensor(got, shape=(2, c1 + c2, l2), what=f"unet_merge on encoder "
                            f"{tuple(encoder.shape)} and upsampled {tuple(upsampled.shape)}")
        start = (l1 - l2) // 2
        if close(got, torch.cat([encoder[..., start:start + l2], upsampled], dim=1)):
            continue
        if close(got, torch.cat([encoder[..., :l2], upsampled], dim=1)):
            raise Incorrect("The crop takes the FIRST positions; U-Net crops the CENTRE of the "
                            "encoder map (it lost its border to unpadded convolutions).")
        if close(got, torch.cat([upsampled, encoder[..., start:start + l2]], dim=1)):
            raise Incorrect("The order is swapped: the encoder's (cropped) map comes first, then "
                            "the upsampled one, as in the paper's Fig. 1.")
        raise Incorrect("unet_merge returned the right shape but other values: crop the encoder "
                        "to the centre L2 positions, then torch.cat([cropped, upsampled], dim=1).")
    return "Centre crop, then concatenate along channels: (B, C1 + C2, L2)."


ZOO_BLOCKS = (TransformerBlock, PreActResNetBlock, ResNetBasicBlock, HighwayBlock, ReZeroBlock,
              RWKVBlock, UNetBlock)
ZOO_MODEL_STEPS, ZOO_MODEL_TARGET = 300, 0.95


def _check_zoo_model(answer: Any) -> str:
    expect_function(answer, "build_zoo_model() returning a model")
    model = seeded_modules(lambda: call_student(answer, what="build_zoo_model()"))
    if model is None:
        raise Incorrect("build_zoo_model() returned None: did you forget a `return`?")
    if not isinstance(model, nn.Module):
        raise Incorrect(f"build_zoo_model() returned a {type(model).__name__}; return an "
                        "nn.Module.")
    blocks = [m for m in model.modules() if isinstance(m, ZOO_BLOCKS)]
    kinds = {type(b).__name__ for b in blocks}
    if len(blocks) < 4 or len(kinds) < 2:
        raise Incorrect(f"The model holds {len(blocks)} zoo blocks of {len(kinds)} kind(s) "
                        f"({', '.join(sorted(kinds)) or 'none'}): use at least 4 blocks of at "
                        "least 2 kinds from course_utils.zoo / course_utils.TransformerBlock.")
    X, y = reverse_task(4096, seed=0)
    X_test, y_test = reverse_task(512, seed=1)
    probe = call_student(model, X[:4], what="your model on a (4, 12) batch of token ids")
    expect_tensor(probe, shape=(4, 12, 16), what="your model")
    with progress_bar(ZOO_MODEL_STEPS, "zoo model: training your model", file=checker_stderr()) as bar:
        history = call_student(lambda: train(model, X, y, steps=ZOO_MODEL_STEPS, batch_size=32,
                                             lr=3e-3, optimizer="adam", warmup_steps=50,
                                             weight_decay=0.0, seed=0, progress=heartbeat(bar)),
                               what="training", timed=False)
    if history.diverged:
        raise Incorrect("Training diverged (the loss became NaN or infinite). Is there a norm "
                        "on the stream, and a final LayerNorm before the head?")
    accuracy = evaluate(model, X_test, y_test)[1]
    if accuracy < ZOO_MODEL_TARGET:
        raise Incorrect(f"After {ZOO_MODEL_STEPS} steps the model reverses {accuracy:.0%} of the "
                        f"held-out tokens; it needs {ZOO_MODEL_TARGET:.0%}. Reversing needs "
                        "tokens to see each other: include attention blocks (pre-norm ones are the "
                        "forgiving choice), and positions in the input.")
    return (f"{len(blocks)} blocks ({', '.join(sorted(kinds))}) reverse {accuracy:.1%} of the "
            f"held-out tokens after {ZOO_MODEL_STEPS} steps.")


# ---------------------------------------------------------------------------------------------
# rezero_block (debug): alpha on the skip instead of the branch.

_REZERO_NAMES = ("x", "branch", "alpha")


def _rezero_pieces() -> tuple[torch.Tensor, nn.Module, torch.Tensor]:
    def make() -> tuple[torch.Tensor, nn.Module, torch.Tensor]:
        x = torch.randn(4, 6, 8)
        branch = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8))
        upstream = torch.randn(4, 6, 8)                  # dL/dy of a loss L = sum(upstream * y)
        return x, branch, upstream

    return seeded_modules(make, 5)


def _rezero_stack_ratio(answer: Any, x: torch.Tensor) -> float:
    """The gradient's RMS at the input of a 16-block stack of the answer at alpha = 0, over
    its RMS at the output (the notebook's ReZero stack: exactly 1)."""
    branches = seeded_modules(lambda: [nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8))
                                       for _ in range(16)], 6)
    start = x.clone().requires_grad_(True)
    y = start
    for branch in branches:
        y = call_student(answer, y, branch, torch.zeros((), requires_grad=True),
                         what="rezero_block(x, branch, alpha=0)", names=_REZERO_NAMES)
        y = expect_tensor(y, shape=x.shape, what="rezero_block")
    upstream = torch.ones_like(y)
    call_student(lambda: (y * upstream).sum().backward(), what="backward() through 16 blocks")
    if start.grad is None:
        return 0.0
    return (start.grad.pow(2).mean().sqrt() / upstream.pow(2).mean().sqrt()).item()


_REZERO_MISTAKES = {
    "whole": "alpha scales the whole sum, alpha·(x + F(x)): at alpha = 0, as every ReZero block "
             "starts, the block outputs zeros and the stream is lost. alpha belongs on the branch "
             "only; the skip carries x in full.",
    "no alpha": "it ignores alpha: x + F(x) is an ordinary residual block, not the identity at "
                "initialisation. Scale the branch by alpha.",
    "gate": "it mixes (1 − alpha)·x + alpha·F(x), a gate in the style of a highway block: the "
            "skip then shrinks as alpha grows. In ReZero the skip carries x in full, whatever "
            "alpha is.",
    "no branch": "it returns x whatever alpha is: the branch's contribution, alpha·F(x), is "
                 "missing.",
    "branch only": "the `x +` is missing: at alpha = 0 the block outputs zeros. The skip must "
                   "carry x.",
}


def _check_rezero_block(answer: Any) -> str:
    expect_function(answer, "rezero_block(x, branch, alpha)")
    x, branch, upstream = _rezero_pieces()
    with torch.no_grad():
        h = branch(x)
    outputs = {}
    for a in (0.0, 0.5):
        what = f"rezero_block(x, branch, alpha={a})"
        got = call_student(answer, x.clone(), branch, torch.tensor(a, requires_grad=True),
                           what=what, names=_REZERO_NAMES)
        outputs[a] = expect_tensor(got, shape=x.shape, what=what).detach()
    formulas = {
        "right": lambda a: x + a * h,
        "given": lambda a: a * x + h,
        "whole": lambda a: a * (x + h),
        "no alpha": lambda a: x + h,
        "gate": lambda a: (1 - a) * x + a * h,
        "no branch": lambda a: x,
        "branch only": lambda a: a * h,
    }
    matches = {key: all(close(outputs[a], f(a), atol=1e-5) for a in outputs)
               for key, f in formulas.items()}
    if matches["given"]:
        gap = (outputs[0.0] - x).abs().max().item()
        ratio = _rezero_stack_ratio(answer, x)
        raise NotAttempted(
            "This is still the block as given. With alpha = 0, as every ReZero block starts, the "
            f"block should be exactly the identity; this one changes x by up to {gap:.2f}. "
            f"Stacked 16 deep at initialisation it passes back only {ratio:.1e} of the gradient "
            "to its input, where section 2's ReZero stack passes back exactly 1. Find why "
            "alpha = 0 does not give x, fix that line, run the cell, and check again.")
    if not matches["right"]:
        for key, message in _REZERO_MISTAKES.items():
            if matches[key]:
                raise Incorrect(f"rezero_block: {message}")
        if close(outputs[0.0], x, atol=1e-5):
            raise Incorrect("At alpha = 0 your block returns x, as it should; at alpha = 0.5 it "
                            "returns something other than x + 0.5·F(x). Multiply the branch's "
                            "output by alpha and add x.")
        raise Incorrect(f"rezero_block returned something else (largest difference at alpha = "
                        f"0.5: {(outputs[0.5] - formulas['right'](0.5)).abs().max():.3g}). "
                        "ReZero computes x + alpha·F(x), with F(x) = branch(x).")
    # the right values: now alpha and the skip must carry gradients
    alpha = torch.tensor(0.0, requires_grad=True)
    start = x.clone().requires_grad_(True)
    out = call_student(answer, start, branch, alpha, what="rezero_block(x, branch, alpha=0)",
                       names=_REZERO_NAMES)
    out = expect_tensor(out, shape=x.shape, what="rezero_block")
    if not out.requires_grad:
        raise Incorrect("The block's output has no gradient at all: no torch.no_grad() and no "
                        ".detach() around it.")
    call_student(lambda: (out * upstream).sum().backward(), what="backward() through your block")
    if alpha.grad is None or alpha.grad.abs().item() == 0:
        raise Incorrect("alpha gets no gradient, so training could never move it off 0 and the "
                        "block would stay the identity for ever. Multiply by the tensor alpha "
                        "itself, not float(alpha), alpha.item() or alpha.detach().")
    if not close(alpha.grad, (h * upstream).sum(), atol=1e-4):
        raise Incorrect("alpha's gradient is wrong: with y = x + alpha·F(x), dL/dalpha is the "
                        "sum of dL/dy · F(x). Use alpha as a plain factor of the branch.")
    if start.grad is None or not close(start.grad, upstream, atol=1e-5):
        raise Incorrect("The gradient no longer flows back through the skip: x was detached "
                        "(x.detach() or x.data) before the add. Use x itself.")
    # once alpha has grown, the branch must learn too
    weight = branch[0].weight
    weight.grad = None
    out = call_student(answer, x.clone(), branch, torch.tensor(0.5, requires_grad=True),
                       what="rezero_block(x, branch, alpha=0.5)", names=_REZERO_NAMES)
    out = expect_tensor(out, shape=x.shape, what="rezero_block")
    call_student(lambda: (out * upstream).sum().backward(), what="backward() through your block")
    mine = weight.grad
    weight.grad = None
    (0.5 * branch(x) * upstream).sum().backward()
    if mine is None or not close(mine, weight.grad, atol=1e-4):
        raise Incorrect("The branch's weights get no (or the wrong) gradient, so F could never "
                        "learn: branch(x) was detached or computed under torch.no_grad(). Use "
                        "branch(x) itself.")
    return ("x + alpha·F(x): at alpha = 0 every block is exactly the identity, and alpha gets the "
            "gradient it needs to grow.")


# ---------------------------------------------------------------------------------------------
# kept_within (measure): on comparisons the notebook did not make.

_COMPARISONS: dict[tuple[int, int], ZooComparison] = {}
_MEASURE_CASES = ((6, 5, 1.5), (6, 5, 2), (8, 7, 1.5), (8, 7, 2), (4, 3, 10), (8, 7, 10))
"""(depth, seed, factor) of each check; the notebook's comparison is 16 deep, seed 0."""


def _comparison(depth: int, seed: int) -> ZooComparison:
    if (depth, seed) not in _COMPARISONS:
        progress_made()
        _COMPARISONS[depth, seed] = seeded_modules(lambda: zoo_comparison(depth, seed=seed))
        progress_made()
    return _COMPARISONS[depth, seed]


def _copy(comparison: ZooComparison) -> ZooComparison:
    return ZooComparison(comparison.depth, {k: list(v) for k, v in comparison.gradient.items()},
                         dict(comparison.parameters), dict(comparison.output_shape))


def _kept_by(comparison: ZooComparison, keep: Callable[[list[float]], bool]) -> set[str]:
    return {arch for arch, gradient in comparison.gradient.items() if keep(gradient)}


def _as_keys(got: Any, call: str) -> set[str]:
    if got is None:
        raise Incorrect(f"{call} returned None: did you forget a `return`?")
    if isinstance(got, str) or not isinstance(got, (list, tuple, set, frozenset, type({}.keys()))):
        raise Incorrect(f"{call} returned {type(got).__name__} {got!r:.80}; return a list of "
                        "the architectures' keys, such as ['rezero', 'rwkv'].")
    names = {entry.name: key for key, entry in ZOO.items()}
    for item in got:
        if not isinstance(item, str):
            raise Incorrect(f"{call} returned a list holding {type(item).__name__} {item!r:.40}; "
                            "return the architectures' keys, strings such as 'rezero'.")
        if item in names:
            raise Incorrect(f"{call} returned the display name {item!r}; return the keys, as "
                            f"comparison.gradient has them ({names[item]!r}).")
        if item not in ZOO:
            raise Incorrect(f"{call} returned {item!r}, which is not an architecture of the "
                            f"comparison; its keys are {', '.join(ZOO)}.")
    return set(got)


def _where(gradient: list[float], factor: float) -> str:
    """The point of the stack where the gradient strays furthest from the output's."""
    worst = max(range(len(gradient)), key=lambda l: max(gradient[l], 1 / max(gradient[l], 1e-300)))
    return f"{gradient[worst]:.3g} at point {worst}{' (the input end)' if worst == 0 else ''}"


def _kept_diagnosis(comparison: ZooComparison, factor: float, what: str, got: set[str],
                    expected: set[str]) -> str:
    lo, hi = 1 / factor, factor
    every = set(comparison.gradient)
    if got == every - expected:
        return (f"For {what} you returned the architectures whose gradient STRAYS beyond "
                f"{factor}×; return the ones that stay within it.")
    if got == _kept_by(comparison, lambda g: lo <= g[0] <= hi):
        arch = sorted(got - expected)[0]
        return (f"For {what} you judged each stack by its input end only (comparison.ratio): "
                f"{arch} ends within {factor}× ({comparison.gradient[arch][0]:.3g}) but strays "
                f"inside the stack ({_where(comparison.gradient[arch], factor)}). Check every "
                "entry of comparison.gradient[arch].")
    if got == _kept_by(comparison, lambda g: all(lo <= v <= hi for v in g[1:])):
        arch = sorted(got - expected)[0]
        return (f"For {what} you skipped comparison.gradient[arch][0], the gradient at the "
                f"stack's input (the stem's output): {arch}'s is "
                f"{comparison.gradient[arch][0]:.3g}. Include it: it is where the gradient "
                "ends up.")
    if got == _kept_by(comparison, lambda g: min(g) >= lo):
        arch = max(got - expected, key=lambda k: max(comparison.gradient[k]))
        return (f"For {what} you tested only for a gradient that SHRINKS; it can also GROW "
                f"towards the input ({arch} reaches {max(comparison.gradient[arch]):.3g}×): test "
                f"1/{factor} <= g <= {factor}.")
    if got == _kept_by(comparison, lambda g: max(g) <= hi):
        arch = min(got - expected, key=lambda k: min(comparison.gradient[k]))
        return (f"For {what} you tested only for a gradient that GROWS; it can also SHRINK "
                f"towards the input ({arch} falls to {min(comparison.gradient[arch]):.3g}): test "
                f"1/{factor} <= g <= {factor}.")
    if got == _kept_by(comparison, lambda g: max(g) / min(g) <= factor):
        return (f"For {what} you compared the largest and the smallest gradient along the stack "
                "with each other; compare each with the output's, which is 1 in "
                "comparison.gradient.")
    missing, extra = sorted(expected - got), sorted(got - expected)
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)} (the gradient stays within {factor}× all "
                     "along the stack)")
    if extra:
        parts.append(f"extra {', '.join(extra)} (e.g. {extra[0]}: "
                     f"{_where(comparison.gradient[extra[0]], factor)})")
    return f"For {what} your list is wrong: {'; '.join(parts)}."


def _check_kept_within(answer: Any) -> str:
    expect_function(answer, "kept_within(comparison, factor=2)")
    for depth, seed, factor in _MEASURE_CASES:
        comparison = _comparison(depth, seed)
        expected = set(kept_within(comparison, factor))
        what = f"a comparison {depth} blocks deep (seed {seed}) and factor {factor}"
        call = f"kept_within(comparison, {factor}) for {what}"
        got = _as_keys(call_student(answer, _copy(comparison), factor, what=call), call)
        if got != expected:
            raise Incorrect(_kept_diagnosis(comparison, factor, what, got, expected))
    return ("right on comparisons the notebook did not make (4, 6 and 8 blocks deep, other "
            "seeds, factors 1.5 to 10).")


EXERCISES = (
    Exercise("general_highway_block",
             "write general_highway_block(x, transform, transform_gate, carry_gate) -> "
             "H(x)·T(x) + x·C(x) with H(x) = transform(x), T(x) = σ(transform_gate(x)) and a "
             "carry gate of its own, C(x) = σ(carry_gate(x)) (Srivastava et al. 2015's general "
             "form, with the carry gate given a sigmoid like T's), without the course's blocks",
             _check_general_highway,
             ("Section 1's block has one gate and carries what the transform does not take: "
              "1 − T(x). Here the carry has a gate of its own, so neither gate is computed from "
              "the other.",
              "Each gate is a number between 0 and 1 for each feature: the sigmoid of its own "
              "layer's output. T(x) scales what the transform contributes, C(x) scales what is "
              "carried of x.",
              "`t = torch.sigmoid(transform_gate(x))`, `c = torch.sigmoid(carry_gate(x))`; "
              "`return transform(x) * t + x * c`"),
             general_highway_block),
    Exercise("unet_merge",
             "write unet_merge(encoder, upsampled): centre-crop the (B, C1, L1) encoder map to "
             "L2 and concatenate it with the (B, C2, L2) upsampled map along channels",
             _check_unet_merge,
             ("Why is the encoder's map longer than the upsampled one? Each unpadded "
              "convolution loses a border, on both sides; the decoder's map lost more of them. "
              "Which of the encoder's positions line up with the decoder's, then?",
              "The centre ones: the crop starts at (L1 - L2) // 2 and keeps L2 positions. Then "
              "the two maps are joined along the channels, encoder first.",
              "start = (encoder.shape[-1] - upsampled.shape[-1]) // 2; "
              "cropped = encoder[..., start:start + upsampled.shape[-1]]; "
              "return torch.cat([cropped, upsampled], dim=1)"),
             unet_merge),
    Exercise("zoo_model",
             "write build_zoo_model() returning a model of at least 4 zoo blocks (2+ kinds) that "
             "maps (B, 12) token ids to (B, 12, 16) logits and learns to reverse sequences",
             _check_zoo_model,
             ("Start from embeddings plus a learned position vector per position.",
              "Reversing needs tokens to see each other: TransformerBlock(width, 4, 2 * width, "
              "placement='pre') does that; add per-token blocks such as PreActResNetBlock.",
              "End with nn.LayerNorm(width) and nn.Linear(width, 16). See "
              "cu.solution('zoo_model')."),
             build_zoo_model, reference_source=inspect.getsource(ZooModel) + "\n\n"
             + inspect.getsource(build_zoo_model),
             imports="from course_utils import TransformerBlock\n"
                     "from course_utils.zoo import PreActResNetBlock, ReZeroBlock",
             seconds=30.0),
    Exercise("rezero_block",
             "fix rezero_block(x, branch, alpha) so that it computes ReZero's x + alpha·F(x), "
             "F(x) = branch(x): exactly the identity while alpha = 0",
             _check_rezero_block,
             ("ReZero's promise: at initialisation (alpha = 0) every block passes x through "
              "unchanged. Put alpha = 0 into the given line: what is left?",
              "alpha should decide how much of the branch gets in; the skip should not depend "
              "on alpha at all.",
              "`return x + alpha * branch(x)`"),
             rezero_block, kind="debug"),
    Exercise("kept_within",
             "write kept_within(comparison, factor=2): the keys of the architectures whose "
             "gradient, at every point of the stack (input end included), stays within `factor` "
             "of the output's (between 1/factor and factor)",
             _check_kept_within,
             ("comparison.gradient[arch] lists the gradient's RMS from the stack's input to its "
              "output, divided by the output's, so the last entry is 1. Look at every entry, not "
              "only the first.",
              "A gradient can shrink or grow on the way back: an entry is within the factor when "
              "1/factor <= g <= factor.",
              "`for arch, gradient in comparison.gradient.items():` keep `arch` when "
              "`all(1 / factor <= g <= factor for g in gradient)`; return the list of kept keys."),
             kept_within, kind="measure"),
)
