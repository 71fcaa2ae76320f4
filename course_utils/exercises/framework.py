"""Self-checking exercises: `check(answer)`, `hint(level)`, `solution()`.

A checker judges the answer the student wrote and never raises because of it: whatever the answer
does (raise, return None, the wrong shape, NaN, change its inputs in place, print megabytes, loop
forever), `check` returns a CheckResult saying what went wrong and what to try. The untouched
starter stub raises NotImplementedError, which reads as "not attempted". The student pressing
the kernel's stop button still stops a check.

No verdict comes from the clock: a check stops the student's code only when it has gone
`Exercise.seconds` without finishing a single call (or a training step the checker runs). A slow
or busy machine makes a check slow, never wrong: a check that passes slowly says how long it
took. Each check runs torch on one thread, as `course_utils.setup()` does (a busy machine with
oversubscribed threads is slower still).
"""

from __future__ import annotations

import ctypes
import dis
import html
import inspect
import io
import os
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import torch
from torch import nn

from ..plotting import TEXT_COLOURS

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
KINDS = ("write", "debug", "measure", "predict", "design")
"""What an exercise asks the student to do (Exercise.kind)."""

_LOOK = {  # status -> (symbol, colour, headline)
    PASSED: ("✓", TEXT_COLOURS["right"], "correct"),
    FAILED: ("✗", TEXT_COLOURS["wrong"], "not yet"),
    NOT_ATTEMPTED: ("…", TEXT_COLOURS["muted"], "not attempted"),
}

_PREDICTION_HEADLINES = {PASSED: "right", FAILED: "not what was measured",
                         NOT_ATTEMPTED: "no prediction recorded"}
"""A prediction cannot be tried again before the run: its verdict is not "not yet"."""

STUB_MESSAGE = ("Replace `raise NotImplementedError` with your code, run that cell, then run this "
                "check again.")
PRINTED_LINES = 5          # what the student's code printed during a check: the first lines only
_MISSING_FORWARD = 'missing the required "forward" function'     # nn.Module's own error


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer; `passed` is True only for a correct answer."""

    name: str
    status: str
    message: str
    headline: str = ""          # in place of the status's usual word ("not yet", ...)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        symbol, _, headline = _LOOK[self.status]
        return f"{symbol} {self.name}: {self.headline or headline}. {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        symbol, colour, headline = _LOOK[self.status]
        headline = self.headline or headline
        return (f"<div style='border-left:4px solid {colour};padding:4px 10px;margin:4px 0;"
                f"white-space:pre-wrap'><b style='color:{colour}'>{symbol} "
                f"{html.escape(self.name)}: {headline}.</b> {html.escape(self.message)}</div>")


class NotAttempted(Exception):
    """The answer is still the starter stub; the message (if any) says what is left to fill in."""


class Incorrect(Exception):
    """The answer is wrong; the message says how, and what to try. `error` is the exception the
    student's code raised, if that is how it went wrong."""

    def __init__(self, message: str, *, error: BaseException | None = None):
        super().__init__(message)
        self.error = error


class CheckTimeout(BaseException):
    """Raised inside a check that ran past its time limit (a BaseException, so that a student's
    `except Exception:` does not swallow it)."""


# ---------------------------------------------------------------------------------------------
# Guarding the student's code: a time limit and captured output.

class _FirstLines(io.TextIOBase):
    """A text stream that keeps the first `limit` characters written to it and counts the rest."""

    def __init__(self, limit: int = 2000):
        self.kept, self.limit, self.written, self.lines = [], limit, 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = max(self.limit - self.written, 0)
        self.kept.append(text[:room])
        self.written += len(text)
        self.lines += text.count("\n")
        return len(text)

    def excerpt(self) -> str:
        text = "".join(self.kept)
        if not text.strip():
            return ""
        lines = text.rstrip("\n").split("\n")[:PRINTED_LINES]
        shown = "\n".join(line[:200] + ("…" if len(line) > 200 else "") for line in lines)
        total = max(self.lines, len(lines))
        tail = (f"\n… {total - len(lines):,} more lines, {self.written:,} characters in all"
                if total > len(lines) or self.written > len(text) else "")
        return f"\n\nYour code printed:\n{shown}{tail}"


def _raise_in_thread(thread_id: int, exception: type[BaseException] | None) -> None:
    """Make `exception` be raised in thread `thread_id` at its next Python instruction (None
    cancels a pending one). Works on every OS and in every Jupyter front end, where signals to
    the kernel's main thread may not."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None)


class _Liveness:
    """What the watchdog of the running check watches: when the student's code last made
    progress (a call of it returned, or a training step of the checker finished), and how long
    the student's own calls have taken."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.student_s, self.depth = 0.0, 0

    def beat(self) -> None:
        self.last = time.monotonic()


_LIVENESS: list[_Liveness] = []             # the running check's, innermost last


def progress_made() -> None:
    """Tell the running check that the student's code is making progress (call it after each
    training step a checker runs); outside a check it does nothing."""
    if _LIVENESS:
        _LIVENESS[-1].beat()


class _Heartbeat:
    """A progress bar for `course_utils.train(progress=...)` that also calls `progress_made`."""

    def __init__(self, bar: Any):
        self.bar = bar

    def update(self, n: int = 1) -> None:
        progress_made()
        self.bar.update(n)


def heartbeat(bar: Any) -> _Heartbeat:
    """Wrap a progress bar so that every training step it counts tells the watchdog that the
    student's model is still making progress."""
    return _Heartbeat(bar)


@contextmanager
def stall_limit(seconds: float) -> Iterator[_Liveness]:
    """Raise CheckTimeout in the calling thread once the block has gone `seconds` without any
    progress (see `progress_made`; `call_student` reports each call that returns).

    A watchdog thread looks a few times a second; past the limit it raises CheckTimeout in the
    checked thread, again every half second in case the student's code catches it. Code stuck
    inside one long C call (a huge matrix product) is interrupted when that call returns.
    """
    target, finished = threading.get_ident(), threading.Event()
    liveness, sent = _Liveness(), threading.Event()

    def watchdog() -> None:
        while time.monotonic() - liveness.last <= seconds:
            if finished.wait(min(0.1, seconds)):
                return
        for _ in range(20):
            sent.set()
            _raise_in_thread(target, CheckTimeout)
            if finished.wait(0.5):
                return

    _LIVENESS.append(liveness)
    guard = threading.Thread(target=watchdog, name="course_utils check watchdog", daemon=True)
    guard.start()
    try:
        yield liveness
    finally:
        finished.set()
        guard.join()
        if sent.is_set():                     # an exception sent just as the block ended
            _raise_in_thread(target, None)    # (only then: on CPython 3.11, cancelling when
                                              # nothing was sent leaves a flag that hangs the
                                              # thread under a debugger or profiler)
        _LIVENESS.remove(liveness)


@contextmanager
def constructions_counted(cls: type) -> Iterator[list[int]]:
    """Count the instances of `cls` built inside the block (built[0]): a checker's way to see
    that an answer delegates to a module of the course instead of writing its own."""
    built, original = [0], cls.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built[0] += 1
        original(self, *args, **kwargs)

    cls.__init__ = counting
    try:
        yield built
    finally:
        cls.__init__ = original


@contextmanager
def watching_calls(targets: Sequence[tuple[Any, str, str]]) -> Iterator[list[str]]:
    """Note each call, made while the block runs, of the functions `targets` names as
    (module or class, attribute, label): a checker's way to see that an answer delegates to a
    function of PyTorch or of the course instead of writing its own. `used` lists the labels,
    first call first. A name the student bound before the block (`from m import f`) still
    points at the unwatched function: watch what such functions call as well."""
    used: list[str] = []

    def watched(label: str, function: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            used.append(label)
            return function(*args, **kwargs)
        return wrapper

    saved = [(owner, name, vars(owner)[name] if isinstance(owner, type) else getattr(owner, name),
              label) for owner, name, label in targets
             if (name in vars(owner) if isinstance(owner, type) else hasattr(owner, name))]
    for owner, name, function, label in saved:
        setattr(owner, name, watched(label, getattr(owner, name)))
    try:
        yield used
    finally:
        for owner, name, function, _ in reversed(saved):
            setattr(owner, name, function)


def course_functions() -> list[tuple[Any, str, str]]:
    """Every function course_utils exports (not the exercises' own), as `watching_calls`
    targets: where `cu` exports it and where it is defined, labelled cu.<name>."""
    import course_utils

    targets = []
    for name in dir(course_utils):
        function = getattr(course_utils, name)
        module = getattr(function, "__module__", "") or ""
        if inspect.isfunction(function) and module.startswith("course_utils") \
                and not module.startswith("course_utils.exercises"):
            targets += [(course_utils, name, f"cu.{name}"),
                        (sys.modules[module], function.__name__, f"cu.{name}")]
    return targets


def is_course_module(module: str | None) -> bool:
    """True for a module of the course's package, not of its exercises."""
    return bool(module) and module.split(".")[0] == "course_utils" \
        and not module.startswith("course_utils.exercises")


def course_name(module: str, qualname: str) -> str:
    """How a student would spell the course's `module.qualname`: cu.X where cu exports it."""
    import course_utils

    top = qualname.split(".")[0]
    own = getattr(sys.modules.get(module), top, None)
    if own is not None and getattr(course_utils, top, None) is own:
        return f"cu.{qualname}"
    return f"{module.replace('course_utils', 'cu', 1)}.{qualname}"


def course_code_named(answer: Any) -> str | None:
    """The course's function or class that the answer's code loads through a global or closure
    name bound to it (`from course_utils import pre_norm_sublayer`), which watching_calls cannot
    see. Attribute names (`self.attention`) are not globals: a notebook's `attention` does not
    count."""
    functions = ([v for v in vars(answer).values() if inspect.isfunction(v)]
                 if isinstance(answer, type) else [answer] if inspect.isfunction(answer) else [])
    for function in functions:
        scope = dict(function.__globals__)
        for name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
            try:
                scope[name] = cell.cell_contents
            except ValueError:                           # an empty cell
                pass
        codes, names = [function.__code__], set()
        while codes:
            code = codes.pop()
            names.update(i.argval for i in dis.get_instructions(code)
                         if i.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF"))
            codes += [c for c in code.co_consts if inspect.iscode(c)]
        for name in sorted(n for n in names if isinstance(n, str)):
            value = scope.get(name)
            if (inspect.isfunction(value) or inspect.isclass(value)) \
                    and is_course_module(getattr(value, "__module__", None)):
                return course_name(value.__module__, value.__qualname__)
    return None


def refuse_course_code(answer: Any, name: str, *, writes: str) -> None:
    """Raise Incorrect if `answer` is the course's own code, subclasses a class of it or names
    one of its functions or classes."""
    if is_course_module(getattr(answer, "__module__", None)):
        own = course_name(answer.__module__, getattr(answer, "__qualname__", type(answer).__name__))
        raise Incorrect(f"{name} is {own}, the course's own code, not yours. {writes}")
    for base in getattr(answer, "__mro__", ())[1:]:
        if is_course_module(base.__module__):
            raise Incorrect(f"{name} subclasses {course_name(base.__module__, base.__qualname__)}, the "
                            f"course's own block, so its code does the work. Subclass nn.Module "
                            f"and {writes[0].lower()}{writes[1:]}")
    named = course_code_named(answer)
    if named:
        raise Incorrect(f"Your code uses {named}, the course's own code: that hands the "
                        f"exercise to the course. {writes}")


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """torch on one thread for the block, as `course_utils.setup()` sets it, then as before."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


_STDERR_BEFORE: list[Any] = []


@contextmanager
def captured_output(stream: _FirstLines) -> Iterator[None]:
    """What the block prints goes to `stream`, not to the notebook."""
    _STDERR_BEFORE.append(sys.stderr)
    try:
        with redirect_stdout(stream), redirect_stderr(stream):
            yield
    finally:
        _STDERR_BEFORE.pop()


def checker_stderr() -> Any:
    """Where the checker's own progress bar writes: the stream in use before the check began
    capturing what the student's code prints (so the bar is not reported as the student's)."""
    return _STDERR_BEFORE[-1] if _STDERR_BEFORE else sys.stderr


# ---------------------------------------------------------------------------------------------
# Calling the student's code.

def _describe(value: Any) -> str:
    return f"a {type(value).__name__}"


def _snapshot(args: Sequence[Any]) -> list[torch.Tensor | None]:
    return [a.detach().clone() if isinstance(a, torch.Tensor) else None for a in args]


@contextmanager
def _students_call(timed: bool) -> Iterator[None]:
    """Count the block's time as the student's (the outermost call only) and report progress
    when it returns."""
    liveness = _LIVENESS[-1] if _LIVENESS else None
    started = time.monotonic()
    if liveness is not None:
        liveness.depth += 1
    try:
        yield
    finally:
        if liveness is not None:
            liveness.depth -= 1
            if timed and liveness.depth == 0:
                liveness.student_s += time.monotonic() - started
            liveness.beat()


def call_student(fn: Callable[..., Any], *args: Any, what: str,
                 names: Sequence[str] = (), timed: bool = True) -> Any:
    """Call the student's `fn(*args)` and return what it returns.

    NotImplementedError from the starter stub becomes NotAttempted; nn.Module's own "missing
    forward" error, any other exception, and a tensor argument changed in place become Incorrect,
    saying what was being called (`what`) and naming the argument (`names`). The call's time is
    the student's code's, unless `timed` is False (a training loop the checker runs around the
    student's model is the checker's work).
    """
    before = _snapshot(args)
    try:
        with _students_call(timed):
            result = fn(*args)
    except NotImplementedError as error:
        if _MISSING_FORWARD in str(error):
            raise Incorrect(f"{what}: the class has no `forward` method, so nn.Module cannot call "
                            "it. Define `def forward(self, x):` inside the class (check the "
                            "spelling and the indentation).", error=error) from None
        raise NotAttempted from None
    except (CheckTimeout, KeyboardInterrupt):
        raise
    except (Exception, SystemExit) as error:  # the student's code may raise anything
        raise Incorrect(f"{what} raised {type(error).__name__}: {error}. Run it yourself on a "
                        "small input to see where.", error=error) from None
    for index, (arg, copy) in enumerate(zip(args, before)):
        if copy is not None and (arg.shape != copy.shape or not torch.equal(arg.detach(), copy)):
            name = names[index] if index < len(names) else f"argument {index + 1}"
            raise Incorrect(f"{what} changed its input `{name}` in place (as `{name} += ...`, "
                            f"`{name}.zero_()` or `{name}[...] = ...` do). Compute a new tensor "
                            f"instead, e.g. `{name} = {name} + ...`: the caller, and autograd, "
                            f"still need the original `{name}`.")
    return result


def expect_function(answer: Any, signature: str) -> Callable[..., Any]:
    """Return `answer` if it can be called; otherwise raise Incorrect naming what was expected."""
    if not callable(answer):
        raise Incorrect(f"Expected a function {signature}, got {_describe(answer)}.")
    return answer


def expect_module_class(answer: Any, name: str) -> type:
    """Return `answer` if it is an nn.Module subclass with its own `forward`; otherwise raise
    Incorrect saying what to write."""
    if isinstance(answer, nn.Module):
        raise Incorrect(f"Pass the class itself ({name}), not an instance of it.")
    if not (isinstance(answer, type) and issubclass(answer, nn.Module)):
        raise Incorrect(f"Expected a class that subclasses torch.nn.Module, got {_describe(answer)}.")
    if answer.forward is nn.Module.forward:
        methods = sorted(m for m in vars(answer) if callable(vars(answer)[m]) and not m.startswith("__"))
        seen = f" (it has {', '.join(methods)})" if methods else ""
        raise Incorrect(f"{name} has no `forward` method{seen}: nn.Module calls `forward` when "
                        "the block is applied. Define `def forward(self, x):` inside the class, "
                        "spelt exactly so.")
    return answer


def expect_tensor(value: Any, *, shape: Sequence[int], what: str) -> torch.Tensor:
    """Return `value` if it is a finite floating-point tensor of `shape`; raise Incorrect saying
    what it is otherwise."""
    if value is None:
        raise Incorrect(f"{what} returned None: did you forget a `return`?")
    if not isinstance(value, torch.Tensor):
        raise Incorrect(f"{what} returned {_describe(value)}, not a torch.Tensor.")
    if not value.is_floating_point():
        raise Incorrect(f"{what} returned integers (dtype {value.dtype}): keep the computation "
                        "in floating point.")
    if tuple(value.shape) != tuple(shape):
        raise Incorrect(f"{what} returned shape {tuple(value.shape)}, expected {tuple(shape)}.")
    if not torch.isfinite(value).all():
        raise Incorrect(f"{what} returned NaN or infinite values: look for a division by zero "
                        "or a square root of a negative number.")
    return value


def close(a: torch.Tensor, b: torch.Tensor, *, atol: float = 1e-5) -> bool:
    """True if a and b have the same shape and agree to `atol` (and 1e-5 relative), whatever
    their floating-point dtypes (a float64 answer is judged by its values)."""
    return a.shape == b.shape and torch.allclose(a.detach().double(), b.detach().double(),
                                                 atol=atol, rtol=1e-5)


def seeded_modules(make: Callable[[], Any], seed: int = 0) -> Any:
    """Build probe modules from a fixed seed without touching the global random state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()


# ---------------------------------------------------------------------------------------------
# Hints, solutions and the exercise itself.

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
    """The reference solution's code, shown as a code block; it runs as shown when pasted into
    the exercise's cell (after the notebook's set-up cell)."""

    name: str
    code: str

    def __str__(self) -> str:
        return f"Solution for {self.name}:\n{self.code}"

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"**Solution** for `{self.name}` (try it yourself first):\n```python\n{self.code}\n```"


HIDE_SOLUTIONS = "COURSE_HIDE_SOLUTIONS"
"""The environment variable a hub's admin sets (to 1) to hide every `solution()`, e.g. during an
assessment; checks and hints still work."""


def solutions_hidden() -> bool:
    """True when COURSE_HIDE_SOLUTIONS is set to 1 (or true / yes / on), read at each call."""
    return os.environ.get(HIDE_SOLUTIONS, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class HiddenSolution:
    """What `solution()` shows while the course's admin hides solutions: no code, only why."""

    name: str

    def __str__(self) -> str:
        return (f"The solution for {self.name} is hidden by your course's admin for now "
                f"({HIDE_SOLUTIONS} is set). cu.hint({self.name!r}) still helps.")

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return str(self)


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
        imports: the import lines the solution needs beyond the set-up cell's (torch, nn, F, cu).
        seconds: how long the student's code may go without finishing a call (or a training
            step of the checker) before the check stops it as a loop that never ends; a check
            that takes longer than this in all, while making progress, passes or fails on its
            merits and says that the machine is slow.
        kind: what the student does (KINDS): "write" code the lesson built but has not shown
            in full; "debug" a block with one realistic bug; "measure" a quantity from an
            experiment's result object (checked on another seed's result, so a pasted number
            fails); "predict" an outcome before the experiment runs; "design" a model, an
            initialisation or a schedule that makes a failing model train. The notebook's
            heading of the exercise names it.
    """

    name: str
    task: str
    checker: Callable[[Any], str]
    hints: tuple[str, ...]
    reference: Any
    reference_source: str = ""
    imports: str = ""
    seconds: float = 10.0
    kind: str = "write"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"exercise {self.name!r}: kind {self.kind!r} is not one of {KINDS}")

    def check(self, answer: Any, *, seconds: float | None = None) -> CheckResult:
        """Check `answer`; never raises because of it. `seconds` overrides the stall limit."""
        limit = self.seconds if seconds is None else seconds
        printed = _FirstLines()
        stopped = False
        with one_torch_thread():
            try:
                with stall_limit(limit) as liveness, captured_output(printed):
                    result = self._judge(answer)
            except CheckTimeout:
                stopped = True
                result = CheckResult(self.name, FAILED, f"Your code ran for {limit:g} s without "
                                     "finishing, so the check stopped it. Look for a loop that "
                                     "never ends (a `while` whose condition never turns False) or "
                                     "a model far larger than the task needs.")
        took = time.monotonic() - liveness.started
        slow = ""
        if took > limit and not stopped:
            slow = (f"\n\n(This machine is slow or busy: the check took {took:.1f} s, "
                    f"{liveness.student_s:.1f} s of it in your code's own calls. The verdict "
                    "does not depend on the time.)")
        saved = ""
        if result.status != NOT_ATTEMPTED:            # the untouched stub records nothing
            from ..student_record import record_check

            note = record_check(self.name, result.status)
            saved = f"\n\n{note}" if note else ""
        headline = _PREDICTION_HEADLINES[result.status] if self.kind == "predict" else ""
        return CheckResult(result.name, result.status, result.message + slow + printed.excerpt() + saved,
                           headline)

    def _judge(self, answer: Any) -> CheckResult:
        if answer is None or answer is Ellipsis:
            return CheckResult(self.name, NOT_ATTEMPTED, f"Write your answer first: {self.task}")
        try:
            message = self.checker(answer)
        except NotAttempted as stub:
            return CheckResult(self.name, NOT_ATTEMPTED, str(stub) or STUB_MESSAGE)
        except Incorrect as wrong:
            return CheckResult(self.name, FAILED, str(wrong))
        except (CheckTimeout, KeyboardInterrupt):
            raise
        except (Exception, SystemExit) as error:  # an answer of a shape the checker did not foresee
            return CheckResult(self.name, FAILED, f"The checker could not use your answer "
                               f"({type(error).__name__}: {error}). {self.task}")
        return CheckResult(self.name, PASSED, message)

    def hint(self, level: int = 1) -> Hint:
        """Hint number `level` (1 is the gentlest); past the last, the last one."""
        if isinstance(level, bool) or not isinstance(level, Integral) or level < 1:
            raise ValueError(f"level must be a whole number from 1 to {len(self.hints)}, got "
                             f"{level!r}: cu.hint({self.name!r}, 2) gives the second hint")
        level = min(int(level), len(self.hints))
        return Hint(self.name, level, len(self.hints), self.hints[level - 1])

    def solution(self) -> Solution | HiddenSolution:
        """The reference solution's code, with the imports it needs; a HiddenSolution while the
        admin hides solutions (COURSE_HIDE_SOLUTIONS=1)."""
        if solutions_hidden():
            return HiddenSolution(self.name)
        source = textwrap.dedent(self.reference_source or inspect.getsource(self.reference)).strip()
        code = f"{self.imports.strip()}\n\n{source}" if self.imports.strip() else source
        return Solution(self.name, code)
