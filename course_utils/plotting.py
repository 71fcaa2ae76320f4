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

from .alt_text import describe
from .validation import check_choice, check_float, check_int

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency.
OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
    "grey": "#7F7F7F",
}


TEXT_COLOURS = {"right": "#00694D", "wrong": "#A63C00", "muted": "#595959"}
"""For text (feedback, status lines): Okabe & Ito's green and vermillion and a grey, darkened to
a contrast of at least 4.5:1 on white (WCAG AA); a ✓, ✗ or … beside them carries the meaning too."""


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
    "zero_init": Series("residual, zero last layer", OKABE_ITO["orange"], "^"),
    "fixup": Series("residual, Fixup init", OKABE_ITO["purple"], "D"),
    "preactivation": Series("full pre-activation", OKABE_ITO["green"], "v"),
}
"""Keys: what a series is; values: its label, colour and marker in every figure."""


def series(key: str) -> Series:
    """The fixed style of series `key` (e.g. "plain", "residual", "pre_norm")."""
    return SERIES[check_choice("series", key, tuple(SERIES))]


class CourseFigure(Figure):
    """A matplotlib Figure that carries its alt text (set by `finish`): in a notebook the image
    output gets it as metadata {"image/png": {"alt": ...}} (the convention nbconvert and the
    course's site read) and as its text/plain form, which a reader without images sees."""

    alt_text: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None):
        alt = self.alt_text or describe(self)
        return {"text/plain": alt}, {"image/png": {"alt": alt}}


def figure(**kwargs) -> CourseFigure:
    """plt.figure for the course: a CourseFigure, constrained layout."""
    return plt.figure(FigureClass=CourseFigure, layout="constrained", **kwargs)


def new_figure(ncols: int = 1, *, width: float = 5.0, height: float = 3.6,
               title: str | None = None) -> tuple[Figure, list[Axes]]:
    """A figure of `ncols` side-by-side axes, sized for a notebook; returns (figure, axes list)."""
    ncols = check_int("ncols", ncols, maximum=12)
    width = check_float("width", width, positive=True, maximum=30.0)
    height = check_float("height", height, positive=True, maximum=30.0)
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False,
                             layout="constrained", FigureClass=CourseFigure)
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


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(exponent: float) -> str:
    """10^exponent written for reading: '1.7×10⁻⁴⁶', '10⁻³⁰¹' (works past a float's range)."""
    whole = math.floor(exponent + 1e-9)
    mantissa = float(f"{10 ** (exponent - whole):.2g}")
    if mantissa >= 10:
        mantissa, whole = mantissa / 10, whole + 1
    power = f"10{str(whole).translate(_SUPERSCRIPT)}"
    return power if mantissa == 1 else f"{mantissa:g}×{power}"


def power_label(value: float, plain: bool = False) -> str:
    """A positive value for reading: plain decimals if `plain`, else '2×10⁻⁴'."""
    if value <= 0:
        return "0" if value == 0 else ""
    return f"{value:g}" if plain else power_of_ten(math.log10(value))


def _log_grid(low: float, high: float) -> tuple[list[float], bool]:
    """Candidate ticks of a log axis over [low, high], and whether they are dense (1-2-5 or
    finer) rather than whole decades, every `step`-th of them over a very long range."""
    span = math.log10(high) - math.log10(low)
    dense = span <= 2.5
    mantissas = (range(1, 10) if span <= 0.6 else (1, 2, 3, 5) if span <= 1.2
                 else (1, 2, 5) if dense else (1,))
    step = 1 if dense else max(1, math.ceil(span / 7))
    first, last = math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1
    grid = sorted(m * 10.0 ** e for e in range(first, last + 1) if e % step == 0
                  for m in mantissas)
    return grid, dense


def log_axis(ax: Axes, which: str = "y") -> Axes:
    """Labelled ticks across the whole range of a log axis, in one format: plain decimals when
    every tick reads well that way, else powers of ten (2×10⁻⁴); no minor labels. The range is
    widened to ticks (1-2-5 ticks) or whole decades (decade ticks) just outside the data, so
    every stretch of data has a label near it."""
    get_lim, set_lim = (ax.get_ylim, ax.set_ylim) if which == "y" else (ax.get_xlim, ax.set_xlim)
    axis = ax.yaxis if which == "y" else ax.xaxis
    inverted = get_lim()[0] > get_lim()[1]
    low, high = sorted(max(v, 1e-300) for v in get_lim())
    for _ in range(3):
        grid, dense = _log_grid(low, high)
        if dense:
            new = (max(t for t in grid if t <= low * (1 + 1e-9)),
                   min(t for t in grid if t >= high * (1 - 1e-9)))
        else:
            new = (10.0 ** math.floor(math.log10(low) + 1e-9),
                   10.0 ** math.ceil(math.log10(high) - 1e-9))
        if new == (low, high):
            break
        low, high = new
    ticks = [t for t in grid if low * (1 - 1e-9) <= t <= high * (1 + 1e-9)]
    plain = all(1e-3 <= t < 1e5 for t in ticks)
    axis.set_major_locator(ticker.FixedLocator(ticks))
    axis.set_major_formatter(ticker.FixedFormatter([power_label(t, plain) for t in ticks]))
    axis.set_minor_locator(ticker.LogLocator(subs="auto") if dense else ticker.NullLocator())
    axis.set_minor_formatter(ticker.NullFormatter())
    set_lim((high, low) if inverted else (low, high))
    return ax


def _whole_numbers(values) -> bool:
    return len(values) > 0 and all(float(v).is_integer() for v in values if math.isfinite(float(v)))


def _legend_covers_data(ax: Axes, legend) -> bool:
    box = legend.get_window_extent().expanded(1.0, 1.0).padded(6)     # a marker's radius too
    for line in ax.get_lines():
        if not line.get_visible() or line.get_alpha() is not None and line.get_alpha() < 0.5:
            continue
        points = ax.transData.transform(line.get_xydata())
        if any(box.contains(x, y) for x, y in points if math.isfinite(x) and math.isfinite(y)):
            return True
    return False


def finish(fig: Figure, *, key_result: str | None = None) -> Figure:
    """The rules every figure of the course keeps, applied at the end of each draw_*:
    a log axis has labelled ticks across its whole range (log_axis); an axis whose plotted
    values are all whole numbers (layers, blocks, depths, steps) has whole-number ticks; a
    legend that covers data moves outside the axes, to the right; and the figure carries its
    alt text (its title, `key_result` if given, and each panel in words: alt_text.describe)."""
    for ax in fig.axes:
        if ax.name == "3d":
            continue
        for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            chosen = isinstance(axis.get_major_locator(), ticker.FixedLocator)   # set_xticks
            if axis.get_scale() == "log" and not chosen:
                log_axis(ax, which)
        locator = ax.xaxis.get_major_locator()
        xs = [x for line in ax.get_lines() for x in line.get_xdata()]
        if (ax.get_xscale() == "linear" and isinstance(locator, ticker.AutoLocator)
                and _whole_numbers(xs)):
            ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
            low, high = ax.get_xlim()
            if high - low < 2:                       # one point: show the integers around it
                middle = round((low + high) / 2)
                ax.set_xlim(middle - 1, middle + 1)
    legends = [(ax, ax.get_legend()) for ax in fig.axes if ax.get_legend() is not None]
    if legends:
        fig.canvas.draw()                              # legend boxes are known after a draw
        for ax, legend in legends:
            if legend.get_bbox_to_anchor() is ax.bbox and _legend_covers_data(ax, legend):
                handles, labels = ax.get_legend_handles_labels()
                size = legend.get_texts()[0].get_fontsize() if legend.get_texts() else 8
                ax.legend(handles, labels, fontsize=size, loc="center left",
                          bbox_to_anchor=(1.02, 0.5), frameon=False)
    fig.alt_text = describe(fig, key_result)
    return fig


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
    faint line, the median over seeds in full colour with markers. Curves are trailing means
    over `window` steps, drawn from the first full window; a diverged seed (inf) is drawn up to
    where it diverged. Returns the median curve."""
    finite = torch.where(torch.isfinite(curves), curves, torch.nan)
    window = max(1, min(window, finite.shape[1]))       # a run shorter than the window: one mean
    steps = range(window - 1, finite.shape[1])         # where the smoothing window is full
    smoothed = [smooth(row.tolist(), window)[window - 1:] for row in finite]
    for row in smoothed:
        ax.plot(steps, row, color=color, linestyle=linestyle, linewidth=0.8, alpha=0.3)
    middle = smooth(finite.nanmedian(dim=0).values.tolist(), window)[window - 1:]
    ax.plot(steps, middle, color=color, linestyle=linestyle, linewidth=2, marker=marker,
            markevery=max(1, len(middle) // 8), markersize=5,
            label=f"{label} (median of {len(smoothed)} seeds)")
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

