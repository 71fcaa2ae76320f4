"""The experiments opened: for each batched multi-seed experiment, one model trained on one seed,
written out as a student would write it (data, model, optimiser, mini-batches, the loop).

Each `*_run(..., seed=s)` computes what seed s's row of its experiment's batched computation
computes: the same data, initial weights, mini-batches and updates (tests/test_readable.py pins
their losses to 1e-5); the batched experiments only run many seeds and variants at once.
`show_code(run)` displays a run's code in a notebook.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from .blocks import mlp_stack
from .data import reverse_task, two_spirals
from .experiments.char_models import CHAR_MODEL, TRAINING, VARIANTS, evaluation_windows
from .experiments.deep_stacks import NO_NORM_VARIANTS
from .experiments.lesion import block_deleted
from .experiments.placement import PROBE, _probe_batches
from .experiments.small_batch import SAMPLE_BUDGET
from .text import CharCorpus, char_corpus
from .transformer import PLACEMENTS, TinyTransformer
from .validation import check_bool, check_choice, check_float, check_int, check_seed

__all__ = ["char_model_run", "deep_without_norm_run", "degradation_run", "lesion_run",
           "output_change_run", "preactivation_run", "shortcut_scaling_run", "show_code",
           "small_batch_run", "warmup_run"]

MAX_STEPS = 10_000      # the course's runs take at most 3,000 steps


def _even_depth(name: str, value: Any) -> int:
    value = check_int(name, value, minimum=4)
    if value % 2:
        raise ValueError(f"{name} counts 2 layers per block plus the stem and the head, so it "
                         f"must be even, got {value}")
    return value


def _corpus(name: str, value: Any) -> CharCorpus:
    if value is None:
        return char_corpus()
    if not isinstance(value, CharCorpus):
        raise TypeError(f"{name} must be a CharCorpus (course_utils.char_corpus()) or None, got "
                        f"{type(value).__name__}")
    return value


CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "n_layers": _even_depth,
    "n_blocks": check_int,
    "width": check_int,
    "steps": lambda name, v: check_int(name, v, maximum=MAX_STEPS),
    "batch_size": lambda name, v: check_int(name, v, minimum=2, maximum=SAMPLE_BUDGET),
    "lr": lambda name, v: check_float(name, v, minimum=0.0, maximum=1.0),
    "shortcut_gain": lambda name, v: check_float(name, v, minimum=0.0),
    "warmup_steps": lambda name, v: check_int(name, v, minimum=0, maximum=MAX_STEPS),
    "seed": lambda name, v: check_seed(v, name),
    "residual": check_bool, "skip": check_bool, "preactivation": check_bool,
    "placement": lambda name, v: check_choice(name, v, PLACEMENTS),
    "corpus": _corpus,
}
"""How each argument of the runs is checked, by name, before the run starts."""


def _one_of(choices: tuple) -> Callable[[str, Any], Any]:
    return lambda name, value: check_choice(name, value, choices)


def _reference_run(**checks: Callable[[str, Any], Any]) -> Callable:
    """Decorate a run: check its arguments (by CHECKS, or by `checks` for the names given), and
    leave torch's global random state as it was, as the batched experiments do."""

    def decorate(run: Callable) -> Callable:
        signature = inspect.signature(run)

        @functools.wraps(run)
        def checked(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, value in bound.arguments.items():
                check = checks.get(name) or CHECKS[name]
                bound.arguments[name] = check(name, value)
            with torch.random.fork_rng(devices=[]):
                return run(*bound.args, **bound.kwargs)

        return checked

    return decorate


@_reference_run()
def degradation_run(n_layers: int = 56, *, residual: bool = True, steps: int = 300,
                    width: int = 32, lr: float = 0.02, batch_size: int = 64,
                    seed: int = 0) -> list[float]:
    """One net of `cu.degradation`: a plain or residual `mlp_stack` of n_layers weight layers
    (BatchNorm, PyTorch's default init) trained on this seed's two spirals; returns the loss of
    every step. `cu.degradation` trains this for every depth, plain and residual, and every seed
    at once: this run is seed `seed`'s row of its runs[f"residual-{n_layers}"] (or "plain-").
    """
    X, y = two_spirals(2000, seed=seed)                          # X (2000, 2), y (2000,)
    torch.manual_seed(seed)                                       # this seed's initial weights
    model = mlp_stack((n_layers - 2) // 2, residual=residual, width=width)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    batches = torch.Generator().manual_seed(seed)                 # this seed's mini-batches
    losses = []
    for step in range(steps):
        idx = torch.randint(0, len(X), (batch_size,), generator=batches)
        loss = F.cross_entropy(model(X[idx]), y[idx])            # forward pass
        optimiser.zero_grad()
        loss.backward()                                           # backward pass
        optimiser.step()                                          # update
        losses.append(loss.item())
    return losses


@_reference_run(variant=_one_of(tuple(NO_NORM_VARIANTS)))
def deep_without_norm_run(n_layers: int = 110, *, variant: str = "residual", steps: int = 200,
                          width: int = 32, lr: float = 0.02, batch_size: int = 64,
                          seed: int = 0) -> list[float]:
    """One net of `cu.deep_without_norm`: an `mlp_stack` WITHOUT normalisation, `variant` one of
    "plain" and "residual" (He init), "zero" and "fixup" (residual, each branch's last layer
    zero; Fixup also scales its first by n_blocks^(-1/2)); returns the loss of every step, inf
    from a step whose loss overflowed. `cu.deep_without_norm` trains every variant and seed at
    once: this run is seed `seed`'s row of its runs[variant].
    """
    X, y = two_spirals(2000, seed=seed)
    n_blocks = (n_layers - 2) // 2
    torch.manual_seed(seed)
    model = mlp_stack(n_blocks, residual=variant != "plain", norm="none", width=width, init="he")
    if variant in ("zero", "fixup"):              # every branch starts at 0: each block is x
        for block in model.blocks:
            first, last = block[0].branch[0], block[0].branch[3]     # the branch's two Linears
            with torch.no_grad():
                last.weight.zero_()
                last.bias.zero_()
                if variant == "fixup":            # Fixup also scales the first layer down
                    first.weight.mul_(n_blocks ** -0.5)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    batches = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(steps):
        idx = torch.randint(0, len(X), (batch_size,), generator=batches)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        if not torch.isfinite(loss):                              # diverged: stop here
            return losses + [math.inf] * (steps - step)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    return losses


@_reference_run()
def shortcut_scaling_run(shortcut_gain: float = 0.5, *, n_blocks: int = 24, steps: int = 250,
                         lr: float = 0.02, seed: int = 0) -> list[float]:
    """One net of `cu.shortcut_scaling`: an `mlp_stack` of blocks ReLU(lambda x + F(x)), lambda =
    shortcut_gain (0: no shortcut, a plain net), on two spirals of 2 turns; returns the loss of
    every step. `cu.shortcut_scaling` trains every gain and seed at once: this run is seed
    `seed`'s row of its runs[shortcut_gain].
    """
    X, y = two_spirals(2000, turns=2.0, seed=seed)
    torch.manual_seed(seed)
    model = mlp_stack(n_blocks, residual=shortcut_gain > 0, shortcut_gain=shortcut_gain)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    batches = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(steps):
        idx = torch.randint(0, len(X), (64,), generator=batches)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    return losses


@_reference_run()
def preactivation_run(n_layers: int = 50, *, preactivation: bool = True, steps: int = 100,
                      width: int = 32, lr: float = 0.02, batch_size: int = 64,
                      seed: int = 0) -> list[float]:
    """One net of `cu.preactivation_study`: a residual `mlp_stack` of original blocks
    ReLU(x + F(x)) or, with `preactivation`, full pre-activation blocks x + F(x); returns the
    loss of every step. `cu.preactivation_study` trains each kind on every seed at once (and
    probes the nets at initialisation first): this run is seed `seed`'s row of its runs[kind].
    """
    X, y = two_spirals(2000, seed=seed)
    torch.manual_seed(seed)
    model = mlp_stack((n_layers - 2) // 2, width=width, preactivation=preactivation)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    batches = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(steps):
        idx = torch.randint(0, len(X), (batch_size,), generator=batches)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    return losses


@_reference_run()
def lesion_run(n_blocks: int = 10, *, residual: bool = True, steps: int = 300, lr: float = 0.02,
               seed: int = 0) -> tuple[list[float], list[float]]:
    """One net of `cu.lesion_study`: a residual or plain `mlp_stack` trained on two spirals, then
    measured on 1000 fresh points intact and with each block deleted in turn (y = x in its
    place). Returns (the loss of every step, [accuracy intact, accuracy without block 0,
    without block 1, ...]). `cu.lesion_study` trains both kinds on every seed at once.
    """
    X, y = two_spirals(2000, seed=seed)
    torch.manual_seed(seed)
    model = mlp_stack(n_blocks, residual=residual)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    batches = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(steps):
        idx = torch.randint(0, len(X), (64,), generator=batches)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    X_test, y_test = two_spirals(1000, seed=seed + 1000)         # points it never saw
    model.eval()                                                  # BatchNorm: running statistics
    with torch.no_grad():
        accuracy = [(model(X_test).argmax(-1) == y_test).float().mean().item()]
        for block in range(n_blocks):
            with block_deleted(model, block):
                accuracy.append((model(X_test).argmax(-1) == y_test).float().mean().item())
    return losses, accuracy


@_reference_run(norm=_one_of(("batch", "group", "layer")))
def small_batch_run(batch_size: int = 8, *, norm: str = "batch", lr: float = 3e-3,
                    seed: int = 0) -> tuple[list[float], float]:
    """One net of `cu.small_batch_study`: a residual `mlp_stack` of 2 blocks, width 64, with
    BatchNorm, GroupNorm or LayerNorm, trained with Adam at `batch_size` on SAMPLE_BUDGET
    samples. Returns (the loss of every step, test error in % on 2000 fresh points, in eval
    mode). `cu.small_batch_study` trains every norm and seed of a batch size at once (and also
    measures BN with test-batch statistics).
    """
    X, y = two_spirals(2000, seed=seed)
    torch.manual_seed(seed)
    model = mlp_stack(2, width=64, norm=norm)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=1e-4)
    batches = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(SAMPLE_BUDGET // batch_size):               # the same samples seen
        idx = torch.randint(0, len(X), (batch_size,), generator=batches)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    X_test, y_test = two_spirals(2000, seed=seed + 1000)
    model.eval()                                                  # BatchNorm: running statistics
    with torch.no_grad():
        error = 100 * (model(X_test).argmax(-1) != y_test).float().mean().item()
    return losses, error


@_reference_run()
def warmup_run(placement: str = "post", *, warmup_steps: int = 100, skip: bool = True,
               steps: int = 200, seed: int = 0) -> list[float]:
    """One transformer of `cu.warmup_study`: the WARMUP TinyTransformer (post-norm, pre-norm or
    DeepNorm; skip=False drops every `x +`) learning to reverse sequences, with Adam and a
    learning rate rising linearly over `warmup_steps` (0: none); returns the loss of every step.
    `cu.warmup_study` trains its four runs (WARMUP_RUNS) on every seed at once, for 200 steps.
    """
    X, y = reverse_task(4096, seed=seed)                          # X, y (4096, 12) token ids
    torch.manual_seed(seed)
    model = TinyTransformer(n_layers=6, d_model=32, n_heads=2, d_ff=64, placement=placement,
                            skip=skip)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.9, 0.98))
    warmup = torch.optim.lr_scheduler.LambdaLR(          # lr x (step + 1) / warmup_steps, then lr
        optimiser, lambda step: min(1.0, (step + 1) / max(warmup_steps, 1)))
    batches = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(steps):
        idx = torch.randint(0, len(X), (24,), generator=batches)
        logits = model(X[idx])                                    # (24, 12, 16)
        loss = F.cross_entropy(logits.flatten(0, 1), y[idx].flatten())
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        warmup.step()
        losses.append(loss.item())
    return losses


@_reference_run(n_layers=lambda name, value: check_int(name, value, maximum=64))
def output_change_run(placement: str = "pre", n_layers: int = 8, *, lr: float = 1e-4,
                      seed: int = 0) -> tuple[list[float], float]:
    """One entry of `cu.output_change_by_depth`: the probe transformer (Xavier init) takes ONE
    Adam step on random tokens; returns ([its loss], ||f(x; W*) - f(x; W)|| / ||f(x; W)||, the
    relative change of its output on held-out random tokens). `cu.output_change_by_depth` runs
    this for every placement, depth and seed (one model at a time: it is not batched).
    """
    (tokens, targets), (held_out, _) = _probe_batches(seed)[:2]   # (16, 16) token ids each
    torch.manual_seed(seed)
    model = TinyTransformer(n_layers=n_layers, placement=placement, **PROBE)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98))
    with torch.no_grad():
        before = model(held_out)
    loss = F.cross_entropy(model(tokens).flatten(0, 1), targets.flatten())
    loss.backward()
    optimiser.step()                                              # the one update
    with torch.no_grad():
        after = model(held_out)
    return [loss.item()], ((after - before).norm() / before.norm()).item()


@_reference_run(variant=_one_of(tuple(VARIANTS)))
def char_model_run(variant: str = "pre-norm", *, corpus: CharCorpus | None = None,
                   steps: int = 360, lr: float = 3e-3, seed: int = 0) -> tuple[list[float], float]:
    """One model of `cu.train_char_models`: the 12-layer causal CHAR_MODEL wired as `variant` (a
    key of VARIANTS) learning to predict the next character of `corpus` (the standard library's
    documentation by default). Returns (the loss of every step, in nats per character, and
    validation bits per character at the end). `cu.train_char_models` trains every variant and
    seed at once, and measures curves, gradients and the stream along the way.
    """
    T = CHAR_MODEL["seq_len"]
    X, Y = corpus.train[:-1].unfold(0, T, 1), corpus.train[1:].unfold(0, T, 1)   # every window
    placement, skip, warmup_steps = VARIANTS[variant]
    torch.manual_seed(seed)
    model = TinyTransformer(vocab=corpus.vocab_size, placement=placement, skip=skip, causal=True,
                            **CHAR_MODEL)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98))
    warmup = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / max(warmup_steps, 1)))
    batches = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(steps):
        idx = torch.randint(0, len(X), (TRAINING["batch_size"],), generator=batches)
        loss = F.cross_entropy(model(X[idx]).flatten(0, 1), Y[idx].flatten())
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        warmup.step()
        losses.append(loss.item())
    inputs, targets = evaluation_windows(corpus)                  # (512, 16) each
    with torch.no_grad():
        nats = F.cross_entropy(model(inputs).flatten(0, 1), targets.flatten())
    return losses, nats.item() / math.log(2)


RUNS = (degradation_run, deep_without_norm_run, shortcut_scaling_run, preactivation_run,
        lesion_run, small_batch_run, warmup_run, output_change_run, char_model_run)


@dataclass(frozen=True)
class Code:
    """A function's source: a highlighted python block in a notebook, plain text elsewhere."""

    name: str
    code: str

    def __str__(self) -> str:
        return self.code

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}\n```"


def show_code(function: Callable) -> Code:
    """The code of a run of course_utils.readable (such as `cu.degradation_run`), to display in a
    notebook: from its `def` to its last line, without the argument checking around it."""
    if not (inspect.isfunction(function) and function.__module__ == __name__
            and function.__name__ in __all__):
        raise TypeError(f"show_code shows the runs of course_utils.readable (such as "
                        f"cu.degradation_run), got {function!r}")
    lines = inspect.getsource(inspect.unwrap(function)).splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("def "))
    return Code(function.__name__, "\n".join(lines[start:]))
