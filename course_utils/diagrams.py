"""Pictures drawn with matplotlib (no image files): the expressway and its ramps."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from .plotting import OKABE_ITO, SERIES, figure, finish
from .validation import check_int


def _box(ax: Axes, x: float, y: float, text: str, colour: str) -> None:
    ax.add_patch(FancyBboxPatch((x - 0.38, y - 0.28), 0.76, 0.56,
                                boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=colour, edgecolor="black", alpha=0.9, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=4)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], *, colour: str,
           width: float = 1.5) -> None:
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=colour, lw=width, shrinkA=0, shrinkB=0))


def _frame(ax: Axes, n_layers: int, title: str, *, top: float) -> None:
    ax.set_xlim(-0.7, n_layers * 1.6 + 0.9)
    ax.set_ylim(-0.9, top)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, loc="left", fontsize=11)


def draw_plain_stack(ax: Axes, n_layers: int = 4) -> Axes:
    """x -> F1 -> F2 -> ... -> y: every signal, forward and backward, goes through every layer."""
    n_layers = check_int("n_layers", n_layers, maximum=8)
    colour = SERIES["plain"].color
    ax.text(-0.4, 0, "x", ha="center", va="center", fontsize=13)
    previous = -0.2
    for i in range(n_layers):
        centre = 0.8 + 1.6 * i
        _arrow(ax, (previous, 0), (centre - 0.4, 0), colour="black")
        _box(ax, centre, 0, f"$F_{i + 1}$", "#FBE3D6")
        previous = centre + 0.4
    _arrow(ax, (previous, 0), (previous + 0.5, 0), colour="black")
    ax.text(previous + 0.7, 0, "y", ha="center", va="center", fontsize=13)
    ax.text(-0.6, -0.65, "plain: every car crawls through every intersection",
            color=colour, fontsize=10)
    _frame(ax, n_layers, "Plain stack:  $x_{l+1} = F_l(x_l)$", top=0.5)
    return ax


def draw_residual_stack(ax: Axes, n_layers: int = 4) -> Axes:
    """The identity path (expressway) runs straight from x to y; each layer is a ramp that
    leaves it, computes F_l, and adds its result back at a junction (+)."""
    n_layers = check_int("n_layers", n_layers, maximum=8)
    road, ramp = SERIES["residual"].color, OKABE_ITO["orange"]
    end = 1.6 * n_layers + 0.2
    ax.text(-0.4, 0, "x", ha="center", va="center", fontsize=13)
    ax.plot([-0.2, end], [0, 0], color=road, lw=5, solid_capstyle="butt", zorder=1)
    ax.plot([-0.2, end], [0, 0], color="white", lw=1, dashes=(4, 4), zorder=1)
    _arrow(ax, (end - 0.1, 0), (end + 0.3, 0), colour=road, width=2.5)
    ax.text(end + 0.5, 0, "y", ha="center", va="center", fontsize=13)
    for i in range(n_layers):
        exit_x, join_x = 0.2 + 1.6 * i, 1.4 + 1.6 * i
        _arrow(ax, (exit_x, 0.1), (exit_x + 0.25, 0.72), colour=ramp)      # off-ramp
        _box(ax, (exit_x + join_x) / 2, 1.0, f"$F_{i + 1}$", "#FFF1CC")
        _arrow(ax, (join_x - 0.25, 0.72), (join_x, 0.16), colour=ramp)     # on-ramp
        ax.add_patch(Circle((join_x, 0), 0.16, facecolor="white", edgecolor="black", zorder=4))
        ax.text(join_x, 0, "+", ha="center", va="center", fontsize=11, zorder=5)
    ax.text(-0.6, -0.65, "residual: the identity path is an expressway; each layer is a ramp "
            "that adds $F_l(x_l)$", color=road, fontsize=10)
    _frame(ax, n_layers, "Residual stack:  $x_{l+1} = x_l + F_l(x_l)$", top=1.4)
    return ax


def draw_expressway(n_layers: int = 4) -> Figure:
    """The plain stack above the residual stack: the picture of notebook 01."""
    n_layers = check_int("n_layers", n_layers, maximum=12)
    fig = figure(figsize=(8.5, 4.2))
    ax_plain, ax_residual = fig.subplots(2, 1, height_ratios=(1.4, 2.3))
    draw_plain_stack(ax_plain, n_layers)
    draw_residual_stack(ax_residual, n_layers)
    return finish(fig, key_result=(
        f"A diagram of two stacks of {n_layers} layers. Top, plain: x passes through F1 to "
        f"F{n_layers} in turn to reach y, so every signal and every gradient goes through every "
        f"layer. Bottom, residual: an identity path carries x straight to y, and each layer "
        f"F(x) branches off it and is added back in (x + F(x)), like ramps beside an expressway"))
