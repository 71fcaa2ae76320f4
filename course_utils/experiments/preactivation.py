"""Original vs full pre-activation residual blocks (He et al. 2016): the ReLU after the add, the
mask it puts on the identity path, and what removing it changes in training."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..batched import BatchedMLPStack
from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..probes import layer_profile
from ..progress_bars import progress_bar
from ..training import Runs, train_batched
from ..validation import check_bool, check_choice, check_float, check_int, check_tensor
from .seeds import median, seed_range, seeded, stacked

BLOCK_KINDS = ("original", "preactivation")
"""ReLU(x + F(x)) with F = BN(W2 ReLU(BN(W1 x))) (He et al. 2015), and x + F(x) with
F = W2 ReLU(BN(W1 ReLU(BN(x)))) (He et al. 2016, full pre-activation)."""


@torch.no_grad()
def relu_after_add_mask(model: MLPStack, X: torch.Tensor) -> torch.Tensor:
    """The mask 1[x_l + F(x_l) > 0] that each original block's ReLU after the add puts on the
    stream, for the samples X: a bool tensor (n_blocks, B, width). The factor of the gradient
    through block l is diag(mask_l) (I + dF/dx), not I + dF/dx."""
    if not isinstance(model, MLPStack) or not model.residual or model.preactivation:
        raise ValueError("relu_after_add_mask needs a residual MLPStack of original blocks "
                         "(mlp_stack(..., residual=True, preactivation=False))")
    masks = []
    x = model.stem(model.check_input(check_tensor("X", X, ndim=2, like=model)))
    for block in model.blocks:
        before_relu = block[0](x)                 # x + F(x), (B, width)
        masks.append(before_relu > 0)
        x = block(x)
    return torch.stack(masks)


@dataclass
class PreactivationResult:
    """Original and pre-activation residual stacks of one depth, on several seeds.

    Attributes:
        seeds: the seeds, one stack of each kind per seed.
        n_layers: depth in weight layers (2 per block + stem + head).
        zeroed_fraction: per seed, per block: the fraction of the stream's entries that the
            original block's ReLU after the add sets to zero, at initialisation.
        surviving_fraction: per seed: the fraction of entries (sample, feature) that pass the
            ReLU of EVERY original block, at initialisation: where the pure identity path
            x_0 -> x_L is open.
        gradient_ratio: {kind: per seed, RMS gradient at the input x_0 / at the output x_L},
            at initialisation.
        runs: {kind: Runs}, row i for seeds[i].
    """

    seeds: tuple[int, ...]
    n_layers: int
    zeroed_fraction: list[list[float]]
    surviving_fraction: list[float]
    gradient_ratio: dict[str, list[float]]
    runs: dict[str, Runs]

    def median_final_loss(self, kind: str) -> float:
        """The median over seeds of the final training loss (mean of the last 50 steps)."""
        return median(self.runs[check_choice("kind", kind, BLOCK_KINDS)].final_loss())


def preactivation_study(n_layers: int = 50, *, steps: int = 100, width: int = 32,
                        lr: float = 0.02, batch_size: int = 64, seed: int = 0, n_seeds: int = 5,
                        progress: bool = True) -> PreactivationResult:
    """Build original and full pre-activation residual `mlp_stack`s with BatchNorm (PyTorch's
    default init) on seeds seed, seed + 1, ...; probe them at initialisation, then train each
    kind on two spirals as one batched computation, with `degradation`'s recipe (SGD, momentum
    0.9, weight decay 1e-4).
    """
    n_layers = check_int("n_layers", n_layers, minimum=4)
    if n_layers % 2:
        raise ValueError(f"depths count 2 layers per block plus 2, so must be even: {n_layers}")
    steps, width = check_int("steps", steps), check_int("width", width)
    lr, batch_size = check_float("lr", lr, minimum=0.0), check_int("batch_size", batch_size, maximum=100_000)
    progress = check_bool("progress", progress)
    seeds = seed_range(seed, n_seeds)
    data = [two_spirals(2000, seed=s) for s in seeds]
    X, y = stacked(data)
    zeroed, surviving, ratios, runs = [], [], {}, {}
    with progress_bar(2 * steps, "original and pre-activation stacks", enabled=progress) as bar:
        for kind in BLOCK_KINDS:
            models = [seeded(lambda: mlp_stack((n_layers - 2) // 2, width=width,
                                               preactivation=kind == "preactivation"), s)
                      for s in seeds]
            probe = [two_spirals(256, seed=s) for s in seeds]            # 01's probe data
            ratios[kind] = [layer_profile(m, *batch).gradient_ratio()
                            for m, batch in zip(models, probe)]
            if kind == "original":
                for model, (Xs, _) in zip(models, probe):
                    mask = relu_after_add_mask(model, Xs)
                    zeroed.append((~mask).float().mean(dim=(1, 2)).tolist())
                    surviving.append(mask.all(dim=0).float().mean().item())
            runs[kind] = train_batched(BatchedMLPStack(models), X, y, seeds=seeds, steps=steps,
                                       lr=lr, batch_size=batch_size, progress=bar)
    return PreactivationResult(seeds, n_layers, zeroed, surviving, ratios, runs)
