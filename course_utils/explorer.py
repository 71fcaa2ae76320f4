"""Explorer: knobs -> cached result -> figure, for every widget in the course.

The figure is an ordinary image output with a display id: it is drawn when the cell runs (so a
reader without a live kernel still sees the default) and replaced in place when a knob moves.
Results and rendered images are cached per knob setting, so going back to a seen setting only
re-sends an image. Core ipywidgets only, no custom JavaScript (it must work on Colab).
"""

from __future__ import annotations

import html
import io
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Image, display
from matplotlib.figure import Figure

from .validation import check_callable

Key = tuple[tuple[str, Any], ...]

_INSTANCES: weakref.WeakSet[Explorer] = weakref.WeakSet()


def slider(low: int, high: int, *, value: int, step: int = 1, description: str) -> widgets.IntSlider:
    """An integer slider that only reports its value when released (continuous_update=False)."""
    return widgets.IntSlider(value=value, min=low, max=high, step=step, description=description,
                             continuous_update=False, style={"description_width": "initial"})


def choice_slider(options: Sequence[Any], *, value: Any, description: str) -> widgets.SelectionSlider:
    """A slider over a fixed list of values (e.g. depths 2, 4, 8, 16), reported when released."""
    return widgets.SelectionSlider(options=list(options), value=value, description=description,
                                   continuous_update=False,
                                   style={"description_width": "initial"})


def dropdown(options: Sequence[Any] | dict[str, Any], *, value: Any,
             description: str) -> widgets.Dropdown:
    """A drop-down list; `options` are values, or a {label: value} dict."""
    if isinstance(options, dict):
        options = list(options.items())      # (label, value) pairs: ipywidgets 8 deprecates dicts
    return widgets.Dropdown(options=options, value=value, description=description,
                            style={"description_width": "initial"})


def render_png(fig: Figure, *, dpi: int = 100) -> bytes:
    """Render a figure to PNG bytes and close it (so it is not drawn a second time inline)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


class Explorer:
    """Knobs -> cached result -> figure.

    Args:
        compute: called with the knobs' values as keyword arguments; returns plain data.
        draw: called with that data and the same keywords; returns a matplotlib Figure.
        knobs: {keyword: widget} for compute and draw, in the order they are shown.
        title: a line shown above the knobs.
    """

    def __init__(self, compute: Callable[..., Any], draw: Callable[..., Figure],
                 knobs: dict[str, widgets.ValueWidget], *, title: str | None = None):
        check_callable("compute", compute, "a function of the knobs' values returning data")
        check_callable("draw", draw, "a function of that data and the knobs returning a Figure")
        if not isinstance(knobs, dict) or not knobs:
            raise ValueError("an Explorer needs at least one knob: {keyword: widget}")
        for name, knob in knobs.items():
            if not isinstance(knob, widgets.ValueWidget):
                raise TypeError(f"knob {name!r} must be an ipywidgets value widget (a slider or "
                                f"a drop-down), got {type(knob).__name__}")
        self.compute, self.draw, self.knobs = compute, draw, dict(knobs)
        self.title = title
        self._results: dict[Key, Any] = {}
        self._images: dict[Key, bytes] = {}
        self._handle: Any = None
        self.status = widgets.HTML(value="")
        self.last_seconds: float | None = None
        self.last_cached: bool | None = None
        for knob in self.knobs.values():
            if hasattr(knob, "continuous_update"):
                knob.continuous_update = False     # redraw on release, not on every pixel
            knob.observe(self._on_change, names="value")
        _INSTANCES.add(self)

    def __repr__(self) -> str:
        return f"Explorer({', '.join(self.knobs)})"

    @staticmethod
    def instances() -> list[Explorer]:
        """Every Explorer alive in this kernel (the benchmark times their redraws)."""
        return list(_INSTANCES)

    def settings(self) -> dict[str, Any]:
        """The knobs' current values, as keyword arguments."""
        return {name: knob.value for name, knob in self.knobs.items()}

    @staticmethod
    def _key(settings: dict[str, Any]) -> Key:
        return tuple(sorted(settings.items()))

    def result(self, **settings: Any) -> Any:
        """The computed data for `settings` (cached)."""
        key = self._key(settings)
        if key not in self._results:
            self._results[key] = self.compute(**settings)
        return self._results[key]

    def image(self, **settings: Any) -> bytes:
        """The PNG of the figure for `settings` (cached)."""
        key = self._key(settings)
        if key not in self._images:
            self._images[key] = render_png(self.draw(self.result(**settings), **settings))
        return self._images[key]

    def is_cached(self, **settings: Any) -> bool:
        """True if the figure for `settings` has been drawn before."""
        return self._key(settings) in self._images

    def show(self) -> Explorer:
        """Display the knobs and the figure for their current values; return self."""
        header = [widgets.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        display(widgets.VBox([*header, widgets.HBox(list(self.knobs.values())), self.status]))
        png = self._timed_image(self.settings())
        self._handle = display(Image(data=png, format="png"), display_id=True)
        return self

    def _timed_image(self, settings: dict[str, Any]) -> bytes:
        cached = self.is_cached(**settings)
        start = time.perf_counter()
        png = self.image(**settings)
        self.last_seconds, self.last_cached = time.perf_counter() - start, cached
        shown = ", ".join(f"{name} = {value}" for name, value in settings.items())
        kind = "seen before" if cached else "new setting"
        self.status.value = (f"<span style='color:#555'>{html.escape(shown)}: drawn in "
                             f"{self.last_seconds:.2f} s ({kind})</span>")
        return png

    def _on_change(self, change: dict[str, Any]) -> None:
        settings = self.settings()
        self.status.value = "<span style='color:#555'>computing…</span>"
        try:
            png = self._timed_image(settings)
        except Exception as error:  # a callback must never die silently: say what went wrong
            self.status.value = (f"<span style='color:#D55E00'>could not draw this setting: "
                                 f"{html.escape(type(error).__name__)}: "
                                 f"{html.escape(str(error))}</span>")
            return
        if self._handle is not None:
            self._handle.update(Image(data=png, format="png"))
