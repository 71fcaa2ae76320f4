"""Seeded training loops for classifiers, returning plain data: `train` for one model, and
`train_batched` for n models trained as one computation (their batched twin from
course_utils.batched), each on its own data and its own stream of mini-batches."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import nn

from .batched import BatchedOptimizer
from .validation import (check_callable, check_choice, check_float, check_int, check_labels, check_module,
                         check_seed, check_size, check_tensor)

OPTIMIZERS = ("sgd", "adam")
MAX_BATCH = 100_000     # samples per step; the course uses 2 to 64


class Progress(Protocol):
    """Anything with tqdm's `update(n)`: the training loop reports each step to it."""

    def update(self, n: int = 1) -> object: ...


@dataclass
class History:
    """What one training run did, step by step.

    Attributes:
        loss: training loss of the mini-batch at each step.
        accuracy: fraction of the mini-batch classified correctly at each step.
        seconds: wall-clock time of the run.
        diverged: True if the loss became NaN or infinite (the run stopped there).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0
    diverged: bool = False

    def final_loss(self, window: int = 50) -> float:
        """Mean training loss over the last `window` steps (inf if the run diverged)."""
        if self.diverged:
            return math.inf
        tail = self.loss[-window:]
        return sum(tail) / len(tail) if tail else math.nan

    def final_accuracy(self, window: int = 50) -> float:
        """Mean mini-batch accuracy over the last `window` steps."""
        tail = self.accuracy[-window:]
        return sum(tail) / len(tail) if tail else math.nan


@dataclass
class Runs:
    """Training curves of n models trained together, row m for model m (e.g. one seed each).

    Attributes:
        loss: (n, steps) mini-batch loss; inf from the step a model diverged on.
        accuracy: (n, steps) mini-batch accuracy.
        seconds: wall-clock time of the whole batched run.
    """

    loss: torch.Tensor
    accuracy: torch.Tensor
    seconds: float = 0.0

    @property
    def diverged(self) -> torch.Tensor:
        """(n,) True for each model whose loss became NaN or infinite."""
        return ~torch.isfinite(self.loss).all(dim=1)

    def final_loss(self, window: int = 50) -> list[float]:
        """Each model's mean loss over the last `window` steps (inf if it diverged)."""
        return self.loss[:, -window:].mean(dim=1).tolist()

    def final_accuracy(self, window: int = 50) -> list[float]:
        """Each model's mean mini-batch accuracy over the last `window` steps."""
        return self.accuracy[:, -window:].mean(dim=1).tolist()

    def select(self, rows: Sequence[int]) -> Runs:
        """The runs of the models `rows`, in that order."""
        rows = list(rows)
        return Runs(self.loss[rows], self.accuracy[rows], self.seconds)

    def history(self, m: int) -> History:
        """Model m's run as a History."""
        return History(self.loss[m].tolist(), self.accuracy[m].tolist(), self.seconds,
                       bool(self.diverged[m]))


def _check_data(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *,
                batched: bool = False) -> None:
    """Inputs: floats in the model's dtype (or integer token ids); labels: integer classes, one
    row (of each model's data set, if batched) per input row."""
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__} (use "
                        "course_utils.two_spirals to make some)")
    if X.is_floating_point():
        check_tensor("X", X, like=model)
    elif X.dtype not in (torch.long, torch.int):
        raise TypeError(f"X must hold floats (or integer token ids), got {X.dtype}")
    elif X.numel() == 0:
        raise ValueError("X is empty: give it some samples")
    rows = 1 if batched else 0
    if X.ndim <= rows:
        raise ValueError(f"X must have a dimension of samples, got shape {tuple(X.shape)}")
    check_labels("y", y)
    if y.ndim <= rows or X.shape[:rows + 1] != y.shape[:rows + 1]:
        raise ValueError(f"X and y hold different numbers of samples: shapes {tuple(X.shape)} "
                         f"and {tuple(y.shape)}")


def _guard_duration(step: Callable[[], object], steps: int, what: str) -> None:
    """For a long run, time one forward and backward pass first and refuse a run that would take
    longer than the course allows, before starting it."""
    if steps <= 10_000:                     # the course's runs: at most 3,000 steps
        return
    start = time.perf_counter()
    step()
    check_size(f"{what} of {steps:,} steps", seconds=1.3 * steps * (time.perf_counter() - start))


def _loss_and_accuracy(logits: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
    logits = logits.reshape(-1, logits.shape[-1])      # (N, classes), also for (B, T, classes)
    y = y.reshape(-1)
    loss = F.cross_entropy(logits, y)
    accuracy = (logits.argmax(-1) == y).float().mean().item()
    return loss, accuracy


def _warmup_factor(step: int, warmup_steps: int) -> float:
    """The linear warm-up: lr * (step + 1) / warmup_steps for the first warmup_steps steps."""
    return min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0


def train(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, steps: int,
          batch_size: int = 64, lr: float = 0.05, optimizer: str = "sgd",
          momentum: float = 0.9, weight_decay: float = 1e-4, warmup_steps: int = 0,
          seed: int = 0, progress: Progress | None = None) -> History:
    """Train `model` on (X, y) with cross-entropy and return its History.

    Mini-batches are drawn with replacement from a generator seeded by `seed`, so the same model
    initialisation and seed give the same history. The learning rate rises linearly from
    lr / warmup_steps to lr over the first `warmup_steps` steps, then stays at lr. The model
    trains where its parameters are (the course keeps everything on the CPU).

    Args:
        model: maps a (B, ...) batch of X to logits (B, classes) or (B, T, classes).
        X: inputs, (N, ...); y: integer labels, (N,) or (N, T).
        steps: optimisation steps; batch_size: samples per step.
        optimizer: "sgd" (with momentum) or "adam" (betas 0.9, 0.98 as in Xiong et al. 2020).
        progress: an object with tqdm's update(n), advanced once per step.
    """
    model = check_module("model", model)
    _check_data(model, X, y)
    steps = check_int("steps", steps)
    batch_size = check_int("batch_size", batch_size, maximum=MAX_BATCH)
    lr = check_float("lr", lr, minimum=0.0)
    momentum = check_float("momentum", momentum, minimum=0.0, maximum=1.0)
    weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    seed = check_seed(seed)
    device = next(model.parameters()).device
    model.train()
    X, y = X.to(device), y.to(device)

    def trial_step() -> None:
        _loss_and_accuracy(model(X[:batch_size]), y[:batch_size])[0].backward()
        model.zero_grad(set_to_none=True)

    _guard_duration(trial_step, steps, "this training run")
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                              weight_decay=weight_decay)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98),
                               weight_decay=weight_decay)
    gen = torch.Generator().manual_seed(seed)
    history = History()
    start = time.perf_counter()
    for step in range(steps):
        for group in opt.param_groups:
            group["lr"] = lr * _warmup_factor(step, warmup_steps)
        idx = torch.randint(0, X.shape[0], (batch_size,), generator=gen).to(device)
        # forward pass
        loss, accuracy = _loss_and_accuracy(model(X[idx]), y[idx])
        if not torch.isfinite(loss):
            history.diverged = True
            history.loss.append(math.inf)
            history.accuracy.append(accuracy)
            break
        # backward pass and update
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        history.loss.append(loss.item())
        history.accuracy.append(accuracy)
        if progress is not None:
            progress.update(1)
    if progress is not None and history.diverged:
        progress.update(steps - len(history.loss) + 1)   # keep the bar's total honest
    history.seconds = time.perf_counter() - start
    return history


def train_batched(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, seeds: Sequence[int],
                  steps: int, batch_size: int = 64, lr: float = 0.05, optimizer: str = "sgd",
                  momentum: float = 0.9, weight_decay: float = 1e-4,
                  warmup_steps: int | Sequence[int] = 0,
                  progress: Progress | None = None,
                  monitor: Callable[[int, nn.Module], object] | None = None,
                  monitor_every: int = 1) -> Runs:
    """Train a batched model (course_utils.batched) of n models at once; return their Runs.

    Model m trains on its own data X[m], y[m] with mini-batches drawn by a generator seeded by
    seeds[m], exactly as `train` would draw them for that model alone, and with its own warm-up
    (warmup_steps may give one per model). A model whose loss becomes NaN or infinite is
    recorded as diverged (inf from then on); the others go on.

    Args:
        model: a BatchedMLPStack or BatchedTransformer of n models.
        X: (n, N, ...) inputs; y: (n, N) or (n, N, T) integer labels.
        monitor: called as monitor(step, model) every `monitor_every` steps and after the last,
            between the backward pass and the update, so it sees that step's gradients (for
            example to record gradient norms or a validation loss).
    """
    _check_data(model, X, y, batched=True)
    n = X.shape[0]
    seeds = [check_seed(s) for s in seeds]
    if len(seeds) != n or getattr(model, "n_models", n) != n:
        raise ValueError(f"{getattr(model, 'n_models', '?')} models, {n} data sets and "
                         f"{len(seeds)} seeds: give one of each per model")
    steps = check_int("steps", steps)
    batch_size = check_int("batch_size", batch_size, maximum=MAX_BATCH)
    lr = check_float("lr", lr, minimum=0.0)
    momentum = check_float("momentum", momentum, minimum=0.0, maximum=1.0)
    weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
    warmups = [warmup_steps] * n if isinstance(warmup_steps, int) else list(warmup_steps)
    warmups = [check_int("warmup_steps", w, minimum=0) for w in warmups]
    if len(warmups) != n:
        raise ValueError(f"warmup_steps gives {len(warmups)} values for {n} models")
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    if monitor is not None:
        check_callable("monitor", monitor, "a function monitor(step, model)")
    monitor_every = check_int("monitor_every", monitor_every)
    model.train()
    opt = BatchedOptimizer(model.parameters(), kind=optimizer, momentum=momentum,
                           weight_decay=weight_decay)
    rows = torch.arange(n).unsqueeze(1)

    def trial_step() -> None:
        logits = model(X[:, :batch_size])
        F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[:, :batch_size].reshape(-1)).backward()
        opt.zero_grad()

    _guard_duration(trial_step, steps, f"training {n} models")
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    alive = torch.ones(n, dtype=torch.bool)
    losses, accuracies = [], []
    start = time.perf_counter()
    for step in range(steps):
        idx = torch.stack([torch.randint(0, X.shape[1], (batch_size,), generator=g)
                           for g in generators])                      # (n, batch_size)
        # forward pass: every model on its own mini-batch
        logits = model(X[rows, idx])
        targets = y[rows, idx]
        per_row = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                  reduction="none")
        loss = per_row.view(n, -1).mean(dim=1)                          # (n,)
        correct = (logits.argmax(-1) == targets).float().view(n, -1).mean(dim=1)
        alive &= torch.isfinite(loss.detach())
        losses.append(torch.where(alive, loss.detach(), math.inf))
        accuracies.append(correct)
        # backward pass and update: each model's gradient is that of its own mean loss
        opt.zero_grad()
        torch.where(alive, loss, 0.0).sum().backward()
        if monitor is not None and (step % monitor_every == 0 or step == steps - 1):
            monitor(step, model)
        factors = torch.tensor([_warmup_factor(step, w) for w in warmups])
        opt.step(lr * factors * alive)
        if progress is not None:
            progress.update(1)
    return Runs(torch.stack(losses, dim=1), torch.stack(accuracies, dim=1),
                time.perf_counter() - start)


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(loss, accuracy) of `model` on all of (X, y) in eval mode (BatchNorm uses running stats)."""
    model = check_module("model", model)
    _check_data(model, X, y)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        loss, accuracy = _loss_and_accuracy(model(X.to(device)), y.to(device))
    finally:
        model.train(was_training)
    return loss.item(), accuracy


@torch.no_grad()
def evaluate_batched(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(n,) accuracy of each model of a batched model on its own (X[m], y[m]), in eval mode."""
    _check_data(model, X, y, batched=True)
    was_training = model.training
    model.eval()
    try:
        logits = model(X)
    finally:
        model.train(was_training)
    return (logits.argmax(-1) == y).float().reshape(X.shape[0], -1).mean(dim=1)
