"""Figures of notebook 04: gradients at initialisation by layer and by depth, the output change
after one update, and the warm-up runs."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from ..experiments.placement import WARMUP, GradientsByDepth, OutputChangeByDepth, WarmupResult
from ..plotting import SERIES, new_figure, plot_loss_curve, plot_reference_line, tidy_log_axis

_KEY = {"post": "post_norm", "pre": "pre_norm", "deepnorm": "deepnorm"}


def draw_gradients_at_init(profiles: dict[str, Sequence[float]],
                           by_depth: GradientsByDepth | None = None) -> Figure:
    """Left: ||E dL/dW2|| per layer for each placement; right (optional): the last layer's by
    depth."""
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
    return fig


def draw_output_change(result: OutputChangeByDepth) -> Figure:
    """Relative output change after one Adam step, by depth, one line per placement."""
    fig, (ax,) = new_figure(1, width=5.4, height=3.6,
                            title="How far one update moves the output (Liu et al. 2020)")
    for placement, values in result.change.items():
        style = SERIES[_KEY[placement]]
        ax.plot(result.depths, values, color=style.color, marker=style.marker, label=style.label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(result.depths, [str(d) for d in result.depths])
    ax.minorticks_off()
    tidy_log_axis(ax)
    ax.set_xlabel("number of layers L")
    ax.set_ylabel(r"$\|f(x; W^*) - f(x; W)\| \,/\, \|f(x; W)\|$")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def draw_warmup(result: WarmupResult, *, chance: float) -> Figure:
    """Training loss of every (placement, warm-up) run, post-norm and pre-norm side by side."""
    placements = sorted({p for p, _ in result.histories}, key=["post", "pre", "deepnorm"].index)
    fig, axes = new_figure(len(placements), width=4.8, height=3.4,
                           title=f"Reversing sequences with a {WARMUP['n_layers']}-layer "
                                 f"transformer, Adam at lr {WARMUP['lr']:g}")
    for ax, placement in zip(axes, placements):
        style = SERIES[_KEY[placement]]
        for (p, warmup), history in result.histories.items():
            if p != placement:
                continue
            label = f"linear warm-up, {warmup} steps" if warmup else "no warm-up"
            plot_loss_curve(ax, history.loss, key=_KEY[placement], label=label,
                            linestyle="-" if warmup else "--", window=10)
        plot_reference_line(ax, chance, "guessing: ln 16")
        ax.set_title(style.label, fontsize=10)
        ax.set_ylim(0, chance * 1.25)
        ax.legend(fontsize=8, loc="center right")
    return fig


def draw_placement_probe(profile: Sequence[float], change: dict[str, float], *, placement: str,
                         lr: float, warmup: bool) -> Figure:
    """The chosen placement's gradient per layer at init, and the output change after the first
    Adam step for every placement at the same depth, learning rate and warm-up."""
    n_layers = len(profile)
    fig, (ax_grad, ax_change) = new_figure(
        2, width=5.0, height=3.5, title=f"{SERIES[_KEY[placement]].label}, {n_layers} layers, "
                                        f"lr {lr:g}, {'with' if warmup else 'no'} warm-up")
    style = SERIES[_KEY[placement]]
    ax_grad.plot(range(1, n_layers + 1), profile, color=style.color, marker=style.marker)
    ax_grad.set_xlabel("layer (input → output)")
    ax_grad.set_ylabel(r"$\|\mathbb{E}\,\partial L/\partial W_2\|_F$ at init")
    ax_grad.set_ylim(0, max(1.5, 1.1 * max(profile)))
    ax_grad.set_title("gradient of each FFN's W2", fontsize=10)
    ax_grad.grid(True, alpha=0.3)
    names = list(change)
    bars = ax_change.bar([SERIES[_KEY[p]].label for p in names], [change[p] for p in names],
                         color=[SERIES[_KEY[p]].color for p in names])
    for bar, p in zip(bars, names):
        bar.set_alpha(1.0 if p == placement else 0.45)
    ax_change.set_yscale("log")
    ax_change.set_ylim(1e-5, 10)
    ax_change.set_ylabel("relative output change")
    first = f"lr {lr:g}/{WARMUP['warmup_steps']}" if warmup else f"lr {lr:g}"
    ax_change.set_title(f"after the first Adam step ({first})", fontsize=10)
    ax_change.grid(True, axis="y", alpha=0.3)
    return fig
