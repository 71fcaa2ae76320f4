"""Exercises of notebook 02: counting paths through blocks of several branches, the Jacobian of
a residual block worked out by hand (without autograd), and the direct gradient term of a scaled
shortcut (write); a pre-activation stack whose final norm and ReLU run after every block (debug);
from which block on a lesion study's deletions are cheap (measure)."""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import torch
from torch import nn

from ..blocks import mlp_branch
from ..experiments.lesion import LesionResult, lesion_study
from .framework import (Exercise, Incorrect, NotAttempted, call_student, close, course_functions,
                        expect_function, expect_tensor, seeded_modules, watching_calls)

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def path_count(n_blocks: int, branches: int, path_length: int) -> int:
    # in each block a path takes the skip or ONE of its `branches` branches: choose the
    # path_length blocks where it takes a branch, then one branch in each of them
    return math.comb(n_blocks, path_length) * branches ** path_length


def residual_jacobian_by_hand(branch: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    # y = x + W2 ReLU(W1 x + b1) + b2 at one x of shape (C,); branch = cu.mlp_branch(C,
    # norm="none"): Linear, Identity, ReLU, Linear, Identity
    first, second = branch[0], branch[3]
    on = (first.weight @ x + first.bias > 0).to(x.dtype)     # (C,): 1 where the ReLU's INPUT is > 0
    # chain rule, the last layer's matrix on the left: dy/dx = I + W2 diag(on) W1
    return torch.eye(len(x), dtype=x.dtype) + second.weight @ torch.diag(on) @ first.weight


def direct_gradient_factors(gains: list[float]) -> list[float]:
    # entry l: the product of gains[l:], what the shortcuts alone pass from x_L back to x_l
    factors = [1.0]
    for gain in reversed(gains):
        factors.append(factors[-1] * gain)
    return factors[::-1]


def preact_stack(x, branches, final_norm):
    for branch in branches:
        x = x + branch(x)              # a pre-activation block: nothing after the add
    return torch.relu(final_norm(x))   # once, after the last block, before the head


def deletable_from(lesion, kind="residual", cost=0.10):
    typical = lesion.drops(kind).median(dim=0).values     # each block's median over the seeds
    start = None
    for block in reversed(range(lesion.n_blocks)):        # from the last block back
        if typical[block] >= cost:
            break
        start = block
    return start


# ---------------------------------------------------------------------------------------------
# Checkers.


_PATH_CASES = [(1, 1, 0), (1, 1, 1), (3, 1, 2), (3, 2, 1), (3, 2, 2), (4, 3, 2), (10, 2, 3),
               (10, 4, 0), (10, 3, 10), (54, 1, 27), (54, 2, 27), (54, 32, 11)]


def _paths(n: int, b: int, k: int) -> int:
    return math.comb(n, k) * b ** k


def _branches(count: int) -> str:
    return "branch" if count == 1 else "branches"


_PATH_MISTAKES = [   # (what the answer computes, the formula, what to say)
    ("C(n, k)", lambda n, b, k: math.comb(n, k),
     "that is the count for ONE branch per block (section 5's). Here a path that takes the "
     "branch route through a block still has `branches` of them to choose from."),
    ("C(n b, k)", lambda n, b, k: math.comb(n * b, k),
     "choosing path_length of all n_blocks * branches branches lets a path take two branches of "
     "the same block. A path passes each block once: through its skip or through ONE of its "
     "branches."),
    ("(b + 1)^n", lambda n, b, k: (b + 1) ** n,
     "that is the number of ALL paths through the blocks, whatever their length. Count only "
     "those through exactly path_length branches."),
    ("C(n, k) b", lambda n, b, k: math.comb(n, k) * b,
     "the choice of branch is counted as if it were made in one block only. In how many blocks "
     "does such a path take a branch, and how many branches does each of them offer?"),
    ("C(n, k) (b + 1)^k", lambda n, b, k: math.comb(n, k) * (b + 1) ** k,
     "in the blocks where the path takes a branch, the skip is not one of the choices: it has "
     "`branches` choices there, not branches + 1."),
    ("b^k", lambda n, b, k: b ** k,
     "b^path_length counts the choices of branch, but the path_length blocks can be ANY "
     "path_length of the n_blocks. Count those choices too."),
    ("C(n, b) k^b", lambda n, b, k: math.comb(n, b) * k ** b,
     "branches and path_length are swapped: the arguments come in the order (n_blocks, "
     "branches, path_length)."),
    ("n!/(n-k)! b^k", lambda n, b, k: math.perm(n, k) * b ** k,
     "that counts ORDERED choices of blocks. A path is a set of blocks (the network fixes their "
     "order): divide by path_length!."),
]


def _check_path_count(answer: Any) -> str:
    expect_function(answer, "path_count(n_blocks, branches, path_length)")
    got = {}
    for n, b, k in _PATH_CASES:
        what = f"path_count({n}, {b}, {k})"
        value = call_student(answer, n, b, k, what=what,
                             names=("n_blocks", "branches", "path_length"))
        if value is None:
            raise Incorrect(f"{what} returned None: did you forget a `return`?")
        if isinstance(value, bool) or not isinstance(value, (Integral, Real)):
            raise Incorrect(f"{what} returned {type(value).__name__}; return an int.")
        got[n, b, k] = value
    if all(got[case] == _paths(*case) for case in _PATH_CASES):
        floats = [case for case in _PATH_CASES if not isinstance(got[case], Integral)]
        if floats:
            n, b, k = floats[0]
            raise Incorrect(f"path_count({n}, {b}, {k}) returned the float {got[n, b, k]!r}. "
                            "Return an exact int (math.comb, and ** on ints): floats stop "
                            "counting exactly past 2^53.")
        return ("C(n, k) b^k paths through exactly k branches, and the large counts exact. With "
                "one branch per block this is section 5's C(n, k). Of all (b + 1)^n paths, the "
                "typical one goes through n b / (b + 1) branches (n / 2 for one branch per "
                "block): the more branches per block, the smaller the share of the short paths.")
    for _, formula, advice in _PATH_MISTAKES:
        if all(got[case] == formula(*case) for case in _PATH_CASES):
            n, b, k = next(case for case in _PATH_CASES if formula(*case) != _paths(*case))
            raise Incorrect(f"path_count({n}, {b}, {k}) returned {got[n, b, k]:,}, but the count "
                            f"of paths through exactly {k} {_branches(k)} of {n} blocks with {b} "
                            f"{_branches(b)} each is {_paths(n, b, k):,}: {advice}")
    n, b, k = next(case for case in _PATH_CASES if got[case] != _paths(*case))
    raise Incorrect(f"path_count({n}, {b}, {k}) returned {got[n, b, k]!r}, expected "
                    f"{_paths(n, b, k):,}. A path chooses, in each of the {n} blocks, the skip "
                    f"or one of its {b} {_branches(b)}.")


# ----------------------------------------------------------------------------- the Jacobian by hand

_AUTOGRAD = [   # what differentiates for the student, however it was imported: the named entry
    (torch.autograd.functional, name, f"torch.autograd.functional.{name}")   # points first, then
    for name in ("jacobian", "hessian", "vjp", "jvp", "vhp", "hvp")          # what all of them
] + [(torch.func, name, f"torch.func.{name}")                                # call underneath
     for name in ("jacrev", "jacfwd", "hessian", "grad", "grad_and_value", "vjp", "jvp",
                  "linearize")] + [
    (torch.Tensor, "backward", ".backward()"), (torch.autograd, "backward", ".backward()"),
    (torch.autograd, "grad", "torch.autograd.grad"),
    (torch.autograd.forward_ad, "make_dual", "forward-mode autograd (make_dual)")]

_JACOBIAN_NAMES = ("branch", "x")


def _jacobian_cases() -> list[tuple[str, nn.Sequential, torch.Tensor]]:
    """Branches as cu.mlp_branch(C, norm="none") builds them, at inputs the notebook did not use;
    on each some ReLUs are off (on the last, all), and the biases are set so that the usual slips
    differ."""
    def make() -> list[tuple[str, nn.Sequential, torch.Tensor]]:
        cases = []
        for width, scale, shift, described in (
                (5, 1.0, 0.0, "width 5"),
                (8, 3.0, 0.0, "width 8, first-layer biases three times the default"),
                (6, 1.0, -0.5, "width 6 whose ReLUs are all off at x (a dead branch)")):
            branch = mlp_branch(width, norm="none")
            with torch.no_grad():
                branch[0].bias.mul_(scale).add_(shift)
            cases.append((f"a branch of {described}", branch, torch.randn(width)))
        return cases

    return seeded_modules(make, seed=3)


def _jacobian_variants(branch: nn.Sequential, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """The right Jacobian of x + branch(x) (from autograd) and what the usual slips compute."""
    with torch.no_grad():
        W1, b1, W2 = branch[0].weight, branch[0].bias, branch[3].weight
        eye, pre = torch.eye(len(x)), W1 @ x + b1
        F = branch(x)

        def masked(on: torch.Tensor) -> torch.Tensor:
            return W2 @ torch.diag(on.float()) @ W1

        D = torch.diag((pre > 0).float())
        return {
            "right": eye + torch.autograd.functional.jacobian(branch, x),
            "branch alone": masked(pre > 0),
            "order": eye + W1 @ D @ W2,
            "transposed": (eye + masked(pre > 0)).T,
            "mask after the add": eye + masked(x + F > 0),
            "mask of the output": eye + masked(F > 0),
            "mask without b1": eye + masked(W1 @ x > 0),
            "no mask": eye + W2 @ W1,
            "relu values": eye + W2 @ torch.diag(torch.relu(pre)) @ W1,
            "mask on the left": eye + D @ W2 @ W1,
            "mask on the right": eye + W2 @ W1 @ D,
            "identity alone": eye,
        }


_JACOBIAN_SLIPS = {
    "branch alone": "That is the branch's Jacobian alone, dF/dx. The block is y = x + F(x): the "
                    "skip's x adds the identity, so dy/dx = I + dF/dx (torch.eye(C)).",
    "order": "The two weight matrices are swapped. The chain rule multiplies the Jacobians from "
             "the output back: the matrix of the LAST layer, the one that produces F(x), stands "
             "on the left, the first layer's on the right.",
    "transposed": "Your matrix is the transpose of the Jacobian: row i must hold the "
                  "derivatives of output y_i (J[i, j] = dy_i/dx_j). The transpose is what "
                  "backward multiplies the gradient by (section 1's (dF/dx)^T g), not the "
                  "Jacobian itself.",
    "mask after the add": "Your mask comes from the block's output, 1[x + F(x) > 0]: that is "
                          "section 4's mask D, of a ReLU AFTER the add. Here the ReLU sits "
                          "inside the branch, between the two Linear layers: its derivative "
                          "depends on what that ReLU receives.",
    "mask of the output": "Your mask comes from the branch's output F(x). A ReLU's derivative "
                          "depends on its own INPUT: here the first Linear layer's output, "
                          "before the ReLU.",
    "mask without b1": "Your mask leaves out the first layer's bias: the ReLU receives "
                       "W1 x + b1, not W1 x, and on a branch whose biases are large the two "
                       "switch different units off.",
    "no mask": "The ReLU is missing from your product: that is the Jacobian of the branch with "
               "the ReLU taken out. Where the ReLU outputs 0, a small change of x changes "
               "nothing: those hidden units pass nothing on.",
    "relu values": "The ReLU's Jacobian holds its derivative, 1 where its input is positive and 0 "
                   "elsewhere, not the ReLU's output values.",
    "mask on the left": "The ReLU's mask is in the wrong place: on the left it switches off "
                        "OUTPUTS of the block. The ReLU sits between the two Linear layers, "
                        "so its Jacobian stands between their matrices.",
    "mask on the right": "The ReLU's mask is in the wrong place: on the right it switches off "
                         "INPUTS x_j. The ReLU sits between the two Linear layers, so its "
                         "Jacobian stands between their matrices.",
    "identity alone": "You returned the identity alone: the branch's term dF/dx is missing.",
}


def _check_residual_jacobian_by_hand(answer: Any) -> str:
    expect_function(answer, "residual_jacobian_by_hand(branch, x)")
    cases = _jacobian_cases()
    got = []
    for described, branch, x in cases:
        probe, passes = copy.deepcopy(branch), [0]
        probe[0].register_forward_pre_hook(lambda *_: passes.__setitem__(0, passes[0] + 1))
        what = f"residual_jacobian_by_hand(branch, x) on {described}"
        with watching_calls(_AUTOGRAD + course_functions()) as used:
            try:
                value = call_student(answer, probe, x.clone(), what=what, names=_JACOBIAN_NAMES)
            except Incorrect:
                if not used:
                    raise
        if used:
            whose = ("the course's own code" if used[0].startswith("cu.") else
                     "autograd: it differentiates for you, as section 1 let it")
            raise Incorrect(f"Your answer calls {used[0]}, {whose}. The exercise is to work the "
                            "Jacobian out by hand, from the branch's weights and x: no "
                            "torch.autograd, torch.func or function of cu.")
        if passes[0] > 3:
            raise Incorrect(f"Your answer ran the branch's first layer {passes[0]} times for one "
                            f"Jacobian of width {len(x)}: that is finite differences, an "
                            "approximation that nudges x one entry at a time. Work the Jacobian "
                            "out from the weights instead, one layer at a time.")
        got.append(expect_tensor(value, shape=(len(x), len(x)), what=what).detach())
    variants = [_jacobian_variants(branch, x) for _, branch, x in cases]
    if all(close(g, v["right"], atol=1e-4) for g, v in zip(got, variants)):
        return ("I + W2·diag(1[W1 x + b1 > 0])·W1, the same as autograd's on three branches: "
                "the skip's identity, then each layer's Jacobian, the last on the left. On the "
                "dead branch, every ReLU off, it is I alone: the skip still passes everything.")
    for slip, message in _JACOBIAN_SLIPS.items():
        if all(close(g, v[slip], atol=1e-4) for g, v in zip(got, variants)):
            raise Incorrect(message)
    i = next(i for i, (g, v) in enumerate(zip(got, variants))
             if not close(g, v["right"], atol=1e-4))
    gap = (got[i].double() - variants[i]["right"].double()).abs().max().item()
    raise Incorrect(f"On {cases[i][0]} your Jacobian differs from autograd's by up to {gap:.3g}. "
                    "Write y = x + W2 ReLU(W1 x + b1) + b2 and take the Jacobian of each piece: "
                    "the skip, each Linear layer, the ReLU; the chain rule multiplies them.")


def _check_direct_gradient_factors(answer: Any) -> str:
    expect_function(answer, "direct_gradient_factors(gains)")
    cases = [[0.5, 0.5, 0.5, 0.5], [2.0, 0.5, 1.0], [0.9], [1.0, 0.0, 1.0], []]
    for gains in cases:
        got = call_student(answer, list(gains), what=f"direct_gradient_factors({gains})")
        want = direct_gradient_factors(gains)
        if got is None:
            raise Incorrect("direct_gradient_factors returned None: did you forget a `return`?")
        try:
            got = [float(v) for v in got]
        except (TypeError, ValueError):
            raise Incorrect(f"Return a list of numbers, got {type(got).__name__}.") from None
        if gains and _all_close(got, want[:-1]):
            raise Incorrect(f"For {len(gains)} gains expected {len(gains) + 1} factors: the last "
                            "one, at x_L itself, is 1 (the empty product).")
        if len(got) != len(want):
            raise Incorrect(f"For gains {gains} expected {len(want)} factors (one per x_0 .. x_L), "
                            f"got {len(got)}.")
        if _all_close(got, want):
            continue
        if _all_close(got, want[::-1]):
            raise Incorrect(f"Reversed: for gains {gains}, entry 0 (the input x_0) should be the "
                            f"product of every gain, {want[0]:g}, and the last entry 1.")
        cumulative_from_input = [math.prod(gains[:l]) for l in range(len(gains) + 1)]
        if _all_close(got, cumulative_from_input):
            raise Incorrect("You multiplied the gains BELOW layer l; the gradient travels down "
                            "from x_L, so entry l is the product of gains[l:], the ones above it.")
        mismatch = next(i for i, (a, b) in enumerate(zip(got, want)) if not _all_close([a], [b]))
        raise Incorrect(f"For gains {gains}, entry {mismatch} is {got[mismatch]:g}, expected "
                        f"{want[mismatch]:g} = the product of gains[{mismatch}:].")
    return "entry l is the product of gains[l:], 1 at the output: He et al. 2016, Eq. 8."


def _all_close(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-12)
                                    for x, y in zip(a, b))


# ----------------------------------------------------------------------------- preact_stack


class _Recorded(nn.Module):
    """A probe module that remembers every input it is called with."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner
        self.inputs: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.inputs.append(x.detach().clone())
        return self.inner(x)


_N_BLOCKS, _WIDTH = 4, 8


def _stack_probes() -> tuple[list[nn.Module], nn.Module]:
    return seeded_modules(lambda: ([nn.Linear(_WIDTH, _WIDTH) for _ in range(_N_BLOCKS)],
                                   nn.LayerNorm(_WIDTH)), seed=5)


def _stack_variants(x: torch.Tensor, branches: list[nn.Module],
                    norm: nn.Module) -> dict[str, torch.Tensor]:
    """The right stack and the ways of getting it wrong that the checker can name."""
    relu = torch.relu

    def run(step: Callable, end: Callable, start: Callable = lambda v: v) -> torch.Tensor:
        v = start(x)
        for branch in branches:
            v = step(v, branch)
        return end(v)

    def add(v: torch.Tensor, branch: nn.Module) -> torch.Tensor:
        return v + branch(v)

    same = lambda v: v                                          # noqa: E731
    with torch.no_grad():
        return {
            "right": run(add, lambda v: relu(norm(v))),
            "as given": run(lambda v, b: relu(norm(v + b(v))), same),
            "first block only": relu(norm(x + branches[0](x))),
            "post-norm": run(lambda v, b: norm(v + b(v)), same),
            "post-norm, ReLU at the end": run(lambda v, b: norm(v + b(v)), relu),
            "ReLU after every add": run(lambda v, b: relu(v + b(v)), lambda v: relu(norm(v))),
            "ReLU after every add, norm at the end": run(lambda v, b: relu(v + b(v)), norm),
            "ReLU before the add": run(lambda v, b: v + relu(b(v)), lambda v: relu(norm(v))),
            "no final norm and ReLU": run(add, same),
            "no final ReLU": run(add, norm),
            "no final norm": run(add, relu),
            "ReLU then norm": run(add, lambda v: norm(relu(v))),
            "before the blocks": run(add, same, start=lambda v: relu(norm(v))),
        }


_STACK_MISTAKES = {
    "first block only": "Only the first block ran: the `return` sits inside the loop, so the "
                        "function returns during the first pass. Dedent it so that it runs "
                        "after the loop.",
    "post-norm": "final_norm now runs after every add: x_(l+1) = norm(x_l + F_l(x_l)) is a "
                 "post-norm stack (notebook 04), with a norm on the identity path itself, and "
                 "the final ReLU is gone. In a pre-activation stack nothing follows the add "
                 "inside the loop; the norm and the ReLU run once, after it.",
    "post-norm, ReLU at the end": "final_norm still runs after every add: x_(l+1) = "
                                  "norm(x_l + F_l(x_l)) puts a norm on the identity path itself "
                                  "(a post-norm stack, notebook 04). Inside the loop, nothing "
                                  "follows the add; the norm runs once, after the last block.",
    "ReLU after every add": "A ReLU still follows every add: these are section 4's original "
                            "blocks, whose 0/1 mask D cuts the identity path wherever the "
                            "stream is negative. Inside the loop nothing follows the add; the "
                            "ReLU runs once, at the end.",
    "ReLU after every add, norm at the end": "A ReLU still follows every add (section 4's "
                                             "original blocks: its mask D cuts the identity "
                                             "path), and the last ReLU is missing. Inside the "
                                             "loop nothing follows the add; after it, "
                                             "final_norm and then one ReLU.",
    "ReLU before the add": "Now every branch's output goes through a ReLU before the add: He et "
                           "al. 2016's 'ReLU before addition' (Table 2, 7.84 % against 6.61 %): "
                           "the branch can then only add to the stream, never take away. Leave "
                           "the branches as they are; the ReLU belongs after the final norm.",
    "no final norm and ReLU": "Your stack returns x_L itself: the final norm and ReLU are gone. "
                              "A pre-activation stack still has them once, after the last block "
                              "(section 4: one more BN and ReLU before the head): without them "
                              "the head sees a stream whose scale grew block after block.",
    "no final ReLU": "The final ReLU is missing: after the last block comes final_norm, then a "
                     "ReLU.",
    "no final norm": "final_norm never runs: after the last block comes final_norm, then the "
                     "ReLU.",
    "ReLU then norm": "The last two steps are swapped: the ReLU runs before final_norm. The "
                      "order is the norm, then the ReLU: torch.relu(final_norm(x)).",
    "before the blocks": "final_norm and the ReLU run on the input, before the blocks: they "
                         "belong after the last block, just before the head.",
}


def _check_preact_stack(answer: Any) -> str:
    expect_function(answer, "preact_stack(x, branches, final_norm)")
    linears, norm = _stack_probes()
    x = torch.randn(16, _WIDTH, generator=torch.Generator().manual_seed(2))
    variants = _stack_variants(x, linears, norm)
    what = f"preact_stack(x, branches, final_norm) with {_N_BLOCKS} branches"
    names = ("x", "branches", "final_norm")
    branches, final_norm = [_Recorded(b) for b in linears], _Recorded(norm)
    got = expect_tensor(call_student(answer, x.clone(), branches, final_norm, what=what,
                                     names=names), shape=x.shape, what="preact_stack").detach()
    if close(got, variants["as given"]):
        second = branches[1].inputs[0] if branches[1].inputs else None
        zeroed = ("its blocks receive streams with exact zeros in them" if second is None else
                  f"the second block already receives a stream that is "
                  f"{(second == 0).float().mean():.0%} exact zeros")
        raise NotAttempted(
            f"This is still the stack as given. It runs, but on a {_N_BLOCKS}-block stack "
            f"{zeroed}: wherever something after the add outputs 0, the identity path gives "
            "that entry no gradient (section 4's mask D), much as in the original blocks this stack "
            "was meant to replace. Find where those zeros come from, fix it, run the cell, and "
            "check again.")
    if not close(got, variants["right"]):
        for mistake, message in _STACK_MISTAKES.items():
            if close(got, variants[mistake]):
                raise Incorrect(message)
        gap = (got.double() - variants["right"].double()).abs().max().item()
        raise Incorrect(f"With {_N_BLOCKS} branches the output differs from "
                        f"ReLU(final_norm(x_{_N_BLOCKS})), x_(l+1) = x_l + F_l(x_l), by up to "
                        f"{gap:.3g}. Run every branch once, in order, adding its output to the "
                        "stream; then final_norm and the ReLU, once.")
    # the backward pass: the gradient at x must be the reference's, skip and branches included
    x_in = x.clone().requires_grad_(True)
    out = call_student(answer, x_in, linears, norm, what=what, names=names)
    if not (isinstance(out, torch.Tensor) and out.requires_grad):
        raise Incorrect("The output is right but cut off from autograd: no torch.no_grad(), "
                        ".detach() or .data, or the stack could never be trained.")
    call_student(lambda: out.sum().backward(), what="backward() through your stack")
    x_ref = x.clone().requires_grad_(True)
    preact_stack(x_ref, linears, norm).sum().backward()
    if x_in.grad is None or not close(x_in.grad, x_ref.grad):
        raise Incorrect("The output is right, but the gradient at x is not: is part of the "
                        "stream detached (x.detach() or x.data)?")
    return (f"x_(l+1) = x_l + F_l(x_l) for all {_N_BLOCKS} blocks, nothing after the add, then "
            "final_norm and one ReLU: forward and backward match the reference.")


# ----------------------------------------------------------------------------- deletable_from


def _made_up_lesion(n_blocks: int, seeds: tuple[int, ...], residual: list[list[float]],
                    plain: list[list[float]]) -> LesionResult:
    """A lesion study's result with the given drops (rows: seeds, columns: blocks)."""
    full = {"residual": [0.97, 0.95, 0.99][:len(seeds)], "plain": [0.93, 0.96, 0.9][:len(seeds)]}
    drops = {"residual": torch.tensor(residual), "plain": torch.tensor(plain)}
    lesioned = {kind: torch.tensor(full[kind]).unsqueeze(1) - drops[kind] for kind in drops}
    return LesionResult(n_blocks, seeds, full, lesioned, {})


def _made_up_lesions() -> list[tuple[str, LesionResult]]:
    """Two lesion studies made up so that the classic slips give different answers."""
    outlier = _made_up_lesion(6, (21, 22, 23),
                              [[0.40, 0.05, 0.20, 0.01, 0.02, 0.01],
                               [0.35, 0.02, 0.15, 0.03, 0.30, 0.00],    # one seed's outlier
                               [0.45, 0.03, 0.12, 0.02, 0.01, 0.02]],
                              [[0.55, 0.41, 0.30, 0.48, 0.36, 0.52],
                               [0.47, 0.38, 0.05, 0.44, 0.29, 0.61],
                               [0.51, 0.45, 0.33, 0.39, 0.31, 0.57]])
    worst = _made_up_lesion(5, (31, 32, 33),
                            [[0.50, 0.20, 0.00, 0.12, 0.01],
                             [0.42, 0.08, 0.01, 0.00, 0.02],
                             [0.47, 0.09, 0.02, 0.01, 0.00]],
                            [[0.62, 0.33, 0.08, 0.41, 0.27],
                             [0.58, 0.29, 0.35, 0.46, 0.02],
                             [0.49, 0.36, 0.31, 0.38, 0.04]])
    return [("a made-up 6-block study, seeds 21 to 23", outlier),
            ("a made-up 5-block study, seeds 31 to 33", worst)]


@functools.lru_cache(maxsize=1)
def _real_lesion() -> tuple[str, LesionResult]:
    """A small real lesion study the notebook did not run (about a second)."""
    with torch.random.fork_rng(devices=[]):
        real = lesion_study(5, steps=60, n_seeds=3, seed=7, progress=False)
    return "a real 5-block study, 60 steps, seeds 7 to 9", dataclasses.replace(real, maps={})


# costs half-way between accuracy steps of 1/1000, so that no drop ties with one
_DELETION_CASES = ((0, "residual", 0.1005), (0, "plain", 0.1005), (1, "residual", 0.1005),
                   (1, "plain", 0.0505), (2, "residual", 0.1005), (2, "residual", 0.0125),
                   (2, "residual", 0.2505), (2, "plain", 0.6005), (2, "plain", 0.1005))


def _tail_start(typical: torch.Tensor, cost: float) -> int | None:
    start = None
    for block in reversed(range(len(typical))):
        if typical[block] >= cost:
            break
        start = block
    return start


def _first_cheap(typical: torch.Tensor, cost: float) -> int | None:
    return next((b for b in range(len(typical)) if typical[b] < cost), None)


def _last_costly(typical: torch.Tensor, cost: float) -> int | None:
    return next((b for b in reversed(range(len(typical))) if typical[b] >= cost), None)


_DELETION_SLIPS: list[tuple[Callable[[LesionResult, str, float], Any], str]] = [
    (lambda r, k, c: _tail_start(r.drops(k).mean(dim=0), c),
     "You averaged over the seeds (mean); a typical net's cost is the MEDIAN over seeds, which "
     "one seed's outlier cannot move: .median(dim=0).values."),
    (lambda r, k, c: _tail_start(r.drops(k).max(dim=0).values, c),
     "You took each block's worst seed (max); a typical net's cost is the median over seeds: "
     ".median(dim=0).values."),
    (lambda r, k, c: _first_cheap(r.drops(k).median(dim=0).values, c),
     "You returned the first cheap block; the answer is where the cheap TAIL starts: every "
     "block from it to the last must cost less than `cost`, so a costly block further on moves "
     "it past that block."),
    (lambda r, k, c: int((r.drops(k).median(dim=0).values < c).sum()),
     "You counted the cheap blocks; return the INDEX of the block where the cheap tail starts "
     "(blocks counted from 0, as in model.blocks[i])."),
    (lambda r, k, c: _last_costly(r.drops(k).median(dim=0).values, c),
     "Off by one: you returned the last costly block. The tail of cheap blocks starts one "
     "block after it; and when no block is costly, it starts at block 0."),
    (lambda r, k, c: _tail_start(r.drops("residual").median(dim=0).values, c),
     "Your answer ignores `kind`: for kind='plain' it gives the residual nets' answer. Use "
     "lesion.drops(kind)."),
    (lambda r, k, c: (lambda s: r.n_blocks if s is None else s)(
        _tail_start(r.drops(k).median(dim=0).values, c)),
     "When even the last block costs `cost` or more, there is no cheap tail: return None then, "
     "not the number of blocks."),
    (lambda r, k, c: _tail_start(r.lesioned_accuracy[k].median(dim=0).values, c),
     "You used lesioned_accuracy, the accuracy LEFT after a deletion; a deletion's cost is the "
     "accuracy lost: lesion.drops(kind)."),
    (lambda r, k, c: None,
     "You returned None every time, as if no block were ever cheap: are the costs and `cost` "
     "in the same units? lesion.drops(kind) is the accuracy lost from 0 to 1, as `cost` is, "
     "not a percentage."),
]


def _as_block(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise Incorrect(f"{what} returned {value!r} ({type(value).__name__}); return a block "
                        "index, an int (or None when there is no cheap tail).")
    return int(value)


def _check_deletable_from(answer: Any) -> str:
    expect_function(answer, "deletable_from(lesion, kind='residual', cost=0.10)")
    lesions = _made_up_lesions()            # the real study is run when first needed, so that
    got, want = [], []                      # an answer that never returns is stopped at once
    for study, kind, cost in _DELETION_CASES:
        if study == len(lesions):
            lesions.append(_real_lesion())
        described, lesion = lesions[study]
        what = f"deletable_from(lesion, {kind!r}, {cost}) for {described}"
        value = call_student(answer, copy.deepcopy(lesion), kind, cost, what=what)
        got.append(_as_block(value, what))
        want.append(deletable_from(lesion, kind, cost))
    if got == want:
        return ("right on three lesion studies the notebook did not run (two made up to tell "
                "the usual slips apart, one real), for both kinds of net and four costs.")
    for slip, message in _DELETION_SLIPS:
        if all(g == slip(lesions[s][1], k, c) for g, (s, k, c) in zip(got, _DELETION_CASES)):
            raise Incorrect(message)
    if len(set(got)) == 1:
        raise Incorrect(f"You returned {got[0]!r} for every study, kind and cost; the answers "
                        f"were {', '.join(repr(w) for w in want)}. The check runs your function "
                        "on lesion studies the notebook did not run: compute the answer from "
                        "`lesion`, `kind` and `cost`.")
    i = next(i for i, (g, w) in enumerate(zip(got, want)) if g != w)
    study, kind, cost = _DELETION_CASES[i]
    described, lesion = lesions[study]
    typical = ", ".join(f"{v:.3f}" for v in lesion.drops(kind).median(dim=0).values.tolist())
    raise Incorrect(f"For the {kind} nets of {described}, cost {cost}, you returned {got[i]!r}; "
                    f"the cheap tail starts at {want[i]!r} (typical costs by block: {typical}). "
                    "The check runs your function on lesion studies the notebook did not run, "
                    "so compute the answer from `lesion`.")


EXERCISES = [
    Exercise(
        name="path_count",
        task="write path_count(n_blocks, branches, path_length) -> int: how many paths through "
             "n_blocks residual blocks, each with `branches` branches added to its skip, pass "
             "through exactly path_length branches.",
        checker=_check_path_count,
        hints=(
            "Unravel one block, y = x + F_1(x) + ... + F_b(x): a path passes it through the skip "
            "or through one of its b branches, so b + 1 ways, and (b + 1)^n paths in all. Which "
            "of those choices make a path longer?",
            "Split the count in two: first WHICH path_length blocks the path takes a branch in "
            "(the network fixes their order), then which branch in each of those blocks.",
            "`return math.comb(n_blocks, path_length) * branches ** path_length`",
        ),
        reference=path_count,
        imports="import math",
    ),
    Exercise(
        name="residual_jacobian_by_hand",
        task="write residual_jacobian_by_hand(branch, x) -> Tensor: the (C, C) Jacobian J[i, j] = "
             "dy_i/dx_j of y = x + branch(x) at one input x of shape (C,), for a branch built by "
             "cu.mlp_branch(C, norm='none') (Linear, ReLU, Linear), worked out from its weights "
             "and x: no autograd, torch.func or function of cu.",
        checker=_check_residual_jacobian_by_hand,
        hints=(
            "The chain rule: the Jacobian of a chain of functions is the product of their "
            "Jacobians, the last function's on the left. Write the block as y = x + W2 ReLU(W1 x "
            "+ b1) + b2 and take each piece in turn: the skip, each Linear layer, the ReLU.",
            "The skip x gives the identity; a Linear layer's Jacobian is its weight matrix (a "
            "bias adds nothing). print(branch): branch[0] and branch[3] are the Linear layers, "
            "branch[1] and branch[4] are Identity (norm='none').",
            "The ReLU acts on each hidden unit alone, so its Jacobian is diagonal: 1 where its "
            "input, W1 x + b1, is positive, 0 elsewhere. It stands between the two weight "
            "matrices.",
            "`on = (branch[0].weight @ x + branch[0].bias > 0).to(x.dtype)`; `return "
            "torch.eye(len(x)) + branch[3].weight @ torch.diag(on) @ branch[0].weight`",
        ),
        reference=residual_jacobian_by_hand,
    ),
    Exercise(
        name="direct_gradient_factors",
        task="write direct_gradient_factors(gains) -> list: for shortcut gains lambda_0 .. "
             "lambda_{L-1}, the L + 1 factors that multiply dE/dx_L along the shortcuts alone on "
             "the way back to each x_l (He et al. 2016, Eq. 8); the last is 1.",
        checker=_check_direct_gradient_factors,
        hints=(
            "x_{l+1} = lambda_l x_l + F(x_l): through the shortcut alone, dx_{l+1}/dx_l = lambda_l.",
            "From x_L back to x_l the gradient crosses blocks l, l+1, ..., L-1: multiply their gains.",
            "Start from [1.0] and walk the gains from the last to the first, appending "
            "factors[-1] * gain; reverse at the end.",
        ),
        reference=direct_gradient_factors,
    ),
    Exercise(
        name="preact_stack",
        kind="debug",
        task="fix preact_stack(x, branches, final_norm) so that it computes a full "
             "pre-activation stack: x_(l+1) = x_l + F_l(x_l) for each branch in turn, then "
             "torch.relu(final_norm(x_L)) once, before the head.",
        checker=_check_preact_stack,
        hints=(
            "Read the function the way Python does: which lines run once for every branch, and "
            "which run once in all? Compare with what the stack should compute.",
            "Count how often final_norm runs for 4 branches, and look at what the second block "
            "receives: a stream with no negative entries means a ReLU came after the first add.",
            "Dedent the last two lines: the loop only does `x = x + branch(x)`; after it, "
            "`return torch.relu(final_norm(x))`.",
        ),
        reference=preact_stack,
    ),
    Exercise(
        name="deletable_from",
        kind="measure",
        task="write deletable_from(lesion, kind='residual', cost=0.10): for a cu.lesion_study "
             "result, the first block b such that deleting any one of blocks b, b+1, ..., the "
             "last costs a typical net (the median over seeds) less than `cost` accuracy "
             "points (0 to 1); None if even the last block costs that much.",
        checker=_check_deletable_from,
        hints=(
            "lesion.drops(kind) is a (seeds, blocks) tensor of the accuracy lost by deleting "
            "each block; a block's typical cost is its median over the seeds, dim=0.",
            "You want where the cheap TAIL starts, not the first cheap block: walk back from "
            "the last block, and stop at the first one that costs `cost` or more.",
            "`typical = lesion.drops(kind).median(dim=0).values`; `start = None`; `for block in "
            "reversed(range(lesion.n_blocks)):` break if `typical[block] >= cost`, else "
            "`start = block`; return start.",
        ),
        reference=deletable_from,
    ),
]
