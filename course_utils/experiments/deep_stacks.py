"""Deep plain and residual MLP stacks: their scales at initialisation, and how they train."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..batched import BatchedMLPStack
from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..probes import LayerProfile, layer_profile
from ..progress import progress_bar
from ..training import Runs, train_batched
from ..validation import check_bool, check_choice, check_float, check_int, check_ints
from .seeds import median, seed_range, seeded, stacked


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
    n_samples = check_int("n_samples", n_samples, minimum=4)
    if n_samples % 2:
        raise ValueError(f"n_samples must be even (half per class), got {n_samples}")
    X, y = two_spirals(n_samples, seed=seed)
    profiles = {residual: layer_profile(seeded(lambda: mlp_stack(n_blocks, residual=residual,
                                                                 norm=norm, width=width), seed), X, y)
                for residual in (True, False)}
    return InitProfiles(n_blocks, norm, residual=profiles[True], plain=profiles[False])


def run_name(residual: bool, n_layers: int) -> str:
    """The name of a run, as He et al. name their nets: "plain-56", "residual-56"."""
    return f"{'residual' if residual else 'plain'}-{n_layers}"


@torch.no_grad()
def branch_to_stream_ratio(model: MLPStack, X: torch.Tensor) -> list[float]:
    """RMS F(x_l) / RMS x_l for each block l of a residual stack, in eval mode: how much each
    branch changes the stream it is added to (He et al. 2015, Fig. 7 analogue)."""
    if not isinstance(model, MLPStack) or not model.residual:
        raise ValueError("branch_to_stream_ratio needs a residual MLPStack (mlp_stack(..., residual=True))")
    batched_model = BatchedMLPStack([model])
    return batched_branch_ratios(batched_model, model.check_input(X).unsqueeze(0))[0]


@torch.no_grad()
def batched_branch_ratios(model: BatchedMLPStack, X: torch.Tensor) -> list[list[float]]:
    """`branch_to_stream_ratio` for every model of a batched stack, X (n, N, d_in)."""
    was_training = model.training
    model.eval()
    try:
        ratios = []
        x = model.stem(X)                                          # (n, N, width)
        for block in model.blocks:
            rms = lambda t: t.pow(2).mean(dim=(1, 2)).sqrt()       # one RMS per model
            ratios.append((rms(block.branch(x)) / rms(x)).tolist())
            x = block(x)
    finally:
        model.train(was_training)
    return [list(per_model) for per_model in zip(*ratios)]        # [model][block]


@dataclass
class DegradationResult:
    """Training runs of plain and residual stacks of several depths, on several seeds (He et
    al. 2015, Fig. 1).

    Attributes:
        seeds: the seeds, one run of every net per seed.
        n_layers: the depths trained, in weight layers.
        runs: {"plain-8": Runs, "residual-56": Runs, ...}, row i for seeds[i].
        branch_ratio: for each residual net, per seed, `branch_to_stream_ratio` after training.
    """

    seeds: tuple[int, ...]
    n_layers: tuple[int, ...]
    runs: dict[str, Runs]
    branch_ratio: dict[str, list[list[float]]]

    def final_loss(self, residual: bool, n_layers: int) -> list[float]:
        """Training loss at the end of each seed's run (mean of its last 50 steps)."""
        name = run_name(check_bool("residual", residual), check_choice("n_layers", n_layers, self.n_layers))
        return self.runs[name].final_loss()

    def median_final_loss(self, residual: bool, n_layers: int) -> float:
        """The median over seeds of `final_loss`."""
        return median(self.final_loss(residual, n_layers))


def degradation(n_layers: tuple[int, ...] = (8, 56), *, steps: int = 400, width: int = 32,
                lr: float = 0.02, batch_size: int = 64, seed: int = 0, n_seeds: int = 5,
                progress: bool = True) -> DegradationResult:
    """Train plain and residual MLP stacks of each depth in `n_layers` on two spirals, on seeds
    seed, seed + 1, ..., each seed with its own data, initial weights and mini-batches.

    Setup after He et al. 2015 (CIFAR): SGD with momentum 0.9, weight decay 1e-4, BatchNorm after
    every linear layer; the nets differ only in the identity path. Depths count weight layers
    (2 per block + stem + head), so each must be even and at least 4. Every net of one depth,
    plain and residual, every seed, trains as one batched computation.
    """
    depths = check_ints("n_layers", n_layers, minimum=4)
    steps, width = check_int("steps", steps), check_int("width", width)
    lr, batch_size = check_float("lr", lr, minimum=0.0), check_int("batch_size", batch_size, maximum=100_000)
    progress = check_bool("progress", progress)
    if any(n % 2 for n in depths):
        raise ValueError(f"depths count 2 layers per block plus 2, so must be even: {depths}")
    seeds = seed_range(seed, n_seeds)
    X, y = stacked([two_spirals(2000, seed=s) for s in seeds])
    X, y = torch.cat([X, X]), torch.cat([y, y])                    # plain models, then residual
    runs, ratios = {}, {}
    with progress_bar(len(depths) * steps, "degradation runs", enabled=progress) as bar:
        for depth in depths:
            models = [seeded(lambda: mlp_stack((depth - 2) // 2, residual=residual, width=width), s)
                      for residual in (False, True) for s in seeds]
            model = BatchedMLPStack(models)
            both = train_batched(model, X, y, seeds=seeds * 2, steps=steps, lr=lr,
                                 batch_size=batch_size, progress=bar)
            n = len(seeds)
            runs[run_name(False, depth)] = both.select(range(n))
            runs[run_name(True, depth)] = both.select(range(n, 2 * n))
            ratios[run_name(True, depth)] = batched_branch_ratios(model, X)[n:]
    return DegradationResult(seeds, depths, runs, ratios)
