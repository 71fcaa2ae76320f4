"""`expect`: every quantitative sentence of a notebook is checked by the cells after it.

    cu.expect(cu.below(worst_error, 6), "GroupNorm and LayerNorm stay flat", worst_error=worst_error)

prints "✓ claim (figures)" when the condition holds. When it does not, it prints a ✗ line with
the figures and what that means (to stderr, so it shows in red) and the lesson goes on: no later
cell depends on a claim. Every test that runs a notebook fails on a ✗ (the root conftest.py for
nbval, tests/test_claims_everywhere.py, the browser tests).

A condition built with `above`, `below` and `between` knows its thresholds, so the numerics
sweep (benchmarks/claims.py) can say how far each measured figure stayed from its threshold.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from importlib import resources
from numbers import Number, Real
from typing import Any

import torch


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


def _number(value: Any, what: str) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise TypeError(f"{what} must be one number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    return float(value)


@dataclass(frozen=True)
class Bound:
    """One measured value against its threshold: value > limit ("above") or < limit ("below")."""

    value: float
    limit: float
    kind: str

    @property
    def holds(self) -> bool:
        return self.value > self.limit if self.kind == "above" else self.value < self.limit

    @property
    def margin(self) -> float:
        """How far the value is from the limit, as a fraction of the limit: positive when the
        bound holds (0.5: the value is 50 % of the limit past it); absolute if the limit is 0."""
        gap = self.value - self.limit if self.kind == "above" else self.limit - self.value
        if math.isnan(gap):
            return -math.inf
        return gap / abs(self.limit) if self.limit else gap


class Condition:
    """The bounds a claim states; true when all of them hold. Combine with `&`."""

    def __init__(self, bounds: tuple[Bound, ...]):
        self.bounds = bounds

    def __and__(self, other: Condition) -> Condition:
        if not isinstance(other, Condition):
            raise TypeError("combine a bound with another bound (above, below, between) using &; "
                            "check a True/False fact in its own cu.expect")
        return Condition(self.bounds + other.bounds)

    def __bool__(self) -> bool:
        return all(b.holds for b in self.bounds)

    @property
    def margin(self) -> float:
        """The smallest margin of its bounds: how close the claim came to failing."""
        return min(b.margin for b in self.bounds)

    def __repr__(self) -> str:
        parts = [f"{format_figure(b.value)} {'>' if b.kind == 'above' else '<'} "
                 f"{format_figure(b.limit)}" for b in self.bounds]
        return " and ".join(parts)


def above(value: Any, limit: Any) -> Condition:
    """The claim `value > limit`, with its threshold kept for the numerics sweep."""
    return Condition((Bound(_number(value, "value"), _number(limit, "limit"), "above"),))


def below(value: Any, limit: Any) -> Condition:
    """The claim `value < limit`, with its threshold kept for the numerics sweep."""
    return Condition((Bound(_number(value, "value"), _number(limit, "limit"), "below"),))


def between(value: Any, low: Any, high: Any) -> Condition:
    """The claim `low < value < high`."""
    return above(value, low) & below(value, high)


@dataclass
class ClaimRecord:
    """One claim as checked: the sentence, whether it held, the figures, its margin (None for
    an exact fact, such as two tensors being equal) and its key in the sweep's record."""

    claim: str
    held: bool
    figures: dict[str, str] = field(default_factory=dict)
    margin: float | None = None
    key: str = ""


RECORD: list[ClaimRecord] = []
"""Every claim checked in this Python process, in order (the numerics sweep reads it)."""


def _as_condition(condition: Any, claim: str) -> bool | Condition:
    if isinstance(condition, Condition):
        return condition
    if isinstance(condition, torch.Tensor):
        if condition.numel() != 1:
            raise TypeError(f"expect() needs one True/False for the claim {claim!r}, got a tensor "
                            f"of shape {tuple(condition.shape)}; reduce it with .all() or .any()")
        condition = condition.item()
    if type(condition).__module__ == "numpy" and type(condition).__name__ in ("bool", "bool_"):
        condition = bool(condition)             # numpy's bool (numpy 1: bool_, numpy 2: bool)
    if not isinstance(condition, bool):
        raise TypeError(f"expect() needs a True/False condition (or cu.above / cu.below / "
                        f"cu.between) for the claim {claim!r}, got {type(condition).__name__}")
    return condition


def held_in_tests(claim: str) -> tuple[int, int] | None:
    """(runs held, runs tried) for the claim keyed `claim` in the course's numerics sweep, if it
    was swept."""
    try:
        text = resources.files("course_utils").joinpath("data/claims_held.json").read_text(encoding="utf-8")
        runs = json.loads(text)["claims"].get(claim)
    except (OSError, ValueError, KeyError):
        return None
    return (runs["held"], runs["tried"]) if runs else None


def _failure_note(claim: str) -> str:
    runs = held_in_tests(claim)
    where = (f"it held on {runs[0]} of {runs[1]} runs in the course's tests (many seeds, "
             "several CPU roundings)" if runs else "it held in the course's tests")
    return (f"  This run disagrees with the text above: {where}. Your machine's rounding or your "
            "SEED led this experiment elsewhere. Try another SEED in the set-up cell; if the "
            "claim fails again, please report it. The rest of the notebook still runs.")


def expect(condition: Any, claim: str, *, key: str | None = None, shown: bool = True,
           differs: str | None = None, **figures: Any) -> None:
    """Check a claim of the prose against what was just measured and print the verdict.

    Prints "✓ claim (figures)" if `condition` holds; otherwise a ✗ line with the figures and
    what it means, to stderr, without stopping the notebook. Three kinds of check:
    - a claim the section teaches (the default): its ✓ line is shown;
    - a check that only pins the experiment (`shown=False`: a value's range, a consistency
      check): nothing is printed while it holds; it is still recorded, swept, and its ✗ shown;
    - a difference from the paper (`differs="the paper: ..."`): it holds when our result
      differs as the prose says, and prints "≠ differs from the paper: claim; the paper: ...",
      never a ✓.

    Args:
        condition: a bool (or one-element bool tensor) for an exact fact, or a condition built
            with `above`, `below`, `between` (and `&`) for a measured figure and its threshold.
        claim: the sentence of the prose being checked, as the reader should see it.
        key: the claim's stable name in the sweep's record ("01.plain-56-near-chance"); the
            sentence may then be reworded without a new sweep. Without a key, the sentence is
            the key.
        shown: False for a check that only pins the experiment.
        differs: for a difference from the paper, what the paper found ("the paper: constant").
        **figures: the measured numbers behind the condition, printed rounded.
    """
    if not isinstance(claim, str) or not claim.strip():
        raise TypeError("expect() needs the claim as a sentence (a non-empty str)")
    if key is not None and (not isinstance(key, str) or not key.strip()):
        raise TypeError(f"expect()'s key names the claim in the sweep's record: a non-empty str, "
                        f"got {key!r}")
    if not isinstance(shown, bool):
        raise TypeError(f"expect()'s shown is True or False, got {shown!r}")
    if differs is not None and (not isinstance(differs, str) or not differs.strip()):
        raise TypeError(f"expect()'s differs says what the paper found, as a non-empty str "
                        f"(\"the paper: constant\"), got {differs!r}")
    key = key or claim
    checked = _as_condition(condition, claim)
    held = bool(checked)
    values = {name: format_figure(v) for name, v in figures.items()}
    RECORD.append(ClaimRecord(claim, held, values,
                              checked.margin if isinstance(checked, Condition) else None, key))
    detail = ", ".join(f"{name} = {v}" for name, v in values.items())
    if not detail and isinstance(checked, Condition):
        detail = repr(checked)
    detail = f"  ({detail})" if detail else ""
    if held:
        if differs is not None:
            print(f"≠ differs from the paper: {claim}; {differs}{detail}")
        elif shown:
            print(f"✓ {claim}{detail}")
    else:
        sys.stdout.flush()
        print(f"✗ claim does not hold: {claim}{detail}\n{_failure_note(key)}", file=sys.stderr)
