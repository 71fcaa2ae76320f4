"""Where the LayerNorm sits, measured: gradients at initialisation (Xiong et al. 2020), the
output change after one update (Liu et al. 2020; Wang et al. 2022) and warm-up."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..data import reverse_task
from ..progress import progress_bar
from ..training import History, train
from ..transformer import PLACEMENTS, TinyTransformer
from ..validation import check_choice, check_float, check_int

# Xiong et al.'s theory setting, shrunk: d = 64, 4 heads, FFN 256, random tokens (V = 64, T = 16)
PROBE = dict(vocab=64, seq_len=16, d_model=64, n_heads=4, d_ff=256)
PROBE_BATCH, PROBE_BATCHES = 16, 4


def probe_model(placement: str, n_layers: int, *, uniform_attention: bool = True,
                seed: int = 0) -> TinyTransformer:
    """The probe transformer at initialisation; with `uniform_attention`, W^Q = W^K = 0 (the
    setting of Xiong et al.'s theory)."""
    check_choice("placement", placement, PLACEMENTS)
    n_layers = check_int("n_layers", n_layers)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = TinyTransformer(n_layers=n_layers, placement=placement, **PROBE)
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
    return GradientsByDepth(tuple(depths), {
        p: [ffn_gradient_profile(p, depth, seed=seed)[-1] for depth in depths] for p in placements})


def output_change(placement: str, n_layers: int, *, lr: float = 1e-4, warmup_steps: int = 0,
                  seed: int = 0) -> float:
    """||f(x; W*) - f(x; W)|| / ||f(x; W)|| after ONE Adam step on the probe model, on held-out
    random tokens (Liu et al. 2020's amplification). Adam's first step moves every parameter by
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
    depths: tuple[int, ...]
    change: dict[str, list[float]]


def output_change_by_depth(depths: tuple[int, ...] = (1, 2, 4, 8, 16),
                           placements: tuple[str, ...] = PLACEMENTS, *, lr: float = 1e-4,
                           seed: int = 0) -> OutputChangeByDepth:
    """`output_change` for each depth and placement."""
    return OutputChangeByDepth(tuple(depths), {
        p: [output_change(p, depth, lr=lr, seed=seed) for depth in depths] for p in placements})


WARMUP = dict(n_layers=6, d_model=32, n_heads=4, d_ff=64, lr=1e-2, steps=200, warmup_steps=100,
              batch_size=32)
"""The warm-up miniature: 6 layers, width 32, Adam at lr 1e-2 for 200 steps, warm-up over 100."""


@dataclass
class WarmupResult:
    """Training histories keyed (placement, warm-up steps)."""

    histories: dict[tuple[str, int], History]

    def final_loss(self, placement: str, warmup: bool) -> float:
        return self.histories[(placement, WARMUP["warmup_steps"] if warmup else 0)].final_loss(25)


def train_reverser(placement: str, *, warmup: bool, skip: bool = True, seed: int = 0,
                   progress=None) -> History:
    """Train the WARMUP TinyTransformer with `placement` to reverse sequences of 12 tokens (16
    symbols), with or without the linear warm-up; skip=False drops every `x +`."""
    check_choice("placement", placement, PLACEMENTS)
    X, y = reverse_task(4096, seed=seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = TinyTransformer(n_layers=WARMUP["n_layers"], d_model=WARMUP["d_model"],
                                n_heads=WARMUP["n_heads"], d_ff=WARMUP["d_ff"],
                                placement=placement, skip=skip)
    return train(model, X, y, steps=WARMUP["steps"], batch_size=WARMUP["batch_size"],
                 lr=WARMUP["lr"], optimizer="adam",
                 warmup_steps=WARMUP["warmup_steps"] if warmup else 0, weight_decay=0.0,
                 seed=seed, progress=progress)


def warmup_study(*, placements: tuple[str, ...] = ("post", "pre"), seed: int = 0,
                 progress: bool = True) -> WarmupResult:
    """`train_reverser` for each placement, with and without warm-up (same initial weights for
    the same placement)."""
    runs = [(p, w) for p in placements for w in (0, WARMUP["warmup_steps"])]
    histories = {}
    with progress_bar(len(runs) * WARMUP["steps"], "warm-up study: training",
                      enabled=progress) as bar:
        for placement, warmup in runs:
            histories[(placement, warmup)] = train_reverser(placement, warmup=bool(warmup),
                                                            seed=seed, progress=bar)
    return WarmupResult(histories)
