"""Synthetic data sets, generated in code from a seed: nothing is ever downloaded."""

from __future__ import annotations

import math

import torch

from .validation import check_float, check_int, check_seed, check_size


def two_spirals(n_points: int = 2000, *, turns: float = 1.5, noise: float = 0.0,
                seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved spirals in the plane, one per class, standardised to zero mean, unit std.

    Args:
        n_points: total points, an even number >= 4, split evenly between the two classes.
        turns: how many times each spiral winds around the centre; more is harder.
        noise: std of Gaussian noise added to each coordinate before standardising.
        seed: the data depend on nothing else.

    Returns:
        X of shape (n_points, 2), float32; y of shape (n_points,), int64 labels 0 and 1.
    """
    n_points = check_int("n_points", n_points, minimum=4)
    if n_points % 2:
        raise ValueError(f"n_points must be even (half per class), got {n_points}")
    turns = check_float("turns", turns, minimum=0.1)
    noise = check_float("noise", noise, minimum=0.0)
    check_size(f"{n_points:,} points", n_bytes=40.0 * n_points)
    gen = torch.Generator().manual_seed(check_seed(seed))
    n_per_class = n_points // 2
    # sqrt makes the points uniform in area rather than crowded at the centre
    angle = torch.rand(n_per_class, generator=gen).sqrt() * turns * 2 * math.pi
    radius = angle / (turns * 2 * math.pi)
    arm = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    X = torch.cat([arm, -arm])                               # the second arm: rotated by 180°
    X = X + noise * torch.randn(X.shape, generator=gen)
    y = torch.cat([torch.zeros(n_per_class), torch.ones(n_per_class)]).long()
    X = (X - X.mean(0)) / X.std(0)
    return X, y


def reverse_task(n_sequences: int = 4096, *, seq_len: int = 12, vocab: int = 16,
                 seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Random token sequences and their reversals: the target at position t is the input token
    at position seq_len - 1 - t, so every output needs attention to another position.

    Returns X, y of shape (n_sequences, seq_len), int64 token ids in 0..vocab-1.
    """
    n_sequences = check_int("n_sequences", n_sequences)
    seq_len = check_int("seq_len", seq_len, minimum=2)
    vocab = check_int("vocab", vocab, minimum=2)
    check_size(f"{n_sequences:,} sequences of {seq_len} tokens", n_bytes=16.0 * n_sequences * seq_len)
    gen = torch.Generator().manual_seed(check_seed(seed))
    X = torch.randint(0, vocab, (n_sequences, seq_len), generator=gen)
    return X, X.flip(1)
