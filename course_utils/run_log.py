"""When each experiment first ran in this Python process, so that a prediction can be told
apart from a reading of the result (`course_utils.predict`).

An experiment function calls `note_run(name)` as it starts. Nothing is written anywhere: a new
kernel starts with an empty log.
"""

from __future__ import annotations

import time

_FIRST_RUN: dict[str, float] = {}


def note_run(experiment: str) -> None:
    """Note that `experiment` (a function's name, such as "degradation") is running now."""
    _FIRST_RUN.setdefault(experiment, time.monotonic())


def first_run(experiment: str) -> float | None:
    """time.monotonic() when `experiment` first ran in this process, or None if it has not."""
    return _FIRST_RUN.get(experiment)
