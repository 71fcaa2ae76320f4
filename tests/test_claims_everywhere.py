"""Every claim of every notebook holds on more than the committed seed. CI runs each notebook
four times, and each run fails on a ✗ claim:

| seed | rounding                                  | run by                                     |
|------|-------------------------------------------|--------------------------------------------|
| 0    | this CPU's (benchmarks/claims.py default) | the browser tests in CI (nbval elsewhere)  |
| 0    | another CPU's (claims.py "other")         | tests/test_environments.py, Colab-like     |
| 0    | this CPU's, with the oldest torch allowed | tests/test_environments.py, lowest         |
| 1    | this CPU's                                | this file                                  |

The test here runs one notebook as a student does, in a fresh kernel, with the set-up cell's
SEED changed; the claims checked are exactly the ones a student sees.

The robustness of each claim is the 20-seed, three-rounding sweep's job (its record,
course_utils/data/claims_held.json, which a failed claim's ✗ message quotes): here, the record
must cover every claim made, and it must have been written for the notebook's current code."""

import json
import sys

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import claims as sweep  # noqa: E402



def _record() -> dict:
    return json.loads(sweep.RECORD_PATH.read_text(encoding="utf-8")) if sweep.RECORD_PATH.exists() else {}


def _swept_claims() -> dict:
    return _record().get("claims", {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_sweep_s_record_was_written_for_the_notebook_s_current_code(path):
    swept = _record().get("notebooks", {}).get(path.stem)
    assert swept == sweep.code_fingerprint(path), (
        f"{path.name}'s code cells changed after its claims were swept: run python "
        f"benchmarks/claims.py --seeds 0-19 --settings default,other,scalar --update-record "
        f"notebooks/{path.name}")


def _check(path, seed, setting):
    env = sweep.settings([setting])[setting]
    run = sweep.run_notebook(path, seed, setting, env)
    assert run.errors == [], f"{path.stem}, seed {seed}, {setting}: cells raised {run.errors}"
    failed = [f"{c['claim']} ({c['figures']})" for c in run.failed]
    assert failed == [], f"{path.stem}, seed {seed}, {setting}: claims failed: {failed}"
    call_sites = sum(cell.source.count("cu.expect(") for cell in nbformat.read(path, as_version=4).cells
                     if cell.cell_type == "code")
    assert len(run.claims) >= call_sites, f"only {len(run.claims)} of {call_sites} claims ran"
    swept = _swept_claims()
    unswept = [c["claim"] for c in run.claims if c["claim"] not in swept]
    assert unswept == [], ("claims missing from course_utils/data/claims_held.json: run python "
                           "benchmarks/claims.py --seeds 0-19 --settings default,other,scalar "
                           f"--update-record notebooks/{path.name} ({unswept})")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_claim_holds_on_seed_1(path):
    _check(path, 1, "default")
