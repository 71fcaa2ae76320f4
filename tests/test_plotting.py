import math

import matplotlib.pyplot as plt
import pytest
import torch

from course_utils import (SERIES, degradation, draw_degradation, draw_expressway,
                          draw_init_profiles, init_profiles, new_figure)
from course_utils.plotting import plot_layer_profile, series, smooth


def test_every_series_has_a_label_and_a_distinct_colour_within_its_family():
    assert SERIES["plain"].label == "plain"
    assert SERIES["pre_norm"].label == "pre-norm" and SERIES["post_norm"].label == "post-norm"
    families = [("plain", "residual"), ("post_norm", "pre_norm", "deepnorm"),
                ("none", "batch", "layer")]
    for family in families:
        assert len({SERIES[k].color for k in family}) == len(family)


def test_unknown_series_is_refused():
    with pytest.raises(ValueError, match="unknown series 'resnet'"):
        series("resnet")


def test_layer_profile_uses_a_log_axis_and_shows_exact_zeros():
    fig, (ax,) = new_figure()
    plot_layer_profile(ax, [0.0, 0.0, 1e-3, 1e-1], key="plain", ylabel="gradient")
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "gradient"
    assert "input → output" in ax.get_xlabel()
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["plain", "plain: exactly 0"]


def test_smooth_is_a_trailing_mean():
    assert smooth([1.0, 3.0, 5.0, 7.0], 2) == [1.0, 2.0, 4.0, 6.0]


def test_init_profile_figure_has_two_labelled_log_panels():
    fig = draw_init_profiles(init_profiles(4, norm="layer", n_samples=32), residual=False)
    act, grad = fig.axes
    assert act.get_yscale() == grad.get_yscale() == "log"
    assert "activation" in act.get_ylabel() and "gradient" in grad.get_ylabel()
    assert "4 blocks (10 layers), LayerNorm" in fig._suptitle.get_text()
    plt.close(fig)


def test_degradation_figure_draws_every_seed_and_the_median_with_the_chance_line():
    result = degradation(n_layers=(4, 6), steps=3, progress=False, n_seeds=2)
    fig = draw_degradation(result)
    ax = fig.axes[0]
    labels = {line.get_label() for line in ax.lines}
    assert {"plain, 4 layers (median of 2 seeds)", "residual, 6 layers (median of 2 seeds)"} <= labels
    faint = [line for line in ax.lines if line.get_alpha() == 0.3]
    assert len(faint) == 4 * 2                              # every run of every seed
    assert any(line.get_ydata()[0] == pytest.approx(math.log(2)) for line in ax.lines)
    assert ax.get_xlabel() == "training step" and "training loss" in ax.get_ylabel()


def test_expressway_diagram_has_both_stacks():
    fig = draw_expressway(3)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles[0].startswith("Plain stack") and titles[1].startswith("Residual stack")


def test_normalisation_figures_are_labelled():
    from course_utils import (draw_invariance_grid, draw_norm_axes, draw_padding_probe,
                              draw_small_batch, invariance_table, padding_probe)
    from course_utils.experiments.small_batch import SmallBatchResult

    fig = draw_padding_probe(padding_probe("batch", 4, 2))
    flat = [ax for ax in fig.axes if ax.name != "3d" and ax.get_label() != "<colorbar>"]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in flat)
    assert "batch of 4, 2 padding tokens" in fig._suptitle.get_text()
    assert len(draw_norm_axes(("batch", "layer", "rms")).axes) == 3
    result = SmallBatchResult((32, 2), (0, 1), {"batch": torch.tensor([[1.0, 40.0], [2.0, 35.0]]),
                                                "layer": torch.tensor([[1.0, 1.0], [0.5, 2.0]])},
                              torch.tensor([[5.0, 45.0], [6.0, 41.0]]))
    fig = draw_small_batch(result)
    ours = fig.axes[0]
    assert ours.get_ylabel() == "test error (%)" and ours.xaxis_inverted()
    medians = [line for line in ours.get_lines() if line.get_label().endswith(": median")]
    assert len(medians) == 3                                # BN eval, LN, BN batch statistics
    assert len(ours.get_lines()) == 3 + 3 * 2               # and a row of dots per seed
    grid = draw_invariance_grid(invariance_table())
    marks = [t.get_text() for t in grid.axes[0].texts]
    assert marks.count("✓") == 11 and marks.count("✗") == 7
    plt.close("all")


def test_placement_and_zoo_figures_are_labelled():
    from course_utils import (draw_gradients_at_init, draw_output_change, draw_placement_probe,
                              draw_zoo_comparison, zoo_comparison)
    from course_utils.experiments.placement import GradientsByDepth, OutputChangeByDepth

    figures = [
        draw_gradients_at_init({"post": [1.0, 2.0], "pre": [2.0, 1.0]},
                               GradientsByDepth((2, 4), {"post": [1, 2], "pre": [1, 0.5]})),
        draw_output_change(OutputChangeByDepth((1, 2), (0, 1), {"post": torch.tensor([[0.01, 0.1], [0.02, 0.2]]),
                                                                "pre": torch.tensor([[0.01, 0.05], [0.01, 0.04]])})),
        draw_placement_probe([0.5, 0.6], {"post": 1.0, "pre": 0.5, "deepnorm": 0.1},
                             placement="pre", lr=1e-3, warmup=True),
        draw_zoo_comparison(zoo_comparison(2), highlight="highway"),
    ]
    for fig in figures:
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel() or ax.get_yticklabels(), ax.get_title()
        assert fig._suptitle is not None
    assert "Highway" in figures[-1]._suptitle.get_text()
    plt.close("all")
