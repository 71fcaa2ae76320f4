"""Argument checks shared by every public function, so the rules are written once: bad input gets
an error that names the parameter and says what to do, before it can become a crash deep inside
torch (or a silent wrong result, or an hour of computing)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import Any

import torch
from torch import nn

MAX_BYTES = 2 * 1024 ** 3
"""The most memory one call may ask for: more than a laptop spares for a lesson."""

MAX_SECONDS = 20 * 60
"""The longest one call may run: past this, the course asks for a smaller setting."""


def check_int(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return `value` as an int if it is a whole number (an int, a numpy int) in [minimum,
    maximum]; refuse floats, even whole ones such as 4.0, and bools."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        example = f"{int(value)}" if isinstance(value, float) and value.is_integer() else "3"
        raise TypeError(f"{name} must be a whole number such as {example}, got {value!r} "
                        f"({type(value).__name__})")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be at least {minimum}{upper}, got {value}")
    return value


def check_seed(value: Any, name: str = "seed") -> int:
    """Return `value` if it is a valid random seed: a whole number with 0 <= seed < 2**63."""
    return check_int(name, value, minimum=0, maximum=2**63 - 1)


def check_float(name: str, value: Any, *, minimum: float | None = None,
                maximum: float | None = None, positive: bool = False) -> float:
    """Return `value` as a finite float in [minimum, maximum] (and > 0 if `positive`), else raise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be greater than 0, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return `value` if it is True or False (a numpy bool too), else raise."""
    if type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_"):
        return bool(value)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return value


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """Return the choice `value` names (case-insensitively for text), else raise listing them."""
    if isinstance(value, str):
        for choice in choices:
            if isinstance(choice, str) and choice.lower() == value.strip().lower():
                return choice
    elif value in choices and not isinstance(value, bool):
        return value
    valid = ", ".join(repr(c) for c in choices)
    raise ValueError(f"unknown {name} {value!r}; choose one of {valid}")


def as_tuple(name: str, value: Any) -> tuple:
    """`value` as a non-empty tuple: a sequence as it is, a single number wrapped, else raise."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence such as (8, 56), got {value!r}")
    if not value:
        raise ValueError(f"{name} is empty: give at least one value")
    return tuple(value)


def check_ints(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None) -> tuple[int, ...]:
    """A non-empty sequence of whole numbers (a single one is wrapped), each checked."""
    return tuple(check_int(f"every value of {name}", v, minimum=minimum, maximum=maximum)
                 for v in as_tuple(name, value))


def check_choices(name: str, value: Any, choices: Sequence[str]) -> tuple[str, ...]:
    """A non-empty sequence of choices; a single name ("batch") counts as one."""
    values = (value,) if isinstance(value, str) else as_tuple(name, value)
    return tuple(check_choice(name, v, choices) for v in values)


def check_tensor(name: str, x: Any, *, ndim: int | Sequence[int] | None = None,
                 last_dim: int | None = None, like: nn.Module | None = None,
                 dtype: torch.dtype | None = torch.float32, finite: bool = True) -> torch.Tensor:
    """Return `x` if it is a non-empty floating-point tensor of the expected rank, width and dtype
    with finite values, else raise.

    Args:
        ndim: the allowed number of dimensions (one int or several).
        last_dim: the required size of the last dimension (features / channels).
        like: a module whose parameters' dtype x must have (float32 unless it was converted).
        dtype: the dtype x must have when `like` has no parameters; None: any floating dtype.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__} "
                        f"(convert with torch.tensor({name}, dtype=torch.float32))")
    if not x.is_floating_point():
        raise TypeError(f"{name} must hold floating-point numbers, got dtype {x.dtype} "
                        f"(convert with {name}.float())")
    if like is not None:
        dtype = next((p.dtype for p in like.parameters()), dtype)
    if dtype is not None and x.dtype != dtype:
        fix = f"{name}.float()" if dtype == torch.float32 else f"{name}.to({dtype})"
        raise TypeError(f"{name} holds {x.dtype} numbers but the model computes in {dtype}: "
                        f"pass {fix}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {want} dimensions, got shape {tuple(x.shape)}")
    if x.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}): give it some values")
    if last_dim is not None and x.shape[-1] != last_dim:
        raise ValueError(f"{name} must have {last_dim} features in its last dimension, "
                         f"got shape {tuple(x.shape)}")
    if finite and not torch.isfinite(x).all():
        raise ValueError(f"{name} holds NaN or infinite values: check how it was computed")
    return x


def check_labels(name: str, y: Any, *, samples: int | None = None) -> torch.Tensor:
    """Return `y` if it is a non-empty tensor of integer class labels (>= 0), of `samples` rows."""
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of class labels, got {type(y).__name__}")
    if y.dtype != torch.long:
        raise TypeError(f"{name} must hold integer class labels (torch.long), got {y.dtype} "
                        f"(convert with {name}.long())")
    if y.numel() == 0:
        raise ValueError(f"{name} is empty: give it some labels")
    if samples is not None and (y.ndim == 0 or y.shape[0] != samples):
        raise ValueError(f"X and {name} hold different numbers of samples: {samples} vs "
                         f"{y.shape[0] if y.ndim else 'a single value'}")
    if int(y.min()) < 0:
        raise ValueError(f"{name} holds negative labels: class labels count from 0")
    return y


def check_module(name: str, module: Any, *, needs: Sequence[str] = (),
                 made_by: str = "course_utils.mlp_stack") -> nn.Module:
    """Return `module` if it is an nn.Module with learnable parameters and the attributes
    `needs`, else raise."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module (build one with {made_by}), got "
                        f"{type(module).__name__}")
    missing = [a for a in needs if not hasattr(module, a)]
    if missing:
        raise TypeError(f"{name} ({type(module).__name__}) has no {', '.join(missing)}: build it "
                        f"with {made_by}")
    if next(module.parameters(), None) is None:
        raise ValueError(f"{name} ({type(module).__name__}) has no learnable parameters")
    return module


def check_callable(name: str, value: Any, what: str) -> Callable:
    """Return `value` if it can be called, else raise saying what was expected."""
    if not callable(value):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def check_result(function: str, value: Any, kind: type, made_by: str) -> Any:
    """For a draw_* function: `value` must be the result `made_by` returns."""
    if not isinstance(value, kind):
        raise TypeError(f"{function} draws the result of {made_by} (a {kind.__name__}), got "
                        f"{type(value).__name__}")
    return value


def check_size(what: str, *, n_bytes: float = 0.0, seconds: float = 0.0) -> None:
    """Refuse, before starting, a setting that needs more than MAX_BYTES of memory or more than
    MAX_SECONDS of time, saying how much it would need."""
    if n_bytes > MAX_BYTES:
        raise ValueError(f"{what} would need about {n_bytes / 1024 ** 3:,.1f} GB of memory, "
                         f"more than this course asks of a laptop "
                         f"({MAX_BYTES / 1024 ** 3:.0f} GB): choose a smaller setting")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{what} would take about {seconds / 60:,.0f} minutes, more than "
                         f"{MAX_SECONDS // 60}: choose a smaller setting")


def parameter_bytes(n_parameters: float) -> float:
    """Memory of n float32 parameters with their gradients and two optimiser states."""
    return 16.0 * n_parameters
