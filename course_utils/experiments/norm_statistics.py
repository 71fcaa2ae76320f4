"""What each norm averages over, made measurable: the axes it reduces, how a position's output
depends on the rest of the batch and on padding, and Ba et al.'s invariance table."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..papers import INVARIANCES
from ..validation import check_choice, check_float, check_int, check_seed, check_size, check_tensor

SEQUENCE_NORMS = ("batch", "layer", "rms")
REDUCED_DIMS = {"batch": (0, 1), "layer": (2,), "rms": (2,)}
"""Dimensions of a (B, T, C) tensor each norm averages over to get one statistic."""


def normalise_sequence(x: torch.Tensor, norm: str, *, eps: float = 1e-5) -> torch.Tensor:
    """Training-mode `norm` of a (B, T, C) batch of sequences, with no learned scale or shift.

    "batch": nn.BatchNorm1d's computation, per channel over batch and time (it expects (B, C, T),
    hence the transposes); "layer": per token over the C channels; "rms": per token, x / RMS(x).
    """
    norm = check_choice("norm", norm, SEQUENCE_NORMS)
    check_tensor("x", x, ndim=3, dtype=None)
    eps = check_float("eps", eps, positive=True)
    if norm == "batch":
        if x.shape[0] * x.shape[1] < 2:
            raise ValueError("BatchNorm over batch and time needs at least 2 values per channel")
        return F.batch_norm(x.transpose(1, 2), None, None, training=True, eps=eps).transpose(1, 2)
    if norm == "layer":
        return F.layer_norm(x, x.shape[-1:], eps=eps)
    return F.rms_norm(x, x.shape[-1:], eps=eps)


@dataclass
class PaddingProbe:
    """Sample 0's normalised tokens, computed in a batch of `batch_size` padded sequences.

    Attributes:
        output: (T, C) normalised values of sample 0's T real tokens.
        change: (T,) largest |change| per token against the reference batch (8 sequences, no
            padding), which holds the same sample 0.
    """

    norm: str
    batch_size: int
    padding: int
    output: torch.Tensor
    change: torch.Tensor


REFERENCE_BATCH_SIZE = 8


def padding_probe(norm: str, batch_size: int, padding: int, *, length: int = 12,
                  channels: int = 16, seed: int = 0) -> PaddingProbe:
    """Normalise a batch of `batch_size` sequences of `length` tokens, each followed by
    `padding` zero tokens, and compare sample 0's real tokens with the reference batch."""
    norm = check_choice("norm", norm, SEQUENCE_NORMS)
    batch_size = check_int("batch_size", batch_size)
    padding = check_int("padding", padding, minimum=0)
    length = check_int("length", length)
    channels = check_int("channels", channels)
    check_size("this padding probe",
               n_bytes=8.0 * max(32, batch_size, REFERENCE_BATCH_SIZE) * (length + padding) * channels)
    gen = torch.Generator().manual_seed(check_seed(seed))
    # the same 32 sequences every time; sample 0 is always the first
    pool = 1.0 + 2.0 * torch.randn(max(32, batch_size, REFERENCE_BATCH_SIZE), length, channels,
                                   generator=gen)

    def sample_zero(n: int, pad: int) -> torch.Tensor:
        batch = torch.cat([pool[:n], torch.zeros(n, pad, channels)], dim=1)
        return normalise_sequence(batch, norm)[0, :length]

    output = sample_zero(batch_size, padding)
    change = (output - sample_zero(REFERENCE_BATCH_SIZE, 0)).abs().amax(dim=1)
    return PaddingProbe(norm, batch_size, padding, output, change)


def _normalise_units(a: torch.Tensor, norm: str) -> torch.Tensor:
    """Normalise pre-activations a (N examples, H units) as `norm` does, without gain or bias."""
    if norm == "batch":
        return (a - a.mean(0)) / a.std(0, unbiased=False)
    if norm == "layer":
        return (a - a.mean(1, keepdim=True)) / a.std(1, unbiased=False, keepdim=True)
    return a / a.pow(2).mean(1, keepdim=True).sqrt()


def invariance_table(*, n_examples: int = 16, n_in: int = 6, n_units: int = 5,
                     seed: int = 0) -> dict[str, tuple[bool, ...]]:
    """Ba et al.'s Table 1, measured: is `norm`(W x) unchanged by each perturbation?

    Pre-activations a = x W^T for a batch X (N, n_in) and weights W (H, n_in), in float64. The
    perturbations, in `papers.INVARIANCES` order: W -> dW; W -> W + 1 g^T (the same vector added
    to every row); one row of W scaled; X -> dX; X -> X + g (the same vector added to every
    example); one example scaled. Returns {norm: (unchanged?, ...)} for batch, layer and rms.
    """
    n_examples = check_int("n_examples", n_examples, minimum=2, maximum=100_000)
    n_in = check_int("n_in", n_in, maximum=10_000)
    n_units = check_int("n_units", n_units, minimum=2, maximum=10_000)
    gen = torch.Generator().manual_seed(check_seed(seed))
    X = torch.randn(n_examples, n_in, generator=gen, dtype=torch.float64)
    W = torch.randn(n_units, n_in, generator=gen, dtype=torch.float64)
    shift = torch.randn(n_in, generator=gen, dtype=torch.float64)
    row_scale = torch.ones(n_units, 1, dtype=torch.float64)
    row_scale[0] = 3.0
    example_scale = torch.ones(n_examples, 1, dtype=torch.float64)
    example_scale[0] = 3.0
    perturbed = {
        "weight-matrix re-scale": (X, 2.5 * W),
        "weight-matrix re-centre": (X, W + shift),            # shift added to every row
        "weight-vector re-scale": (X, row_scale * W),
        "dataset re-scale": (2.5 * X, W),
        "dataset re-centre": (X + shift, W),                  # shift added to every example
        "single-example re-scale": (example_scale * X, W),
    }
    table = {}
    for norm in SEQUENCE_NORMS:
        before = _normalise_units(X @ W.T, norm)
        table[norm] = tuple(
            bool(torch.allclose(_normalise_units(Xp @ Wp.T, norm), before, atol=1e-9))
            for Xp, Wp in (perturbed[name] for name in INVARIANCES))
    return table
