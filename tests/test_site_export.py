"""What a notebook does differently while the website is built (course_utils.site), and the alt
text every figure carries (course_utils.alt_text): unit tests; tests/browser/test_site.py reads
the built site."""

import json
import re

import matplotlib.pyplot as plt
import pytest

import course_utils as cu
from course_utils import site
from course_utils.alt_text import describe, plain
from course_utils.explorer import Explorer, choice_slider, dropdown, slider
from course_utils.plotting import CourseFigure, finish, new_figure
from course_utils.progress_bars import progress_bar
from course_utils.quiz import grade


def _draw(values, depth, kind):
    fig, (ax,) = new_figure(title=f"{kind} at depth {depth}")
    ax.plot(range(len(values)), values, label=kind, marker="o")
    ax.set_xlabel("layer")
    ax.set_ylabel("gradient")
    ax.legend()
    return finish(fig)


def _explorer(**grid):
    return Explorer(lambda depth, kind: [depth * i for i in range(4)], _draw,
                    {"depth": slider(1, 40, value=4, description="depth"),
                     "kind": dropdown({"plain": "a", "residual": "b"}, value="a", description="kind")},
                    title="A test explorer", grid=grid or {"depth": (1, 8)})


def test_a_figure_says_its_title_axes_and_where_each_line_ends():
    fig = _draw([0.0, 1.0, 2.0, 3.0], depth=3, kind="a")
    assert isinstance(fig, CourseFigure)
    assert fig.alt_text.startswith("a at depth 3.")
    assert "gradient against layer" in fig.alt_text and "a: from 0 at 0 to 3 at 3" in fig.alt_text
    data, metadata = fig._repr_mimebundle_()
    assert data == {"text/plain": fig.alt_text} and metadata == {"image/png": {"alt": fig.alt_text}}
    plt.close(fig)


def test_mathtext_is_read_as_plain_symbols():
    assert plain(r"the term $\lambda^L$, $\partial L/\partial x$") == "the term λ^L, ∂L/∂x"


def test_every_figure_of_the_package_has_alt_text_with_its_title():
    for fig in (cu.draw_expressway(), cu.draw_direct_term(), cu.draw_path_lengths(6),
                cu.draw_init_profiles(cu.init_profiles(2, n_samples=16, width=8))):
        title = fig._suptitle.get_text() if fig._suptitle else ""
        assert len(fig.alt_text) > 60 and plain(title)[:20] in fig.alt_text
        plt.close(fig)
    bars = describe(cu.draw_invariance_grid(cu.invariance_table()))
    assert "Panel" not in bars or "against" in bars


def test_the_grid_is_every_option_or_the_declared_one_with_the_default():
    explorer = _explorer(depth=(1, 8))
    assert explorer.grid["depth"] == [("1", 1), ("4", 4), ("8", 8)]         # the default 4 added
    assert explorer.grid["kind"] == [("plain", "a"), ("residual", "b")]
    assert len(explorer.site_settings()) == 6
    assert explorer.site_settings()[0] == {"depth": 1, "kind": "a"}


def test_a_grid_that_cannot_be_drawn_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="declare a coarser grid"):
        Explorer(lambda depth: depth, lambda d, depth: plt.figure(),
                 {"depth": slider(1, 40, value=4, description="depth")})
    with pytest.raises(ValueError, match="cannot take: \\[3\\]"):
        Explorer(lambda depth: depth, lambda d, depth: plt.figure(),
                 {"depth": choice_slider((1, 2, 4), value=2, description="depth")}, grid={"depth": (3,)})
    with pytest.raises(ValueError, match="does not have"):
        _explorer(width=(1,))


def test_the_site_explorer_writes_every_setting_and_shows_knobs_over_them(tmp_path):
    explorer = _explorer(depth=(1, 8))
    markup = site.explorer_html(explorer, tmp_path)
    (folder,) = tmp_path.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [f"{i}.png" for i in range(6)]
    data = json.loads(re.search(r'course-explorer-data">(.*?)</script>', markup).group(1))
    assert data["sizes"] == [3, 2] and len(data["files"]) == len(data["alts"]) == 6
    assert data["files"][0] == f"{site.URL}/{folder.name}/0.png"
    assert all(alt.startswith(f"{kind} at depth {depth}.") for alt, (depth, kind) in
               zip(data["alts"], [(1, "a"), (1, "b"), (4, "a"), (4, "b"), (8, "a"), (8, "b")]))
    # the default setting (depth 4, plain) is the image shown first
    assert f'src="{site.URL}/{folder.name}/2.png"' in markup
    assert '<select id=' in markup and 'type="range"' in markup and 'aria-valuetext="4"' in markup
    again = site.explorer_html(explorer, tmp_path)          # the same figures: the same folder
    assert again == markup and len(list(tmp_path.iterdir())) == 1


def test_show_uses_the_site_export_only_while_the_site_is_built(tmp_path, monkeypatch):
    explorer = _explorer(depth=(4,))
    shown = []
    monkeypatch.setattr(site, "_display_html", shown.append)
    monkeypatch.setenv(site.ENV, str(tmp_path))
    explorer.show()
    assert len(shown) == 1 and 'class="course-explorer"' in shown[0]
    assert list(tmp_path.iterdir()) and not site.progress_allowed()
    assert progress_bar(3, "quiet on a static page").disable
    monkeypatch.delenv(site.ENV)
    assert site.progress_allowed() and not progress_bar(3, "shown").disable


def test_the_site_quiz_holds_every_feedback_grade_writes():
    markup = site.quiz_html(cu.QUIZZES["01_highway_analogy"], "01_highway_analogy")
    question = cu.QUIZZES["01_highway_analogy"][0]
    assert markup.count('class="course-question"') == len(cu.QUIZZES["01_highway_analogy"])
    for i in range(len(question.choices)):
        feedback = str(grade(question, i))
        assert feedback.replace("'", "&#x27;").replace('"', "&quot;")[:60] in markup
    assert 'data-choice="none"' in markup and "$" not in markup


def test_the_site_shows_a_cell_s_checks_as_one_compact_list_and_keeps_its_other_lines():
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "tools"))
    import build_book

    printed = {"output_type": "stream", "name": "stdout",
               "text": "gradient RMS 1e-3\n✓ plain is flat  (ratio = 0.5, n = 3)\n"
                       "≠ differs from the paper: ours grows; the paper: <constant>  (r = 2)\n✓ exact\nmore\n"}
    before, checks, after = build_book.compact_checks(printed)
    assert before["text"] == "gradient RMS 1e-3\n" and after["text"] == "more\n"
    shown = checks["data"]["text/html"]
    assert shown.count("<li") == 3 and shown.startswith('<ul class="course-checks"')
    assert "plain is flat <details><summary>measured</summary>ratio = 0.5, n = 3</details>" in shown
    assert 'class="course-check-differs"' in shown and "&lt;constant&gt;" in shown
    assert "<li class=\"course-check-held\"><span>✓</span> exact</li>" in shown
    other = {"output_type": "stream", "name": "stderr", "text": "✓ not a check on stderr\n"}
    assert build_book.compact_checks(other) == [other]
