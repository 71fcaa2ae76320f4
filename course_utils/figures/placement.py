"""Figures of notebook 04: gradients at initialisation by layer and by depth, the output change
after one update, and the warm-up runs."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from ..experiments.placement import WARMUP, GradientsByDepth, OutputChangeByDepth, WarmupResult
from ..transformer import PLACEMENTS
from ..validation import check_bool, check_choice, check_float, check_result
from ..plotting import (SERIES, fit_ylim, new_figure, plot_reference_line, plot_seed_curves, finish)

_KEY = {"post": "post_norm", "pre": "pre_norm", "deepnorm": "deepnorm"}
_DASHES = {"post": "-", "pre": "--", "deepnorm": ":"}


def draw_gradients_at_init(profiles: dict[str, Sequence[float]],
                           by_depth: GradientsByDepth | None = None) -> Figure:
    """Left: ||E dL/dW2|| per layer for each placement; right (optional): the last layer's by
    depth."""
    if not isinstance(profiles, dict) or not profiles:
        raise TypeError("profiles must be a dict {placement: ffn_gradient_profile(...)}, got "
                        f"{type(profiles).__name__}")
    for placement, values in profiles.items():
        check_choice("placement", placement, PLACEMENTS)
        if (isinstance(values, str) or not isinstance(values, Sequence) or not values
                or not all(isinstance(v, (int, float)) for v in values)):
            raise TypeError(f"profiles[{placement!r}] must be a list of numbers, one per layer")
    if by_depth is not None:
        check_result("draw_gradients_at_init", by_depth, GradientsByDepth,
                     "course_utils.gradients_by_depth")
    ncols = 2 if by_depth is not None else 1
    n_layers = len(next(iter(profiles.values())))
    fig, axes = new_figure(ncols, width=5.0, height=3.5,
                           title="Gradient of the FFN weight W2 at initialisation")
    ax = axes[0]
    for placement, values in profiles.items():
        style = SERIES[_KEY[placement]]
        ax.plot(range(1, len(values) + 1), values, color=style.color, marker=style.marker,
                label=style.label)
    ax.set_xlabel("layer (input → output)")
    ax.set_ylabel(r"$\|\mathbb{E}\,\partial L/\partial W_2\|_F$")
    ax.set_title(f"per layer, {n_layers} layers", fontsize=10)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if by_depth is not None:
        ax = axes[1]
        for placement, values in by_depth.last_layer.items():
            style = SERIES[_KEY[placement]]
            ax.plot(by_depth.depths, values, color=style.color, marker=style.marker,
                    label=style.label)
        ax.set_xscale("log", base=2)
        ax.set_xticks(by_depth.depths, [str(d) for d in by_depth.depths])
        ax.minorticks_off()
        ax.set_xlabel("number of layers L")
        ax.set_ylabel("last layer's gradient norm")
        ax.set_title("last layer, by depth", fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    return finish(fig)


def draw_output_change(result: OutputChangeByDepth) -> Figure:
    """Relative output change after one Adam step, by depth, one line per placement: the median
    over seeds with markers, each seed faint."""
    check_result("draw_output_change", result, OutputChangeByDepth,
                 "course_utils.output_change_by_depth")
    if not result.change:
        raise ValueError("the result is empty: it holds no placement to draw")
    fig, (ax,) = new_figure(1, width=5.6, height=3.8,
                            title="How far one update moves the output (Liu, Liu et al. 2020, Admin)")
    for placement, values in result.change.items():
        style = SERIES[_KEY[placement]]
        for row in values:
            ax.plot(result.depths, row.tolist(), color=style.color, linewidth=0.8, alpha=0.3)
        ax.plot(result.depths, result.median(placement), color=style.color, marker=style.marker,
                linestyle=_DASHES[placement], label=f"{style.label} (median of {len(values)} seeds)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(result.depths, [str(d) for d in result.depths])
    ax.minorticks_off()
    ax.set_xlabel("number of layers L")
    ax.set_ylabel(r"$\|f(x; W^*) - f(x; W)\| \,/\, \|f(x; W)\|$")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return finish(fig)


_WARMUP_STYLE = {   # (warm-up?, skip) -> line style, marker, what the run is
    (False, True): ("--", "v", "no warm-up"),
    (True, True): ("-", "o", "linear warm-up"),
    (True, False): (":", "x", "warm-up, but no `x +` (pitfall 1)"),
    (False, False): ("-.", "+", "no warm-up, no `x +`"),
}


def draw_warmup(result: WarmupResult, *, chance: float) -> Figure:
    """Training loss of every run of a `WarmupResult`, one panel per placement: one faint line
    per seed, the median over seeds in full colour."""
    check_result("draw_warmup", result, WarmupResult, "course_utils.warmup_study")
    chance = check_float("chance", chance, positive=True)
    placements = [p for p in ("post", "pre", "deepnorm") if any(k[0] == p for k in result.runs)]
    fig, axes = new_figure(len(placements), width=4.9, height=3.5,
                           title=f"Reversing sequences with a {WARMUP['n_layers']}-layer "
                                 f"transformer, Adam at lr {WARMUP['lr']:g}")
    for ax, placement in zip(axes, placements):
        style = SERIES[_KEY[placement]]
        for (p, warmup, skip), runs in result.runs.items():
            if p != placement:
                continue
            linestyle, marker, what = _WARMUP_STYLE[(bool(warmup), skip)]
            label = what.replace("linear warm-up", f"linear warm-up, {warmup} steps")
            plot_seed_curves(ax, runs.loss, color=style.color, label=label, linestyle=linestyle,
                             marker=marker, window=10)
        plot_reference_line(ax, chance, "guessing: ln 16")
        ax.set_title(style.label, fontsize=10)
        fit_ylim(ax)
        ax.legend(fontsize=7, loc="center right")
    return finish(fig)


def draw_placement_probe(profile: Sequence[float], change: dict[str, float], *, placement: str,
                         lr: float, warmup: bool) -> Figure:
    """The chosen placement's gradient per layer at init, and the output change after the first
    Adam step for every placement at the same depth, learning rate and warm-up."""
    placement = check_choice("placement", placement, PLACEMENTS)
    lr, warmup = check_float("lr", lr, positive=True), check_bool("warmup", warmup)
    if (isinstance(profile, str) or not isinstance(profile, Sequence) or not profile
            or not all(isinstance(v, (int, float)) for v in profile)):
        raise TypeError("profile must be a list of numbers, one per layer (ffn_gradient_profile)")
    if not isinstance(change, dict) or not change or set(change) - set(PLACEMENTS):
        raise TypeError("change must be a dict {placement: output_change(...)}")
    n_layers = len(profile)
    fig, (ax_grad, ax_change) = new_figure(
        2, width=5.0, height=3.5, title=f"{SERIES[_KEY[placement]].label}, {n_layers} layers, "
                                        f"lr {lr:g}, {'with' if warmup else 'no'} warm-up")
    style = SERIES[_KEY[placement]]
    ax_grad.plot(range(1, n_layers + 1), profile, color=style.color, marker=style.marker,
                 label=style.label)
    ax_grad.set_yscale("log")
    low, high = min(profile), max(profile)
    ax_grad.set_ylim(low / 2, high * 2)               # the range follows the data, DeepNorm's too
    ax_grad.set_xlabel("layer (input → output)")
    ax_grad.set_ylabel(r"$\|\mathbb{E}\,\partial L/\partial W_2\|_F$ at init")
    ax_grad.set_title("gradient of each FFN's W2", fontsize=10)
    ax_grad.grid(True, alpha=0.3)
    ax_grad.legend(fontsize=8)
    names = list(change)
    values = [change[p] for p in names]
    bars = ax_change.bar([SERIES[_KEY[p]].label for p in names], values,
                         color=[SERIES[_KEY[p]].color for p in names])
    for bar, p, value in zip(bars, names, values):
        chosen = p == placement
        bar.set_alpha(1.0 if chosen else 0.45)
        bar.set_edgecolor("black" if chosen else "none")
        ax_change.annotate(f"{value:.2g}", (bar.get_x() + bar.get_width() / 2, value),
                           ha="center", va="bottom", fontsize=9)
    ax_change.set_yscale("log")
    ax_change.set_ylim(min(values) / 3, max(values) * 4)
    ax_change.set_ylabel("relative output change")
    first = f"lr {lr:g}/{WARMUP['warmup_steps']}" if warmup else f"lr {lr:g}"
    ax_change.set_title(f"after the first Adam step ({first})", fontsize=10)
    ax_change.grid(True, axis="y", alpha=0.3)
    return finish(fig)
