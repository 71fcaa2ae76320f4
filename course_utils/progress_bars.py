"""Progress bars for anything that takes more than a couple of seconds."""

from __future__ import annotations

from typing import Any

from . import site
from .validation import check_bool, check_int


def progress_bar(total: int, desc: str, *, enabled: bool = True, file: Any = None) -> Any:
    """A tqdm bar (a widget in a notebook, text elsewhere) counting `total` steps.

    Use it as a context manager and pass it to `course_utils.train(progress=...)`. `file`: where
    a text bar writes (default: sys.stderr at the time).
    """
    from tqdm.auto import tqdm  # imported here: tqdm.auto looks for ipywidgets at import time

    total = check_int("total", total, minimum=0)
    enabled = check_bool("enabled", enabled)
    if not isinstance(desc, str):
        raise TypeError(f"desc must be a str, got {type(desc).__name__}")
    return tqdm(total=total, desc=desc, disable=not (enabled and site.progress_allowed()), leave=True,
                file=file)
