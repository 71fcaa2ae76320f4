"""`expect`: every quantitative sentence of a notebook is checked by the cells after it."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import torch


class ClaimFailed(AssertionError):
    """A notebook's claim did not hold for the figures just measured."""


def format_figure(value: Any) -> str:
    """A measured figure, rounded for reading: 3 significant digits for floats."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.3g}"
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_figure(v) for v in value) + "]"
    return str(value)


def expect(condition: Any, claim: str, **figures: Any) -> None:
    """Print "✓ claim (figures)" if `condition` holds, else raise ClaimFailed naming the claim.

    Args:
        condition: a bool, or a one-element bool tensor, computed from measured figures.
        claim: the sentence of the prose being checked, as the reader should see it.
        **figures: the measured numbers behind the condition, printed rounded.
    """
    if isinstance(condition, torch.Tensor):
        if condition.numel() != 1:
            raise TypeError(f"expect() needs one True/False for the claim {claim!r}, got a tensor "
                            f"of shape {tuple(condition.shape)}; reduce it with .all() or .any()")
        condition = condition.item()
    if type(condition).__module__ == "numpy" and type(condition).__name__ in ("bool", "bool_"):
        condition = bool(condition)             # numpy's bool (numpy 1: bool_, numpy 2: bool)
    if not isinstance(condition, bool):
        raise TypeError(f"expect() needs a True/False condition for the claim {claim!r}, "
                        f"got {type(condition).__name__}")
    shown = ", ".join(f"{name} = {format_figure(v)}" for name, v in figures.items())
    detail = f"  ({shown})" if shown else ""
    if not condition:
        raise ClaimFailed(f"claim does not hold: {claim}{detail}")
    print(f"✓ {claim}{detail}")
