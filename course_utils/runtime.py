"""Seeding and the device: the one set-up call every notebook makes."""

from __future__ import annotations

import platform
import random
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import torch

from .validation import check_seed

DEVICE = torch.device("cpu")
"""Where every experiment of the course runs: the CPU, whatever else the machine has.

The course's models are tiny (widths 16 to 200) and several of them train as one batched
computation; at that size a step costs mostly the fixed overhead of each operation, which a GPU
does not shrink (it adds a kernel launch and a device transfer per operation). Keeping one
device also keeps every experiment device-consistent, and the claims were checked on CPUs."""


def seed_everything(seed: int) -> int:
    """Seed Python's and torch's random generators (numpy's too, if installed); return the seed."""
    seed = check_seed(seed)
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
    except ImportError:  # numpy is optional: the course generates its data with torch
        pass
    else:
        np.random.seed(seed % 2**32)
    return seed


T = TypeVar("T")


def seeded(build: Callable[[], T], seed: int) -> T:
    """What `build()` makes with torch's generator seeded by `seed` (the model that seed builds);
    the global random state is left as it was."""
    seed = check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def setup(seed: int = 0) -> torch.device:
    """Seed everything once, use one CPU thread, print what the notebook runs on, return the
    device (always the CPU: see DEVICE).

    One thread: the course's models are tiny, and on a 2-core laptop one thread ran them faster
    than two. The same seed gives the same numbers run after run on one machine; another CPU
    (or another torch build) rounds differently and follows another trajectory, which is why
    every claim about training is measured on several seeds and checked on several machines'
    roundings.

    Where the notebooks sit in a clone of the course (as an nbgitpuller link leaves them on a
    hub), a second line says what to do if the installed course_utils is not the version that
    clone's pyproject.toml gives (see `version_advice`); never an error.
    """
    seed = seed_everything(seed)
    torch.set_num_threads(1)
    from . import __version__
    print(f"course_utils {__version__} · torch {torch.__version__} · "
          f"Python {platform.python_version()} · CPU, 1 thread · seed {seed}")
    advice = version_advice(__version__)
    if advice:
        print(advice)
    return DEVICE


_PROJECT_TABLE = re.compile(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", re.MULTILINE | re.DOTALL)


def _project_field(table: str, key: str) -> str | None:
    match = re.search(rf'^{key}\s*=\s*"([^"]*)"', table, re.MULTILINE)
    return match.group(1) if match else None


def expected_version(start: Path | None = None) -> tuple[str, Path] | None:
    """The course_utils version the course's notebooks around `start` expect, with the
    pyproject.toml that says so; None when there is none.

    Looks in `start` (default: the working directory, which Jupyter sets to the notebook's
    folder) and the folders above it for the first pyproject.toml; it counts only if its
    [project] is course-utils, as in a clone of the course (an nbgitpuller pull on a hub).
    """
    try:
        start = Path.cwd() if start is None else Path(start)
        for folder in (start, *start.parents):
            pyproject = folder / "pyproject.toml"
            if pyproject.is_file():
                table = _PROJECT_TABLE.search(pyproject.read_text(encoding="utf-8"))
                if not table:
                    return None
                name, version = (_project_field(table.group(1), key) for key in ("name", "version"))
                if name and version and re.sub(r"[-_.]+", "-", name).lower() == "course-utils":
                    return version, pyproject
                return None
    except Exception:   # unreadable or odd: the set-up cell must never fail on this check
        return None
    return None


def version_advice(installed: str, start: Path | None = None) -> str | None:
    """One line telling the student what to do when the installed course_utils (`installed`) is
    not the version the notebooks around `start` expect (on a hub, the single-user image lags
    behind the course the teacher pulled); None when they agree or nothing says (Colab)."""
    found = expected_version(start)
    if found is None or found[0] == installed:
        return None
    version, pyproject = found
    # pip refuses --user inside a virtual environment; there the environment itself is the user's
    user = "" if sys.prefix != sys.base_prefix else " --user"
    return (f"Note: these notebooks are for course_utils {version} but {installed} is installed. "
            f"Ask your hub's admin to update the image, or install the matching version yourself "
            f"and restart the kernel: {shlex.quote(sys.executable)} -m pip install{user} --no-deps "
            f"{shlex.quote(str(pyproject.parent))}")
