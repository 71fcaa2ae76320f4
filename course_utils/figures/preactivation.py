"""Figure of notebook 02's pre-activation section: the mask the ReLU after the add puts on the
stream, and how original and pre-activation stacks train."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from ..experiments.preactivation import PreactivationResult
from ..plotting import SERIES, finish, fit_ylim, new_figure, plot_seed_curves
from ..validation import check_result

_KINDS = {"original": ("residual", "original: ReLU(x + F(x))"),
          "preactivation": ("preactivation", "full pre-activation: x + F(x)")}


def draw_preactivation(result: PreactivationResult) -> Figure:
    """Left: the fraction of the stream each original block's ReLU after the add zeroes, at
    initialisation (one faint line per seed, the median in colour). Right: training-loss curves
    of the original and the pre-activation stacks."""
    check_result("draw_preactivation", result, PreactivationResult, "course_utils.preactivation_study")
    fig, (ax_mask, ax_loss) = new_figure(2, width=5.0, height=3.8, title=(
        f"Original vs full pre-activation blocks, {result.n_layers} layers, BatchNorm"))
    zeroed = torch.tensor(result.zeroed_fraction) * 100                # (seeds, blocks), in %
    blocks = range(1, zeroed.shape[1] + 1)
    colour = SERIES["residual"].color
    for row in zeroed:
        ax_mask.plot(blocks, row.tolist(), color=colour, linewidth=0.8, alpha=0.3)
    ax_mask.plot(blocks, zeroed.median(dim=0).values.tolist(), color=colour, linewidth=2,
                 marker="o", markersize=3, label="original blocks (median of seeds)")
    ax_mask.set_ylim(0, max(30.0, float(zeroed.max()) * 1.1))
    ax_mask.set_xlabel("block l (input → output)")
    ax_mask.set_ylabel("% of the stream set to 0")
    ax_mask.set_title("the ReLU after the add, at initialisation", fontsize=10)
    ax_mask.grid(True, alpha=0.3)
    ax_mask.legend(fontsize=8, loc="lower right")
    for kind, (key, label) in _KINDS.items():
        style = SERIES[key]
        plot_seed_curves(ax_loss, result.runs[kind].loss, color=style.color, marker=style.marker,
                         label=label)
    fit_ylim(ax_loss)
    ax_loss.set_title("training loss, two spirals", fontsize=10)
    ax_loss.legend(fontsize=8, loc="upper right")
    return finish(fig)
