"""The lesion study of Veit et al. 2016: delete one block of a trained net and measure it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..progress import progress_bar
from ..training import evaluate, train
from ..validation import check_int

GRID_EXTENT = 2.2   # the decision maps cover [-2.2, 2.2]^2 of the standardised plane


@contextmanager
def block_deleted(model: MLPStack, index: int) -> Iterator[MLPStack]:
    """Temporarily replace block `index` by the identity: y = x (the skip stays, the branch goes)."""
    index = check_int("index", index, minimum=0, maximum=len(model.blocks) - 1)
    kept = model.blocks[index]
    model.blocks[index] = nn.Identity()
    try:
        yield model
    finally:
        model.blocks[index] = kept


@torch.no_grad()
def decision_map(model: MLPStack, resolution: int = 80) -> torch.Tensor:
    """P(class 1) on a resolution x resolution grid over the plane, rows from bottom to top."""
    axis = torch.linspace(-GRID_EXTENT, GRID_EXTENT, resolution)
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([xs.flatten(), ys.flatten()], dim=1)
    model.eval()
    probabilities = model(points).softmax(-1)[:, 1]
    return probabilities.reshape(resolution, resolution)


@dataclass
class LesionResult:
    """Test accuracy of a trained residual and plain net, intact and with each block deleted.

    Attributes:
        full_accuracy: {"residual": acc, "plain": acc} of the intact nets.
        lesioned_accuracy: {kind: [accuracy with block i deleted, for i = 0 .. n_blocks - 1]}.
        maps: {kind: [decision map intact, then with block i deleted, ...]} (n_blocks + 1 each).
    """

    n_blocks: int
    full_accuracy: dict[str, float]
    lesioned_accuracy: dict[str, list[float]]
    maps: dict[str, list[torch.Tensor]]

    def drops(self, kind: str) -> list[float]:
        """Accuracy lost by deleting each block, in accuracy points (0..1)."""
        return [self.full_accuracy[kind] - a for a in self.lesioned_accuracy[kind]]


def lesion_study(n_blocks: int = 10, *, steps: int = 400, lr: float = 0.02, seed: int = 0,
                 progress: bool = True) -> LesionResult:
    """Train a residual and a plain `mlp_stack` on two spirals; delete each block in turn.

    Accuracy is measured in eval mode on 1000 fresh points of the same spirals.
    """
    n_blocks = check_int("n_blocks", n_blocks, minimum=2)
    X, y = two_spirals(2000, seed=seed)
    X_test, y_test = two_spirals(1000, seed=seed + 1000)
    full, lesioned, maps = {}, {}, {}
    with progress_bar(2 * steps, "lesion study: training", enabled=progress) as bar:
        for kind in ("residual", "plain"):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                model = mlp_stack(n_blocks, residual=kind == "residual")
            train(model, X, y, steps=steps, lr=lr, seed=seed, progress=bar)
            model.cpu()
            full[kind] = evaluate(model, X_test, y_test)[1]
            maps[kind] = [decision_map(model)]
            lesioned[kind] = []
            for index in range(n_blocks):
                with block_deleted(model, index):
                    lesioned[kind].append(evaluate(model, X_test, y_test)[1])
                    maps[kind].append(decision_map(model))
    return LesionResult(n_blocks, full, lesioned, maps)
