"""What a student has done, kept on the student's own machine: `course_utils.progress()`.

Every `cu.check` of a written answer (not the untouched stub) and every quiz answer is recorded
in one small JSON file, `progress.json`, in the user's data folder:
- Linux: $XDG_DATA_HOME/course-utils, else ~/.local/share/course-utils;
- macOS: ~/Library/Application Support/course-utils;
- Windows: %APPDATA%\\course-utils.
COURSE_PROGRESS_DIR moves it (the tests, nbval, the sweep and the site build point it at a
temporary folder). Nothing is sent anywhere.

Two notebooks may be open at once, so each write takes a lock file, reads what is there, merges
its change in and replaces the file atomically. A file that cannot be read as a record is moved
aside (kept, renamed, with a one-line note), never silently dropped. A folder that cannot be
written (read-only, full) costs the student only the record: `record_*` return a note saying so
and never raise.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ENV = "COURSE_PROGRESS_DIR"
FILE_NAME = "progress.json"
VERSION = 1
_LOCK_WAIT_S, _STALE_LOCK_S = 5.0, 30.0


def folder() -> Path:
    """The folder of the record: COURSE_PROGRESS_DIR, else the user's data folder."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "course-utils"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "course-utils"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "course-utils"


def path() -> Path:
    """The record's file."""
    return folder() / FILE_NAME


def _empty() -> dict[str, Any]:
    return {"version": VERSION, "exercises": {}, "quizzes": {}}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _valid(record: Any) -> bool:
    return (isinstance(record, dict) and record.get("version") == VERSION
            and isinstance(record.get("exercises"), dict) and isinstance(record.get("quizzes"), dict))


def _read(file: Path) -> tuple[dict[str, Any], str]:
    """The record in `file` (empty if there is none) and a note if it had to be moved aside."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _empty(), ""
    try:
        record = json.loads(text)
    except ValueError:
        record = None
    if _valid(record):
        return record, ""
    aside = file.with_name(f"{file.stem}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}{file.suffix}")
    file.replace(aside)
    return _empty(), f"Your progress file could not be read, so it was kept as {aside} and a new one started."


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold `target`.lock while the block runs (created exclusively; a lock older than 30 s is
    a crashed writer's, and is taken over)."""
    lock = target.with_name(target.name + ".lock")
    deadline = time.monotonic() + _LOCK_WAIT_S
    while True:
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            break
        except FileExistsError:
            with contextlib.suppress(OSError):
                if time.time() - lock.stat().st_mtime > _STALE_LOCK_S:
                    lock.unlink()
                    continue
            if time.monotonic() > deadline:
                raise TimeoutError(f"{lock} is held by another notebook") from None
            time.sleep(0.02)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()


def _write(file: Path, record: dict[str, Any]) -> None:
    """Replace `file` with `record` atomically (a temporary file beside it, then os.replace)."""
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=".progress-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _update(change: Any) -> str:
    """Apply `change(record)` under the lock; return "" or a one-line note for the student."""
    file = path()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with _locked(file):
            record, note = _read(file)
            change(record)
            _write(file, record)
        return note
    except (OSError, TimeoutError) as error:
        return f"(Your progress was not saved: {error}. Your answer was checked all the same.)"


def record_check(name: str, status: str) -> str:
    """Record one check of exercise `name` ("passed" or "failed"); "" or a note to show."""
    def change(record: dict[str, Any]) -> None:
        entry = record["exercises"].setdefault(name, {"attempts": 0, "passed": False})
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry["last"] = _now()
        if status == "passed" and not entry.get("passed"):
            entry["passed"], entry["first_passed"] = True, _now()
    return _update(change)


def record_prediction(name: str, before_run: bool) -> str:
    """Note that predict exercise `name` was checked with a prediction made before its
    experiment ran (`before_run`) or after; a prediction once made before the run stays so."""
    def change(record: dict[str, Any]) -> None:
        entry = record["exercises"].setdefault(name, {"attempts": 0, "passed": False})
        entry["predicted_before_run"] = bool(entry.get("predicted_before_run")) or bool(before_run)
    return _update(change)


def record_quiz_answer(stem: str, number: int, choice: str, correct: bool) -> str:
    """Record the answer to question `number` (from 1) of notebook `stem`'s quiz."""
    def change(record: dict[str, Any]) -> None:
        answers = record["quizzes"].setdefault(stem, {})
        answers[str(number)] = {"choice": choice, "correct": bool(correct), "when": _now()}
    return _update(change)


def load() -> dict[str, Any]:
    """The record as it is now (empty if there is none or it cannot be read)."""
    try:
        record, _ = _read(path())
    except OSError:
        return _empty()
    return record


def merge(base: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """`base` with `other`'s entries merged in: attempts add up, a pass is kept, the latest quiz
    answer wins."""
    for name, entry in other["exercises"].items():
        mine = base["exercises"].setdefault(name, {"attempts": 0, "passed": False})
        mine["attempts"] = int(mine.get("attempts", 0)) + int(entry.get("attempts", 0))
        if entry.get("passed") and not mine.get("passed"):
            mine["passed"], mine["first_passed"] = True, entry.get("first_passed", "")
        mine["last"] = max(mine.get("last", ""), entry.get("last", ""))
        if entry.get("predicted_before_run"):
            mine["predicted_before_run"] = True
    for stem, answers in other["quizzes"].items():
        mine = base["quizzes"].setdefault(stem, {})
        for number, answer in answers.items():
            if answer.get("when", "") >= mine.get(number, {}).get("when", ""):
                mine[number] = answer
    return base


class Progress:
    """A student's progress, shown as a table per notebook (HTML in a notebook, text elsewhere).

    Attributes:
        rows: one (notebook, exercises passed, exercises attempted, exercises in all, quiz
            questions answered right, answered, in all) per notebook.
        predicted: {notebook: (predictions made before their experiment ran, predict exercises)}.
        note: where the record lives, or why it could not be read.
    """

    def __init__(self, record: dict[str, Any], note: str):
        from .exercises import EXERCISES, NOTEBOOK_OF
        from .quiz import QUIZZES

        self.record, self.note = record, note
        self.rows, self.predicted = [], {}
        for stem, questions in QUIZZES.items():
            names = [name for name, notebook in NOTEBOOK_OF.items() if notebook == stem]
            done = record["exercises"]
            answers = record["quizzes"].get(stem, {})
            self.rows.append((stem, sum(bool(done.get(n, {}).get("passed")) for n in names),
                              sum(n in done for n in names), len(names),
                              sum(bool(a.get("correct")) for a in answers.values()),
                              len(answers), len(questions)))
            predictions = [n for n in names if EXERCISES[n].kind == "predict"]
            self.predicted[stem] = (sum(bool(done.get(n, {}).get("predicted_before_run"))
                                        for n in predictions), len(predictions))

    def __str__(self) -> str:
        lines = ["notebook                     exercises passed / tried / all   quiz right / answered / all"
                 "   predicted before the run"]
        for stem, passed, tried, total, right, answered, questions in self.rows:
            made, asked = self.predicted[stem]
            lines.append(f"{stem:28s} {passed:>8} / {tried} / {total:<16} {right:>6} / {answered} / "
                         f"{questions:<12} {made} of {asked}")
        return "\n".join(lines + ["", self.note])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td>{html.escape(stem)}</td><td>{passed} of {total}</td><td>{tried - passed}</td>"
            f"<td>{right} of {questions}</td><td>{answered - right}</td>"
            f"<td>{self.predicted[stem][0]} of {self.predicted[stem][1]}</td></tr>"
            for stem, passed, tried, total, right, answered, questions in self.rows)
        return ("<table><thead><tr><th>notebook</th><th>exercises passed</th><th>tried, not yet "
                "passed</th><th>quiz: right</th><th>quiz: answered wrong</th><th>predicted before "
                "the run</th></tr></thead>"
                f"<tbody>{cells}</tbody></table><p>{html.escape(self.note)}</p>")


def _on_colab() -> bool:
    return "google.colab" in sys.modules


def progress(*, export_to: str | os.PathLike | None = None,
             import_from: str | os.PathLike | None = None) -> Progress:
    """Your progress through the course: per notebook, the exercises passed and tried, the
    predictions made before their experiment ran, and the quiz questions answered.

    The record stays on this machine. On Colab it disappears with the runtime: keep it with
    `cu.progress(export_to="my_progress.json")` (then download that file from the Files panel)
    and bring it back in a new runtime with `cu.progress(import_from="my_progress.json")`, which
    merges it with what is recorded there.
    """
    for name, value in (("export_to", export_to), ("import_from", import_from)):
        if value is not None and not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a file name such as 'my_progress.json', got "
                            f"{type(value).__name__}")
    notes = []
    if import_from is not None:
        source = Path(import_from)
        try:
            other = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot read a progress record from {source}: {error}") from None
        if not _valid(other):
            raise ValueError(f"{source} is not a progress record of this course "
                             f"(made by cu.progress(export_to=...))")
        notes.append(_update(lambda record: merge(record, other)) or f"Merged {source} into your record.")
    try:
        record, read_note = _read(path())
    except OSError as error:
        record, read_note = _empty(), f"Your progress could not be read: {error}."
    notes.append(read_note)
    if export_to is not None:
        target = Path(export_to)
        try:
            target.write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True),
                              encoding="utf-8")
        except OSError as error:
            raise ValueError(f"cannot write {target}: {error}; choose a file in a folder you can "
                             "write to") from None
        notes.append(f"Exported to {target.resolve()}: keep that file.")
    where = f"Recorded on this machine only, in {path()}."
    if _on_colab():
        where += (" On Colab this disappears with the runtime: cu.progress(export_to="
                  "'my_progress.json') and download it to keep it.")
    notes.append(where)
    return Progress(record, " ".join(n for n in notes if n))
