"""Seeding and the device: the one set-up call every notebook makes."""

from __future__ import annotations

import platform
import random
from collections.abc import Callable
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
    """
    seed = seed_everything(seed)
    torch.set_num_threads(1)
    from . import __version__
    print(f"course_utils {__version__} · torch {torch.__version__} · "
          f"Python {platform.python_version()} · CPU, 1 thread · seed {seed}")
    return DEVICE
