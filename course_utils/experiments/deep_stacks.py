"""Deep plain and residual MLP stacks: their scales at initialisation, and how they train."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..probes import LayerProfile, layer_profile
from ..progress import progress_bar
from ..training import History, train
from ..validation import check_int


@dataclass
class InitProfiles:
    """Per-layer profiles at initialisation of a residual stack and the same stack without skips."""

    n_blocks: int
    norm: str
    residual: LayerProfile
    plain: LayerProfile


def init_profiles(n_blocks: int, *, norm: str = "batch", width: int = 32, n_samples: int = 256,
                  seed: int = 0) -> InitProfiles:
    """Probe a residual and a plain `mlp_stack` of n_blocks blocks at init on two-spirals data.

    Both stacks are initialised from the same seed; the global random state is left untouched.
    """
    X, y = two_spirals(n_samples, seed=seed)
    profiles = {}
    for residual in (True, False):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = mlp_stack(n_blocks, residual=residual, norm=norm, width=width)
        profiles[residual] = layer_profile(model, X, y)
    return InitProfiles(n_blocks, norm, residual=profiles[True], plain=profiles[False])


def run_name(residual: bool, n_layers: int) -> str:
    """The name of a run, as He et al. name their nets: "plain-56", "residual-56"."""
    return f"{'residual' if residual else 'plain'}-{n_layers}"


@torch.no_grad()
def branch_to_stream_ratio(model: MLPStack, X: torch.Tensor) -> list[float]:
    """RMS F(x_l) / RMS x_l for each block l of a residual stack: how much each branch changes
    the stream it is added to (He et al. 2015, Fig. 7 analogue)."""
    if not model.residual:
        raise ValueError("branch_to_stream_ratio needs a residual stack (residual=True)")
    ratios = []
    x = model.stem(X)
    for block in model.blocks:
        branch_out = block[0].branch(x)
        ratios.append((branch_out.pow(2).mean().sqrt() / x.pow(2).mean().sqrt()).item())
        x = block(x)
    return ratios


@dataclass
class DegradationResult:
    """Training histories of plain and residual stacks of several depths (He et al. 2015, Fig. 1).

    Attributes:
        histories: {"plain-8": History, "residual-56": History, ...}.
        branch_ratio: for each residual run, `branch_to_stream_ratio` after training.
        n_layers: the depths trained, in weight layers.
    """

    histories: dict[str, History]
    branch_ratio: dict[str, list[float]]
    n_layers: tuple[int, ...]

    def final_loss(self, residual: bool, n_layers: int) -> float:
        """Training loss at the end of the run (mean of the last 50 steps)."""
        return self.histories[run_name(residual, n_layers)].final_loss()


def degradation(n_layers: tuple[int, ...] = (8, 56), *, steps: int = 400, width: int = 32,
                lr: float = 0.02, batch_size: int = 64, seed: int = 0,
                progress: bool = True) -> DegradationResult:
    """Train plain and residual MLP stacks of each depth in `n_layers` on two spirals.

    Setup after He et al. 2015 (CIFAR): SGD with momentum 0.9, weight decay 1e-4, BatchNorm after
    every linear layer; the nets differ only in the identity path. Depths count weight layers
    (2 per block + stem + head), so each must be even and at least 4.
    """
    depths = tuple(check_int("n_layers", n, minimum=4) for n in n_layers)
    if any(n % 2 for n in depths):
        raise ValueError(f"depths count 2 layers per block plus 2, so must be even: {depths}")
    X, y = two_spirals(2000, seed=seed)
    histories, ratios = {}, {}
    with progress_bar(2 * len(depths) * steps, "degradation runs", enabled=progress) as bar:
        for depth in depths:
            for residual in (False, True):
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(seed)
                    model = mlp_stack((depth - 2) // 2, residual=residual, width=width)
                name = run_name(residual, depth)
                histories[name] = train(model, X, y, steps=steps, lr=lr, batch_size=batch_size,
                                        seed=seed, progress=bar)
                if residual:
                    ratios[name] = branch_to_stream_ratio(model, X.to(next(model.parameters()).device))
    return DegradationResult(histories, ratios, depths)
