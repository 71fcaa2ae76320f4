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
    """Seed everything once, print what the notebook runs on, and return the device."""
    seed_everything(seed)
    device = pick_device()
    from . import __version__
    print(f"course_utils {__version__} · torch {torch.__version__} · "
          f"Python {platform.python_version()} · device {device} · seed {seed}")
    return device
