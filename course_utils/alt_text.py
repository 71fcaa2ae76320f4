"""A figure described in words, for its alt text: what a screen reader says instead of the image,
and what the site puts in <img alt>.

`describe(fig)` reads the figure itself, after it is drawn: its title, then each panel's title,
axes, and where each labelled line starts and ends (or each bar's value). So every figure of the
course carries its key result in words without each draw_* writing one by hand; a draw_* that
knows better passes `key_result` to `plotting.finish`.
"""

from __future__ import annotations

import math
import re

from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

# mathtext -> plain Unicode, for the few commands the course's titles and labels use
_MATH = {r"\lambda": "λ", r"\partial": "∂", r"\propto": "∝", r"\sqrt": "√", r"\sigma": "σ",
         r"\alpha": "α", r"\beta": "β", r"\delta": "δ", r"\varepsilon": "ε", r"\epsilon": "ε",
         r"\mathcal": "", r"\mathrm": "", r"\|": "‖", r"\cdot": "·", r"\times": "×", r"\ell": "ℓ",
         r"\,": " ", r"\infty": "∞", r"\approx": "≈", r"\leq": "≤", r"\geq": "≥", r"\to": "→"}
_LIMIT = 900                       # characters: long enough for every panel's key numbers


def plain(text: str) -> str:
    """A title or label without mathtext markup: "$\\lambda^L$" -> "λ^L"."""
    for command, symbol in _MATH.items():
        end = r"(?![A-Za-z]) ?" if command[-1].isalpha() else ""     # "\partial L" -> "∂L"
        text = re.sub(re.escape(command) + end, symbol, text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)          # an unknown command: its name
    return re.sub(r"\s+", " ", text.replace("$", "").replace("{", "").replace("}", "")).strip()


def _number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.2e}"
    return f"{value:.3g}"


def _lines(ax: Axes) -> list[str]:
    said = []
    for line in ax.get_lines():
        label = line.get_label()
        if label.startswith("_") or not line.get_visible():
            continue
        points = [(x, y) for x, y in line.get_xydata() if math.isfinite(x) and math.isfinite(y)]
        if not points:
            said.append(f"{plain(label)}: no finite values")
        elif len(points) == 1:
            said.append(f"{plain(label)}: {_number(points[0][1])} at {_number(points[0][0])}")
        else:
            (x0, y0), (x1, y1) = points[0], points[-1]
            said.append(f"{plain(label)}: from {_number(y0)} at {_number(x0)} to {_number(y1)} "
                        f"at {_number(x1)}")
    return said


def _bars(ax: Axes) -> list[str]:
    said = []
    for container in ax.containers:
        if not isinstance(container, BarContainer):
            continue
        horizontal = container.orientation == "horizontal"
        axis = ax.yaxis if horizontal else ax.xaxis
        names = {round(tick, 6): label.get_text() for tick, label in
                 zip(axis.get_majorticklocs(), axis.get_majorticklabels())}
        values = []
        for patch in container.patches:
            if horizontal:           # the bar's far end: its value, whatever its baseline
                where, size = patch.get_y() + patch.get_height() / 2, patch.get_x() + patch.get_width()
            else:
                where, size = patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height()
            name = names.get(round(where, 6), "")
            if not re.search(r"[A-Za-z]", name):       # a numeric axis: say where the bar stands
                name = _number(where)
            values.append(f"{plain(name)}: {_number(size)}")
        label = container.get_label()
        prefix = f"{plain(label)}: " if label and not label.startswith("_") else "bars: "
        said.append(prefix + ", ".join(values))
    return said


def _panel(ax: Axes) -> str:
    if ax.name == "3d":
        return f"a 3-D diagram{': ' + plain(ax.get_title()) if ax.get_title() else ''}"
    parts = [plain(ax.get_title())] if ax.get_title() else []
    x, y = plain(ax.get_xlabel()), plain(ax.get_ylabel())
    if x or y:
        logs = [axis for axis, scale in (("y", ax.get_yscale()), ("x", ax.get_xscale())) if scale == "log"]
        scale = {0: "", 1: f" (log {logs[0] if logs else ''} axis)", 2: " (log axes)"}[len(logs)]
        parts.append(f"{y or 'value'} against {x or 'position'}{scale}")
    if ax.images:
        parts.append("a heat map")
    parts += _lines(ax) + _bars(ax)
    return "; ".join(part for part in parts if part)


def describe(fig: Figure, key_result: str | None = None) -> str:
    """The figure in words: its title, an optional key result, then each panel's content."""
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    words = [plain(title) or "Figure"]
    if key_result:
        words.append(key_result)
    for i, ax in enumerate(panels):
        text = _panel(ax)
        if text:
            words.append(f"Panel {i + 1}: {text}" if len(panels) > 1 else text)
    said = ". ".join(w.rstrip(".") for w in words) + "."
    return said if len(said) <= _LIMIT else said[:_LIMIT - 1].rstrip() + "…"
