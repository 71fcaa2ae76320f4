"""Argument checks shared by every public function: bad input gets a clear error that says what
to do, before it can become a crash deep inside torch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch


def check_int(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return `value` as an int if it is a whole number in [minimum, maximum], else raise."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__})")
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be at least {minimum}{upper}, got {value}")
    return value


def check_seed(value: Any, name: str = "seed") -> int:
    """Return `value` if it is a valid random seed: a whole number with 0 <= seed < 2**63."""
    return check_int(name, value, minimum=0, maximum=2**63 - 1)


def check_float(name: str, value: Any, *, minimum: float | None = None,
                maximum: float | None = None) -> float:
    """Return `value` as a finite float in [minimum, maximum], else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return value


def as_tuple(name: str, value: Any) -> tuple:
    """`value` as a non-empty tuple: a sequence as it is, a single number wrapped, else raise."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence such as (8, 56), got {value!r}")
    if not value:
        raise ValueError(f"{name} is empty: give at least one value")
    return tuple(value)


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Return `value` if it is one of `choices`, else raise ValueError listing the valid ones."""
    if value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; choose one of {valid}")
    return value


def check_tensor(name: str, x: Any, *, ndim: int | Sequence[int] | None = None,
                 last_dim: int | None = None) -> torch.Tensor:
    """Return `x` if it is a floating-point tensor of the expected rank and width, else raise.

    Args:
        ndim: the allowed number of dimensions (one int or several).
        last_dim: the required size of the last dimension (features / channels).
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must hold floating-point numbers, got dtype {x.dtype} "
                        f"(convert with {name}.float())")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {want} dimensions, got shape {tuple(x.shape)}")
    if last_dim is not None and (x.ndim == 0 or x.shape[-1] != last_dim):
        raise ValueError(f"{name} must have {last_dim} features in its last dimension, "
                         f"got shape {tuple(x.shape)}")
    return x
