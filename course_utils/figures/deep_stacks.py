"""Figures of notebook 01: profiles of deep stacks at initialisation, and the degradation runs."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from ..experiments.deep_stacks import DegradationResult, InitProfiles
from ..norms import NORM_LABELS
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
        f"{profiles.n_blocks} blocks ({2 * profiles.n_blocks + 2} layers), {norm}, at initialisation"))
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
