"""Deep plain and residual MLP stacks: their scales at initialisation, and how they train."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..batched import BatchedMLPStack
from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..probes import LayerProfile, layer_profile
from ..progress_bars import progress_bar
from ..training import Runs, train_batched
from ..validation import check_bool, check_choice, check_float, check_int, check_ints
from .seeds import median, seed_range, seeded, stacked
from ..run_log import note_run


INITS = {
    "default": {"init": "default"},
    "he": {"init": "he"},
    "zero": {"init": "he", "branch_init": "zero"},
    "fixup": {"init": "he", "branch_init": "fixup"},
}
"""How a stack's weights start: PyTorch's default for nn.Linear (weight variance 1/(3 fan_in)),
He et al.'s (Kaiming normal, variance 2/fan_in, zero biases), and two identity-at-init residual
branches on top of He's: the branch's last layer zero ("zero"), or that and its first layer
scaled by n_blocks^(-1/2) (Fixup's initialisation, Zhang et al. 2019, without its scalar biases
and multipliers). A zero branch needs a skip: plain stacks take "zero" and "fixup" as "he"."""

INIT_LABELS = {"default": "PyTorch default", "he": "He (Kaiming normal)",
               "zero": "He, last layer of each branch zero",
               "fixup": "Fixup: last layer zero, first × L^(-1/2)"}


def _stack_init(init: str, residual: bool) -> dict[str, str]:
    choice = INITS[check_choice("init", init, tuple(INITS))]
    return choice if residual else {"init": choice["init"]}


@dataclass
class InitProfiles:
    """Per-layer profiles at initialisation of a residual stack and the same stack without skips."""

    n_blocks: int
    norm: str
    residual: LayerProfile
    plain: LayerProfile
    init: str = "default"


def init_profiles(n_blocks: int, *, norm: str = "batch", init: str = "default", width: int = 32,
                  n_samples: int = 256, seed: int = 0) -> InitProfiles:
    """Probe a residual and a plain `mlp_stack` of n_blocks blocks at init on two-spirals data.

    Both stacks are initialised from the same seed (`init`: a key of INITS); the global random
    state is left untouched.
    """
    n_samples = check_int("n_samples", n_samples, minimum=4)
    if n_samples % 2:
        raise ValueError(f"n_samples must be even (half per class), got {n_samples}")
    check_choice("init", init, tuple(INITS))
    X, y = two_spirals(n_samples, seed=seed)
    profiles = {residual: layer_profile(seeded(lambda: mlp_stack(
        n_blocks, residual=residual, norm=norm, width=width, **_stack_init(init, residual)), seed), X, y)
        for residual in (True, False)}
    return InitProfiles(n_blocks, norm, residual=profiles[True], plain=profiles[False], init=init)


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


def degradation(n_layers: tuple[int, ...] = (8, 56), *, steps: int = 300, width: int = 32,
                lr: float = 0.02, batch_size: int = 64, seed: int = 0, n_seeds: int = 5,
                progress: bool = True) -> DegradationResult:
    """Train plain and residual MLP stacks of each depth in `n_layers` on two spirals, on seeds
    seed, seed + 1, ..., each seed with its own data, initial weights and mini-batches.

    Setup after He et al. 2015 (CIFAR): SGD with momentum 0.9, weight decay 1e-4, BatchNorm after
    every linear layer; the nets differ only in the identity path. Depths count weight layers
    (2 per block + stem + head), so each must be even and at least 4. Every net of one depth,
    plain and residual, every seed, trains as one batched computation.
    """
    note_run("degradation")
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


NO_NORM_VARIANTS = {
    "plain": (False, "he"),
    "residual": (True, "he"),
    "zero": (True, "zero"),
    "fixup": (True, "fixup"),
}
"""The un-normalised stacks `deep_without_norm` trains: (residual, a key of INITS)."""


@dataclass
class DeepWithoutNormResult:
    """Training runs of very deep stacks without normalisation, one per variant of
    NO_NORM_VARIANTS and seed.

    Attributes:
        seeds: the seeds, one run of every variant per seed.
        n_layers: depth in weight layers (2 per block + stem + head).
        runs: {variant: Runs}, row i for seeds[i].
        stream_rms: {variant: per seed, RMS of the stream x_L after the last block, after
            training, on the training data (nan if the run diverged)}.
        lr: the SGD learning rate they trained with.
    """

    seeds: tuple[int, ...]
    n_layers: int
    runs: dict[str, Runs]
    stream_rms: dict[str, list[float]]
    lr: float

    def final_loss(self, variant: str) -> list[float]:
        """Training loss at the end of each seed's run (mean of its last 50 steps; inf if it
        diverged)."""
        return self.runs[check_choice("variant", variant, tuple(self.runs))].final_loss()

    def median_final_loss(self, variant: str) -> float:
        """The median over seeds of `final_loss`."""
        return median(self.final_loss(variant))


def deep_without_norm(n_layers: int = 110, *, variants: tuple[str, ...] = tuple(NO_NORM_VARIANTS),
                      steps: int = 200, width: int = 32, lr: float = 0.02, batch_size: int = 64,
                      seed: int = 0, n_seeds: int = 5, progress: bool = True) -> DeepWithoutNormResult:
    """Train `mlp_stack`s of n_layers layers WITHOUT normalisation on two spirals: a plain and
    a residual stack with He et al.'s init, and residual stacks whose branches start at zero
    ("zero", "fixup"), each on seeds seed, seed + 1, ... as one batched computation.

    The recipe is `degradation`'s (SGD, momentum 0.9, weight decay 1e-4, batch 64) with the
    norms removed. A run whose loss overflows is recorded as diverged (inf).
    """
    n_layers = check_int("n_layers", n_layers, minimum=4)
    if n_layers % 2:
        raise ValueError(f"depths count 2 layers per block plus 2, so must be even: {n_layers}")
    variants = tuple(check_choice("variant", v, tuple(NO_NORM_VARIANTS)) for v in variants)
    if not variants or len(set(variants)) != len(variants):
        raise ValueError(f"variants must name each of {tuple(NO_NORM_VARIANTS)} at most once, got {variants}")
    steps, width = check_int("steps", steps), check_int("width", width)
    lr, batch_size = check_float("lr", lr, minimum=0.0), check_int("batch_size", batch_size, maximum=100_000)
    progress = check_bool("progress", progress)
    seeds = seed_range(seed, n_seeds)
    X, y = stacked([two_spirals(2000, seed=s) for s in seeds] * len(variants))
    models = []
    for variant in variants:
        residual, init = NO_NORM_VARIANTS[variant]
        models += [seeded(lambda: mlp_stack((n_layers - 2) // 2, residual=residual, norm="none",
                                            width=width, **_stack_init(init, residual)), s)
                   for s in seeds]
    model = BatchedMLPStack(models)
    with progress_bar(steps, f"{n_layers}-layer stacks without normalisation", enabled=progress) as bar:
        runs = train_batched(model, X, y, seeds=seeds * len(variants), steps=steps, lr=lr,
                             batch_size=batch_size, progress=bar)
    with torch.no_grad():
        x = model.stem(X)                                          # (n, N, width)
        for block in model.blocks:
            x = block(x)
        rms = x.pow(2).mean(dim=(1, 2)).sqrt()
    rms = torch.where(runs.diverged, torch.nan, rms).tolist()
    n = len(seeds)
    parts = {v: range(i * n, (i + 1) * n) for i, v in enumerate(variants)}
    return DeepWithoutNormResult(seeds, n_layers, {v: runs.select(rows) for v, rows in parts.items()},
                                 {v: rms[rows.start:rows.stop] for v, rows in parts.items()}, lr)
