"""Every figure the package makes, drawn at its knobs' extreme settings, keeps the course's figure
rules: it carries alt text that starts from its title; a log axis has labelled ticks across the whole range of its data; no data point lies
outside its axes (nothing clipped); every line that matters has a legend entry and differs from
the others by more than colour (a marker or a dash too); an axis of whole numbers (layers,
blocks, depths) has whole-number ticks."""

import math
import re

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Rectangle

import course_utils as cu
from course_utils.alt_text import plain
from course_utils.experiments import placement
from course_utils.experiments.shortcut_scaling import scaled_init_profile
from course_utils.figures import draw_scaled_profile


def _data_lines(ax):
    """Lines drawn in data coordinates (not axhline/axvline reference lines)."""
    return [line for line in ax.get_lines()
            if line.get_visible() and line.get_transform().contains_branch(ax.transData)
            and line.get_transform() == ax.transData]


def _points(ax):
    """Finite (x, y) of every data line, and every bar's far end."""
    points = [(x, y) for line in _data_lines(ax) for x, y in line.get_xydata()
              if math.isfinite(x) and math.isfinite(y)]
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_transform() == ax.transData:
            x, y, w, h = patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()
            points += [(x + w, y + h)] if w and h else []
    return points


def _inside(value, limits, scale):
    low, high = sorted(limits)
    slack = 1e-6 * (high - low) if scale == "linear" else 0
    return low - slack <= value <= high + slack if scale == "linear" else low * 0.999 <= value <= high * 1.001


def _check_axes(ax, where):
    if ax.name == "3d":
        return
    points = _points(ax)
    for axis, index, scale, limits in ((ax.xaxis, 0, ax.get_xscale(), ax.get_xlim()),
                                       (ax.yaxis, 1, ax.get_yscale(), ax.get_ylim())):
        values = [p[index] for p in points]
        outside = [v for v in values if not _inside(v, limits, scale) and not (scale == "log" and v <= 0)]
        assert not outside, f"{where}: {len(outside)} points outside the {'xy'[index]} range {limits}"
        if scale == "log":
            low, high = sorted(limits)
            ticks = sorted(t for t, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels())
                           if low * 0.999 <= t <= high * 1.001 and label.get_text())
            assert len(ticks) >= 2, f"{where}: a log axis with {len(ticks)} labelled ticks"
            positive = [v for v in values if v > 0]
            if positive:
                gap = max(math.log10(b / a) for a, b in zip(ticks, ticks[1:]))
                assert math.log10(min(ticks) / min(positive)) <= gap + 1e-9, f"{where}: data far below the lowest label"
                assert math.log10(max(positive) / max(ticks)) <= gap + 1e-9, f"{where}: data far above the highest label"
    xs = [x for line in _data_lines(ax) for x in line.get_xdata()]
    if xs and ax.get_xscale() == "linear" and all(float(x).is_integer() for x in xs):
        low, high = sorted(ax.get_xlim())
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert all(float(t).is_integer() for t in ticks), f"{where}: whole-number axis with ticks {ticks}"
    bold = [line for line in _data_lines(ax) if (line.get_alpha() is None or line.get_alpha() >= 0.5)
            and len(line.get_xdata()) > 1 and not line.get_label().startswith("_")]
    looks = [(line.get_color(), line.get_marker(), str(line.get_linestyle())) for line in bold]
    for i, a in enumerate(looks):
        for b in looks[i + 1:]:
            assert a[1:] != b[1:], f"{where}: two lines told apart by colour alone: {a}, {b}"
    legend = ax.get_legend()
    if bold and legend is not None:
        shown = {text.get_text() for text in legend.get_texts()}
        missing = [line.get_label() for line in bold if line.get_label() not in shown]
        assert not missing, f"{where}: lines without a legend entry: {missing}"


def _check_labels_apart(fig, ax, where):
    """Tick labels of one axis neither overlap nor mix number formats (0.00032 beside 8e-05)."""
    renderer = fig.canvas.get_renderer()
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        low, high = sorted(axis.get_view_interval())
        labels = [label for tick, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels())
                  if label.get_visible() and label.get_text() and low * 0.999 <= tick <= high * 1.001 + 1e-12]
        boxes = [label.get_window_extent(renderer) for label in labels]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), f"{where}: {name} tick labels overlap"
        texts = [label.get_text().replace("\\mathdefault", "") for label in labels]
        numbers = [t for t in texts if re.fullmatch(r"[$${}0-9.,e^\\times\-−+ ]+", t)]
        scientific = {"e" in t or "^" in t for t in numbers}
        assert len(scientific) <= 1, f"{where}: {name} tick labels mix formats: {texts}"


def _check(fig, where):
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    assert len(getattr(fig, "alt_text", "")) > 40, f"{where}: no alt text"
    assert plain(title)[:30] in fig.alt_text, f"{where}: the alt text does not start from the title"
    fig.canvas.draw()
    for i, ax in enumerate(fig.axes):
        _check_axes(ax, f"{where}, panel {i}")
        if ax.name != "3d":
            _check_labels_apart(fig, ax, f"{where}, panel {i}")
    plt.close(fig)


@pytest.fixture(scope="module")
def results():
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(placement.WARMUP, "steps", 12)
        warmup = cu.warmup_study(n_seeds=2, progress=False)
    return dict(
        degradation=cu.degradation((4, 8), steps=30, n_seeds=2, progress=False),
        scaling=cu.shortcut_scaling(n_blocks=4, steps=30, n_seeds=2, progress=False),
        lesion=cu.lesion_study(4, steps=30, n_seeds=2, progress=False),
        small_batch=cu.small_batch_study((64, 32), n_seeds=2, progress=False),
        warmup=warmup,
        changes=cu.output_change_by_depth((1, 2, 16), n_seeds=2),
        shattering=cu.shattering((1, 2, 50)),
        spectra=cu.jacobian_spectra((1, 40)),
        by_depth=cu.gradients_by_depth((1, 2, 16)),
        without_norm=cu.deep_without_norm(110, steps=30, n_seeds=2, progress=False),
        preactivation=cu.preactivation_study(12, steps=30, n_seeds=2, progress=False),
    )


@pytest.mark.parametrize("n_blocks", [2, 64])
@pytest.mark.parametrize("norm", cu.NORMS)
def test_init_profiles(n_blocks, norm):
    # every norm with the default init; every init without a norm, where the init matters most
    for init in cu.INITS if norm == "none" else ("default",):
        profiles = cu.init_profiles(n_blocks, norm=norm, init=init, width=16, n_samples=64)
        for residual in (True, False):
            _check(cu.draw_init_profiles(profiles, residual=residual),
                   f"init {n_blocks} {norm} {init} {residual}")


def test_the_experiments_figures(results):
    _check(cu.draw_degradation(results["degradation"]), "degradation")
    _check(cu.draw_shortcut_scaling(results["scaling"]), "shortcut scaling")
    for deleted in (None, 0, 3):
        _check(cu.draw_lesion(results["lesion"], deleted=deleted), f"lesion {deleted}")
    _check(cu.draw_small_batch(results["small_batch"]), "small batch")
    _check(cu.draw_warmup(results["warmup"], chance=math.log(16)), "warm-up")
    _check(cu.draw_output_change(results["changes"]), "output change")
    _check(cu.draw_jacobian_spectra(results["spectra"]), "spectra")
    profiles = {p: cu.ffn_gradient_profile(p, 16) for p in ("post", "pre")}
    _check(cu.draw_gradients_at_init(profiles, results["by_depth"]), "gradients at init")
    _check(cu.draw_gradients_at_init({"pre": [0.2]}), "gradients at init, one layer")
    _check(cu.draw_deep_without_norm(results["without_norm"]), "110 layers without norm")
    _check(cu.draw_preactivation(results["preactivation"]), "original vs pre-activation")


@pytest.mark.parametrize("depth", [1, 50])
def test_shattered(results, depth):
    curves = {k: cu.gradient_on_grid(depth, residual=k == "residual", n_points=64)
              for k in ("plain", "residual")}
    x = curves["plain"][0]
    _check(cu.draw_shattered(x, {k: g for k, (_, g) in curves.items()}, depth=depth,
                             result=results["shattering"]), f"shattered {depth}")


@pytest.mark.parametrize("gain", [0.0, 0.25, 1.0, 1.1])
@pytest.mark.parametrize("n_blocks", [4, 48])
def test_scaled_profiles_and_the_direct_term(gain, n_blocks):
    profile = scaled_init_profile(n_blocks, gain)
    _check(draw_scaled_profile(profile, shortcut_gain=gain, n_blocks=n_blocks), f"scaled {gain} {n_blocks}")


def test_direct_term_and_paths():
    _check(cu.draw_direct_term(), "direct term")
    _check(cu.draw_direct_term((0.0, 0.5, 2.0), max_blocks=10), "direct term, extreme gains")
    for n in (1, 54, 200):
        _check(cu.draw_path_lengths(n), f"paths {n}")


@pytest.mark.parametrize("norm", ["batch", "layer", "rms"])
@pytest.mark.parametrize("batch_size, padding", [(1, 0), (32, 16), (8, 0)])
def test_padding_probes(norm, batch_size, padding):
    _check(cu.draw_padding_probe(cu.padding_probe(norm, batch_size, padding)), f"padding {norm}")


def test_norm_axes_and_invariance():
    _check(cu.draw_norm_axes(("batch", "layer", "rms")), "norm axes")
    _check(cu.draw_invariance_grid(cu.invariance_table()), "invariance")


@pytest.mark.parametrize("n_layers", [1, 16])
@pytest.mark.parametrize("lr, warmup", [(1e-4, False), (1e-2, False), (1e-2, True)])
def test_placement_probes(n_layers, lr, warmup):
    profile = cu.ffn_gradient_profile("deepnorm", n_layers)
    change = {p: cu.output_change(p, n_layers, lr=lr, warmup_steps=100 if warmup else 0)
              for p in cu.PLACEMENTS}
    _check(cu.draw_placement_probe(profile, change, placement="deepnorm", lr=lr, warmup=warmup),
           f"placement {n_layers} {lr} {warmup}")


@pytest.mark.parametrize("depth", [2, 32])
def test_zoo_with_every_block_highlighted(depth):
    comparison = cu.zoo_comparison(depth)
    for arch in cu.ZOO:
        _check(cu.draw_zoo_comparison(comparison, highlight=arch), f"zoo {depth} {arch}")


def test_the_checks_catch_a_clipped_line_and_colour_alone():
    fig, (ax,) = cu.new_figure()
    ax.plot([0, 1, 2], [0.0, 5.0, 1.0], label="a", marker="o")
    ax.set_ylim(0, 2)
    with pytest.raises(AssertionError, match="points outside"):
        _check_axes(ax, "clipped")
    fig, (ax,) = cu.new_figure()
    ax.plot([0, 1], [0, 1], color="red", label="a")
    ax.plot([0, 1], [1, 0], color="blue", label="b")
    with pytest.raises(AssertionError, match="colour alone"):
        _check_axes(ax, "colour alone")
    fig, (ax,) = cu.new_figure()
    ax.plot([1, 1000], [1e-6, 1.0])
    ax.set_yscale("log")
    ax.set_yticks([1.0])
    with pytest.raises(AssertionError, match="labelled ticks"):
        _check_axes(ax, "one label")
    fig, (ax,) = cu.new_figure()
    ax.plot([1, 2], [8e-5, 3.2e-4], marker="o")
    ax.set_yticks([8e-5, 3.2e-4], labels=["8e-05", "0.00032"])
    fig.canvas.draw()
    with pytest.raises(AssertionError, match="mix formats"):
        _check_labels_apart(fig, ax, "mixed")
    ax.set_yticks([8e-5, 8.1e-5, 3.2e-4], labels=["0.00008", "0.000081", "0.00032"])
    fig.canvas.draw()
    with pytest.raises(AssertionError, match="overlap"):
        _check_labels_apart(fig, ax, "crowded")
    plt.close("all")
