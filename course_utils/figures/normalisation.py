"""Figures of notebook 03: which axes a norm reduces, how a token's output depends on the rest
of the batch, the small-batch study and the invariance table."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..experiments.norm_statistics import SEQUENCE_NORMS, PaddingProbe
from ..experiments.small_batch import SmallBatchResult
from ..papers import (BA2016_INVARIANCE, INVARIANCES, WU_HE2018_BATCH_SIZES, WU_HE2018_ERROR,
                      WU_HE2018_LN_AT_32)
from ..plotting import OKABE_ITO, SERIES, figure, finish, new_figure
from ..validation import check_choice, check_choices, check_result

_CUBE = (4, 6, 5)   # B, T, C of the drawn tensor


def _reduced_cells(norm: str) -> np.ndarray:
    """Boolean (B, T, C) mask of the values that share ONE statistic of `norm`."""
    mask = np.zeros(_CUBE, dtype=bool)
    if norm == "batch":
        mask[:, :, 0] = True            # channel 0, over every sample and position
    else:
        mask[0, 0, :] = True            # sample 0, token 0, over every channel
    return mask


def draw_tensor_axes(ax: Axes, norm: str) -> Axes:
    """A (B, T, C) tensor as a block of cells; the cells averaged into one statistic of `norm`
    are coloured, every other cell is pale. `ax` must be a 3-D axes."""
    norm = check_choice("norm", norm, SEQUENCE_NORMS)
    if getattr(ax, "name", None) != "3d":
        raise TypeError("draw_tensor_axes draws on a 3-D axes: fig.add_subplot(projection='3d')")
    mask = _reduced_cells(norm)
    colours = np.empty(_CUBE, dtype=object)
    colours[:] = "#DDDDDD30"
    colours[mask] = SERIES[norm].color
    ax.voxels(np.ones(_CUBE, dtype=bool), facecolors=colours, edgecolor="#99999960", linewidth=0.3)
    ax.set_xlabel("B (batch)", labelpad=-10)
    ax.set_ylabel("T (time)", labelpad=-10)
    ax.set_zlabel("C (channel)", labelpad=-10)
    ax.set_xticks([]), ax.set_yticks([]), ax.set_zticks([])
    ax.view_init(elev=22, azim=-50)
    what = "one channel, over B and T" if norm == "batch" else "one token, over C"
    ax.set_title(f"{SERIES[norm].label}: {what}", fontsize=10)
    return ax


def draw_norm_axes(norms: tuple[str, ...] = ("batch", "layer")) -> Figure:
    """One (B, T, C) block per norm, the values behind one mean and variance highlighted."""
    norms = check_choices("norms", norms, SEQUENCE_NORMS)
    fig = figure(figsize=(3.4 * len(norms), 3.2))
    fig.suptitle("Which values share one mean and variance")
    for i, norm in enumerate(norms):
        draw_tensor_axes(fig.add_subplot(1, len(norms), i + 1, projection="3d"), norm)
    return finish(fig)


def draw_padding_probe(probe: PaddingProbe) -> Figure:
    """The norm's reduced axes, sample 0's normalised tokens, and how far each token moved from
    the reference batch (8 sequences, no padding)."""
    check_result("draw_padding_probe", probe, PaddingProbe, "course_utils.padding_probe")
    fig = figure(figsize=(12.5, 3.5))
    fig.suptitle(f"{SERIES[probe.norm].label}, batch of {probe.batch_size}, "
                 f"{probe.padding} padding tokens: sample 0's output")
    draw_tensor_axes(fig.add_subplot(1, 3, 1, projection="3d"), probe.norm)
    ax_map, ax_change = fig.add_subplot(1, 3, 2), fig.add_subplot(1, 3, 3)
    image = ax_map.imshow(probe.output.T.numpy(), cmap="PuOr", vmin=-3, vmax=3, aspect="auto",
                          origin="lower")
    fig.colorbar(image, ax=ax_map, label="normalised value")
    ax_map.set_xlabel("token t (real tokens only)")
    ax_map.set_ylabel("channel c")
    ax_map.set_title("sample 0 after the norm", fontsize=10)
    change = probe.change.numpy()
    ax_change.bar(range(len(change)), change, color=SERIES[probe.norm].color)
    ax_change.set_ylim(0, max(2.0, 1.1 * float(change.max())))
    ax_change.set_xlabel("token t")
    ax_change.set_ylabel("largest |change| over channels")
    ax_change.set_title(f"vs the same tokens in a batch of 8, no padding\n"
                        f"largest change: {change.max():.3f}", fontsize=10)
    ax_change.grid(True, axis="y", alpha=0.3)
    if float(change.max()) < 1e-6:                     # zero-height bars: say it in words
        ax_change.text(0.5, 0.5, "0 for every token:\nthe rest of the batch\ndoes not reach sample 0",
                       transform=ax_change.transAxes, ha="center", va="center", fontsize=10)
    return finish(fig)


def draw_small_batch(result: SmallBatchResult) -> Figure:
    """Test error by batch size: ours (left: the median over seeds as a line, each seed as a
    dot) and Wu & He 2018's ResNet-50 on ImageNet (right)."""
    check_result("draw_small_batch", result, SmallBatchResult, "course_utils.small_batch_study")
    fig, (ours, paper) = new_figure(2, width=5.4, height=3.8,
                                    title="Error as the batch shrinks: BatchNorm vs per-sample norms")
    sizes = list(result.batch_sizes)
    curves = [(norm, errors, "-", SERIES[norm].marker,
               f"{SERIES[norm].label} (eval: running statistics)" if norm == "batch"
               else SERIES[norm].label) for norm, errors in result.error.items()]
    if result.batch_stat_error is not None:
        curves.append(("batch", result.batch_stat_error, "--", "X",
                       "BatchNorm (test-batch statistics)"))
    for norm, errors, linestyle, marker, label in curves:
        colour = SERIES[norm].color
        ours.plot(sizes, errors.median(dim=0).values.tolist(), color=colour, marker=marker,
                  linestyle=linestyle, label=f"{label}: median")
        for row in errors:
            ours.plot(sizes, row.tolist(), linestyle="none", marker=marker, markersize=3,
                      color=colour, alpha=0.35)
    ours.set_title(f"ours: 6-layer MLP on two spirals, {len(result.seeds)} seeds (dots)",
                   fontsize=10)
    ours.set_ylabel("test error (%)")
    for norm, errors in WU_HE2018_ERROR.items():
        style = SERIES[norm]
        paper.plot(WU_HE2018_BATCH_SIZES, errors, color=style.color, marker=style.marker,
                   label=style.label)
    paper.plot([32], [WU_HE2018_LN_AT_32], color=SERIES["layer"].color, marker=SERIES["layer"].marker,
               linestyle="none", label="LayerNorm (32 only)")
    paper.set_title("Wu & He 2018: ResNet-50, ImageNet", fontsize=10)
    paper.set_ylabel("validation error (%)")
    for ax, sizes in ((ours, result.batch_sizes), (paper, WU_HE2018_BATCH_SIZES)):
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes, [str(s) for s in sizes])
        ax.minorticks_off()
        ax.invert_xaxis()               # batches shrink from left to right, as in the paper
        ax.set_xlabel("batch size (per GPU for the paper)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    return finish(fig)


def draw_invariance_grid(measured: dict[str, tuple[bool, ...]]) -> Figure:
    """Ba et al.'s Table 1 as a grid: ✓ invariant, ✗ not; a red frame where we disagree."""
    if (not isinstance(measured, dict) or not measured or set(measured) - set(BA2016_INVARIANCE)
            or any(len(row) != len(INVARIANCES) for row in measured.values())):
        raise TypeError("draw_invariance_grid draws the result of course_utils.invariance_table "
                        f"(a dict of {len(INVARIANCES)} True/False per norm), got {measured!r:.80}")
    norms = list(measured)
    fig, (ax,) = new_figure(1, width=9.5, height=0.6 + 0.55 * len(norms),
                            title="Invariance of the normalised output, measured (Ba et al. 2016, Table 1)")
    for row, norm in enumerate(norms):
        for col, holds in enumerate(measured[norm]):
            colour = OKABE_ITO["green"] if holds else OKABE_ITO["vermillion"]
            ax.add_patch(_cell(col, row, colour))
            ax.text(col, row, "✓" if holds else "✗", ha="center", va="center", fontsize=14,
                    color="white", fontweight="bold")
            if norm in BA2016_INVARIANCE and BA2016_INVARIANCE[norm][col] != holds:
                ax.add_patch(_cell(col, row, "none", edge="red"))
    ax.set_xlim(-0.5, len(INVARIANCES) - 0.5)
    ax.set_ylim(len(norms) - 0.5, -0.5)
    ax.set_xticks(range(len(INVARIANCES)), [n.replace(" ", "\n", 1) for n in INVARIANCES],
                  fontsize=8)
    ax.set_yticks(range(len(norms)), [SERIES[n].label for n in norms])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    return finish(fig)


def _cell(col: int, row: int, colour: str, *, edge: str | None = None) -> Rectangle:
    return Rectangle((col - 0.45, row - 0.4), 0.9, 0.8, facecolor=colour,
                     edgecolor=edge or colour, linewidth=2 if edge else 0)
