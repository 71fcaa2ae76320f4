"""Fixtures of the browser tests: one JupyterLab server and one Chromium for the session, one
page per notebook, all shut down also when a test fails.

Without Chromium (or the playwright package) the tests skip with the reason, unless
COURSE_REQUIRE_BROWSER=1 (as in CI), where they fail instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, ROOT
from .lab import CHROMIUM_FLAGS, LabServer, find_chromium
from .notebook_page import NotebookPage

SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"


def _unavailable(reason: str) -> None:
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; COURSE_REQUIRE_BROWSER=1, so the browser tests must run")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    server = LabServer(NOTEBOOKS, tmp_path_factory.mktemp("lab"))
    try:
        server.start()
        yield server
    finally:
        killed = server.stop()
        if killed:
            print(f"browser tests: killed leftover server/kernel processes {killed}")


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements-test.txt)")
    executable = find_chromium()
    if executable is None:
        _unavailable("no Chromium found: install it (apt-get install chromium) or set COURSE_CHROMIUM")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=executable, headless=True,
                                          args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        manager.stop()


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request, chromium, lab) -> NotebookPage:
    """The notebook opened in JupyterLab with every cell run; screenshot taken on the way out."""
    path: Path = request.param
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    opened = NotebookPage(page, lab, path.name)
    try:
        opened.open_and_run_all()
        yield opened
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            opened.full_page_screenshot(SCREENSHOTS / f"{path.stem}.png")
        finally:
            opened.close()
