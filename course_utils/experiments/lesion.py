"""The lesion study of Veit et al. 2016: delete one block of a trained net and measure it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from ..batched import BatchedMLPStack
from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..progress_bars import progress_bar
from ..training import evaluate_batched, train_batched
from ..validation import check_bool, check_choice, check_float, check_int
from .seeds import seed_range, seeded, stacked

GRID_EXTENT = 2.2   # the decision maps cover [-2.2, 2.2]^2 of the standardised plane


@contextmanager
def block_deleted(model: nn.Module, index: int) -> Iterator[nn.Module]:
    """Temporarily replace block `index` of a stack (an MLPStack or its batched twin) by the
    identity: y = x (the skip stays, the branch goes)."""
    if not isinstance(getattr(model, "blocks", None), nn.ModuleList):
        raise TypeError(f"block_deleted needs a stack with blocks (course_utils.mlp_stack), got "
                        f"{type(model).__name__}")
    index = check_int("index", index, minimum=0, maximum=len(model.blocks) - 1)
    kept = model.blocks[index]
    model.blocks[index] = nn.Identity()
    try:
        yield model
    finally:
        model.blocks[index] = kept


def grid_points(resolution: int = 80) -> torch.Tensor:
    """(resolution², 2) points covering the plane's square [-2.2, 2.2]², rows bottom to top."""
    axis = torch.linspace(-GRID_EXTENT, GRID_EXTENT, resolution)
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([xs.flatten(), ys.flatten()], dim=1)


@torch.no_grad()
def decision_map(model: MLPStack, resolution: int = 80) -> torch.Tensor:
    """P(class 1) on a resolution x resolution grid over the plane, rows from bottom to top."""
    model.eval()
    return model(grid_points(resolution)).softmax(-1)[:, 1].reshape(resolution, resolution)


@dataclass
class LesionResult:
    """Test accuracy of trained residual and plain nets on several seeds, intact and with each
    block deleted.

    Attributes:
        seeds: the seeds; one residual and one plain net per seed.
        full_accuracy: {"residual": [accuracy per seed], "plain": [...]} of the intact nets.
        lesioned_accuracy: {kind: (n_seeds, n_blocks) tensor, [i, b]: seed i's net with block
            b deleted (blocks counted from 0)}.
        maps: {kind: [decision map intact, then with block b deleted, ...]} (n_blocks + 1 each)
            of the first seed's nets.
    """

    n_blocks: int
    seeds: tuple[int, ...]
    full_accuracy: dict[str, list[float]]
    lesioned_accuracy: dict[str, torch.Tensor]
    maps: dict[str, list[torch.Tensor]]

    def drops(self, kind: str) -> torch.Tensor:
        """(n_seeds, n_blocks): accuracy lost by deleting each block, in accuracy points (0..1)."""
        kind = check_choice("kind", kind, ("residual", "plain"))
        full = torch.tensor(self.full_accuracy[kind]).unsqueeze(1)
        return full - self.lesioned_accuracy[kind]


def lesion_study(n_blocks: int = 10, *, steps: int = 300, lr: float = 0.02, seed: int = 0,
                 n_seeds: int = 5, progress: bool = True) -> LesionResult:
    """Train residual and plain `mlp_stack`s on two spirals, on seeds seed, seed + 1, ... (one
    batched computation), then delete each block in turn.

    Accuracy is measured in eval mode on 1000 fresh points of each seed's spirals.
    """
    n_blocks = check_int("n_blocks", n_blocks, minimum=2)
    steps, lr = check_int("steps", steps), check_float("lr", lr, minimum=0.0)
    seeds = seed_range(seed, n_seeds)
    progress = check_bool("progress", progress)
    kinds = ("residual", "plain")
    X, y = stacked([two_spirals(2000, seed=s) for s in seeds])
    X_test, y_test = stacked([two_spirals(1000, seed=s + 1000) for s in seeds])
    X, y, X_test, y_test = (t.repeat(2, *[1] * (t.ndim - 1)) for t in (X, y, X_test, y_test))
    model = BatchedMLPStack([seeded(lambda: mlp_stack(n_blocks, residual=kind == "residual"), s)
                             for kind in kinds for s in seeds])
    with progress_bar(steps, "lesion study: training", enabled=progress) as bar:
        train_batched(model, X, y, seeds=seeds * 2, steps=steps, lr=lr, progress=bar)
    full = evaluate_batched(model, X_test, y_test)
    lesioned = []
    for index in range(n_blocks):
        with block_deleted(model, index):
            lesioned.append(evaluate_batched(model, X_test, y_test))
    lesioned = torch.stack(lesioned, dim=1)                       # (2 n_seeds, n_blocks)
    n = len(seeds)
    maps = {}
    for i, kind in enumerate(kinds):                  # the first seed's nets, as ordinary stacks
        first = model.unbatched(i * n)
        maps[kind] = [decision_map(first)]
        for index in range(n_blocks):
            with block_deleted(first, index):
                maps[kind].append(decision_map(first))
    rows = {kind: slice(i * n, (i + 1) * n) for i, kind in enumerate(kinds)}
    return LesionResult(n_blocks, seeds,
                        {kind: full[rows[kind]].tolist() for kind in kinds},
                        {kind: lesioned[rows[kind]] for kind in kinds}, maps)
