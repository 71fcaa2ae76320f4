import matplotlib.pyplot as plt
import pytest

from course_utils import Explorer
from course_utils.explorer import choice_slider, dropdown, slider


def _explorer(calls):
    def compute(depth, kind):
        calls.append((depth, kind))
        if kind == "broken":
            raise RuntimeError("this setting cannot be computed")
        return [depth * i for i in range(5)]

    def draw(values, depth, kind):
        fig, ax = plt.subplots()
        ax.plot(values)
        ax.set_title(f"{kind} {depth}")
        return fig

    return Explorer(compute, draw, {
        "depth": slider(1, 8, value=2, description="depth"),
        "kind": dropdown(["a", "b", "broken"], value="a", description="kind"),
    })


def test_show_draws_the_default_figure_at_once(capsys):
    calls = []
    explorer = _explorer(calls)
    explorer.show()
    assert calls == [(2, "a")]
    assert explorer.is_cached(depth=2, kind="a")
    assert explorer.last_cached is False and explorer.last_seconds >= 0


def test_moving_a_knob_draws_a_new_figure_and_moving_back_uses_the_cache():
    calls = []
    explorer = _explorer(calls)
    explorer.show()
    first = explorer.image(depth=2, kind="a")
    explorer.knobs["depth"].value = 5
    assert calls[-1] == (5, "a") and explorer.last_cached is False
    assert explorer.image(depth=5, kind="a") != first
    explorer.knobs["depth"].value = 2
    assert explorer.last_cached is True and len(calls) == 2     # nothing recomputed
    assert "seen before" in explorer.status.value


def test_a_failing_setting_is_reported_in_the_status_not_raised():
    explorer = _explorer([])
    explorer.show()
    explorer.knobs["kind"].value = "broken"
    assert "could not draw this setting" in explorer.status.value
    assert "this setting cannot be computed" in explorer.status.value
    explorer.knobs["kind"].value = "b"          # and the explorer keeps working
    assert "drawn in" in explorer.status.value


def test_sliders_only_report_when_released():
    explorer = _explorer([])
    assert explorer.knobs["depth"].continuous_update is False
    assert choice_slider([1, 2, 4], value=2, description="d").continuous_update is False


def test_explorers_are_listed_for_the_benchmark():
    explorer = _explorer([])
    assert explorer in Explorer.instances()
    assert repr(explorer) == "Explorer(depth, kind)"


def test_an_explorer_needs_knobs():
    with pytest.raises(ValueError, match="at least one knob"):
        Explorer(lambda: 0, lambda r: plt.figure(), {})


def _finished_figure_with_a_legend():
    from course_utils.plotting import finish, new_figure

    fig, axes = new_figure(2)
    for ax in axes:
        ax.plot([0, 1, 2], [1, 2, 1], label="a line")
        ax.legend()
    return finish(fig)


def _pixels(png: bytes):
    import io

    import matplotlib.image

    return matplotlib.image.imread(io.BytesIO(png))


def test_a_figure_drawn_by_finish_is_encoded_from_that_drawing_with_the_same_pixels():
    import io

    import numpy as np

    from course_utils.explorer import render_png

    fig = _finished_figure_with_a_legend()
    assert not fig.stale                                  # finish drew it to place the legends
    fast = render_png(fig)
    fig = _finished_figure_with_a_legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    assert np.array_equal(_pixels(fast), _pixels(buffer.getvalue()))


def test_a_figure_changed_after_finish_is_drawn_again():
    import numpy as np

    from course_utils.explorer import render_png

    fig = _finished_figure_with_a_legend()
    before = render_png(fig)
    fig = _finished_figure_with_a_legend()
    fig.axes[0].set_title("changed after finish")
    assert fig.stale
    assert not np.array_equal(_pixels(render_png(fig)), _pixels(before))
