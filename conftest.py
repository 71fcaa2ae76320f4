"""Loaded by pytest for everything it collects, the notebooks included.

nbval runs the notebooks with --nbval-lax, which fails a cell only when it raises. A claim that
does not hold prints a ✗ line (to stderr) and lets the notebook go on, as a student needs; here
that line fails the cell, so a claim that stops being true still fails CI.
"""

import pytest

FAILED_CLAIM = "✗ claim does not hold"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs = getattr(item, "test_outputs", None) or []          # nbval's cell outputs
    failed = [out.get("text", "") for out in outputs
              if out.get("output_type") == "stream" and FAILED_CLAIM in out.get("text", "")]
    if failed:
        pytest.fail("a claim of the notebook failed:\n" + "".join(failed), pytrace=False)
    return result
