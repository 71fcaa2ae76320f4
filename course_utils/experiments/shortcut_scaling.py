"""Scaling the shortcut: x_{l+1} = ReLU(lambda x_l + F(x_l)) (He et al. 2016, Eq. 6 and Table 1)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..probes import LayerProfile, layer_profile
from ..progress import progress_bar
from ..training import History, train
from ..validation import check_float, check_int


def scaled_stack(n_blocks: int, shortcut_gain: float, *, seed: int = 0) -> MLPStack:
    """The experiment's stack: He et al.'s blocks with BatchNorm, width 32, shortcut gain lambda.
    lambda = 0 is a plain net (no shortcut at all)."""
    gain = check_float("shortcut_gain", shortcut_gain, minimum=0.0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if gain == 0.0:
            return mlp_stack(n_blocks, residual=False)
        return mlp_stack(n_blocks, shortcut_gain=gain)


def scaled_init_profile(n_blocks: int, shortcut_gain: float, *, seed: int = 0) -> LayerProfile:
    """Per-layer activation and gradient RMS at initialisation of `scaled_stack`."""
    X, y = two_spirals(256, turns=2.0, seed=seed)
    return layer_profile(scaled_stack(n_blocks, shortcut_gain, seed=seed), X, y)


def first_layer_gradient(model: MLPStack, X: torch.Tensor, y: torch.Tensor) -> float:
    """Frobenius norm of dL/dW of the stem's linear layer, for one batch, at the current weights."""
    loss = F.cross_entropy(model(X), y)
    (grad,) = torch.autograd.grad(loss, model.stem[0].weight)
    return grad.norm().item()


@dataclass
class ShortcutScalingResult:
    """Training runs of the same stack with different shortcut gains.

    Attributes:
        histories: {lambda: History}.
        first_layer_gradient: {lambda: ||dL/dW_1|| at initialisation, on 256 training points}.
    """

    n_blocks: int
    histories: dict[float, History]
    first_layer_gradient: dict[float, float]

    def final_loss(self, shortcut_gain: float) -> float:
        return self.histories[shortcut_gain].final_loss()


def shortcut_scaling(gains: tuple[float, ...] = (1.0, 0.5, 0.0), *, n_blocks: int = 24,
                     steps: int = 400, lr: float = 0.02, seed: int = 0,
                     progress: bool = True) -> ShortcutScalingResult:
    """Train `scaled_stack(n_blocks, lambda)` for each lambda in `gains` on two spirals (2 turns).

    24 blocks make 50 layers; SGD, momentum 0.9, weight decay 1e-4, batch 64, as in the
    degradation experiment. All runs start from the same seed.
    """
    n_blocks = check_int("n_blocks", n_blocks)
    X, y = two_spirals(2000, turns=2.0, seed=seed)
    histories, gradients = {}, {}
    with progress_bar(len(gains) * steps, "shortcut gains", enabled=progress) as bar:
        for gain in gains:
            model = scaled_stack(n_blocks, gain, seed=seed)
            gradients[gain] = first_layer_gradient(model, X[:256], y[:256])
            histories[gain] = train(model, X, y, steps=steps, lr=lr, seed=seed, progress=bar)
    return ShortcutScalingResult(n_blocks, histories, gradients)
