"""A seeded training loop for classifiers, returning a plain-data history."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import nn

from .runtime import pick_device
from .validation import check_choice, check_float, check_int

OPTIMIZERS = ("sgd", "adam")


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


def _check_data(X: torch.Tensor, y: torch.Tensor) -> None:
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError("X and y must be torch tensors (use course_utils.two_spirals to make some)")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y hold different numbers of samples: {X.shape[0]} vs {y.shape[0]}")
    if y.dtype != torch.long:
        raise TypeError(f"y must hold integer class labels (torch.long), got {y.dtype}")


def _loss_and_accuracy(logits: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
    logits = logits.reshape(-1, logits.shape[-1])      # (N, classes), also for (B, T, classes)
    y = y.reshape(-1)
    loss = F.cross_entropy(logits, y)
    accuracy = (logits.argmax(-1) == y).float().mean().item()
    return loss, accuracy


def train(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, steps: int,
          batch_size: int = 64, lr: float = 0.05, optimizer: str = "sgd",
          momentum: float = 0.9, weight_decay: float = 1e-4, warmup_steps: int = 0,
          seed: int = 0, device: torch.device | None = None,
          progress: Progress | None = None) -> History:
    """Train `model` on (X, y) with cross-entropy and return its History.

    Mini-batches are drawn with replacement from a generator seeded by `seed`, so the same model
    initialisation and seed give the same history. The learning rate rises linearly from
    lr / warmup_steps to lr over the first `warmup_steps` steps, then stays at lr.

    Args:
        model: maps a (B, ...) batch of X to logits (B, classes) or (B, T, classes).
        X: inputs, (N, ...); y: integer labels, (N,) or (N, T).
        steps: optimisation steps; batch_size: samples per step.
        optimizer: "sgd" (with momentum) or "adam" (betas 0.9, 0.98 as in Xiong et al. 2020).
        device: where to train; default: CUDA if present, else the CPU.
        progress: an object with tqdm's update(n), advanced once per step.
    """
    _check_data(X, y)
    steps = check_int("steps", steps)
    batch_size = check_int("batch_size", batch_size)
    lr = check_float("lr", lr, minimum=0.0)
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    device = device or pick_device()
    model.to(device).train()
    X, y = X.to(device), y.to(device)
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                              weight_decay=weight_decay)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98),
                               weight_decay=weight_decay)
    gen = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    history = History()
    start = time.perf_counter()
    for step in range(steps):
        if warmup_steps:
            for group in opt.param_groups:
                group["lr"] = lr * min(1.0, (step + 1) / warmup_steps)
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


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(loss, accuracy) of `model` on all of (X, y) in eval mode (BatchNorm uses running stats)."""
    _check_data(X, y)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        loss, accuracy = _loss_and_accuracy(model(X.to(device)), y.to(device))
    finally:
        model.train(was_training)
    return loss.item(), accuracy
