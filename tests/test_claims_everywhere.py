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
down to the last claim, all but the claims' labels), and must hold every claim the notebook makes,
under the key the notebook gives it (or its sentence, for a claim without a key). To run one notebook on one seed
and rounding by hand: python benchmarks/claims.py --seeds 3 --settings other notebooks/02_*.ipynb"""

import ast
import json
import re
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


def _claim_labels(path) -> list[str]:
    """A pattern of the record key of each `cu.expect` in the notebook: its key, else its
    sentence; an f-string's formatted parts match anything."""
    patterns = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "expect"):
                continue
            label = next((k.value for k in node.keywords if k.arg == "key"), node.args[1])
            if isinstance(label, ast.Constant):
                patterns.append(re.escape(label.value))
            else:
                assert isinstance(label, ast.JoinedStr), f"{path.name}: a claim's key or sentence must be a str literal or an f-string"
                patterns.append("".join(re.escape(part.value) if isinstance(part, ast.Constant) else ".+"
                                        for part in label.values))
    return patterns


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_record_holds_every_claim_the_notebook_makes_under_its_key(path):
    swept = {key for key, counts in _record().get("claims", {}).items() if counts["notebook"] == path.stem}
    patterns = _claim_labels(path)
    unswept = [p for p in patterns if not any(re.fullmatch(p, key) for key in swept)]
    assert not unswept, f"{path.name}: claims the record does not hold (a key renamed?): {unswept}"
    stale = [key for key in swept if not any(re.fullmatch(p, key) for p in patterns)]
    assert not stale, f"{path.name}: the record holds claims the notebook no longer makes: {stale}"
