"""Explorer: knobs -> cached result -> figure, for every widget in the course.

The figure is an ordinary image output with a display id: it is drawn when the cell runs (so a
reader without a live kernel still sees the default) and replaced in place when a knob moves.
Results and rendered images are cached per knob setting, so going back to a seen setting only
re-sends an image. Core ipywidgets only, no custom JavaScript (it must work on Colab). Every
image carries its figure's alt text.

When the course's website is built (course_utils.site), an Explorer shows instead the same knobs
as HTML over images pre-rendered for its `grid` of settings, which the page swaps with no kernel.
"""

from __future__ import annotations

import html
import io
import itertools
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Image, display
from matplotlib.figure import Figure

from . import site
from .alt_text import describe
from .plotting import TEXT_COLOURS
from .validation import check_callable

_MUTED, _WRONG = TEXT_COLOURS["muted"], TEXT_COLOURS["wrong"]
MAX_GRID = 16
"""A slider with more settings than this needs a declared site grid (e.g. depths 2, 4, ..., 64)."""

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
    """Render a figure to PNG bytes and close it (so it is not drawn a second time inline).

    A figure that `plotting.finish` has just drawn (to place its legends) and that has not
    changed since is encoded from that drawing: laying out and drawing a figure is most of the
    cost of an explorer's redraw, and of the website's pre-rendered grids.
    """
    buffer = io.BytesIO()
    if not fig.stale and fig.dpi == dpi and getattr(fig.canvas, "buffer_rgba", None) is not None:
        import matplotlib.image

        matplotlib.image.imsave(buffer, fig.canvas.buffer_rgba(), format="png")
    else:
        fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def alt_text(fig: Figure) -> str:
    """The alt text a figure carries (plotting.finish sets it), else one described now."""
    return getattr(fig, "alt_text", "") or describe(fig)


def _choices(knob: widgets.ValueWidget) -> list[tuple[str, Any]] | None:
    """(label, value) of every setting of a selection knob; None for a numeric slider."""
    full = getattr(knob, "_options_full", None)
    return [(str(label), value) for label, value in full] if full is not None else None


class Explorer:
    """Knobs -> cached result -> figure.

    Args:
        compute: called with the knobs' values as keyword arguments; returns plain data.
        draw: called with that data and the same keywords; returns a matplotlib Figure.
        knobs: {keyword: widget} for compute and draw, in the order they are shown.
        title: a line shown above the knobs.
        grid: {keyword: values} pre-rendered for the website, for a knob with too many
            settings to draw them all (every setting of the others is drawn); the knob's
            default is added if missing.
    """

    def __init__(self, compute: Callable[..., Any], draw: Callable[..., Figure],
                 knobs: dict[str, widgets.ValueWidget], *, title: str | None = None,
                 grid: dict[str, Sequence[Any]] | None = None):
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
        self.grid = self._site_grid(grid or {})
        self._results: dict[Key, Any] = {}
        self._images: dict[Key, tuple[bytes, str]] = {}
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

    def _site_grid(self, grid: dict[str, Sequence[Any]]) -> dict[str, list[tuple[str, Any]]]:
        """{keyword: [(label, value), ...]}: the settings the website pre-renders, per knob."""
        unknown = set(grid) - set(self.knobs)
        if unknown:
            raise ValueError(f"grid names knobs this Explorer does not have: {sorted(unknown)}; "
                             f"its knobs are {list(self.knobs)}")
        out = {}
        for name, knob in self.knobs.items():
            choices = _choices(knob)
            if choices is None:                            # a numeric slider
                values = list(range(knob.min, knob.max + 1, knob.step))
                choices = [(str(v), v) for v in values]
            if name in grid:
                wanted = list(grid[name])
                if knob.value not in wanted:
                    wanted.append(knob.value)
                known = dict((value, label) for label, value in choices)
                missing = [v for v in wanted if v not in known]
                if missing:
                    raise ValueError(f"grid for {name!r} holds settings the knob cannot take: {missing}")
                choices = [(known[v], v) for v in sorted(wanted, key=[v for _, v in choices].index)]
            elif len(choices) > MAX_GRID:
                raise ValueError(f"knob {name!r} has {len(choices)} settings: declare a coarser grid "
                                 f"for the website, e.g. grid={{{name!r}: (...)}}")
            out[name] = choices
        return out

    def site_settings(self) -> list[dict[str, Any]]:
        """Every setting of the website's grid, the last knob varying fastest."""
        names = list(self.grid)
        return [dict(zip(names, values)) for values in
                itertools.product(*[[v for _, v in self.grid[n]] for n in names])]

    def _rendered(self, settings: dict[str, Any]) -> tuple[bytes, str]:
        key = self._key(settings)
        if key not in self._images:
            fig = self.draw(self.result(**settings), **settings)
            alt = alt_text(fig)
            self._images[key] = (render_png(fig), alt)
        return self._images[key]

    def image(self, **settings: Any) -> bytes:
        """The PNG of the figure for `settings` (cached)."""
        return self._rendered(settings)[0]

    def alt(self, **settings: Any) -> str:
        """The alt text of the figure for `settings`: the figure in words."""
        return self._rendered(settings)[1]

    def is_cached(self, **settings: Any) -> bool:
        """True if the figure for `settings` has been drawn before."""
        return self._key(settings) in self._images

    def show(self) -> Explorer:
        """Display the knobs and the figure for their current values; return self. (While the
        website is built: the knobs as HTML over the grid's pre-rendered figures.)"""
        if site.export_dir() is not None:
            site.show_explorer(self)
            return self
        header = [widgets.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        display(widgets.VBox([*header, widgets.HBox(list(self.knobs.values())), self.status]))
        png = self._timed_image(self.settings())
        self._handle = display(self._output(png), display_id=True)
        return self

    def _output(self, png: bytes) -> Image:
        return Image(data=png, format="png", metadata={"alt": self.alt(**self.settings())})

    def _timed_image(self, settings: dict[str, Any]) -> bytes:
        cached = self.is_cached(**settings)
        start = time.perf_counter()
        png = self.image(**settings)
        self.last_seconds, self.last_cached = time.perf_counter() - start, cached
        shown = ", ".join(f"{name} = {value}" for name, value in settings.items())
        kind = "seen before" if cached else "new setting"
        self.status.value = (f"<span style='color:{_MUTED}'>{html.escape(shown)}: drawn in "
                             f"{self.last_seconds:.2f} s ({kind})</span>")
        return png

    def _on_change(self, change: dict[str, Any]) -> None:
        settings = self.settings()
        self.status.value = "<span style='color:" + _MUTED + "'>computing…</span>"
        try:
            png = self._timed_image(settings)
        except Exception as error:  # a callback must never die silently: say what went wrong
            self.status.value = (f"<span style='color:{_WRONG}'>could not draw this setting: "
                                 f"{html.escape(type(error).__name__)}: "
                                 f"{html.escape(str(error))}</span>")
            return
        if self._handle is not None:
            self._handle.update(self._output(png))
