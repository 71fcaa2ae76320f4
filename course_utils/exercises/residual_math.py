"""Exercises of notebook 02: counting paths, the Jacobian of a residual block, and the direct
gradient term of a scaled shortcut."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import torch
from torch import nn

from .framework import (Exercise, Incorrect, call_student, close, expect_function, expect_tensor,
                        seeded_modules)

# ---------------------------------------------------------------------------------------------
# Reference solutions: `solution()` shows exactly this code.


def path_count(n_blocks: int, path_length: int) -> int:
    # a path picks, in each block, the branch or the skip: choose which path_length blocks
    return math.comb(n_blocks, path_length)


def residual_jacobian(branch: nn.Module, x: torch.Tensor) -> torch.Tensor:
    # J[i, j] = d y_i / d x_j for y = x + branch(x), at one input x of shape (C,)
    return torch.autograd.functional.jacobian(lambda v: v + branch(v), x)


def direct_gradient_factors(gains: list[float]) -> list[float]:
    # entry l: the product of gains[l:], what the shortcuts alone pass from x_L back to x_l
    factors = [1.0]
    for gain in reversed(gains):
        factors.append(factors[-1] * gain)
    return factors[::-1]


# ---------------------------------------------------------------------------------------------
# Checkers.


_PATH_CASES = [(1, 0), (1, 1), (3, 1), (3, 2), (10, 3), (10, 0), (10, 10), (54, 27), (54, 11)]

_PATH_MISTAKES = [   # (what the answer computes, the formula, what to say)
    ("2^n", lambda n, k: 2 ** n,
     "that is the number of ALL paths through n blocks, whatever their length. Count only those "
     "through exactly path_length branches."),
    ("2^k", lambda n, k: 2 ** k,
     "2^path_length counts the ways of taking the branch or the skip in path_length blocks, but "
     "the path_length blocks can be ANY path_length of the n_blocks. Count those choices."),
    ("C(k, n)", lambda n, k: math.comb(k, n),
     "the arguments are swapped: math.comb(path_length, n_blocks) instead of "
     "math.comb(n_blocks, path_length)."),
    ("n!/(n-k)!", lambda n, k: math.perm(n, k),
     "that counts ORDERED choices of blocks. A path is a set of blocks (the network fixes their "
     "order): divide by path_length!."),
    ("n^k", lambda n, k: n ** k,
     "n_blocks ** path_length counts sequences that may repeat a block. A path passes each "
     "block once: choose path_length of the n_blocks without order."),
]


def _check_path_count(answer: Any) -> str:
    expect_function(answer, "path_count(n_blocks, path_length)")
    got = {}
    for n, k in _PATH_CASES:
        value = call_student(answer, n, k, what=f"path_count({n}, {k})")
        if value is None:
            raise Incorrect(f"path_count({n}, {k}) returned None: did you forget a `return`?")
        if isinstance(value, bool) or not isinstance(value, (Integral, Real)):
            raise Incorrect(f"path_count({n}, {k}) returned {type(value).__name__}; return an int.")
        got[n, k] = value
    if all(got[case] == math.comb(*case) for case in _PATH_CASES):
        floats = [case for case in _PATH_CASES if not isinstance(got[case], Integral)]
        if floats:
            n, k = floats[0]
            raise Incorrect(f"path_count({n}, {k}) returned the float {got[n, k]!r}. Return an "
                            "exact int (math.comb): floats stop counting exactly past 2^53.")
        return "C(n, k) paths of length k, and C(54, 27) counted exactly."
    for _, formula, advice in _PATH_MISTAKES:
        if all(got[case] == formula(*case) for case in _PATH_CASES):
            n, k = next(case for case in _PATH_CASES if formula(*case) != math.comb(*case))
            raise Incorrect(f"path_count({n}, {k}) returned {got[n, k]:,}, but the count of paths "
                            f"through exactly {k} of {n} branches is {math.comb(n, k):,}: {advice}")
    n, k = next(case for case in _PATH_CASES if got[case] != math.comb(*case))
    raise Incorrect(f"path_count({n}, {k}) returned {got[n, k]!r}, expected {math.comb(n, k):,}. A "
                    f"path chooses, in each of the {n} blocks, the branch or the skip.")


def _check_residual_jacobian(answer: Any) -> str:
    expect_function(answer, "residual_jacobian(branch, x)")
    branches = seeded_modules(lambda: [nn.Sequential(nn.Linear(5, 5), nn.Tanh(), nn.Linear(5, 5)),
                                       nn.Sequential(nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 5))])
    gen = torch.Generator().manual_seed(1)
    for branch in branches:
        x = torch.randn(5, generator=gen)
        got = expect_tensor(call_student(answer, branch, x, what="residual_jacobian(branch, x)",
                                         names=("branch", "x")),
                            shape=(5, 5), what="residual_jacobian(branch, x)").detach()
        branch_only = torch.autograd.functional.jacobian(branch, x)
        want = torch.eye(5) + branch_only
        if close(got, want, atol=1e-4):
            continue
        if close(got, branch_only, atol=1e-4):
            raise Incorrect("That is the Jacobian of the branch alone. The block is x + branch(x): "
                            "its Jacobian is I + dF/dx; add torch.eye(C).")
        if close(got, want.T, atol=1e-4):
            raise Incorrect("Your matrix is transposed: row i should hold the derivatives of "
                            "output y_i with respect to each x_j (J[i, j] = dy_i/dx_j).")
        if close(got, torch.eye(5), atol=1e-4):
            raise Incorrect("You returned the identity alone: the branch's Jacobian dF/dx is "
                            "missing.")
        raise Incorrect(f"Entries are off by up to {(got - want).abs().max().item():.3g}; expected "
                        "I + dF/dx at x (torch.autograd.functional.jacobian can compute it).")
    return "I + dF/dx, row i holding the derivatives of output i."


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


EXERCISES = [
    Exercise(
        name="path_count",
        task="write path_count(n_blocks, path_length) -> int: how many paths through n_blocks "
             "residual blocks pass through exactly path_length branches.",
        checker=_check_path_count,
        hints=(
            "At every block a path goes through the branch or takes the skip: 2 choices, so "
            "2^n paths in all.",
            "A path of length k is fixed by WHICH k blocks it takes the branch in; the order "
            "is set by the network.",
            "`return math.comb(n_blocks, path_length)`",
        ),
        reference=path_count,
        imports="import math",
    ),
    Exercise(
        name="residual_jacobian",
        task="write residual_jacobian(branch, x) -> Tensor: the (C, C) Jacobian J[i, j] = "
             "dy_i/dx_j of y = x + branch(x) at one input x of shape (C,).",
        checker=_check_residual_jacobian,
        hints=(
            "torch.autograd.functional.jacobian(f, x) returns df_i/dx_j for a function f of x.",
            "The function to differentiate is the whole block, v -> v + branch(v), not the branch.",
            "`return torch.autograd.functional.jacobian(lambda v: v + branch(v), x)`",
        ),
        reference=residual_jacobian,
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
]
