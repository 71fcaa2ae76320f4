"""Seeding and device choice: the one set-up call every notebook makes."""

from __future__ import annotations

import platform
import random

import torch

from .validation import check_int


def seed_everything(seed: int) -> int:
    """Seed Python's and torch's random generators (numpy's too, if installed); return the seed."""
    seed = check_int("seed", seed, minimum=0)
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
    except ImportError:  # numpy is optional: the course generates its data with torch
        pass
    else:
        np.random.seed(seed % 2**32)
    return seed


def pick_device() -> torch.device:
    """CUDA if a GPU is present, else the CPU (the course is sized to run on a laptop CPU)."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def setup(seed: int = 0) -> torch.device:
    """Seed everything once, use one CPU thread, print what the notebook runs on, return the device.

    One thread: the course's models are tiny (widths 32 to 200), and on a 2-core laptop one
    thread ran them about a third faster than two; it also gives the same numbers on every
    machine with the same torch build, whatever its core count.
    """
    seed_everything(seed)
    torch.set_num_threads(1)
    device = pick_device()
    from . import __version__
    print(f"course_utils {__version__} · torch {torch.__version__} · "
          f"Python {platform.python_version()} · device {device} · 1 CPU thread · seed {seed}")
    return device
