"""Figure of notebook 05: the same gradient probe on every architecture of the zoo."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..plotting import OKABE_ITO, new_figure, finish
from ..validation import check_choice, check_result
from ..zoo import ZOO, ZooComparison

FAMILY = {   # how each skip works, which decides the bar's colour
    "plain": ("no skip", OKABE_ITO["vermillion"]),
    "resnet": ("identity skip, BatchNorm in the branch", OKABE_ITO["sky_blue"]),
    "preact": ("identity skip, BatchNorm in the branch", OKABE_ITO["sky_blue"]),
    "highway": ("gated skip", OKABE_ITO["orange"]),
    "post_norm": ("identity skip, LayerNorm", OKABE_ITO["green"]),
    "pre_norm": ("identity skip, LayerNorm", OKABE_ITO["green"]),
    "deepnorm": ("identity skip, LayerNorm", OKABE_ITO["green"]),
    "rwkv": ("identity skip, LayerNorm", OKABE_ITO["green"]),
    "rezero": ("identity skip, no norm", OKABE_ITO["blue"]),
    "unet": ("concatenation skip", OKABE_ITO["purple"]),
    "densenet": ("concatenation skip", OKABE_ITO["purple"]),
}
FLOOR = 1e-6   # a gradient that vanished to 0 is drawn here, on the log axis


def draw_zoo_comparison(comparison: ZooComparison, *, highlight: str = "rezero") -> Figure:
    """Left: the gradient along the stack for every architecture (the highlighted one in colour);
    right: input-end gradient / output-end gradient for each, coloured by kind of skip."""
    check_result("draw_zoo_comparison", comparison, ZooComparison, "course_utils.zoo_comparison")
    highlight = check_choice("highlight", highlight, tuple(ZOO))
    entry = ZOO[highlight]
    fig, (ax_line, ax_bar) = new_figure(
        2, width=5.6, height=4.8,
        title=f"{comparison.depth} blocks at initialisation · {entry.name}: {entry.formula}")
    for arch, values in comparison.gradient.items():
        if arch == highlight:
            continue
        ax_line.plot(range(len(values)), [max(v, FLOOR) for v in values],
                     color=OKABE_ITO["grey"], lw=0.8, alpha=0.5)
    values = comparison.gradient[highlight]
    ax_line.plot(range(len(values)), [max(v, FLOOR) for v in values],
                 color=FAMILY[highlight][1], lw=2.5, marker="o", markersize=3, label=entry.name)
    ax_line.set_yscale("log")
    ax_line.set_xlabel("block (input → output)")
    ax_line.set_ylabel("gradient RMS / gradient RMS at the output")
    ax_line.set_title("the gradient along the stack (grey: the others; 0 at 1e-6)", fontsize=10)
    ax_line.grid(True, alpha=0.3)
    ax_line.legend(fontsize=8, loc="upper right")
    archs = list(comparison.gradient)
    ratios = [max(comparison.ratio(a), FLOOR) for a in archs]
    # bars grow from 1 (no change) to the ratio: right = grows towards the input, left = shrinks
    bars = ax_bar.barh([ZOO[a].name for a in archs], [r - 1.0 for r in ratios], left=1.0,
                       color=[FAMILY[a][1] for a in archs])
    for bar, arch in zip(bars, archs):
        bar.set_alpha(1.0 if arch == highlight else 0.55)
        bar.set_edgecolor("black" if arch == highlight else "none")
    ax_bar.scatter(ratios, range(len(archs)), color="black", s=10, zorder=3)   # ratio 1 too
    ax_bar.set_xscale("log")
    ax_bar.set_xlim(min(ratios + [0.1]) / 4, max(ratios + [10.0]) * 4)   # every bar, the floor too
    ax_bar.axvline(1.0, color="black", lw=0.8)
    ax_bar.axvspan(1 / 20, 20, color=OKABE_ITO["green"], alpha=0.08)
    ax_bar.set_xlabel("gradient at the input end / at the output end")
    ax_bar.set_title("1 = unchanged; shaded: within 20×; 0 is drawn at 1e-6", fontsize=10)
    ax_bar.invert_yaxis()
    seen = {}
    for arch in archs:
        seen.setdefault(FAMILY[arch][0], FAMILY[arch][1])
    ax_bar.legend(handles=[Patch(color=c, label=k) for k, c in seen.items()], fontsize=7,
                  loc="upper center", bbox_to_anchor=(0.35, -0.16), ncol=2, frameon=False)
    return finish(fig)
