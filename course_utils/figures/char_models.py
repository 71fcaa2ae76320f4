"""Figures of notebook 06: the character models' validation curves against the n-gram
baselines, and what the trained models do inside (stream size, branch size, gradients by layer)."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from ..experiments.char_models import CHAR_MODEL, CharModelRuns
from ..plotting import SERIES, finish, new_figure, plot_reference_line
from ..validation import check_int, check_result

STYLE = {   # variant: (series, line style)
    "no residual": ("none", "-"),
    "post-norm": ("post_norm", ":"),
    "post-norm + warm-up": ("post_norm", "-"),
    "DeepNorm": ("deepnorm", "-"),
    "pre-norm": ("pre_norm", "-"),
}


def _line(ax, x, rows: torch.Tensor, variant: str, *, faint: bool = True) -> None:
    series, linestyle = STYLE[variant]
    style = SERIES[series]
    if faint:
        for row in rows:
            ax.plot(x, row.tolist(), color=style.color, linestyle=linestyle, linewidth=0.8,
                    alpha=0.3)
    ax.plot(x, rows.median(dim=0).values.tolist(), color=style.color, linestyle=linestyle,
            linewidth=2, marker=style.marker, markersize=4, label=variant)


def draw_char_models(runs: CharModelRuns) -> Figure:
    """Left: validation bits per character during training, each variant's seeds faint and
    their median bold, with the unigram and bigram baselines. Right: each variant's final
    bits per character, one dot per seed and a bar at the median."""
    check_result("draw_char_models", runs, CharModelRuns, "course_utils.train_char_models")
    fig, (ax, ax_final) = new_figure(
        2, width=5.2, height=3.8,
        title=f"{CHAR_MODEL['n_layers']}-layer character models, Adam at lr {runs.lr:g}, "
              f"{len(runs.seeds)} seeds")
    for variant in runs.variants:
        _line(ax, runs.checkpoints, runs.curve_bits[variant].clamp(max=8.0), variant)
    plot_reference_line(ax, runs.baselines["unigram"], "unigram")
    plot_reference_line(ax, runs.baselines["bigram"], "bigram")
    ax.set_xlabel("training step")
    ax.set_ylabel("validation bits per character")
    ax.set_title("during training (lower is better)", fontsize=10)
    ax.set_ylim(min(2.5, min(float(b.min()) for b in runs.final_bits.values()) - 0.2), 6.0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")
    for i, variant in enumerate(runs.variants):
        style = SERIES[STYLE[variant][0]]
        bits = runs.final_bits[variant].clamp(max=8.0).tolist()
        ax_final.bar(i, runs.median_bits(variant), color=style.color, alpha=0.35, width=0.6)
        ax_final.plot([i] * len(bits), bits, linestyle="none", marker=style.marker,
                      color=style.color)
    plot_reference_line(ax_final, runs.baselines["unigram"], "unigram")
    plot_reference_line(ax_final, runs.baselines["bigram"], "bigram")
    ax_final.set_xticks(range(len(runs.variants)), [v.replace(" + ", "\n+ ") for v in runs.variants],
                        fontsize=8)
    ax_final.set_ylabel("validation bits per character")
    ax_final.set_title(f"after {runs.steps} steps (bar: median)", fontsize=10)
    ax_final.set_ylim(ax.get_ylim()[0], 5.2)
    ax_final.grid(True, axis="y", alpha=0.3)
    best = min(runs.variants, key=runs.median_bits)
    return finish(fig, key_result=f"best: {best}, median {runs.median_bits(best):.2f} bits per "
                                  f"character; bigram {runs.baselines['bigram']:.2f}")


def draw_inside(runs: CharModelRuns, *, checkpoint: int = 1) -> Figure:
    """Inside the trained models (medians over seeds): the RMS of the residual stream entering
    each sub-layer; each sub-layer's RMS(F(x)) / RMS(x); and each layer's gradient norm at
    checkpoint number `checkpoint` of training (log scale)."""
    check_result("draw_inside", runs, CharModelRuns, "course_utils.train_char_models")
    checkpoint = check_int("checkpoint", checkpoint, minimum=0, maximum=len(runs.checkpoints) - 1)
    fig, (ax_stream, ax_branch, ax_grad) = new_figure(
        3, width=4.0, height=3.6, title="Inside the trained models (medians over seeds)")
    n_sub = 2 * CHAR_MODEL["n_layers"]
    sublayers = [i / 2 + 1 for i in range(n_sub)]          # layer 1's two sub-layers at 1 and 1.5
    for variant in runs.variants:
        _line(ax_stream, sublayers, runs.stream_rms[variant], variant, faint=False)
        _line(ax_branch, sublayers, runs.branch_ratio[variant], variant, faint=False)
        _line(ax_grad, range(1, CHAR_MODEL["n_layers"] + 1),
              runs.gradient_norms[variant][:, checkpoint], variant, faint=False)
    ax_stream.set_title("size of the stream x", fontsize=10)
    ax_stream.set_ylabel("RMS of x entering the sub-layer")
    ax_branch.set_title("branch size / stream size", fontsize=10)
    ax_branch.set_ylabel("RMS(F(x)) / RMS(x)")
    ax_branch.set_yscale("log")
    ax_grad.set_title(f"gradient at step {runs.checkpoints[checkpoint]}", fontsize=10)
    ax_grad.set_ylabel("gradient norm of the layer")
    ax_grad.set_yscale("log")
    for ax in (ax_stream, ax_branch):
        ax.set_xlabel("layer (attention, then feed-forward)")
        ax.grid(True, alpha=0.3)
    ax_grad.set_xlabel("layer (input → output)")
    ax_grad.grid(True, alpha=0.3)
    ax_stream.set_ylim(bottom=0)
    ax_grad.legend(fontsize=7, loc="lower right")
    return finish(fig)
