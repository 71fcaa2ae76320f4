"""The normalisation layers the course compares, chosen by name."""

from __future__ import annotations

from torch import nn

from .validation import check_choice, check_int

NORMS = ("none", "batch", "layer")
"""Names accepted by `make_norm`: no normalisation, BatchNorm, LayerNorm."""


def make_norm(name: str, width: int) -> nn.Module:
    """Return the normalisation layer `name` for `width` features of a (B, width) input.

    "none" -> nn.Identity, "batch" -> nn.BatchNorm1d (statistics over the batch, per feature),
    "layer" -> nn.LayerNorm (statistics over the features, per sample).
    """
    check_choice("norm", name, NORMS)
    width = check_int("width", width)
    if name == "batch":
        return nn.BatchNorm1d(width)
    if name == "layer":
        return nn.LayerNorm(width)
    return nn.Identity()
