"""The course where students run it, not only in this repository's own environment:

- Colab-like: the versions Colab ships (tests/environments/colab.txt), the course installed from
  its built wheel with --no-deps as the set-up cell does, no JupyterLab, google.colab present so
  the set-up cell takes its Colab branch; every notebook executed.
- Lowest versions: every lower bound of pyproject.toml installed (tests/environments/lowest.txt);
  every notebook executed.

Each run is also one of CI's claim runs (tests/test_claims_everywhere.py): the Colab-like one on
seed 1 (the set-up cell's SEED changed, as benchmarks/claims.py does) with another CPU's rounding
("other" of benchmarks/claims.py); the lowest one as committed (seed 0) with the oldest torch
allowed, whose kernels round their own way; the main environment's run (the browser tests' in
CI, nbval's elsewhere) is seed 0 with this CPU's rounding and the current torch.

Each environment is a virtual environment built once per versions file, Python and torch, and
kept in COURSE_ENV_CACHE (default ~/.cache/course-utils/envs); the course's wheel is rebuilt and
reinstalled on every run. The notebooks run in a scratch folder with the root conftest.py, so a
failed claim or a printed warning fails here exactly as in the main run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from conftest import ENV_CACHE as CACHE, NOTEBOOKS, PYTHONS, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import claims as sweep  # noqa: E402

ENVIRONMENTS = ROOT / "tests" / "environments"
TOOLS = ["nbval", "pytest"]            # what executes the notebooks; not the course's dependencies


def _torch() -> str:
    """The torch to install: COURSE_TORCH, else requirements.txt's pin."""
    pinned = re.search(r"^(torch==\S+)", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.MULTILINE)
    return os.environ.get("COURSE_TORCH") or pinned.group(1)


def _pins(name: str) -> list[Requirement]:
    """The requirement lines of a versions file that apply to this Python."""
    lines = [line.strip() for line in (ENVIRONMENTS / name).read_text(encoding="utf-8").splitlines()]
    requirements = [Requirement(line) for line in lines if line and not line.startswith("#")]
    return [r for r in requirements if r.marker is None or r.marker.evaluate()]


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _site_packages(venv: Path) -> Path:
    out = subprocess.run([_python(venv), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _environment(name: str, extra: list[str] = (), colab: bool = False) -> Path:
    """The cached virtual environment for versions file `name`, built if missing. Built in a
    scratch folder and renamed into place when complete, so a broken build is never reused."""
    key = hashlib.sha256("\n".join([(ENVIRONMENTS / name).read_text(encoding="utf-8"), _torch(), sys.version, *TOOLS,
                                    str(colab)]).encode()).hexdigest()[:12]
    venv = CACHE / f"{Path(name).stem}-py{sys.version_info[0]}{sys.version_info[1]}-{key}"
    if _python(venv).exists():
        return venv
    CACHE.mkdir(parents=True, exist_ok=True)
    scratch = CACHE / f"{venv.name}.building-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(scratch)], check=True)
    pins = [str(r) for r in _pins(name)]
    subprocess.run([_python(scratch), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    _torch(), *pins, *TOOLS], check=True)
    if colab:
        stub = ENVIRONMENTS / "colab_stub" / "google"
        shutil.copytree(stub, _site_packages(scratch) / "google")
        # Colab imports google.colab before the notebook's first cell runs.
        (_site_packages(scratch) / "colab_stub.pth").write_text("import google.colab\n")
    try:
        scratch.rename(venv)
    except OSError:                                        # another run finished first: use it
        shutil.rmtree(scratch, ignore_errors=True)
    return venv


def _wheel(tmp_path: Path) -> Path:
    """The course's wheel, built from the package alone (no repository files beside it)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "course_utils", source / "course_utils",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "-w", str(tmp_path / "dist"), str(source)], check=True)
    (wheel,) = (tmp_path / "dist").glob("course_utils-*.whl")
    return wheel


def _installed(venv: Path) -> dict[str, str]:
    code = ("import importlib.metadata as m, json; "
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))")
    out = subprocess.run([_python(venv), "-c", code], capture_output=True, text=True, check=True)
    return {re.sub(r"[-_.]+", "-", k).lower(): v for k, v in json.loads(out.stdout).items()}


def _run_every_notebook(venv: Path, tmp_path: Path, rounding: str,
                        env: dict | None = None, seed: int = 0) -> subprocess.CompletedProcess:
    """nbval on every notebook in `venv`, under one of benchmarks/claims.py's roundings, with the
    set-up cell's SEED set to `seed` (as benchmarks/claims.py does for its runs)."""
    run = tmp_path / "run"
    run.mkdir()
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        setup = next(cell for cell in nb["cells"] if cell["cell_type"] == "code")
        assert "SEED = 0\n" in setup["source"], f"{path.name}: no `SEED = 0` line in the set-up cell"
        setup["source"] = [f"SEED = {seed}\n" if line == "SEED = 0\n" else line for line in setup["source"]]
        (run / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.copy(ROOT / "conftest.py", run / "conftest.py")
    (run / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "PYTEST", "VIRTUAL_ENV", "MPL"))} | {
        "OMP_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        **sweep.settings([rounding])[rounding], **(env or {})}
    started = time.perf_counter()
    result = subprocess.run([_python(venv), "-m", "pytest", "-c", "pytest.ini", "-p", "no:cacheprovider",
                             "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=300", "-q",
                             *[path.name for path in NOTEBOOKS]],
                            cwd=run, env=env, capture_output=True, text=True, timeout=1800)
    print(f"{venv.name}, {rounding} rounding: every notebook in {time.perf_counter() - started:.0f} s")
    return result


def _install_the_course(venv: Path, tmp_path: Path) -> None:
    subprocess.run([_python(venv), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--no-deps", "--force-reinstall", str(_wheel(tmp_path))], check=True)
    where = subprocess.run([_python(venv), "-c", "import course_utils; print(course_utils.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(_site_packages(venv)), where


def _assert_pinned(venv: Path, name: str) -> dict[str, str]:
    installed = _installed(venv)
    for requirement in _pins(name):
        key = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert key in installed and requirement.specifier.contains(installed[key]), (
            f"{requirement} asked for, {installed.get(key)} installed")
    return installed


@pytest.mark.slow
class TestColabLike:
    def test_every_notebook_runs_with_colab_s_versions_and_the_course_from_its_wheel(self, tmp_path):
        venv = _environment("colab.txt", colab=True)
        installed = _assert_pinned(venv, "colab.txt")
        assert "jupyterlab" not in installed, "Colab has no JupyterLab"
        _install_the_course(venv, tmp_path)
        log = tmp_path / "colab_stub.log"
        # The set-up cell must find the wheel already installed: an install from GitHub (which
        # a second, silent run of the cell must never attempt) fails here.
        # seed 1 and another CPU's rounding: the claims' second seed in CI (see
        # tests/test_claims_everywhere.py), on Colab's versions and Python's newest text
        result = _run_every_notebook(venv, tmp_path, "other", {"COLAB_STUB_LOG": str(log),
                                                               "GIT_ALLOW_PROTOCOL": "file"}, seed=1)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        assert log.read_text(encoding="utf-8").count("enable_custom_widget_manager") == len(NOTEBOOKS)


@pytest.mark.slow
class TestLowestVersions:
    def test_every_notebook_runs_with_every_dependency_at_its_lower_bound(self, tmp_path):
        venv = _environment("lowest.txt")
        _assert_pinned(venv, "lowest.txt")
        _install_the_course(venv, tmp_path)
        result = _run_every_notebook(venv, tmp_path, "default")
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def test_pyproject_s_lower_bounds_are_the_ones_the_lowest_environment_installs():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    declared = re.search(r"^dependencies = \[(.*?)\]", pyproject, re.MULTILINE | re.DOTALL).group(1)
    bounds = {}
    for line in re.findall(r'"([^"]+)"', declared):
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == ">=", f"{line}: a lower bound only (Colab installs with --no-deps)"
        bounds[requirement.name] = spec.version
    lines = [line for line in (ENVIRONMENTS / "lowest.txt").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    first = {}
    for line in lines:
        requirement = Requirement(line)
        first.setdefault(requirement.name, next(iter(requirement.specifier)).version)
    torch_floor = bounds.pop("torch")
    assert bounds == first, "pyproject.toml's bounds and tests/environments/lowest.txt disagree"
    assert f"torch>={torch_floor}" in (ENVIRONMENTS / "lowest.txt").read_text(encoding="utf-8")


def test_the_package_and_notebooks_need_no_python_newer_than_declared(tmp_path):
    """vermin reads the code for syntax and standard-library names newer than requires-python
    (e.g. tomllib, typing.Self, except*): the matrix's oldest Python finds them too, later."""
    oldest = re.search(r'^requires-python = ">=(3\.\d+)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"),
                       re.MULTILINE).group(1)
    cells = tmp_path / "notebook_cells"
    cells.mkdir()
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        (cells / f"{path.stem}.py").write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", "import sys, vermin; sys.exit(vermin.main())", "--no-tips", "--violations", f"-t={oldest}-",
                             "--eval-annotations", str(ROOT / "course_utils"), str(ROOT / "tests"), str(cells)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    newer = tmp_path / "newer.py"
    newer.write_text("import tomllib\n", encoding="utf-8")
    caught = subprocess.run([sys.executable, "-c", "import sys, vermin; sys.exit(vermin.main())", "--no-tips", "--violations", f"-t={oldest}-",
                             str(newer)], capture_output=True, text=True, timeout=60)
    assert caught.returncode != 0, "vermin must flag a module newer than the oldest Python"


_PARSE_ALL = """
import pathlib, sys
bad = []
for root in sys.argv[1:]:
    for path in sorted(pathlib.Path(root).rglob("*.py")):
        try:
            compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
        except SyntaxError as error:
            bad.append(f"{path}:{error.lineno}: {error.msg}")
print("\\n".join(bad))
sys.exit(1 if bad else 0)
"""


@pytest.mark.parametrize("python", [pytest.param(path, id=f"python{version}") for version, path in PYTHONS])
def test_every_python_file_parses_on_every_supported_python_here(python):
    """Syntax that vermin cannot see because this Python cannot parse it (a 3.12 f-string with
    nested quotes, say): every file compiled by every CPython 3.10-3.13 on this machine."""
    roots = [ROOT / d for d in ("course_utils", "tests", "benchmarks", "tools")]
    result = subprocess.run([python, "-c", _PARSE_ALL, *map(str, roots)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
