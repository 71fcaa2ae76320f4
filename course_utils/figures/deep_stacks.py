"""Figures of notebook 01: profiles of deep stacks at initialisation, and the degradation runs."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from ..experiments.deep_stacks import INIT_LABELS, DeepWithoutNormResult, DegradationResult, InitProfiles
from ..norms import NORM_LABELS
from ..experiments.seeds import median
from ..validation import check_bool, check_result

from ..plotting import (SERIES, fit_ylim, new_figure, plot_layer_profile, plot_reference_line,
                        plot_seed_curves, finish)


def draw_init_profiles(profiles: InitProfiles, *, residual: bool = True) -> Figure:
    """Activation and gradient RMS per layer at initialisation (an `InitProfiles`): the chosen
    stack drawn strongly, its counterpart (with or without the skips) faintly for reference."""
    check_result("draw_init_profiles", profiles, InitProfiles, "course_utils.init_profiles")
    residual = check_bool("residual", residual)
    norm = NORM_LABELS[profiles.norm]
    fig, (ax_act, ax_grad) = new_figure(2, width=4.8, height=3.4, title=(
        f"{profiles.n_blocks} blocks ({2 * profiles.n_blocks + 2} layers), {norm}, "
        f"{INIT_LABELS[profiles.init]} init, at initialisation"))
    chosen, other = ("residual", "plain") if residual else ("plain", "residual")
    for key, alpha, suffix in ((other, 0.3, " (for comparison)"), (chosen, 1.0, "")):
        profile = getattr(profiles, key)
        for ax, values, ylabel in (
                (ax_act, profile.activation_rms, "activation RMS of $x_l$"),
                (ax_grad, profile.gradient_rms, r"gradient RMS of $\partial L/\partial x_l$")):
            plot_layer_profile(ax, values, key=key, ylabel=ylabel, alpha=alpha,
                               label=SERIES[key].label + suffix)
    ax_act.set_title("forward: signal scale", fontsize=10)
    ax_grad.set_title("backward: gradient scale", fontsize=10)
    ax_grad.legend(fontsize=8, loc="best")
    return finish(fig)


def draw_degradation(result: DegradationResult) -> Figure:
    """Training-loss curves of plain and residual stacks by depth (a `DegradationResult`): one
    faint line per seed, the median over seeds in full colour."""
    check_result("draw_degradation", result, DegradationResult, "course_utils.degradation")
    fig, (ax,) = new_figure(1, width=8.0, height=3.8,
                            title="Training loss on two spirals: deeper plain nets train worse")
    styles = ["-", "--", ":", "-."]
    for depth, linestyle in zip(sorted(result.n_layers, reverse=True), styles):
        for key in ("plain", "residual"):
            style = SERIES[key]
            plot_seed_curves(ax, result.runs[f"{key}-{depth}"].loss, color=style.color,
                             marker=style.marker, linestyle=linestyle,
                             label=f"{style.label}, {depth} layers")
    plot_reference_line(ax, math.log(2), "guessing: ln 2")
    fit_ylim(ax)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return finish(fig)


_FLOOR = 1e-6
_NO_NORM_SERIES = {"plain": "plain", "residual": "residual", "zero": "zero_init", "fixup": "fixup"}


def draw_deep_without_norm(result: DeepWithoutNormResult) -> Figure:
    """Very deep stacks without normalisation (a `DeepWithoutNormResult`): training-loss curves
    (one faint line per seed, the median in full colour), and each seed's stream RMS at the last
    block after training, on a log axis."""
    check_result("draw_deep_without_norm", result, DeepWithoutNormResult, "course_utils.deep_without_norm")
    fig, (ax_loss, ax_rms) = new_figure(2, width=5.0, height=3.8, title=(
        f"{result.n_layers} layers, no normalisation, He init (SGD, lr {result.lr:g})"))
    for variant, runs in result.runs.items():
        style = SERIES[_NO_NORM_SERIES[variant]]
        if bool(runs.diverged.all()):
            continue                                    # nothing finite to draw
        label = style.label + (", He init" if variant in ("plain", "residual") else "")
        plot_seed_curves(ax_loss, runs.loss, color=style.color, marker=style.marker, label=label)
    plot_reference_line(ax_loss, math.log(2), "guessing: ln 2")
    fit_ylim(ax_loss)
    ax_loss.set_title("training loss", fontsize=10)
    ax_loss.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    names = [v for v in result.runs if not all(math.isnan(r) for r in result.stream_rms[v])]
    for i, variant in enumerate(names):
        style = SERIES[_NO_NORM_SERIES[variant]]
        values = [r for r in result.stream_rms[variant] if math.isfinite(r)]
        shown = [max(r, _FLOOR) for r in values]         # a dead stream (exactly 0) on the floor
        ax_rms.plot([i] * len(shown), shown, linestyle="none", marker=style.marker,
                    color=style.color, alpha=0.6)
        if values:
            ax_rms.plot([i - 0.25, i + 0.25], [max(median(values), _FLOOR)] * 2, color=style.color,
                        linewidth=2.5)
    if any(r <= _FLOOR for v in names for r in result.stream_rms[v] if math.isfinite(r)):
        ax_rms.axhline(_FLOOR, color="grey", linestyle=":", linewidth=1)
        ax_rms.annotate(f"≤ {_FLOOR:g} (a dead stream)", (0.02, _FLOOR), xycoords=("axes fraction", "data"),
                        va="bottom", fontsize=8, color="grey")
    ax_rms.set_xticks(range(len(names)))
    ax_rms.set_xticklabels([SERIES[_NO_NORM_SERIES[v]].label.replace("residual, ", "")
                            for v in names], fontsize=8)
    ax_rms.set_yscale("log")
    ax_rms.set_ylabel("RMS of the stream $x_L$ after training")
    ax_rms.set_title("the stream after training (each seed; bar: median)", fontsize=10)
    ax_rms.grid(True, axis="y", alpha=0.3)
    return finish(fig)
