"""The normalisation layers the course compares, chosen by name."""

from __future__ import annotations

from torch import nn

from .validation import check_choice, check_int

NORMS = ("none", "batch", "layer", "group", "rms")
"""Names accepted by `make_norm`: none, BatchNorm, LayerNorm, GroupNorm and RMSNorm."""

NORM_LABELS = {"none": "no norm", "batch": "BatchNorm", "layer": "LayerNorm",
               "group": "GroupNorm", "rms": "RMSNorm"}
"""How figures and widgets name each norm."""

GROUPS = 8
"""Channel groups of "group" (Wu & He 2018 use 32 for 256+ channels; our widths are 32-64)."""


def make_norm(name: str, width: int) -> nn.Module:
    """Return the normalisation layer `name` for `width` features of a (B, width) input.

    "none" -> nn.Identity; "batch" -> nn.BatchNorm1d (per feature, statistics over the batch);
    "layer" -> nn.LayerNorm (per sample, over the features); "group" -> nn.GroupNorm with
    `GROUPS` groups (per sample, over each group of features); "rms" -> nn.RMSNorm (per sample,
    divides by the root mean square, no mean subtracted).
    """
    name = check_choice("norm", name, NORMS)
    width = check_int("width", width, maximum=1_000_000)
    if name == "batch":
        return nn.BatchNorm1d(width)
    if name == "layer":
        return nn.LayerNorm(width)
    if name == "group":
        if width % GROUPS:
            raise ValueError(f"GroupNorm splits the {width} features into {GROUPS} groups: "
                             f"choose a width divisible by {GROUPS}")
        return nn.GroupNorm(GROUPS, width)
    if name == "rms":
        return nn.RMSNorm(width)
    return nn.Identity()
