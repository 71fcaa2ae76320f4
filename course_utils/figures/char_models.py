"""Figures of notebook 06: the character models' validation curves against the n-gram
baselines, what the trained models do inside (stream size, branch size, gradients by layer), and
one run at one step of its training (the explorer's)."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from ..experiments.char_models import CHAR_MODEL, CharModelRuns
from ..plotting import SERIES, finish, new_figure, plot_reference_line
from ..validation import check_int, check_result

STYLE = {   # variant: (series, line style)
    "no residual": ("none", "-"),
    "post-norm": ("plain", ":"),
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
    bits per character, one dot per seed and a line at the median."""
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
    ax.set_title("during training, on 128 windows (lower is better)", fontsize=10)
    ax.set_ylim(min(2.5, min(float(b.min()) for b in runs.final_bits.values()) - 0.2), 6.0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")
    for i, variant in enumerate(runs.variants):
        style = SERIES[STYLE[variant][0]]
        bits = runs.final_bits[variant].clamp(max=8.0).tolist()
        ax_final.plot([i - 0.25, i + 0.25], [runs.median_bits(variant)] * 2, color=style.color,
                      linewidth=3)
        ax_final.plot([i] * len(bits), bits, linestyle="none", marker=style.marker,
                      color=style.color, alpha=0.7)
    plot_reference_line(ax_final, runs.baselines["unigram"], "unigram")
    plot_reference_line(ax_final, runs.baselines["bigram"], "bigram")
    ax_final.set_xticks(range(len(runs.variants)), [v.replace(" + ", "\n+ ") for v in runs.variants],
                        fontsize=8)
    ax_final.set_ylabel("validation bits per character")
    ax_final.set_title(f"after {runs.steps} steps, on 512 windows (line: median)", fontsize=10)
    ax_final.set_ylim(ax.get_ylim()[0], 5.0)
    ax_final.set_xlim(-0.6, len(runs.variants) - 0.4)
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
        3, width=4.0, height=3.6, title="Inside the models (medians over seeds)")
    n_sub = 2 * CHAR_MODEL["n_layers"]
    sublayers = [i / 2 + 1 for i in range(n_sub)]          # layer 1's two sub-layers at 1 and 1.5
    for variant in runs.variants:
        _line(ax_stream, sublayers, runs.stream_rms[variant], variant, faint=False)
        _line(ax_branch, sublayers, runs.branch_ratio[variant], variant, faint=False)
        _line(ax_grad, range(1, CHAR_MODEL["n_layers"] + 1),
              runs.gradient_norms[variant][:, checkpoint], variant, faint=False)
    ax_stream.set_title(f"size of the stream x, after {runs.steps} steps", fontsize=10)
    ax_stream.set_ylabel("RMS of x entering the sub-layer")
    ax_branch.set_title(f"branch / stream, after {runs.steps} steps", fontsize=10)
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
    ax_stream.annotate("all but pre-norm: at 1", (0.97, 0.22), xycoords="axes fraction",
                       ha="right", fontsize=8, color="grey")
    for ax in (ax_stream, ax_branch):
        ax.set_xticks(range(1, CHAR_MODEL["n_layers"] + 1, 2))
    ax_grad.legend(fontsize=7, loc="lower right")
    return finish(fig)


def draw_run(runs: CharModelRuns, *, variant: str, seed_index: int = 0,
             checkpoint: int = -1) -> Figure:
    """One trained model of `runs` at one checkpoint of its training: left, its validation bits
    per character during training (the other variants of its seed faint) with the checkpoint
    marked; right, each layer's gradient norm at that checkpoint, beside the other variants'."""
    check_result("draw_run", runs, CharModelRuns, "course_utils.train_char_models")
    if variant not in runs.variants:
        raise ValueError(f"variant must be one of {list(runs.variants)}, got {variant!r}")
    seed_index = check_int("seed_index", seed_index, minimum=0, maximum=len(runs.seeds) - 1)
    n_checkpoints = len(runs.checkpoints)
    checkpoint = check_int("checkpoint", checkpoint, minimum=-n_checkpoints,
                           maximum=n_checkpoints - 1) % n_checkpoints
    step = runs.checkpoints[checkpoint]
    fig, (ax_curve, ax_grad) = new_figure(
        2, width=5.0, height=3.6,
        title=f"{variant}, seed {runs.seeds[seed_index]}, step {step} of {runs.steps}")
    for other in runs.variants:
        series, linestyle = STYLE[other]
        style = SERIES[series]
        bold = other == variant
        kwargs = dict(color=style.color, linestyle=linestyle, alpha=1.0 if bold else 0.3,
                      linewidth=2 if bold else 1, label=other)
        ax_curve.plot(runs.checkpoints, runs.curve_bits[other][seed_index].clamp(max=8.0).tolist(),
                      marker=style.marker if bold else None, markersize=4, **kwargs)
        ax_grad.plot(range(1, CHAR_MODEL["n_layers"] + 1),
                     runs.gradient_norms[other][seed_index, checkpoint].tolist(),
                     marker=style.marker, markersize=4 if bold else 2, **kwargs)
    ax_curve.axvline(step, color="grey", linewidth=1)
    plot_reference_line(ax_curve, runs.baselines["unigram"], "unigram")
    plot_reference_line(ax_curve, runs.baselines["bigram"], "bigram")
    ax_curve.set_ylim(2.5, 7.5)
    ax_curve.set_xlabel("training step")
    ax_curve.set_ylabel("validation bits per character")
    ax_curve.set_title("this run, and the other wirings (faint)", fontsize=10)
    ax_curve.grid(True, alpha=0.3)
    ax_grad.set_yscale("log")
    ax_grad.set_xlabel("layer (input → output)")
    ax_grad.set_ylabel("gradient norm of the layer")
    ax_grad.set_title(f"gradients at step {step}", fontsize=10)
    ax_grad.grid(True, alpha=0.3)
    ax_grad.legend(fontsize=7, loc="lower right")
    bits = runs.curve_bits[variant][seed_index, checkpoint]
    return finish(fig, key_result=f"{variant} at step {step}: {float(bits):.2f} bits per character")
