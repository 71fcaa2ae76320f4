"""All exercises of the course, by stable name: `EXERCISES["residual_block"].check(answer)`."""

from __future__ import annotations

from typing import Any

from . import normalisation, placement, residual_blocks, residual_math, zoo
from .framework import CheckResult, Exercise, Hint, Solution

EXERCISES: dict[str, Exercise] = {}
for _module in (residual_blocks, residual_math, normalisation, placement, zoo):
    for _exercise in _module.EXERCISES:
        if _exercise.name in EXERCISES:
            raise RuntimeError(f"two exercises are named {_exercise.name!r}")
        EXERCISES[_exercise.name] = _exercise


def get_exercise(name: str) -> Exercise:
    """The exercise called `name`; an unknown name raises ValueError listing the known ones."""
    if not isinstance(name, str):
        raise TypeError(f"name the exercise with a str such as 'residual_block', got "
                        f"{type(name).__name__}")
    if name not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise ValueError(f"no exercise called {name!r}; the exercises are: {known}")
    return EXERCISES[name]


def check(name: str, answer: Any) -> CheckResult:
    """Check `answer` to exercise `name` and return readable feedback (never raises for it)."""
    return get_exercise(name).check(answer)


def hint(name: str, level: int = 1) -> Hint:
    """Hint number `level` for exercise `name`."""
    return get_exercise(name).hint(level)


def solution(name: str) -> Solution:
    """The reference solution of exercise `name`."""
    return get_exercise(name).solution()


__all__ = ["EXERCISES", "CheckResult", "Exercise", "check", "get_exercise", "hint", "solution"]
