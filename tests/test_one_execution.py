"""Each notebook is executed once per environment: where the browser tests must run (as in CI)
and are collected, nbval's run of the same notebooks is left out (the root conftest.py)."""

import importlib.util
from types import SimpleNamespace

from conftest import ROOT


def _root_conftest():
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _session(*nodeids):
    deselected = []
    config = SimpleNamespace(hook=SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items)))
    return config, [SimpleNamespace(nodeid=n) for n in nodeids], deselected


NOTEBOOK = "notebooks/01_highway_analogy.ipynb::Cell 0"
BROWSER = "tests/browser/test_notebooks_in_browser.py::test_runs_top_to_bottom_without_error_output[01]"
UNIT = "tests/test_blocks.py::test_something"


def test_nbval_is_left_to_the_browser_tests_where_those_must_run(monkeypatch):
    monkeypatch.setenv("COURSE_REQUIRE_BROWSER", "1")
    config, items, deselected = _session(NOTEBOOK, BROWSER, UNIT)
    _root_conftest().pytest_collection_modifyitems(config, items)
    assert [i.nodeid for i in items] == [BROWSER, UNIT]
    assert [i.nodeid for i in deselected] == [NOTEBOOK]


def test_the_longest_groups_are_handed_out_first(monkeypatch):
    monkeypatch.delenv("COURSE_REQUIRE_BROWSER", raising=False)
    env = "tests/test_environments.py::TestLowestVersions::test_every_notebook_runs"
    config, items, _ = _session(UNIT, NOTEBOOK, BROWSER, env)
    _root_conftest().pytest_collection_modifyitems(config, items)
    assert [i.nodeid for i in items] == [env, BROWSER, UNIT, NOTEBOOK]


def test_nbval_runs_the_notebooks_where_the_browser_may_be_skipped_or_is_not_collected(monkeypatch):
    monkeypatch.delenv("COURSE_REQUIRE_BROWSER", raising=False)
    config, items, deselected = _session(NOTEBOOK, BROWSER, UNIT)
    _root_conftest().pytest_collection_modifyitems(config, items)
    assert len(items) == 3 and deselected == []
    monkeypatch.setenv("COURSE_REQUIRE_BROWSER", "1")
    config, items, deselected = _session(NOTEBOOK, UNIT)              # e.g. pytest notebooks/
    _root_conftest().pytest_collection_modifyitems(config, items)
    assert len(items) == 2 and deselected == []


def test_xdist_keeps_that_order_instead_of_sorting_groups_by_their_number_of_tests():
    import re

    (addopts,) = re.findall(r'^addopts = "(.*)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"),
                            flags=re.MULTILINE)
    assert "--dist loadscope" in addopts and "--no-loadscope-reorder" in addopts
