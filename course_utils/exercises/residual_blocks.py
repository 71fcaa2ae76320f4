"""Exercises of notebook 01: the residual block, a branch that starts as the identity, the
projection shortcut for a change of width (write); a block whose in-place add breaks backward
(debug); how many blocks a gradient crosses before it has changed tenfold (measure); an
initialisation that makes a 42-layer residual stack without normalisation train (design)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .. import blocks
from ..batched import BatchedMLPStack
from ..blocks import Residual, mlp_stack
from ..data import two_spirals
from ..probes import LayerProfile, layer_profile
from ..progress_bars import progress_bar
from ..training import train_batched
from .framework import (Exercise, Incorrect, NotAttempted, call_student, checker_stderr, close,
                        constructions_counted, course_functions, expect_function,
                        expect_module_class, expect_tensor, heartbeat, refuse_course_code,
                        seeded_modules, watching_calls)

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


class ResidualBlock(nn.Module):
    """y = x + branch(x)"""

    def __init__(self, branch: nn.Module):
        super().__init__()
        self.branch = branch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.branch(x)


def zero_init_branch(width: int) -> nn.Module:
    branch = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))
    nn.init.zeros_(branch[-1].weight)   # only the LAST layer: the first keeps learning
    nn.init.zeros_(branch[-1].bias)
    return branch


class ProjectionResidual(nn.Module):
    """y = shortcut(x) + branch(x), shortcut = identity if d_in == d_out else W_s x"""

    def __init__(self, branch: nn.Module, d_in: int, d_out: int):
        super().__init__()
        self.branch = branch
        self.shortcut = nn.Identity() if d_in == d_out else nn.Linear(d_in, d_out, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shortcut(x) + self.branch(x)


class QuickResidual(nn.Module):
    def __init__(self, branch):
        super().__init__()
        self.branch = branch

    def forward(self, x):
        return x + self.branch(x)     # a new tensor: the caller's x, and autograd's copy, stay as they were


def blocks_until_changed(profile, factor=10):
    last = profile.gradient_rms[-1]
    for back, g in enumerate(reversed(profile.gradient_rms)):   # back = 0 is x_L itself
        if g < last / factor or g > last * factor:
            return back
    return None


def tame(model):
    for block in model.blocks:
        first, last = block[0].branch[0], block[0].branch[3]     # the branch's two nn.Linear
        nn.init.zeros_(last.weight)                             # each block starts as the identity
        nn.init.zeros_(last.bias)
        with torch.no_grad():                                   # Fixup: scale the first by L^(-1/2)
            first.weight.mul_(len(model.blocks) ** -0.5)


# ---------------------------------------------------------------------------------------------
# Probe branches: modules whose output the checkers know exactly.


class _Zero(nn.Module):
    def __init__(self, d_out: int | None = None):
        super().__init__()
        self.d_out = d_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape if self.d_out is None else (*x.shape[:-1], self.d_out)
        return torch.zeros(shape)


class _PlusOne(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ones_like(x)


class _Switch(nn.Module):
    """A linear branch that can be switched off (then it outputs zeros of the right width)."""

    def __init__(self, d_in: int, d_out: int):
        super().__init__()
        self.linear = nn.Linear(d_in, d_out)
        self.on = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) if self.on else torch.zeros(*x.shape[:-1], self.linear.out_features)


def _inputs(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _forward(block: nn.Module, x: torch.Tensor, *, shape: tuple[int, ...]) -> torch.Tensor:
    return expect_tensor(call_student(block, x, what="forward(x)", names=("x",)), shape=shape,
                         what="forward(x)")


# ---------------------------------------------------------------------------------------------
# Checkers.


def _check_residual_block(answer: Any) -> str:
    expect_module_class(answer, "ResidualBlock")
    refuse_course_code(answer, "ResidualBlock", writes="Write the block yourself: store the "
                       "branch in __init__ and return x + branch(x) in forward.")
    x = _inputs(4, 8)
    y_zero = _forward(call_student(answer, _Zero(), what="ResidualBlock(branch)"), x,
                      shape=x.shape)
    y_one = _forward(call_student(answer, _PlusOne(), what="ResidualBlock(branch)"), x,
                     shape=x.shape)
    if close(y_zero, 2 * x):
        raise Incorrect("With a branch that outputs zeros your block returns 2x: x is added "
                        "twice. The second term should be self.branch(x).")
    if close(y_zero, torch.zeros_like(x)) and close(y_one, torch.ones_like(x)):
        raise Incorrect("Your block returns only branch(x): the identity path is missing. With "
                        "a branch that outputs zeros, a residual block must return x.")
    if close(y_one, x):
        raise Incorrect("Your block returns x and ignores the branch: with a branch that "
                        "outputs ones, it should return x + 1.")
    if close(y_one, x - 1):
        raise Incorrect("Your block subtracts the branch (x - branch(x)); a residual block adds it.")
    if not (close(y_zero, x) and close(y_one, x + 1)):
        raise Incorrect("For input x the block should return x + branch(x); with a branch that "
                        f"outputs ones it returned values off by up to "
                        f"{(y_one - x - 1).abs().max().item():.3g}.")
    linear = seeded_modules(lambda: nn.Linear(8, 8))
    block = call_student(answer, linear, what="ResidualBlock(branch)")
    x3 = _inputs(2, 5, 8, seed=1)                          # (B, T, C), as in a transformer
    with torch.no_grad():
        y3 = _forward(block, x3, shape=x3.shape)
        expected = x3 + linear(x3)
    if not close(y3, expected):
        raise Incorrect("With a linear branch and a (B, T, C) input the output is not "
                        "x + branch(x); apply the branch to the whole x.")
    own = {id(p) for p in block.parameters()}
    if not {id(p) for p in linear.parameters()} <= own:
        raise Incorrect("ResidualBlock(branch).parameters() does not include the branch's "
                        "parameters, so an optimiser would never train it. Store it with "
                        "`self.branch = branch` after `super().__init__()`.")
    extra = sum(p.numel() for p in block.parameters()) - sum(p.numel() for p in linear.parameters())
    if extra:
        raise Incorrect(f"Your block adds {extra} parameters of its own; the identity path of a "
                        "residual block adds none.")
    return "x + branch(x), for (B, C) and (B, T, C) inputs, with the branch's parameters registered."


_ZERO_WRITES = "Set the weights yourself, with nn.init or under torch.no_grad()."


def _check_zero_init_branch(answer: Any) -> str:
    expect_function(answer, "width -> nn.Module")
    refuse_course_code(answer, "zero_init_branch", writes=_ZERO_WRITES)
    with watching_calls(course_functions()) as used:
        branch = seeded_modules(lambda: call_student(answer, 16, what="zero_init_branch(16)"))
    if used:
        raise Incorrect(f"Your code calls {used[0]}, the course's own code: that hands the "
                        f"exercise to the course. {_ZERO_WRITES}")
    if not isinstance(branch, nn.Module):
        raise Incorrect(f"zero_init_branch(16) returned {type(branch).__name__}; return the "
                        "branch, an nn.Module.")
    block = Residual(branch)
    x = _inputs(32, 16)
    try:
        y = block(x)
    except ValueError as error:   # Residual's own shape check
        raise Incorrect(f"Residual(branch) raised: {error}. Keep the branch width -> width.") from None
    gap = (y - x).abs().max().item()
    if gap > 1e-3:
        raise Incorrect(f"Residual(branch) changes x by up to {gap:.3g} at initialisation; it "
                        "should return x exactly. Zero the weight and bias of the last layer.")
    if gap > 0:
        raise Incorrect(f"Close, but not exactly the identity: x moves by up to {gap:.3g}. Use "
                        "exact zeros (nn.init.zeros_) rather than small values.")
    params = dict(branch.named_parameters())
    if not params:
        raise Incorrect("Your branch has no parameters, so it can never learn. Build "
                        "Linear -> ReLU -> Linear and zero only the last layer.")
    learned = {name: False for name in params}
    target = _inputs(32, 16, seed=1)
    optimiser = torch.optim.SGD(branch.parameters(), lr=0.1)
    for _ in range(2):                    # the first layer only gets a gradient from step 2 on
        optimiser.zero_grad()
        ((block(x) - target) ** 2).mean().backward()
        for name, p in params.items():
            learned[name] |= p.grad is not None and bool(p.grad.abs().sum() > 0)
        optimiser.step()
    dead = [name for name, ok in learned.items() if not ok]
    if len(dead) == len(params):
        raise Incorrect("Your branch can never learn: every gradient stays exactly zero. Zero "
                        "only the last layer.")
    if dead:
        raise Incorrect(f"These parameters never get a gradient: {', '.join(dead)}. With the "
                        "first layer zeroed too, h = ReLU(W1 x + b1) = 0, so dL/dW2 = delta h^T "
                        "= 0 and dL/dW1 = 0: the branch can only ever learn a constant. Zero "
                        "only the last layer; keep the first layer's random initialisation.")
    return "the block is exactly the identity at initialisation, and every layer can learn."


def _check_projection_residual(answer: Any) -> str:
    expect_module_class(answer, "ProjectionResidual")
    # widths equal: the shortcut must be the identity and cost nothing
    same = seeded_modules(lambda: _Switch(8, 8))
    block = call_student(answer, same, 8, 8, what="ProjectionResidual(branch, 8, 8)")
    x = _inputs(4, 8)
    same.on = False
    y_off = _forward(block, x, shape=(4, 8))
    same.on = True
    if not close(y_off, x):
        raise Incorrect("When d_in == d_out the shortcut must be the identity (He et al. 2015): "
                        "with a zero branch the block should return x.")
    extra = sum(p.numel() for p in block.parameters()) - sum(p.numel() for p in same.parameters())
    if extra:
        raise Incorrect(f"When the widths match your block adds {extra} parameters; an identity "
                        "shortcut adds none. Use nn.Identity() then.")
    # widths differ: shortcut(x) = W_s x, a learned linear map without bias
    wide = seeded_modules(lambda: _Switch(8, 16))
    block = call_student(answer, wide, 8, 16, what="ProjectionResidual(branch, 8, 16)")
    wide.on = False
    try:
        with torch.no_grad():
            s1, s2 = _forward(block, x, shape=(4, 16)), _forward(block, 2 * x, shape=(4, 16))
            wide.on = True
            y_on = _forward(block, x, shape=(4, 16))
            branch_out = wide.linear(x)
    except Incorrect as wrong:
        if isinstance(wrong.error, RuntimeError) and "must match the size" in str(wrong.error):
            raise Incorrect("With d_in = 8 and d_out = 16, x has 8 features and branch(x) has 16: "
                            "they cannot be added. When d_in != d_out, project the shortcut: "
                            "build nn.Linear(d_in, d_out, bias=False) in __init__ and return "
                            "self.shortcut(x) + self.branch(x).") from None
        raise
    if close(s1, torch.zeros_like(s1)):
        raise Incorrect("When d_in != d_out your block drops the shortcut: with a zero branch it "
                        "returns 0. Project x to d_out features with nn.Linear(d_in, d_out, "
                        "bias=False) and add it.")
    if not close(s2, 2 * s1, atol=1e-4):
        raise Incorrect("The shortcut is not linear: shortcut(2x) != 2 shortcut(x). Use a plain "
                        "projection W_s x, with no bias and no activation.")
    if not close(y_on - s1, branch_out, atol=1e-4):
        raise Incorrect("The output is not shortcut(x) + branch(x): the branch's output should "
                        "be added unchanged.")
    own = {id(p) for p in block.parameters()} - {id(p) for p in wide.parameters()}
    if not own:
        raise Incorrect("The projection has no learnable parameters; make it an nn.Linear "
                        "stored as an attribute so it is trained with the rest.")
    return "identity shortcut when widths match (no extra parameters), a learned projection W_s x when they differ."


def _after_a_relu(block_class: type, x: torch.Tensor) -> tuple[nn.Module, nn.Module]:
    """Linear -> ReLU -> the student's block (with a Linear branch), as a model uses it; and the
    same with the reference block, from the same weights."""
    def build(cls: type) -> nn.Module:
        return seeded_modules(lambda: nn.Sequential(nn.Linear(8, 8), nn.ReLU(),
                                                    cls(nn.Linear(8, 8))), seed=3)
    return call_student(build, block_class, what="QuickResidual(branch)"), build(QuickResidual)


def _check_quick_residual(answer: Any) -> str:
    expect_module_class(answer, "QuickResidual")
    x = _inputs(4, 8)
    model, reference = _after_a_relu(answer, x)
    try:
        model[2].branch.weight, model[2].branch.bias                       # the branch is stored
    except AttributeError:
        raise Incorrect("Keep the branch as `self.branch`, as the block was given.") from None
    student_x = x.clone().requires_grad_(True)
    relu_out: list[tuple[torch.Tensor, int]] = []          # the ReLU's output and its version
    model[1].register_forward_hook(lambda m, i, o: relu_out.append((o, o._version)))
    try:
        out = call_student(model, student_x, what="the model Linear -> ReLU -> QuickResidual",
                           names=("x",))
        expect_tensor(out, shape=(4, 8), what="the model")
        if not out.requires_grad:
            raise Incorrect("The block's output has no gradient at all: the add must be "
                            "recorded by autograd, so no torch.no_grad() and no .data around it.")
        call_student(lambda: out.sum().backward(), what="backward() through your block")
    except Incorrect as wrong:
        changed_its_input = bool(relu_out) and relu_out[0][0]._version != relu_out[0][1]
        if (isinstance(wrong.error, RuntimeError) and "inplace operation" in str(wrong.error)
                and not changed_its_input):
            raise Incorrect(
                "The ReLU's output is left alone now, but backward() still fails: "
                f"{str(wrong.error).split(' Hint:')[0]} Another tensor autograd kept was changed "
                "in place: the branch's first layer kept the input it received, so `x = "
                "x.clone(); x += self.branch(x)` changes the very copy the branch was given. "
                "Make the add create a new tensor.") from None
        if isinstance(wrong.error, RuntimeError) and "inplace operation" in str(wrong.error):
            raise NotAttempted(
                "This is still the block as given. After a ReLU, as in a model, backward() "
                f"raises: {str(wrong.error).split(' Hint:')[0]} Autograd kept the ReLU's output "
                "(the ReLU and the branch's first layer need it for their gradients), and the "
                "block changed that very tensor in place. Find that change in forward, make it "
                "create a new tensor, run the cell, and check again.") from None
        raise
    reference_x = x.clone().requires_grad_(True)
    reference(reference_x).sum().backward()
    with torch.no_grad():
        expected = reference(x)
    if not close(out, expected):
        raise Incorrect("Backward runs now, but the block no longer returns x + branch(x). Keep "
                        "what it computes; change only how.")
    branch_grad = model[2].branch.weight.grad
    if branch_grad is None or not close(branch_grad, reference[2].branch.weight.grad):
        raise Incorrect("The branch's weights get no (or the wrong) gradient: the add must be "
                        "recorded by autograd, so no torch.no_grad() and no .data around it.")
    if student_x.grad is None or not close(student_x.grad, reference_x.grad):
        raise Incorrect("The gradient no longer flows back through the skip: x was detached "
                        "(x.detach() or x.data) before the add. Use x itself.")
    return ("x + branch(x) as a new tensor: the ReLU's saved output stays intact, and backward "
            "runs with the gradients of the reference block.")


def _profiles_to_measure() -> list[tuple[str, LayerProfile]]:
    """Profiles the notebook did not draw (other seeds, another depth), vanishing and exploding."""
    cases = []
    for seed, norm, residual in ((11, "none", False), (12, "batch", False), (13, "none", True),
                                 (14, "batch", True), (15, "none", False)):
        X, y = two_spirals(256, seed=seed)
        model = seeded_modules(lambda: mlp_stack(20, norm=norm, residual=residual), seed=seed)
        kind = f"{'residual' if residual else 'plain'}, {norm if norm != 'none' else 'no'} norm, seed {seed}"
        cases.append((kind, layer_profile(model, X, y)))
    return cases


def _first_back(values: list[float], factor: float, *, grows: bool = True) -> int | None:
    last = values[-1]
    return next((back for back, v in enumerate(reversed(values))
                 if v < last / factor or (grows and v > last * factor)), None)


def _first_from_input(values: list[float], factor: float) -> int | None:
    last = values[-1]
    return next((l for l, v in enumerate(values) if v < last / factor or v > last * factor), None)


def _index(back: int | None, values: list[float]) -> int | None:
    return None if back is None else len(values) - 1 - back


# Slips of blocks_until_changed, each recognised by matching it on EVERY profile checked:
# (what the slip returns for (gradient_rms, activation_rms, factor), what to tell the student).
_SLIPS: list[tuple[Callable[[list[float], list[float], float], Any], str]] = [
    (lambda g, a, f: _index(_first_back(g, f), g),
     "You returned the layer's index l, counted from the input; count blocks back from the "
     "output instead: x_L is 0 blocks back, x_(L-1) is 1."),
    (lambda g, a, f: _first_from_input(g, f),
     "You found the first layer from the INPUT end whose gradient differs by the factor; walk "
     "back from the output instead, and stop at the first block that does."),
    (lambda g, a, f: _first_back(g, f, grows=False),
     "You missed gradients that GROW towards the input (BatchNorm's plain stack): test for "
     "larger as well as smaller."),
    (lambda g, a, f: next((b for b, v in enumerate(reversed(g)) if v > g[-1] * f), None),
     "You missed gradients that SHRINK towards the input (the plain stack without a norm): test "
     "for smaller as well as larger."),
    (lambda g, a, f: _first_back(a, f),
     "That is where the ACTIVATIONS change; compare profile.gradient_rms, not activation_rms."),
    (lambda g, a, f: (lambda b: None if b is None else b + 1)(_first_back(g, f)),
     "One off: x_L itself is 0 blocks back, so the answer is the position, counted from 0, of "
     "the first gradient (walking back) that differs by more than the factor."),
    (lambda g, a, f: (lambda b: -1 if b is None else b)(_first_back(g, f)),
     "When the gradient never changes by the factor, return None, not -1."),
]


def _check_blocks_until_changed(answer: Any) -> str:
    expect_function(answer, "blocks_until_changed(profile, factor=10)")
    cases = [(kind, profile, factor) for kind, profile in _profiles_to_measure() for factor in (10, 1000)]
    got = [call_student(answer, profile, factor,
                        what=f"blocks_until_changed(profile, {factor}) for a {kind} stack")
           for kind, profile, factor in cases]
    want = [blocks_until_changed(profile, factor) for _, profile, factor in cases]
    if got == want:
        return ("right on five profiles the notebook did not draw (plain and residual, with and "
                "without BatchNorm, vanishing and exploding).")
    for slip, message in _SLIPS:
        if all(g == slip(p.gradient_rms, p.activation_rms, f) for g, (_, p, f) in zip(got, cases)):
            raise Incorrect(message)
    if len(set(map(repr, got))) == 1:
        raise Incorrect(f"You returned {got[0]!r} for every profile; the check runs your function "
                        "on profiles the notebook did not draw: compute the answer from `profile`.")
    i = next(i for i, (g, w) in enumerate(zip(got, want)) if g != w)
    kind, _, factor = cases[i]
    if want[i] is None:
        raise Incorrect(f"For a {kind} stack the gradient never changes by {factor}x; return None "
                        f"then, not {got[i]!r}.")
    raise Incorrect(f"For a {kind} stack (factor {factor}) you returned {got[i]!r}; the gradient "
                    f"first differs by more than {factor}x from the output's {want[i]} blocks back.")


# The design exercise: its checker trains, so its verdicts are swept like claims
# (benchmarks/design_sweep.py; record in course_utils/data/design_verdicts.json).
TAME_BLOCKS, TAME_STEPS, TAME_LR, TAME_LOSS = 20, 150, 0.02, 0.5
TAME_SEED = 100                     # the check trains on seeds 100, 101, 102
TAME_SEEDS = 3


def _architecture(model: nn.Module) -> list[tuple[str, str, tuple[int, ...]]]:
    return ([(name, type(m).__name__, ()) for name, m in model.named_modules()]
            + [(name, "parameter", tuple(p.shape)) for name, p in model.named_parameters()])


@torch.no_grad()
def _live_branches(model: BatchedMLPStack, X: torch.Tensor) -> int:
    """How many (model, block) branches have a hidden unit that is not 0 on some input of X."""
    model.eval()
    x, live = model.stem(X), 0
    for block in model.blocks:
        hidden = block.branch[:3](x)                           # Linear, (no norm), ReLU
        live += int((hidden != 0).flatten(1).any(dim=1).sum())
        x = block(x)
    model.train()
    return live


def tame_verdict(answer: Any, seed: int = TAME_SEED) -> str:
    """Apply `answer` to He-initialised 20-block residual stacks without a norm (seeds seed,
    seed + 1, seed + 2), train them as 01 section 5 does (SGD 0.02, momentum 0.9, 150 steps,
    two spirals) and return the success message; raise Incorrect saying why not."""
    expect_function(answer, "tame(model)")
    seeds = list(range(seed, seed + TAME_SEEDS))
    models = []
    zero_last_only = True        # did the answer only zero each branch's last layer?
    for s in seeds:
        model = seeded_modules(lambda: mlp_stack(TAME_BLOCKS, norm="none", init="he"), seed=s)
        before = _architecture(model)
        first_layers = [block[0].branch[0].weight.detach().clone() for block in model.blocks]
        with constructions_counted(blocks.MLPStack) as built:
            returned = call_student(answer, model, what="tame(model)", names=("model",))
        if built[0]:
            raise Incorrect("tame(model) builds a course model (cu.mlp_stack) to take its weights: "
                            "that is the course's design, not yours. Change the weights of the "
                            "model you are given, block by block.")
        if returned is not None and returned is not model:
            raise Incorrect("tame(model) returned another model. Change the model you are given "
                            "in place (its weights), and return nothing.")
        if _architecture(model) != before:
            raise Incorrect("tame(model) changed the architecture (a layer added, removed or "
                            "resized). The design here is the initial weights only: no norm, no "
                            "new layer.")
        if not all(torch.isfinite(p).all() for p in model.parameters()):
            raise Incorrect("After tame(model) some weights are NaN or infinite.")
        zero_last_only &= all(torch.equal(block[0].branch[0].weight, first) and
                              not block[0].branch[3].weight.any()
                              for block, first in zip(model.blocks, first_layers))
        models.append(model)
    X, y = torch.stack([two_spirals(2000, seed=s)[0] for s in seeds]), \
        torch.stack([two_spirals(2000, seed=s)[1] for s in seeds])
    batched = BatchedMLPStack(models)
    with progress_bar(TAME_STEPS, "training your three stacks", file=checker_stderr()) as bar:
        runs = train_batched(batched, X, y, seeds=seeds, steps=TAME_STEPS, lr=TAME_LR,
                             progress=heartbeat(bar))
    losses = runs.final_loss()
    overflowed = sum(math.isinf(loss) for loss in losses)
    if overflowed:
        raise Incorrect(f"On {overflowed} of {TAME_SEEDS} seeds the loss overflowed, as for the "
                        "stack as given (section 5). With He's init each block adds a branch as "
                        "large as the stream itself, so the stream doubles in variance block after "
                        "block. Make each block start closer to the identity: what must the branch "
                        "output at initialisation?")
    if _live_branches(batched, X[:, :256]) == 0:
        raise Incorrect("Nothing overflows now, but no branch ever learned: after training, the "
                        "hidden units of every branch are still exactly 0 on every input, so each "
                        "branch adds a constant and your 42-layer stack is a one-layer net. A "
                        "branch whose first layer is zero never gets a gradient (exercise 2).")
    middle = statistics.median(losses)
    if middle > TAME_LOSS:
        raise Incorrect(f"Nothing overflows now, but the stacks barely learn: median training loss "
                        f"{middle:.2f} after {TAME_STEPS} steps (guessing gives ln 2 = 0.69; the "
                        f"check asks for less than {TAME_LOSS}). Start each block close to the "
                        "identity, but leave every branch able to learn.")
    depth_note = (" Zeroing each branch's last layer was enough here, at 20 blocks and 150 steps; "
                  "in section 5, at 54 blocks and 200 steps, it was not, and Fixup's depth-scaled "
                  "first layer was (we did not test whether the depth or the longer run made the "
                  "difference)." if zero_last_only else "")
    return (f"median training loss {middle:.2f} after {TAME_STEPS} steps on three seeds, with "
            f"no norm and {2 * TAME_BLOCKS + 2} layers; as given, the stacks overflow.{depth_note}")


def _check_tame(answer: Any) -> str:
    return tame_verdict(answer)


EXERCISES = [
    Exercise(
        name="residual_block",
        task="write class ResidualBlock(nn.Module), built as ResidualBlock(branch), whose "
             "forward(x) returns x + branch(x).",
        checker=_check_residual_block,
        hints=(
            "Store the branch in __init__ (after super().__init__()) so its parameters are "
            "registered: self.branch = branch.",
            "forward adds the input to what the branch makes of it: one line, no in-place +=.",
            "`return x + self.branch(x)`",
        ),
        reference=ResidualBlock,
    ),
    Exercise(
        name="zero_init_branch",
        task="write zero_init_branch(width) returning a Linear -> ReLU -> Linear branch such that "
             "Residual(branch) is exactly the identity at initialisation, yet every layer can learn.",
        checker=_check_zero_init_branch,
        hints=(
            "x + branch(x) == x exactly when branch(x) is exactly zero for every x.",
            "Which layer decides the branch's output? Zeroing every layer makes the branch "
            "output zero too, but look at the gradient of the first layer.",
            "Zero the weight and the bias of the last nn.Linear with nn.init.zeros_; leave the "
            "first one as it is.",
        ),
        reference=zero_init_branch,
    ),
    Exercise(
        name="projection_shortcut",
        task="write class ProjectionResidual(nn.Module), built as ProjectionResidual(branch, "
             "d_in, d_out), returning shortcut(x) + branch(x): the identity when d_in == d_out, "
             "a learned W_s x (nn.Linear without bias) when they differ.",
        checker=_check_projection_residual,
        hints=(
            "When the branch changes the width, x and branch(x) cannot be added; He et al. 2015 "
            "(Eq. 2) project x with a matrix W_s.",
            "Choose the shortcut in __init__: nn.Identity() or nn.Linear(d_in, d_out, bias=False).",
            "forward: `return self.shortcut(x) + self.branch(x)`.",
        ),
        reference=ProjectionResidual,
    ),
    Exercise(
        name="quick_residual",
        kind="debug",
        task="fix QuickResidual so that a model using it can run backward(), without changing "
             "what it computes (x + branch(x)).",
        checker=_check_quick_residual,
        hints=(
            "Read the error: autograd kept a tensor for the backward pass, and something changed "
            "it afterwards. Which line of forward changes a tensor it did not create?",
            "`x += ...` writes into the very tensor the caller passed in, here the ReLU's "
            "output, which the ReLU needs for its own gradient.",
            "`return x + self.branch(x)` makes a new tensor and leaves x as it was.",
        ),
        reference=QuickResidual,
    ),
    Exercise(
        name="blocks_until_changed",
        kind="measure",
        task="write blocks_until_changed(profile, factor=10): walking back from the output of a "
             "cu.layer_profile result, the number of blocks after which the gradient RMS first "
             "differs from the output's by more than `factor` (smaller or larger), or None if it "
             "never does.",
        checker=_check_blocks_until_changed,
        hints=(
            "profile.gradient_rms[-1] is the gradient at the output x_L; profile.gradient_rms[l] "
            "is the one at x_l. Walk from the end towards the start.",
            "A gradient can vanish (BatchNorm-free plain stack) or explode (the BatchNorm plain "
            "stack): test g < last / factor OR g > last * factor.",
            "`for back, g in enumerate(reversed(profile.gradient_rms)):` and return `back` at "
            "the first g that differs by more than the factor; after the loop, return None.",
        ),
        reference=blocks_until_changed,
    ),
    Exercise(
        name="tame",
        kind="design",
        task="write tame(model): change only the initial weights of a 20-block residual stack "
             "without normalisation (He's init, which overflows in training) so that it trains: "
             "median training loss below 0.5 after 150 steps on three seeds, none overflowing.",
        checker=_check_tame,
        hints=(
            "Section 5: the stack overflows because every block adds a branch as large as the "
            "stream. What if each block started as the identity?",
            "Each block's branch is block[0].branch, a Sequential whose [0] and [3] are its two "
            "nn.Linear layers. Which one decides what the branch outputs, and which one must keep "
            "its random weights so that the branch can learn (exercise 2)?",
            "For each block: nn.init.zeros_ on the last linear's weight and bias; optionally (as "
            "Fixup does) multiply the first linear's weight by len(model.blocks) ** -0.5 under "
            "torch.no_grad().",
        ),
        reference=tame,
        seconds=30.0,
    ),
]
