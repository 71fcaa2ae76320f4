"""Starter stubs and plausible wrong answers for the exercises of notebook 02."""

import math

import torch

from course_utils.exercises.residual_math import direct_gradient_factors


def path_count_stub(n_blocks, path_length):
    raise NotImplementedError


def residual_jacobian_stub(branch, x):
    raise NotImplementedError


def direct_gradient_factors_stub(gains):
    raise NotImplementedError


def _jacobian(f, x):
    return torch.autograd.functional.jacobian(f, x)


STUBS = {"path_count": path_count_stub, "residual_jacobian": residual_jacobian_stub,
         "direct_gradient_factors": direct_gradient_factors_stub}

WRONG = {
    "path_count": [
        (lambda n, k: 2 ** n, "number of ALL paths"),
        (lambda n, k: 2 ** k, "2^path_length counts the ways"),
        (lambda n, k: math.comb(k, n), "the arguments are swapped"),
        (lambda n, k: math.perm(n, k), "counts ORDERED choices"),
        (lambda n, k: n ** k, "sequences that may repeat a block"),
        (lambda n, k: float(math.comb(n, k)), "Return an exact int"),
        (lambda n, k: math.comb(n, k - 1) if k else 1, "returned 1, expected 3"),
        (lambda n, k: None, "returned None"),
        (lambda n, k: "3", "returned str"),
        (lambda n, k: [][0], "raised IndexError"),
    ],
    "residual_jacobian": [
        (lambda b, x: _jacobian(b, x), "Jacobian of the branch alone"),
        (lambda b, x: _jacobian(lambda v: v + b(v), x).T, "transposed"),
        (lambda b, x: torch.eye(5), "identity alone"),
        (lambda b, x: _jacobian(lambda v: v + b(v), x.unsqueeze(0)), "returned shape (1, 5, 1, 5)"),
        (lambda b, x: _jacobian(lambda v: v + b(v), x) * float("nan"), "NaN"),
        (lambda b, x: 2 * _jacobian(lambda v: v + b(v), x), "off by up to"),
        (lambda b, x: (x.mul_(2), _jacobian(lambda v: v + b(v), x))[1], "changed its input `x` in place"),
    ],
    "direct_gradient_factors": [
        (lambda g: direct_gradient_factors(g)[:-1], "the last one, at x_L itself, is 1"),
        (lambda g: direct_gradient_factors(g)[::-1], "Reversed"),
        (lambda g: [math.prod(g[:l]) for l in range(len(g) + 1)] if len(set(g)) > 1
         else direct_gradient_factors(g), "gains BELOW layer l"),
        (lambda g: [sum(g[l:]) for l in range(len(g) + 1)], "expected 0.0625 = the product"),
        (lambda g: None, "returned None"),
        (lambda g: 0.5, "Return a list of numbers"),
    ],
}
