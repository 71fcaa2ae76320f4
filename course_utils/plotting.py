"""Figures from data already computed: plotting never trains.

One colour-blind-safe palette (Okabe & Ito) and one label per series, the same in every
notebook. Plotting functions take an `ax` and return it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .validation import check_choice, check_float, check_int

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency.
OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
    "grey": "#7F7F7F",
}


@dataclass(frozen=True)
class Series:
    """How one kind of model is drawn, wherever it appears."""

    label: str
    color: str
    marker: str = "o"


SERIES = {
    "plain": Series("plain", OKABE_ITO["vermillion"], "s"),
    "residual": Series("residual", OKABE_ITO["blue"], "o"),
    "post_norm": Series("post-norm", OKABE_ITO["orange"], "^"),
    "pre_norm": Series("pre-norm", OKABE_ITO["green"], "v"),
    "deepnorm": Series("DeepNorm", OKABE_ITO["purple"], "D"),
    "none": Series("no norm", OKABE_ITO["black"], "x"),
    "batch": Series("BatchNorm", OKABE_ITO["sky_blue"], "o"),
    "layer": Series("LayerNorm", OKABE_ITO["green"], "s"),
    "group": Series("GroupNorm", OKABE_ITO["orange"], "^"),
    "rms": Series("RMSNorm", OKABE_ITO["purple"], "D"),
    "paper": Series("paper", OKABE_ITO["grey"], "*"),
}
"""Keys: what a series is; values: its label, colour and marker in every figure."""


def series(key: str) -> Series:
    """The fixed style of series `key` (e.g. "plain", "residual", "pre_norm")."""
    return SERIES[check_choice("series", key, tuple(SERIES))]


def new_figure(ncols: int = 1, *, width: float = 5.0, height: float = 3.6,
               title: str | None = None) -> tuple[Figure, list[Axes]]:
    """A figure of `ncols` side-by-side axes, sized for a notebook; returns (figure, axes list)."""
    ncols = check_int("ncols", ncols, maximum=12)
    width = check_float("width", width, positive=True, maximum=30.0)
    height = check_float("height", height, positive=True, maximum=30.0)
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False,
                             layout="constrained")
    if title:
        fig.suptitle(title)
    return fig, list(axes[0])


def plot_layer_profile(ax: Axes, values: Sequence[float], *, key: str,
                       label: str | None = None, ylabel: str | None = None,
                       alpha: float = 1.0) -> Axes:
    """Plot one value per layer, input (left) -> output (right), on a log axis.

    Zeros (a gradient that underflowed to exactly 0) cannot sit on a log axis; they are drawn
    as open markers on the bottom edge, so a vanished gradient is seen rather than hidden.
    """
    style = series(key)
    layers = list(range(len(values)))
    positive = [v for v in values if v > 0]
    label = label or style.label
    ax.plot([i for i, v in zip(layers, values) if v > 0], positive, color=style.color,
            marker=style.marker, markersize=3, label=label, alpha=alpha)
    zeros = [i for i, v in zip(layers, values) if v <= 0]
    if zeros:
        floor = min(positive) / 10 if positive else 1e-45
        ax.plot(zeros, [floor] * len(zeros), linestyle="none", marker=style.marker,
                markerfacecolor="none", color=style.color, label=f"{label}: exactly 0",
                alpha=alpha)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("layer l (input → output)")
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def tidy_log_axis(ax: Axes) -> Axes:
    """Readable tick labels on a log y-axis: about five plain numbers when the axis spans under
    two decades, powers of ten only (no crowded minor labels) when it spans more."""
    low, high = ax.get_ylim()
    if high / low < 100:
        ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=5))
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    return ax


def smooth(values: Sequence[float], window: int) -> list[float]:
    """Trailing moving average over `window` values (shorter at the start)."""
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def plot_seed_curves(ax: Axes, curves: torch.Tensor, *, color: str, label: str,
                     linestyle: str = "-", marker: str = "o", window: int = 25) -> list[float]:
    """Training curves of one configuration on several seeds, (n_seeds, steps): each seed as a
    faint line, the median over seeds in full colour with markers every 50 steps. Curves are
    smoothed over `window` steps; a diverged seed (inf) is drawn up to where it diverged.
    Returns the median curve."""
    finite = torch.where(torch.isfinite(curves), curves, torch.nan)
    smoothed = [smooth(row.tolist(), window) for row in finite]
    for row in smoothed:
        ax.plot(row, color=color, linestyle=linestyle, linewidth=0.8, alpha=0.3)
    middle = finite.nanmedian(dim=0).values.tolist()
    middle = smooth(middle, window)
    ax.plot(middle, color=color, linestyle=linestyle, linewidth=2, marker=marker, markevery=50,
            markersize=5, label=f"{label} (median of {len(smoothed)} seeds)")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"training loss (mean of {window} steps)")
    ax.grid(True, alpha=0.3)
    return middle


def fit_ylim(ax: Axes, *, bottom: float = 0.0, headroom: float = 0.08) -> Axes:
    """A linear y-range from `bottom` to just above the highest finite point drawn: nothing is
    clipped, and the range follows the data."""
    values = [v for line in ax.get_lines() for v in line.get_ydata()
              if isinstance(v, (int, float)) and math.isfinite(v)]
    top = max(values, default=1.0)
    ax.set_ylim(bottom, top + headroom * (top - bottom))
    return ax


def plot_reference_line(ax: Axes, y: float, label: str) -> Axes:
    """A dashed horizontal reference line, e.g. the loss of guessing (ln 2)."""
    ax.axhline(y, color=OKABE_ITO["grey"], linestyle="--", linewidth=1)
    ax.annotate(label, (0.99, y), xycoords=("axes fraction", "data"), ha="right", va="bottom",
                color=OKABE_ITO["grey"], fontsize=9)
    return ax

