"""Every claim of every notebook holds on more than the committed seed. CI runs each notebook
three times as a student does (and once more for the website), and each run fails on a ✗ claim:

| seed | rounding                                  | run by                                         |
|------|-------------------------------------------|------------------------------------------------|
| 0    | this CPU's (benchmarks/claims.py default) | the browser tests in CI (nbval elsewhere)      |
| 1    | another CPU's (claims.py "other")         | tests/test_environments.py, Colab-like: Colab's |
|      |                                           | versions and Python's newest documentation text |
| 0    | this CPU's, with the oldest torch allowed | tests/test_environments.py, lowest             |

The robustness of each claim is the 20-seed, three-rounding sweep's job (its record,
course_utils/data/claims_held.json, which a failed claim's ✗ message quotes): here, the record
must have been written for the notebook's current code (its fingerprint covers the code cells
down to the last claim, so a claim's wording is covered too). To run one notebook on one seed
and rounding by hand: python benchmarks/claims.py --seeds 3 --settings other notebooks/02_*.ipynb"""

import json
import sys

import pytest

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import claims as sweep  # noqa: E402



def _record() -> dict:
    return json.loads(sweep.RECORD_PATH.read_text(encoding="utf-8")) if sweep.RECORD_PATH.exists() else {}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_sweep_s_record_was_written_for_the_notebook_s_current_code(path):
    swept = _record().get("notebooks", {}).get(path.stem)
    assert swept == sweep.code_fingerprint(path), (
        f"{path.name}'s code cells changed after its claims were swept: run python "
        f"benchmarks/claims.py --seeds 0-19 --settings default,other,scalar --update-record "
        f"notebooks/{path.name}")
