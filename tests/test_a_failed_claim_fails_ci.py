"""A claim that stops being true must fail CI, although the student's notebook goes on past it:
nbval (run with --nbval-lax) fails the cell that printed the ✗, through the root conftest.py.
So does a cell that prints a Python warning."""

import shutil
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from conftest import ROOT


def _run(tmp_path, *sources):
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    nb = new_notebook(cells=[new_code_cell(source) for source in sources],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nbformat.write(nb, tmp_path / "probe.ipynb")
    return subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:xdist",
                           "-p", "no:cacheprovider", "-q", "probe.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_nbval_fails_the_cell_with_a_failed_claim_and_still_runs_the_next(tmp_path):
    result = _run(tmp_path, 'import course_utils as cu\ncu.expect(cu.below(2, 1), "two is below one", two=2)',
                  'print("the lesson goes on")')
    assert result.returncode == 1, result.stdout
    assert "a claim of the notebook failed" in result.stdout
    assert "✗ claim does not hold: two is below one  (two = 2)" in result.stdout
    assert "1 failed, 1 passed" in result.stdout


def test_nbval_fails_a_failed_pinning_check_and_a_failed_difference_from_the_paper_too(tmp_path):
    result = _run(tmp_path, 'import course_utils as cu\ncu.expect(cu.below(2, 1), "two is below one", shown=False)',
                  'import course_utils as cu\ncu.expect(cu.above(1, 2), "ours grows", differs="the paper: flat")',
                  'import course_utils as cu\ncu.expect(cu.below(1, 2), "one is below two", shown=False)\n'
                  'cu.expect(cu.above(2, 1), "two is above one", differs="the paper: below")')
    assert result.returncode == 1, result.stdout
    assert "✗ claim does not hold: two is below one" in result.stdout
    assert "✗ claim does not hold: ours grows" in result.stdout
    assert "2 failed, 1 passed" in result.stdout


def test_nbval_fails_a_cell_that_prints_a_warning(tmp_path):
    result = _run(tmp_path, 'import warnings\nwarnings.warn("this API goes away", DeprecationWarning)',
                  'import course_utils as cu\ncu.expect(cu.below(1, 2), "one is below two")')
    assert result.returncode == 1, result.stdout
    assert "the cell printed a warning" in result.stdout and "DeprecationWarning: this API goes away" in result.stdout
    assert "1 failed, 1 passed" in result.stdout
