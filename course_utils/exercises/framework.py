"""Self-checking exercises: `check(answer)`, `hint(level)`, `solution()`.

A checker never raises because of the student's code: whatever the answer does (raise, return
None, the wrong shape, NaN), `check` returns a CheckResult saying what went wrong and what to try.
The untouched starter stub raises NotImplementedError, which reads as "not attempted".
"""

from __future__ import annotations

import html
import inspect
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"

_LOOK = {  # status -> (symbol, colour, headline)
    PASSED: ("✓", "#009E73", "correct"),
    FAILED: ("✗", "#D55E00", "not yet"),
    NOT_ATTEMPTED: ("…", "#7F7F7F", "not attempted"),
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer; `passed` is True only for a correct answer."""

    name: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        symbol, _, headline = _LOOK[self.status]
        return f"{symbol} {self.name}: {headline}. {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        symbol, colour, headline = _LOOK[self.status]
        return (f"<div style='border-left:4px solid {colour};padding:4px 10px;margin:4px 0'>"
                f"<b style='color:{colour}'>{symbol} {html.escape(self.name)}: {headline}.</b> "
                f"{html.escape(self.message)}</div>")


class NotAttempted(Exception):
    """The answer is still the starter stub."""


class Incorrect(Exception):
    """The answer is wrong; the message says how, and what to try."""


def call_student(fn: Callable[..., Any], *args: Any, what: str) -> Any:
    """Call the student's `fn(*args)`; turn NotImplementedError into NotAttempted and any other
    exception into Incorrect naming `what` was being called."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotAttempted from None
    except (Exception, SystemExit) as error:  # the student's code may raise anything
        raise Incorrect(f"{what} raised {type(error).__name__}: {error}. Run it yourself on a "
                        "small input to see where.") from None


def expect_function(answer: Any, signature: str) -> Callable[..., Any]:
    """Return `answer` if it can be called; otherwise raise Incorrect naming what was expected."""
    if not callable(answer):
        raise Incorrect(f"Expected a function {signature}, got {type(answer).__name__}.")
    return answer


def expect_tensor(value: Any, *, shape: Sequence[int], what: str) -> torch.Tensor:
    """Return `value` if it is a finite tensor of `shape`; raise Incorrect saying what it is."""
    if value is None:
        raise Incorrect(f"{what} returned None: did you forget a `return`?")
    if not isinstance(value, torch.Tensor):
        raise Incorrect(f"{what} returned a {type(value).__name__}, not a torch.Tensor.")
    if tuple(value.shape) != tuple(shape):
        raise Incorrect(f"{what} returned shape {tuple(value.shape)}, expected {tuple(shape)}.")
    if not torch.isfinite(value).all():
        raise Incorrect(f"{what} returned NaN or infinite values: look for a division by zero "
                        "or a square root of a negative number.")
    return value


def close(a: torch.Tensor, b: torch.Tensor, *, atol: float = 1e-5) -> bool:
    """True if a and b have the same shape and agree to `atol` (and 1e-5 relative)."""
    return a.shape == b.shape and torch.allclose(a, b, atol=atol, rtol=1e-5)


@dataclass(frozen=True)
class Hint:
    """One hint, shown as markdown in a notebook and as text elsewhere."""

    name: str
    level: int
    total: int
    text: str

    def __str__(self) -> str:
        return f"Hint {self.level}/{self.total} for {self.name}: {self.text}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"**Hint {self.level}/{self.total}** for `{self.name}`: {self.text}"


@dataclass(frozen=True)
class Solution:
    """The reference solution's code, shown as a code block."""

    name: str
    code: str

    def __str__(self) -> str:
        return f"Solution for {self.name}:\n{self.code}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"**Solution** for `{self.name}` (try it yourself first):\n```python\n{self.code}\n```"


@dataclass(frozen=True)
class Exercise:
    """An exercise: what to write, a checker, graded hints and a reference solution.

    Attributes:
        name: the stable key in EXERCISES (lowercase, underscores).
        task: one sentence: what to write, with its signature.
        checker: takes the answer; returns a success message or raises Incorrect/NotAttempted.
        hints: from gentle to nearly the answer.
        reference: the reference solution (a function or class); `solution()` shows its source,
            so the code shown is the code the checker is tested against.
        reference_source: for a reference that is a value (a dict, say), the code that builds
            it; the exercise's module builds the value by running exactly this code.
    """

    name: str
    task: str
    checker: Callable[[Any], str]
    hints: tuple[str, ...]
    reference: Any
    reference_source: str = ""

    def check(self, answer: Any) -> CheckResult:
        """Check `answer`; never raises because of it."""
        if answer is None or answer is Ellipsis:
            return CheckResult(self.name, NOT_ATTEMPTED, f"Write your answer first: {self.task}")
        try:
            message = self.checker(answer)
        except NotAttempted:
            return CheckResult(self.name, NOT_ATTEMPTED, "Replace `raise NotImplementedError` "
                               "with your code, run that cell, then run this check again.")
        except Incorrect as wrong:
            return CheckResult(self.name, FAILED, str(wrong))
        except (Exception, SystemExit) as error:  # an answer of a shape the checker did not foresee
            return CheckResult(self.name, FAILED, f"The checker could not use your answer "
                               f"({type(error).__name__}: {error}). {self.task}")
        return CheckResult(self.name, PASSED, message)

    def hint(self, level: int = 1) -> Hint:
        """Hint number `level` (1 is the gentlest); past the last, the last one."""
        if isinstance(level, bool) or not isinstance(level, int) or level < 1:
            level = 1
        level = min(level, len(self.hints))
        return Hint(self.name, level, len(self.hints), self.hints[level - 1])

    def solution(self) -> Solution:
        """The reference solution's code."""
        source = self.reference_source or inspect.getsource(self.reference)
        return Solution(self.name, textwrap.dedent(source).strip())
