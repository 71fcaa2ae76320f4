"""End-to-end Jacobians of plain and residual stacks: a product of L factors, J_L ... J_1, or of
L factors (I + J_l)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..blocks import Residual, mlp_branch
from ..validation import (check_bool, check_int, check_ints, check_seed, check_size,
                          parameter_bytes)
from .seeds import seeded


def end_to_end_singular_values(n_blocks: int, *, residual: bool, width: int = 16,
                               seed: int = 0) -> torch.Tensor:
    """Singular values of d x_L / d x_0 for a stack of n_blocks Linear-ReLU-Linear branches
    (PyTorch's default init, no norm), with or without skips, at one random input."""
    n_blocks = check_int("n_blocks", n_blocks)
    width = check_int("width", width)
    residual = check_bool("residual", residual)
    check_size(f"{n_blocks} blocks of width {width}", n_bytes=parameter_bytes(n_blocks * 2 * width ** 2),
               seconds=1e-7 * n_blocks * width ** 3)
    branches, x = seeded(lambda: ([mlp_branch(width, norm="none") for _ in range(n_blocks)],
                                  torch.randn(width)), check_seed(seed))
    stack = nn.Sequential(*[Residual(b) if residual else b for b in branches])
    jacobian = torch.autograd.functional.jacobian(stack, x)           # (width, width)
    return torch.linalg.svdvals(jacobian)


@dataclass
class JacobianSpectra:
    """Smallest and largest singular value of the end-to-end Jacobian, by depth."""

    depths: tuple[int, ...]
    smallest: dict[str, list[float]]
    largest: dict[str, list[float]]


def jacobian_spectra(depths: tuple[int, ...] = (1, 2, 5, 10, 20, 40), *,
                     seed: int = 0) -> JacobianSpectra:
    """`end_to_end_singular_values` for each depth, plain and residual."""
    depths = check_ints("depths", depths)
    smallest = {"plain": [], "residual": []}
    largest = {"plain": [], "residual": []}
    for depth in depths:
        for kind in smallest:
            values = end_to_end_singular_values(depth, residual=kind == "residual", seed=seed)
            smallest[kind].append(values.min().item())
            largest[kind].append(values.max().item())
    return JacobianSpectra(tuple(depths), smallest, largest)
