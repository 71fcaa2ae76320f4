"""Shattered gradients (Balduzzi et al. 2017): df/dx over a 1-D grid of inputs, by depth."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..validation import check_bool, check_choice, check_int, check_ints, check_seed, check_size, check_tensor
from .seeds import median, seed_range
from ..run_log import note_run


def _grid_batch_norm(h: torch.Tensor) -> torch.Tensor:
    """BatchNorm over the grid (the batch), its statistics held fixed: df/dx is then the slope of
    the function the net computes at each point, not a mix with every other point."""
    mean = h.mean(0, keepdim=True).detach()
    var = h.var(0, unbiased=False, keepdim=True).detach()
    return (h - mean) / torch.sqrt(var + 1e-5)


def gradient_on_grid(depth: int, *, residual: bool, width: int = 200, n_points: int = 256,
                     seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """df/dx of a randomly initialised 1 -> width -> ... -> 1 net at n_points inputs in [-2, 2].

    Each layer is h <- ReLU(BN(h)) W (plain) or h <- h + ReLU(BN(h)) W (residual), with He
    initialisation (variance 2 / fan-in). Returns (x, df/dx), each of shape (n_points,).
    """
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width)
    n_points = check_int("n_points", n_points, minimum=3)
    residual = check_bool("residual", residual)
    check_size(f"a grid of {n_points:,} points through {depth} layers of width {width}",
               n_bytes=4.0 * (depth * width * width + 3 * depth * n_points * width))
    gen = torch.Generator().manual_seed(check_seed(seed))
    x = torch.linspace(-2.0, 2.0, n_points).unsqueeze(1).requires_grad_(True)   # (N, 1)
    h = x @ (torch.randn(1, width, generator=gen) * math.sqrt(2.0))              # (N, width)
    for _ in range(depth):
        W = torch.randn(width, width, generator=gen) * math.sqrt(2.0 / width)
        update = torch.relu(_grid_batch_norm(h)) @ W
        h = h + update if residual else update
    f = h @ (torch.randn(width, 1, generator=gen) / math.sqrt(width))           # (N, 1)
    (grad,) = torch.autograd.grad(f.sum(), x)     # each f_i depends on x_i only (fixed BN stats)
    return x.detach().squeeze(1), grad.squeeze(1)


def lag1_autocorrelation(values: torch.Tensor) -> float:
    """Correlation of each value with its neighbour: ~1 for a smooth curve, ~0 for white noise."""
    values = check_tensor("values", values, ndim=1, dtype=None)
    if values.numel() < 2:
        raise ValueError("lag1_autocorrelation needs at least 2 values")
    v = values - values.mean()
    denominator = (v * v).sum()
    if denominator == 0:
        return 1.0          # a constant gradient is perfectly smooth
    return ((v[1:] * v[:-1]).sum() / denominator).item()


@dataclass
class ShatteringResult:
    """Lag-1 autocorrelation of df/dx over the grid, by depth, for plain and residual nets, one
    randomly initialised net per seed.

    Attributes:
        depths: the depths measured.
        seeds: the seeds; one plain and one residual net per seed and depth.
        per_seed: {"plain": (n_seeds, n_depths) tensor, "residual": ...}, [i, j]: seed i at
            depths[j].
    """

    depths: tuple[int, ...]
    seeds: tuple[int, ...]
    per_seed: dict[str, torch.Tensor]

    @property
    def autocorrelation(self) -> dict[str, list[float]]:
        """{kind: [median over seeds at each depth]}: what a typical net of that depth does."""
        return {kind: [median(column) for column in values.T.tolist()]
                for kind, values in self.per_seed.items()}

    def at(self, kind: str, depth: int) -> float:
        """The median over seeds of `kind` ("plain" or "residual") at `depth`, one of `depths`."""
        kind = check_choice("kind", kind, tuple(self.per_seed))
        depth = check_choice("depth", depth, self.depths)
        return self.autocorrelation[kind][self.depths.index(depth)]


def shattering(depths: tuple[int, ...] = (1, 2, 4, 8, 16, 24, 50), *, seed: int = 0,
               n_seeds: int = 5) -> ShatteringResult:
    """`lag1_autocorrelation` of `gradient_on_grid` for each depth, plain and residual, on seeds
    seed, ..., seed + n_seeds - 1 (one net of each kind per seed and depth)."""
    note_run("shattering")
    depths = check_ints("depths", depths)
    seeds = seed_range(seed, n_seeds)
    per_seed = {kind: torch.tensor([[lag1_autocorrelation(
        gradient_on_grid(depth, residual=kind == "residual", seed=s)[1]) for depth in depths]
        for s in seeds]) for kind in ("plain", "residual")}
    return ShatteringResult(tuple(depths), seeds, per_seed)
