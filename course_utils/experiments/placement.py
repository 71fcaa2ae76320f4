"""Where the LayerNorm sits, measured: gradients at initialisation (Xiong et al. 2020), the
output change after one update (Liu, Liu, Gao, Chen & Han 2020, "Admin"; Wang et al. 2022) and warm-up."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..batched import BatchedTransformer
from ..data import reverse_task
from ..progress_bars import progress_bar
from ..training import Runs, train_batched
from ..transformer import PLACEMENTS, TinyTransformer
from ..validation import (check_bool, check_choice, check_choices, check_float, check_int,
                          check_ints, check_seed)
from .seeds import median, seed_range, seeded, stacked
from ..run_log import note_run

# Xiong et al.'s theory setting, shrunk: d = 64, 4 heads, FFN 256, random tokens (V = 64, T = 16)
PROBE = dict(vocab=64, seq_len=16, d_model=64, n_heads=4, d_ff=256)
PROBE_BATCH, PROBE_BATCHES = 16, 4


def probe_model(placement: str, n_layers: int, *, uniform_attention: bool = True,
                seed: int = 0) -> TinyTransformer:
    """The probe transformer at initialisation; with `uniform_attention`, W^Q = W^K = 0 (the
    setting of Xiong et al.'s theory)."""
    placement = check_choice("placement", placement, PLACEMENTS)
    n_layers = check_int("n_layers", n_layers)
    model = seeded(lambda: TinyTransformer(n_layers=n_layers, placement=placement, **PROBE),
                   check_seed(seed))
    return model.zero_queries_and_keys() if uniform_attention else model


def _probe_batches(seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    gen = torch.Generator().manual_seed(seed + 10_000)
    shape = (PROBE_BATCH, PROBE["seq_len"])
    return [(torch.randint(0, PROBE["vocab"], shape, generator=gen),
             torch.randint(0, PROBE["vocab"], shape, generator=gen)) for _ in range(PROBE_BATCHES)]


def _loss(model: TinyTransformer, tokens: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    logits = model(tokens)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def ffn_gradient_profile(placement: str, n_layers: int, *, seed: int = 0) -> list[float]:
    """||E[dL/dW2]||_F of each layer's second FFN weight, input -> output: the gradient averaged
    over PROBE_BATCHES random mini-batches, then its Frobenius norm (Xiong et al., Fig. 3)."""
    model = probe_model(placement, n_layers, seed=seed)
    for tokens, targets in _probe_batches(seed):
        _loss(model, tokens, targets).backward()        # gradients add up over the batches
    return [(block.feed_forward.fc2.weight.grad / PROBE_BATCHES).norm().item()
            for block in model.blocks]


@dataclass
class GradientsByDepth:
    """Last layer's ||E[dL/dW2]|| for each placement and depth."""

    depths: tuple[int, ...]
    last_layer: dict[str, list[float]]


def gradients_by_depth(depths: tuple[int, ...] = (2, 4, 8, 16),
                       placements: tuple[str, ...] = ("post", "pre"), *,
                       seed: int = 0) -> GradientsByDepth:
    """`ffn_gradient_profile`'s last entry for each depth and placement."""
    depths = check_ints("depths", depths)
    placements = check_choices("placements", placements, PLACEMENTS)
    return GradientsByDepth(depths, {
        p: [ffn_gradient_profile(p, depth, seed=seed)[-1] for depth in depths] for p in placements})


def output_change(placement: str, n_layers: int, *, lr: float = 1e-4, warmup_steps: int = 0,
                  seed: int = 0) -> float:
    """||f(x; W*) - f(x; W)|| / ||f(x; W)|| after ONE Adam step on the probe model, on held-out
    random tokens (the amplification of Liu, Liu, Gao, Chen & Han 2020, "Admin"). Adam's first step moves every parameter by
    about its learning rate, which is lr / warmup_steps under a linear warm-up."""
    lr = check_float("lr", lr, minimum=0.0)
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    model = probe_model(placement, n_layers, uniform_attention=False, seed=seed)
    (tokens, targets), (held_out, _) = _probe_batches(seed)[:2]
    with torch.no_grad():
        before = model(held_out)
    first_lr = lr / warmup_steps if warmup_steps else lr
    optimiser = torch.optim.Adam(model.parameters(), lr=first_lr, betas=(0.9, 0.98))
    _loss(model, tokens, targets).backward()
    optimiser.step()
    with torch.no_grad():
        after = model(held_out)
    return ((after - before).norm() / before.norm()).item()


@dataclass
class OutputChangeByDepth:
    """`output_change` by placement, seed and depth.

    Attributes:
        change: {placement: (n_seeds, n_depths) tensor}, row i for seeds[i].
    """

    depths: tuple[int, ...]
    seeds: tuple[int, ...]
    change: dict[str, torch.Tensor]

    def median(self, placement: str) -> list[float]:
        """The median over seeds, one value per depth."""
        placement = check_choice("placement", placement, tuple(self.change))
        return self.change[placement].median(dim=0).values.tolist()


def output_change_by_depth(depths: tuple[int, ...] = (1, 2, 4, 8, 16),
                           placements: tuple[str, ...] = PLACEMENTS, *, lr: float = 1e-4,
                           seed: int = 0, n_seeds: int = 3) -> OutputChangeByDepth:
    """`output_change` for each depth and placement, on seeds seed, seed + 1, ..."""
    note_run("output_change_by_depth")
    depths = check_ints("depths", depths)
    placements = check_choices("placements", placements, PLACEMENTS)
    seeds = seed_range(seed, n_seeds)
    return OutputChangeByDepth(depths, seeds, {
        p: torch.tensor([[output_change(p, depth, lr=lr, seed=s) for depth in depths]
                         for s in seeds]) for p in placements})


WARMUP = dict(n_layers=6, d_model=32, n_heads=2, d_ff=64, lr=1e-2, steps=200, warmup_steps=100,
              batch_size=24)
"""The warm-up miniature: 6 layers, width 32, 2 heads, Adam at lr 1e-2 for 200 steps of 24 sequences,
warm-up over 100 (with 16 sequences a step, post-norm WITH warm-up failed on half the seeds)."""

WARMUP_RUNS = (("post", 0, True), ("post", WARMUP["warmup_steps"], True),
               ("post", WARMUP["warmup_steps"], False), ("pre", 0, True))
"""(placement, warm-up steps, skip) of the study's runs: post-norm without and with warm-up, the
same with warm-up but every `x +` dropped (the first pitfall), and pre-norm without warm-up."""


@dataclass
class WarmupResult:
    """Training runs of the reversal task, one per seed, keyed (placement, warm-up steps, skip)."""

    seeds: tuple[int, ...]
    runs: dict[tuple[str, int, bool], Runs]

    def final_loss(self, placement: str, warmup: bool, *, skip: bool = True) -> list[float]:
        """Each seed's training loss at the end (mean of its last 25 steps)."""
        placement = check_choice("placement", placement, PLACEMENTS)
        key = (placement, WARMUP["warmup_steps"] if check_bool("warmup", warmup) else 0,
               check_bool("skip", skip))
        if key not in self.runs:
            raise ValueError(f"the study has no run {key}; its runs are {sorted(self.runs)}")
        return self.runs[key].final_loss(25)

    def median_final_loss(self, placement: str, warmup: bool, *, skip: bool = True) -> float:
        return median(self.final_loss(placement, warmup, skip=skip))


def reverser(placement: str, *, skip: bool = True, seed: int = 0) -> TinyTransformer:
    """The WARMUP TinyTransformer with `placement`, as seed `seed` initialises it; skip=False
    drops every `x +`."""
    placement = check_choice("placement", placement, PLACEMENTS)
    skip = check_bool("skip", skip)
    return seeded(lambda: TinyTransformer(n_layers=WARMUP["n_layers"], d_model=WARMUP["d_model"],
                                          n_heads=WARMUP["n_heads"], d_ff=WARMUP["d_ff"],
                                          placement=placement, skip=skip), seed)


def warmup_study(*, seed: int = 0, n_seeds: int = 3, progress: bool = True) -> WarmupResult:
    """Train the WARMUP transformer to reverse sequences of 12 tokens (16 symbols), for every run
    of WARMUP_RUNS on seeds seed, seed + 1, ...: the runs of one placement as one batched
    computation. For one seed, every run of a placement starts from the same weights and sees
    the same mini-batches."""
    seeds = seed_range(seed, n_seeds)
    data = stacked([reverse_task(4096, seed=s) for s in seeds])
    progress = check_bool("progress", progress)
    runs = {}
    with progress_bar(len({p for p, _, _ in WARMUP_RUNS}) * WARMUP["steps"],
                      "warm-up study: training", enabled=progress) as bar:
        for placement in dict.fromkeys(p for p, _, _ in WARMUP_RUNS):
            keys = [key for key in WARMUP_RUNS if key[0] == placement]
            model = BatchedTransformer([reverser(placement, skip=skip, seed=s)
                                        for _, _, skip in keys for s in seeds])
            X, y = (t.repeat(len(keys), 1, 1) for t in data)
            trained = train_batched(
                model, X, y, seeds=seeds * len(keys), steps=WARMUP["steps"],
                batch_size=WARMUP["batch_size"], lr=WARMUP["lr"], optimizer="adam",
                warmup_steps=[w for _, w, _ in keys for _ in seeds], weight_decay=0.0,
                progress=bar)
            n = len(seeds)
            runs.update({key: trained.select(range(i * n, (i + 1) * n)) for i, key in enumerate(keys)})
    return WarmupResult(seeds, runs)
