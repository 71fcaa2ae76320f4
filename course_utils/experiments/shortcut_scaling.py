"""Scaling the shortcut: x_{l+1} = ReLU(lambda x_l + F(x_l)) (He et al. 2016, Eq. 6 and Table 1)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..batched import BatchedMLPStack
from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..probes import LayerProfile, layer_profile
from ..progress_bars import progress_bar
from ..training import Runs, train_batched
from ..validation import as_tuple, check_bool, check_choice, check_float, check_int
from .seeds import median, seed_range, seeded, stacked


def scaled_stack(n_blocks: int, shortcut_gain: float, *, seed: int = 0) -> MLPStack:
    """The experiment's stack: He et al.'s blocks with BatchNorm, width 32, shortcut gain lambda.
    lambda = 0 is a plain net (no shortcut at all)."""
    gain = check_float("shortcut_gain", shortcut_gain, minimum=0.0)
    if gain == 0.0:
        return seeded(lambda: mlp_stack(n_blocks, residual=False), seed)
    return seeded(lambda: mlp_stack(n_blocks, shortcut_gain=gain), seed)


def scaled_init_profile(n_blocks: int, shortcut_gain: float, *, seed: int = 0) -> LayerProfile:
    """Per-layer activation and gradient RMS at initialisation of `scaled_stack`."""
    X, y = two_spirals(256, turns=2.0, seed=seed)
    return layer_profile(scaled_stack(n_blocks, shortcut_gain, seed=seed), X, y)


def first_layer_gradients(model: BatchedMLPStack, X: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Each model's Frobenius norm of dL/dW of its stem's linear layer, for one batch (X (n, B,
    d_in)), at the current weights."""
    logits = model(X)
    losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none")
    (grad,) = torch.autograd.grad(losses.view(X.shape[0], -1).mean(dim=1).sum(),
                                  model.stem[0].weight)                # (n, d_in, width)
    return grad.flatten(1).norm(dim=1).tolist()


@dataclass
class ShortcutScalingResult:
    """Training runs of the same stack with different shortcut gains, on several seeds.

    Attributes:
        seeds: the seeds; every gain trains once per seed, from that seed's initial weights.
        runs: {lambda: Runs}, row i for seeds[i].
        first_layer_gradient: {lambda: [||dL/dW_1|| at initialisation on 256 training points,
            per seed]}.
    """

    n_blocks: int
    seeds: tuple[int, ...]
    runs: dict[float, Runs]
    first_layer_gradient: dict[float, list[float]]

    def final_loss(self, shortcut_gain: float) -> list[float]:
        """Each seed's training loss at the end (mean of its last 50 steps)."""
        return self.runs[check_choice("shortcut_gain", shortcut_gain, tuple(self.runs))].final_loss()

    def median_final_loss(self, shortcut_gain: float) -> float:
        return median(self.final_loss(shortcut_gain))


def shortcut_scaling(gains: tuple[float, ...] = (1.0, 0.5, 0.0), *, n_blocks: int = 24,
                     steps: int = 250, lr: float = 0.02, seed: int = 0, n_seeds: int = 5,
                     progress: bool = True) -> ShortcutScalingResult:
    """Train `scaled_stack(n_blocks, lambda)` for each lambda in `gains` on two spirals (2 turns),
    on seeds seed, seed + 1, ...: every gain and seed as one batched computation.

    24 blocks make 50 layers; SGD, momentum 0.9, weight decay 1e-4, batch 64, as in the
    degradation experiment. For one seed, every gain starts from the same initial weights.
    """
    gains = tuple(check_float("every value of gains", g, minimum=0.0) for g in as_tuple("gains", gains))
    if len(set(gains)) != len(gains):
        raise ValueError(f"gains {gains} repeat a value")
    n_blocks = check_int("n_blocks", n_blocks)
    steps, lr = check_int("steps", steps), check_float("lr", lr, minimum=0.0)
    seeds = seed_range(seed, n_seeds)
    X, y = stacked([two_spirals(2000, turns=2.0, seed=s) for s in seeds])
    progress = check_bool("progress", progress)
    X, y = X.repeat(len(gains), 1, 1), y.repeat(len(gains), 1)       # gain-major, then seed
    model = BatchedMLPStack([scaled_stack(n_blocks, g, seed=s) for g in gains for s in seeds])
    gradients = first_layer_gradients(model, X[:, :256], y[:, :256])
    with progress_bar(steps, "shortcut gains", enabled=progress) as bar:
        runs = train_batched(model, X, y, seeds=seeds * len(gains), steps=steps, lr=lr,
                             progress=bar)
    n = len(seeds)
    return ShortcutScalingResult(
        n_blocks, seeds,
        {g: runs.select(range(i * n, (i + 1) * n)) for i, g in enumerate(gains)},
        {g: gradients[i * n:(i + 1) * n] for i, g in enumerate(gains)})
