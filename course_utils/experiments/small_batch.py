"""BatchNorm at small batches (Wu & He 2018): the same net with BN, GN or LN, trained at several
batch sizes on the same number of samples, and BN's train/eval discrepancy."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from ..blocks import MLPStack, mlp_stack
from ..data import two_spirals
from ..norms import NORMS
from ..progress import progress_bar
from ..training import evaluate, train
from ..validation import check_choice, check_int

SAMPLE_BUDGET = 6000   # samples seen by every run, whatever its batch size (Wu & He: same epochs)


@dataclass
class SmallBatchResult:
    """Test error (%) by norm and batch size, and BN's error with batch statistics at test time.

    Attributes:
        batch_sizes: the training batch sizes, largest first.
        error: {norm: [test error % in eval mode, one per batch size]}.
        batch_stat_error: BN's test error (%) when it normalises each test batch (of the training
            batch size) with that batch's own statistics, as in training (the train-mode path).
        seconds: wall-clock time of the whole study.
    """

    batch_sizes: tuple[int, ...]
    error: dict[str, list[float]] = field(default_factory=dict)
    batch_stat_error: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def at(self, norm: str, batch_size: int) -> float:
        """Test error (%) of `norm` trained at `batch_size`."""
        return self.error[norm][self.batch_sizes.index(batch_size)]


def small_batch_net(norm: str, *, seed: int) -> MLPStack:
    """The study's net: a residual MLP of 2 blocks (6 weight layers), width 64, with `norm`."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return mlp_stack(2, width=64, norm=norm)


@torch.no_grad()
def error_with_batch_statistics(model: MLPStack, X: torch.Tensor, y: torch.Tensor,
                                batch_size: int) -> float:
    """Test error (%) when every BN layer uses the statistics of the test batch it is given.

    The test points are shuffled first (with a fixed generator): two_spirals lists one class,
    then the other, and a batch of one class only would be normalised away.
    """
    order = torch.randperm(X.shape[0], generator=torch.Generator().manual_seed(0))
    X, y = X[order], y[order]
    n = (X.shape[0] // batch_size) * batch_size
    model.train()                     # batch statistics; running statistics are updated, so
    try:                              # callers measure eval-mode error before this
        logits = torch.cat([model(X[i:i + batch_size]) for i in range(0, n, batch_size)])
    finally:
        model.eval()
    return 100.0 * (logits.argmax(-1) != y[:n]).float().mean().item()


def small_batch_study(batch_sizes: tuple[int, ...] = (32, 8, 2),
                      norms: tuple[str, ...] = ("batch", "group", "layer"), *, lr: float = 3e-3,
                      seed: int = 0, progress: bool = True) -> SmallBatchResult:
    """Train `small_batch_net` with each norm at each batch size on SAMPLE_BUDGET samples.

    Adam at a fixed learning rate, on two spirals; test error on 2000 fresh points, in eval mode
    (BN uses its running statistics, as a deployed model does).
    """
    batch_sizes = tuple(check_int("batch size", b, minimum=2) for b in batch_sizes)
    for norm in norms:
        check_choice("norm", norm, NORMS)
    X, y = two_spirals(2000, seed=seed)
    X_test, y_test = two_spirals(2000, seed=seed + 1000)
    result = SmallBatchResult(batch_sizes)
    total = len(norms) * sum(SAMPLE_BUDGET // b for b in batch_sizes)
    start = time.perf_counter()
    with progress_bar(total, "small-batch study: training", enabled=progress) as bar:
        for norm in norms:
            result.error[norm] = []
            for batch_size in batch_sizes:
                model = small_batch_net(norm, seed=seed)
                train(model, X, y, steps=SAMPLE_BUDGET // batch_size, batch_size=batch_size,
                      lr=lr, optimizer="adam", seed=seed, progress=bar)
                result.error[norm].append(100.0 * (1.0 - evaluate(model, X_test, y_test)[1]))
                if norm == "batch":
                    result.batch_stat_error.append(
                        error_with_batch_statistics(model, X_test, y_test, batch_size))
    result.seconds = time.perf_counter() - start
    return result
