"""All exercises of the course, by stable name: `EXERCISES["residual_block"].check(answer)`."""

from __future__ import annotations

from typing import Any

from . import (capstone, normalisation, placement, placement_design, predictions, residual_blocks,
               residual_math, zoo)
from .framework import CheckResult, Exercise, Hint, Solution

EXERCISES: dict[str, Exercise] = {}
NOTEBOOK_OF: dict[str, str] = {}
"""The notebook (its stem) each exercise belongs to."""
for _stem, _module in (("01_highway_analogy", residual_blocks), ("02_residual_math", residual_math),
                       ("03_layernorm_vs_batchnorm", normalisation),
                       ("04_post_norm_vs_pre_norm", placement),
                       ("04_post_norm_vs_pre_norm", placement_design), ("05_architecture_zoo", zoo),
                       ("06_capstone_small_gpt", capstone)):
    for _exercise in _module.EXERCISES:
        if _exercise.name in EXERCISES:
            raise RuntimeError(f"two exercises are named {_exercise.name!r}")
        EXERCISES[_exercise.name] = _exercise
        NOTEBOOK_OF[_exercise.name] = _stem
for _exercise in predictions.EXERCISES:      # one prediction per notebook, in a module of their own
    if _exercise.name in EXERCISES:
        raise RuntimeError(f"two exercises are named {_exercise.name!r}")
    EXERCISES[_exercise.name] = _exercise
    NOTEBOOK_OF[_exercise.name] = predictions.NOTEBOOK_OF[_exercise.name]


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


def predict(name: str, value: Any) -> predictions.PredictionNote:
    """Record your prediction for the predict exercise `name` before its experiment runs
    (`cu.check(name, result)` after it compares); see `predictions.predict`."""
    return predictions.predict(name, value)


def solution(name: str) -> Solution:
    """The reference solution of exercise `name`."""
    return get_exercise(name).solution()


__all__ = ["EXERCISES", "NOTEBOOK_OF", "CheckResult", "Exercise", "check", "get_exercise", "hint", "predict", "solution"]
