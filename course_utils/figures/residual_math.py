"""Figures of notebook 02: the shortcut-only gradient term, shortcut scaling, paths, lesions
and shattered gradients."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from matplotlib.figure import Figure

from ..experiments.jacobians import JacobianSpectra
from ..experiments.lesion import GRID_EXTENT, LesionResult
from ..experiments.seeds import median
from ..experiments.shattered import ShatteringResult
from ..experiments.shortcut_scaling import ShortcutScalingResult
from ..probes import LayerProfile
from ..plotting import (OKABE_ITO, SERIES, fit_ylim, new_figure, plot_layer_profile, power_of_ten,
                        plot_reference_line, plot_seed_curves, finish)
from ..validation import as_tuple, check_float, check_int, check_result, check_tensor

_OTHER_GAIN_COLOURS = [OKABE_ITO[c] for c in ("orange", "purple", "green", "sky_blue", "black",
                                                "grey")]
_GAIN_MARKERS = ["^", "D", "v", "P", "X", "*"]
_GAIN_DASHES = ["--", ":", "-.", (0, (5, 1, 1, 1, 1, 1))]


@dataclass(frozen=True)
class GainStyle:
    colour: str
    marker: str
    dash: Any
    label: str


def _gain_style(gain: float, index: int = 0) -> GainStyle:
    """How a shortcut gain lambda is drawn: the identity and the plain net keep the course's
    colours; any other gain takes the index-th colour, marker and dash of its own, so no two
    gains of one figure look alike."""
    if gain == 1.0:
        return GainStyle(SERIES["residual"].color, SERIES["residual"].marker, "-",
                         "λ = 1 (identity shortcut)")
    if gain == 0.0:
        return GainStyle(SERIES["plain"].color, SERIES["plain"].marker, "-", "λ = 0 (no shortcut)")
    return GainStyle(_OTHER_GAIN_COLOURS[index % len(_OTHER_GAIN_COLOURS)],
                     _GAIN_MARKERS[index % len(_GAIN_MARKERS)],
                     _GAIN_DASHES[index % len(_GAIN_DASHES)], f"λ = {gain:g}")


def draw_direct_term(gains: Sequence[float] = (0.5, 0.9, 0.99, 1.0, 1.01, 1.1),
                     max_blocks: int = 1000) -> Figure:
    """lambda^L, the direct (shortcut-only) gradient term of He et al. 2016 Eq. 8, against L."""
    gains = tuple(check_float("every value of gains", g, minimum=0.0) for g in as_tuple("gains", gains))
    max_blocks = check_int("max_blocks", max_blocks, maximum=100_000)
    fig, (ax,) = new_figure(1, width=6.5, height=3.6,
                            title=r"The shortcut-only gradient term $\lambda^L$ (He et al. 2016, Eq. 8)")
    depths = list(range(1, max_blocks + 1))
    for index, gain in enumerate(gains):
        style = _gain_style(gain, index)
        exponent = (lambda L: -math.inf) if gain == 0 else (lambda L: L * math.log10(gain))
        # drawn while it stays within 1e-30 .. 1e30; where it goes, the legend says
        shown = [L for L in depths if abs(exponent(L)) <= 30]
        end = exponent(max_blocks)
        value = "0" if gain == 0 else f"{10 ** end:.3g}" if abs(end) < 3 else power_of_ten(end)
        ax.plot(shown, [10.0 ** exponent(L) for L in shown], color=style.colour,
                linestyle=style.dash, marker=style.marker, markevery=0.12, markersize=5,
                label=f"{style.label}: {value} at L = {max_blocks:,}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-30, 1e30)
    ax.set_xlabel("number of blocks L")
    ax.set_ylabel("λᴸ (drawn between 10⁻³⁰ and 10³⁰)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return finish(fig)


def draw_shortcut_scaling(result) -> Figure:
    """Training curves for each shortcut gain (one faint line per seed, the median in full
    colour) and the first layer's gradient at initialisation (the median as a bar, each seed as
    a dot), from a `ShortcutScalingResult`."""
    check_result("draw_shortcut_scaling", result, ShortcutScalingResult,
                 "course_utils.shortcut_scaling")
    fig, (ax_loss, ax_grad) = new_figure(2, width=4.8, height=3.6, title=(
        f"{result.n_blocks} blocks ({2 * result.n_blocks + 2} layers): scaling the shortcut"))
    gains = list(result.runs)
    for index, gain in enumerate(gains):
        style = _gain_style(gain, index)
        plot_seed_curves(ax_loss, result.runs[gain].loss, color=style.colour, label=style.label,
                         marker=style.marker, linestyle=style.dash)
    plot_reference_line(ax_loss, math.log(2), "guessing: ln 2")
    fit_ylim(ax_loss)
    ax_loss.legend(fontsize=7, loc="upper right")
    labels = [_gain_style(g).label.split(" (")[0] for g in gains]
    for index, gain in enumerate(gains):
        values = result.first_layer_gradient[gain]
        ax_grad.bar(index, median(values), color=_gain_style(gain, index).colour, alpha=0.8)
        ax_grad.plot([index] * len(values), values, linestyle="none", marker="o", markersize=4,
                     color="black", label="one seed" if index == 0 else None)
    ax_grad.set_xticks(range(len(gains)), labels)
    ax_grad.set_yscale("log")
    ax_grad.set_ylabel(r"$\|\partial L/\partial W_1\|$ at initialisation")
    ax_grad.set_title("first layer's gradient before training\n(bar: median over seeds)", fontsize=10)
    ax_grad.grid(True, axis="y", alpha=0.3)
    ax_grad.legend(fontsize=8, loc="upper left")
    return finish(fig)


def draw_scaled_profile(profile, *, shortcut_gain: float, n_blocks: int) -> Figure:
    """The gradient per layer at initialisation of a stack with shortcut gain lambda, beside the
    direct term lambda^(L - l) it would carry alone (a `LayerProfile`)."""
    check_result("draw_scaled_profile", profile, LayerProfile, "course_utils.scaled_init_profile")
    shortcut_gain = check_float("shortcut_gain", shortcut_gain, minimum=0.0)
    n_blocks = check_int("n_blocks", n_blocks)
    if len(profile.gradient_rms) != n_blocks + 1:
        raise ValueError(f"the profile has {len(profile.gradient_rms)} layers; a stack of "
                         f"{n_blocks} blocks has {n_blocks + 1}")
    style = _gain_style(shortcut_gain)
    fig, (ax_term, ax_grad) = new_figure(2, width=4.8, height=3.4, title=(
        f"{style.label}, {n_blocks} blocks: the shortcut-only term and the real gradient at init"))
    layers = list(range(n_blocks + 1))
    term = [shortcut_gain ** (n_blocks - l) if shortcut_gain > 0 or l == n_blocks else 0.0
            for l in layers]
    plot_layer_profile(ax_term, term, key="residual", label="λ^(L−l)",
                       ylabel="shortcut-only factor λ^(L−l)")
    plot_layer_profile(ax_grad, profile.gradient_rms, key="residual", label=style.label,
                       ylabel=r"gradient RMS of $\partial L/\partial x_l$")
    for ax in (ax_term, ax_grad):
        for line in ax.lines:
            line.set_color(style.colour)
        ax.legend(fontsize=8)
    ax_term.set_title("what the shortcuts alone pass back", fontsize=10)
    ax_grad.set_title("what the whole net passes back", fontsize=10)
    return finish(fig)


def draw_path_lengths(n_blocks: int = 54) -> Figure:
    """How many of the 2^n paths through n residual blocks pass through k branches: C(n, k)."""
    n_blocks = check_int("n_blocks", n_blocks, maximum=1000)
    counts = [math.comb(n_blocks, k) for k in range(n_blocks + 1)]
    fig, (ax,) = new_figure(1, width=6.5, height=3.4, title=(
        f"{n_blocks} residual blocks: 2^{n_blocks} ≈ {2.0 ** n_blocks:.1e} paths, by length"))
    ax.bar(range(n_blocks + 1), [c / 2 ** n_blocks for c in counts], color=SERIES["residual"].color)
    ax.set_xlabel("path length k (branches passed through)")
    ax.set_ylabel("fraction of all paths")
    ax.grid(True, axis="y", alpha=0.3)
    return finish(fig)


def draw_lesion(result: LesionResult, *, deleted: int | None = None) -> Figure:
    """Accuracy after deleting each block (the median over seeds as a bar, each seed as a dot),
    and the decision regions of the first seed's residual and plain nets with block `deleted`
    (counted from 0; None: both intact) removed, from a `LesionResult`."""
    check_result("draw_lesion", result, LesionResult, "course_utils.lesion_study")
    if deleted is not None:
        deleted = check_int("deleted", deleted, minimum=0, maximum=result.n_blocks - 1)
    fig, axes = new_figure(3, width=3.9, height=3.6, title=(
        "Lesion study: " + ("both nets intact" if deleted is None else f"block {deleted} deleted")))
    ax_bar, *ax_maps = axes
    blocks = range(result.n_blocks)
    for offset, kind in ((-0.2, "residual"), (0.2, "plain")):
        style = SERIES[kind]
        accuracy = result.lesioned_accuracy[kind]                      # (n_seeds, n_blocks)
        ax_bar.bar([b + offset for b in blocks], accuracy.median(dim=0).values.tolist(),
                   width=0.4, color=style.color, alpha=0.8,
                   hatch="" if kind == "residual" else "//", label=f"{style.label}: median")
        for row in accuracy:
            ax_bar.plot([b + offset for b in blocks], row.tolist(), linestyle="none",
                        marker=style.marker, markersize=2.5, color="black", alpha=0.6)
        ax_bar.axhline(median(result.full_accuracy[kind]), color=style.color, linestyle=":", lw=1)
    ax_bar.plot([], [], linestyle="none", marker="o", markersize=2.5, color="black",
                label="one seed")
    if deleted is not None:
        ax_bar.axvspan(deleted - 0.5, deleted + 0.5, color=OKABE_ITO["yellow"], alpha=0.3)
    ax_bar.set_xlabel("block deleted (0 = first)")
    ax_bar.set_ylabel("test accuracy")
    ax_bar.set_ylim(0, 1.05)
    ax_bar.set_xticks(list(blocks))
    ax_bar.legend(fontsize=7, loc="lower right")
    for ax, kind in zip(ax_maps, ("residual", "plain")):
        grid = result.maps[kind][0 if deleted is None else deleted + 1]
        accuracy = (result.full_accuracy[kind][0] if deleted is None
                    else float(result.lesioned_accuracy[kind][0, deleted]))
        ax.imshow(torch.as_tensor(grid).numpy(), origin="lower", cmap="PuOr", vmin=0, vmax=1,
                  extent=(-GRID_EXTENT, GRID_EXTENT, -GRID_EXTENT, GRID_EXTENT))
        ax.set_title(f"{SERIES[kind].label}, seed {result.seeds[0]}: accuracy {accuracy:.0%}",
                     fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    return finish(fig)


def draw_shattered(x: torch.Tensor, gradients: dict[str, torch.Tensor], *, depth: int,
                   result=None) -> Figure:
    """df/dx over the input grid for a plain and a residual net of `depth` layers, and (with a
    `ShatteringResult`) the lag-1 autocorrelation by depth beside the theory's shapes."""
    x = check_tensor("x", x, ndim=1, dtype=None)
    if not isinstance(gradients, dict) or set(gradients) != {"plain", "residual"}:
        raise TypeError("gradients must be {'plain': df/dx, 'residual': df/dx} "
                        "(from course_utils.gradient_on_grid)")
    for kind, values in gradients.items():
        check_tensor(f"gradients[{kind!r}]", values, ndim=1, dtype=None)
        if values.shape != x.shape:
            raise ValueError(f"x has {x.shape[0]} values but gradients[{kind!r}] has "
                             f"{values.shape[0]}: one gradient per input")
    depth = check_int("depth", depth, maximum=10_000)
    if result is not None:
        check_result("draw_shattered", result, ShatteringResult, "course_utils.shattering")
    ncols = 3 if result is not None else 2
    fig, axes = new_figure(ncols, width=3.9, height=3.3,
                           title=f"Gradients df/dx over a 1-D grid of inputs, depth {depth}")
    for ax, kind in zip(axes, ("plain", "residual")):
        ax.plot(x.numpy(), gradients[kind].numpy(), color=SERIES[kind].color, lw=1)
        ax.set_title(SERIES[kind].label, fontsize=10)
        ax.set_xlabel("input x")
        ax.set_ylabel("df/dx")
        ax.grid(True, alpha=0.3)
    if result is not None:
        ax = axes[2]
        n_seeds = len(result.seeds)
        for kind in ("plain", "residual"):
            style = SERIES[kind]
            per_seed = result.per_seed[kind]                            # (n_seeds, n_depths)
            depths = torch.tensor(result.depths, dtype=torch.float32).expand_as(per_seed)
            ax.scatter(depths.flatten().numpy(), per_seed.flatten().numpy(), s=14,
                       color=style.color, alpha=0.4, marker=style.marker, linewidths=0,
                       label=f"{style.label}: each of {n_seeds} seeds")
            ax.plot(result.depths, result.autocorrelation[kind], marker=style.marker,
                    color=style.color, label=f"{style.label}: median")
        # Balduzzi et al.'s rates, drawn through our depth-1 value: their shape, not their scale
        # (the theorems bound the correlation of gradients at two inputs, not of neighbours).
        depths = torch.linspace(1, max(result.depths), 200)
        start = {kind: result.autocorrelation[kind][0] for kind in ("plain", "residual")}
        ax.plot(depths.numpy(), (start["plain"] * 2.0 ** (1 - depths)).numpy(),
                color=SERIES["plain"].color, linestyle=":", lw=1, label=r"theory: $\propto 2^{-L}$")
        ax.plot(depths.numpy(), (start["residual"] / depths.sqrt()).numpy(),
                color=SERIES["residual"].color,
                linestyle="--", lw=1, label=r"theory: $\propto 1/\sqrt{L}$")
        ax.axvline(depth, color=OKABE_ITO["grey"], lw=1, linestyle=":")
        ax.set_xlabel("depth L")
        ax.set_ylabel("lag-1 autocorrelation of df/dx")
        ax.set_ylim(-0.3, 1.05)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    return finish(fig)


def draw_jacobian_spectra(spectra) -> Figure:
    """The band between the smallest and largest singular value of d x_L / d x_0, by depth, for
    plain and residual stacks (a `JacobianSpectra`)."""
    check_result("draw_jacobian_spectra", spectra, JacobianSpectra, "course_utils.jacobian_spectra")
    fig, (ax,) = new_figure(1, width=6.0, height=3.6,
                            title="Singular values of the end-to-end Jacobian $dx_L/dx_0$")
    for kind in ("plain", "residual"):
        style = SERIES[kind]
        low = [max(v, 1e-45) for v in spectra.smallest[kind]]
        high = [max(v, 1e-45) for v in spectra.largest[kind]]
        ax.fill_between(spectra.depths, low, high, color=style.color, alpha=0.25)
        ax.plot(spectra.depths, high, color=style.color, marker=style.marker,
                label=f"{style.label}: largest")
        ax.plot(spectra.depths, low, color=style.color, marker=style.marker, linestyle="--",
                label=f"{style.label}: smallest")
    ax.axhline(1.0, color=OKABE_ITO["grey"], lw=1, linestyle=":")
    ax.set_yscale("log")
    ax.set_xlabel("number of blocks L")
    ax.set_ylabel("singular value")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return finish(fig)
