"""Several seeds of one experiment: which seeds, the model each seed builds, and the data sets
stacked for a batched run (course_utils.batched)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import torch

from ..runtime import seeded
from ..validation import check_int, check_seed

__all__ = ["MAX_SEEDS", "median", "seed_range", "seeded", "stacked"]

MAX_SEEDS = 20


def seed_range(seed: int, n_seeds: int) -> tuple[int, ...]:
    """The seeds an experiment runs: seed, seed + 1, ..., seed + n_seeds - 1."""
    seed = check_seed(seed)
    n_seeds = check_int("n_seeds", n_seeds, maximum=MAX_SEEDS)
    check_seed(seed + n_seeds - 1, "seed + n_seeds - 1")
    return tuple(range(seed, seed + n_seeds))


def stacked(datasets: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
    """[(X_m, y_m), ...] -> X (n, N, ...), y (n, N, ...): model m's data in row m."""
    return (torch.stack([X for X, _ in datasets]), torch.stack([y for _, y in datasets]))


def median(values: Sequence[float]) -> float:
    """The median over seeds: what one typical run does (one odd seed cannot move it)."""
    return float(statistics.median(values))
