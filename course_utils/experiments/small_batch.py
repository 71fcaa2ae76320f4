"""BatchNorm at small batches (Wu & He 2018): the same net with BN, GN or LN, trained at several
batch sizes on the same number of samples, and BN's train/eval discrepancy."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from ..batched import BatchedMLPStack
from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..norms import NORMS
from ..progress_bars import progress_bar
from ..training import evaluate_batched, train_batched
from ..validation import check_bool, check_choice, check_choices, check_float, check_ints
from .seeds import seed_range, seeded, stacked
from ..run_log import note_run

SAMPLE_BUDGET = 6000   # samples seen by every run, whatever its batch size (Wu & He: same epochs)


@dataclass
class SmallBatchResult:
    """Test error (%) by norm, batch size and seed, and BN's error with batch statistics.

    Attributes:
        batch_sizes: the training batch sizes, largest first.
        seeds: the seeds; every (norm, batch size) trains once per seed.
        error: {norm: (n_seeds, n_batch_sizes) tensor of test error % in eval mode}.
        batch_stat_error: (n_seeds, n_batch_sizes): BN's test error (%) when it normalises each
            test batch (of the training batch size) with that batch's own statistics, as in
            training (the train-mode path); empty if BN was not trained.
        seconds: wall-clock time of the whole study.
    """

    batch_sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    error: dict[str, torch.Tensor] = field(default_factory=dict)
    batch_stat_error: torch.Tensor | None = None
    seconds: float = 0.0

    def at(self, norm: str, batch_size: int) -> list[float]:
        """Test error (%) of `norm` trained at `batch_size`, per seed."""
        norm = check_choice("norm", norm, tuple(self.error))
        batch_size = check_choice("batch_size", batch_size, self.batch_sizes)
        return self.error[norm][:, self.batch_sizes.index(batch_size)].tolist()

    def median(self, norm: str) -> list[float]:
        """The median over seeds of `norm`'s test error (%), per batch size."""
        return self.error[check_choice("norm", norm, tuple(self.error))].median(dim=0).values.tolist()

    def median_batch_stat_error(self) -> list[float]:
        """The median over seeds of BN's error with test-batch statistics, per batch size."""
        return self.batch_stat_error.median(dim=0).values.tolist()


def small_batch_net(norm: str, *, seed: int) -> MLPStack:
    """The study's net: a residual MLP of 2 blocks (6 weight layers), width 64, with `norm`."""
    return seeded(lambda: mlp_stack(2, width=64, norm=norm), seed)


@torch.no_grad()
def error_with_batch_statistics(model: BatchedMLPStack, X: torch.Tensor, y: torch.Tensor,
                                batch_size: int) -> torch.Tensor:
    """(n,) test error (%) of each model when every BN layer uses the statistics of the test
    batch it is given (X (n, N, 2)).

    The test points are shuffled first (with a fixed generator): two_spirals lists one class,
    then the other, and a batch of one class only would be normalised away.
    """
    order = torch.randperm(X.shape[1], generator=torch.Generator().manual_seed(0))
    X, y = X[:, order], y[:, order]
    n = (X.shape[1] // batch_size) * batch_size
    model.train()                     # batch statistics; running statistics are updated, so
    try:                              # callers measure eval-mode error before this
        logits = torch.cat([model(X[:, i:i + batch_size]) for i in range(0, n, batch_size)], dim=1)
    finally:
        model.eval()
    return 100.0 * (logits.argmax(-1) != y[:, :n]).float().mean(dim=1)


def small_batch_study(batch_sizes: tuple[int, ...] = (32, 8, 2),
                      norms: tuple[str, ...] = ("batch", "group", "layer"), *, lr: float = 3e-3,
                      seed: int = 0, n_seeds: int = 5, progress: bool = True) -> SmallBatchResult:
    """Train `small_batch_net` with each norm at each batch size on SAMPLE_BUDGET samples, on
    seeds seed, seed + 1, ... (every norm and seed of one batch size as one batched computation).

    Adam at a fixed learning rate, on two spirals; test error on 2000 fresh points, in eval mode
    (BN uses its running statistics, as a deployed model does).
    """
    note_run("small_batch_study")
    batch_sizes = check_ints("batch_sizes", batch_sizes, minimum=2, maximum=SAMPLE_BUDGET)
    norms = check_choices("norms", norms, NORMS)
    if "none" in norms or "rms" in norms:
        raise ValueError("the small-batch study compares norms with a gain and a bias: choose "
                         "from 'batch', 'group' and 'layer'")
    lr = check_float("lr", lr, minimum=0.0)
    seeds = seed_range(seed, n_seeds)
    progress = check_bool("progress", progress)
    X, y = stacked([two_spirals(2000, seed=s) for s in seeds])
    X_test, y_test = stacked([two_spirals(2000, seed=s + 1000) for s in seeds])
    result = SmallBatchResult(batch_sizes, seeds)
    X, y, X_test, y_test = (t.repeat(len(norms), *[1] * (t.ndim - 1)) for t in (X, y, X_test, y_test))
    errors, batch_stat_error = [], []
    n = len(seeds)
    start = time.perf_counter()
    with progress_bar(sum(SAMPLE_BUDGET // b for b in batch_sizes), "small-batch study: training",
                      enabled=progress) as bar:
        for batch_size in batch_sizes:
            model = BatchedMLPStack([small_batch_net(norm, seed=s) for norm in norms for s in seeds])
            train_batched(model, X, y, seeds=seeds * len(norms), steps=SAMPLE_BUDGET // batch_size,
                          batch_size=batch_size, lr=lr, optimizer="adam", progress=bar)
            errors.append(100.0 * (1.0 - evaluate_batched(model, X_test, y_test)))
            if "batch" in norms:
                rows = slice(norms.index("batch") * n, (norms.index("batch") + 1) * n)
                batch_stat_error.append(error_with_batch_statistics(
                    model, X_test, y_test, batch_size)[rows])
    errors = torch.stack(errors, dim=1)                       # (n_norms * n_seeds, n_batch_sizes)
    result.error = {norm: errors[i * n:(i + 1) * n] for i, norm in enumerate(norms)}
    if batch_stat_error:
        result.batch_stat_error = torch.stack(batch_stat_error, dim=1)
    result.seconds = time.perf_counter() - start
    return result
