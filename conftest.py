"""Loaded by pytest for everything it collects, the notebooks included.

nbval runs the notebooks with --nbval-lax, which fails a cell only when it raises. Two things a
student would see that do not raise fail the cell here as well:
- a claim that does not hold prints a ✗ line (to stderr) and lets the notebook go on, as a
  student needs; here that line fails the cell, so a claim that stops being true fails CI;
- a Python warning (a DeprecationWarning of some library, a UserWarning of ours): it is noise
  in the student's notebook, and often tomorrow's error.
It also points the progress record at a temporary folder (below), and leaves nbval's run of
the notebooks to the browser tests where those must run (pytest_collection_modifyitems).
"""

import atexit
import os
import re
import shutil
import tempfile

import pytest

# Checks and quiz answers are recorded in the student's progress file (course_utils.progress):
# every test run, and every kernel it starts (nbval's, the browser's, the claims runs'), records
# into a folder of its own, never into the real one.
os.environ["COURSE_PROGRESS_DIR"] = tempfile.mkdtemp(prefix="course-progress-")
atexit.register(shutil.rmtree, os.environ["COURSE_PROGRESS_DIR"], ignore_errors=True)

FAILED_CLAIM = "✗ claim does not hold"
WARNING_LINE = re.compile(r"^.*:\d+: \w*Warning: .*$", re.MULTILINE)


def _stream(outputs, name=None):
    return [out.get("text", "") for out in outputs
            if out.get("output_type") == "stream" and (name is None or out.get("name") == name)]


def pytest_collection_modifyitems(config, items):
    """One execution of each notebook in this environment. Where the browser tests must run
    (COURSE_REQUIRE_BROWSER=1, as in CI) and are collected, they execute every notebook top to
    bottom in JupyterLab and fail on any error output, any stderr output (a ✗ claim, a warning)
    and any cell that never ran: nbval's run of the same notebooks would repeat it, so it is
    left out. Anywhere else (no Chromium, or the notebooks run on their own) nbval runs them."""
    in_browser = any("test_notebooks_in_browser.py" in item.nodeid for item in items)
    if in_browser and os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        nbval = [item for item in items if item.nodeid.startswith("notebooks/")]
        if nbval:
            config.hook.pytest_deselected(items=nbval)
            items[:] = [item for item in items if not item.nodeid.startswith("notebooks/")]
    # The slowest groups first, before the many short ones (the order within each group, and so
    # each test's fixtures, are unchanged). pytest-xdist's loadscope would re-sort the groups by
    # their number of tests, putting these one-test groups last (both environment tests then
    # ran in series on one worker, 311 + 264 s, at the end of the run); pyproject.toml's
    # --no-loadscope-reorder keeps this order, and loadscope gives each worker one group first,
    # so the two environment tests start together on the two workers.
    items.sort(key=lambda item: next((rank for rank, part in enumerate(LONGEST_FIRST)
                                      if part in item.nodeid), len(LONGEST_FIRST)))


LONGEST_FIRST = ("TestColabLike", "TestLowestVersions", "browser/test_site.py", "test_hub.py",
                 "browser/test_notebooks_in_browser.py", "test_claims_everywhere.py")
"""Parts of test ids, the slowest groups of tests first (tests/test_environments.py's two
classes each install an environment and run every notebook; the site test builds the site)."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs = getattr(item, "test_outputs", None) or []          # nbval's cell outputs
    failed = [text for text in _stream(outputs) if FAILED_CLAIM in text]
    if failed:
        pytest.fail("a claim of the notebook failed:\n" + "".join(failed), pytrace=False)
    warnings = [line for text in _stream(outputs, "stderr") for line in WARNING_LINE.findall(text)]
    if warnings:
        pytest.fail("the cell printed a warning:\n" + "\n".join(warnings), pytrace=False)
    return result
