"""The numerics sweep's bookkeeping (benchmarks/claims.py): seeds parsed, runs summarised per
claim, and the record a failed claim quotes written and updated one notebook at a time."""

import json
import sys

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import claims as sweep  # noqa: E402


def _claim(text, held, margin):
    return {"claim": text, "held": held, "margin": margin, "figures": {"x": str(margin)}}


def test_seeds_are_parsed_as_ranges_and_lists():
    assert sweep.parse_seeds("0-3") == [0, 1, 2, 3]
    assert sweep.parse_seeds("0,3,5-6") == [0, 3, 5, 6]
    assert sweep.parse_seeds("7") == [7]


def test_each_claim_counts_its_runs_and_keeps_its_worst_margin():
    runs = [sweep.Run("01_a", 0, "default", claims=[_claim("c", True, 0.5)]),
            sweep.Run("01_a", 1, "scalar", claims=[_claim("c", False, -0.2)]),
            sweep.Run("01_a", 2, "other", claims=[_claim("c", True, 0.3)])]
    (row,) = sweep.summarise(runs)
    assert (row.held, row.tried, row.worst_margin) == (2, 3, -0.2)
    assert row.worst.startswith("seed 1 scalar")
    assert "<--" in sweep.report(runs, [row])


def test_updating_the_record_replaces_only_the_notebooks_swept(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "RECORD_PATH", tmp_path / "claims_held.json")
    first = [sweep.ClaimSummary("01_a", "a1", 6, 6), sweep.ClaimSummary("02_b", "b-old", 6, 6)]
    sweep.write_record(first, [0, 1], ["default", "other", "scalar"],
                       fingerprints={"01_a": "a-code", "02_b": "b-old-code"})
    sweep.write_record([sweep.ClaimSummary("02_b", "b-new", 5, 6)], [0, 1],
                       ["default", "other", "scalar"], update=True,
                       fingerprints={"02_b": "b-new-code", "03_c": "not swept"})
    record = json.loads(sweep.RECORD_PATH.read_text(encoding="utf-8"))
    assert record["claims"] == {"a1": {"notebook": "01_a", "held": 6, "tried": 6},
                                "b-new": {"notebook": "02_b", "held": 5, "tried": 6}}
    assert record["notebooks"] == {"01_a": "a-code", "02_b": "b-new-code"}
    with pytest.raises(SystemExit, match="covers seeds 0-1"):
        sweep.write_record(first, [0, 1, 2], ["default", "other", "scalar"], update=True)


def test_a_fingerprint_changes_with_the_code_its_claims_depend_on_only(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("prose"),
                                         nbformat.v4.new_code_cell("SEED = 0\nx = 1"),
                                         nbformat.v4.new_code_cell("cu.expect(x > 0, 'x is positive')"),
                                         nbformat.v4.new_code_cell("cu.check('path_count', path_count)")])
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    before = sweep.code_fingerprint(path)
    nb.cells[0].source = "other prose"
    nb.cells[3].source = "cu.check('path_count', my_path_count)"        # below the last claim
    nb.cells.append(nbformat.v4.new_code_cell("cu.quiz('01_x')"))
    nbformat.write(nb, path)
    assert sweep.code_fingerprint(path) == before
    nb.cells[1].source = "SEED = 0\nx = 2"
    nbformat.write(nb, path)
    assert sweep.code_fingerprint(path) != before
    nb.cells[1].source = "SEED = 0\nx = 1"
    nb.cells[2].source = "cu.expect(x > 0, 'x is more than zero', key='01.x-positive')"   # a label
    nbformat.write(nb, path)
    assert sweep.code_fingerprint(path) == before
    nb.cells[2].source = "cu.expect(x > 0.5, 'x is more than zero', key='01.x-positive')"
    nbformat.write(nb, path)
    assert sweep.code_fingerprint(path) != before
    nb.cells[2].source = "cu.expect(x > 0, 'x > 0', key='01.x-positive', shown=False, differs='the paper: no')"
    nbformat.write(nb, path)
    assert sweep.code_fingerprint(path) == before                     # how it is shown: a label
    nb.cells[2].source = "cu.expect(x > 0, 'x > 0', key='01.x-positive', shown=bool(print()))"
    nbformat.write(nb, path)
    assert sweep.code_fingerprint(path) != before                     # code is code
    nb.cells[2].source = "cu.expect(x > 0, 'x is more than zero', key='01.x-positive', x=x)"
    nbformat.write(nb, path)
    assert sweep.code_fingerprint(path) != before                     # a figure shown is code
