"""The student's progress record (course_utils.progress): what a check and a quiz answer record,
and that no state of the disk or of the file makes a check or a quiz raise."""

import errno
import json
import multiprocessing as mp
import os
import time

import pytest

import course_utils as cu
from course_utils import EXERCISES, QUIZZES, student_record
from course_utils.exercises import NOTEBOOK_OF
from course_utils.quiz import question_widget

from answers import residual_math


@pytest.fixture
def record_dir(tmp_path, monkeypatch):
    folder = tmp_path / "progress"
    monkeypatch.setenv(student_record.ENV, str(folder))
    return folder


def _record(folder):
    return json.loads((folder / student_record.FILE_NAME).read_text(encoding="utf-8"))


def test_a_check_records_attempts_and_the_first_pass_and_the_stub_records_nothing(record_dir):
    assert cu.check("path_count", residual_math.STUBS["path_count"]).status == "not attempted"
    assert not (record_dir / student_record.FILE_NAME).exists()
    wrong = residual_math.WRONG["path_count"][0]
    wrong = wrong[0] if isinstance(wrong, tuple) else wrong
    assert not cu.check("path_count", wrong).passed
    assert _record(record_dir)["exercises"]["path_count"]["attempts"] == 1
    assert _record(record_dir)["exercises"]["path_count"]["passed"] is False
    assert cu.check("path_count", EXERCISES["path_count"].reference).passed
    assert cu.check("path_count", wrong).status == "failed"            # a pass is kept
    entry = _record(record_dir)["exercises"]["path_count"]
    assert entry["attempts"] == 3 and entry["passed"] is True and entry["first_passed"]


def test_a_quiz_answer_is_recorded_with_its_notebook_and_number(record_dir):
    stem = "02_residual_math"
    question = QUIZZES[stem][0]
    box = question_widget(question, 1, stem)
    buttons, submit = box.children[1], box.children[2]
    wrong = next(i for i in range(len(question.choices)) if i not in question.correct)
    buttons.value = wrong
    submit.click()
    assert _record(record_dir)["quizzes"][stem]["1"]["correct"] is False
    buttons.value = question.correct[0]
    submit.click()
    answer = _record(record_dir)["quizzes"][stem]["1"]
    assert answer == {"choice": question.letter(question.correct[0]), "correct": True,
                      "when": answer["when"]}


def _hammer(folder: str, name: str, n: int) -> None:
    os.environ[student_record.ENV] = folder
    for _ in range(n):
        assert student_record.record_check(name, "failed") == ""


def test_two_notebooks_writing_at_once_lose_nothing(record_dir):
    context = mp.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(str(record_dir), "path_count", 40)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    assert _record(record_dir)["exercises"]["path_count"]["attempts"] == 80
    assert sorted(p.name for p in record_dir.iterdir()) == [student_record.FILE_NAME]   # no temp or lock left


def test_an_unreadable_file_is_kept_aside_with_a_note_and_a_new_record_starts(record_dir):
    record_dir.mkdir()
    (record_dir / student_record.FILE_NAME).write_text("{not json", encoding="utf-8")
    note = student_record.record_check("path_count", "passed")
    assert "could not be read, so it was kept as" in note
    (aside,) = record_dir.glob("progress.unreadable-*.json")
    assert aside.read_text(encoding="utf-8") == "{not json"
    assert _record(record_dir)["exercises"]["path_count"]["passed"] is True


def test_a_folder_that_cannot_be_written_costs_only_the_record(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(student_record.ENV, str(blocker / "progress"))     # a folder under a file
    result = cu.check("path_count", EXERCISES["path_count"].reference)
    assert result.passed and "Your progress was not saved" in result.message
    assert "not saved" in str(cu.progress()) or "could not be read" in str(cu.progress())


def test_a_full_disk_costs_only_the_record(record_dir, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(student_record, "_write", full)
    result = cu.check("path_count", EXERCISES["path_count"].reference)
    assert result.passed and "not saved: [Errno 28] No space left on device" in result.message


def test_a_lock_left_by_a_crashed_notebook_is_taken_over(record_dir):
    record_dir.mkdir()
    lock = record_dir / (student_record.FILE_NAME + ".lock")
    lock.write_text("", encoding="utf-8")
    old = time.time() - 60
    os.utime(lock, (old, old))
    assert student_record.record_check("path_count", "passed") == ""
    assert not lock.exists()


def test_progress_counts_per_notebook_and_says_where_the_record_is(record_dir):
    cu.check("path_count", EXERCISES["path_count"].reference)
    cu.check("residual_block", EXERCISES["path_count"].reference)          # wrong: tried only
    shown = cu.progress()
    rows = {row[0]: row for row in shown.rows}
    assert set(rows) == set(QUIZZES)
    in_02 = sum(1 for stem in NOTEBOOK_OF.values() if stem == "02_residual_math")
    assert rows["02_residual_math"][1:4] == (1, 1, in_02)
    assert rows["01_highway_analogy"][1:3] == (0, 1)
    assert str(record_dir) in shown.note and "on this machine only" in shown.note
    assert "02_residual_math" in str(shown) and "<table>" in shown._repr_html_()


def test_export_then_import_into_a_fresh_runtime_merges(record_dir, tmp_path, monkeypatch):
    cu.check("path_count", EXERCISES["path_count"].reference)
    kept = tmp_path / "my_progress.json"
    assert "Exported to" in cu.progress(export_to=kept).note
    monkeypatch.setenv(student_record.ENV, str(tmp_path / "new_runtime"))  # the runtime is gone
    cu.check("path_count", EXERCISES["residual_block"].reference)          # one wrong try there
    shown = cu.progress(import_from=kept)
    entry = student_record.load()["exercises"]["path_count"]
    assert entry["passed"] is True and entry["attempts"] == 2
    assert "Merged" in shown.note


def test_importing_something_that_is_not_a_record_says_so(record_dir, tmp_path):
    other = tmp_path / "notes.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match="is not a progress record"):
        cu.progress(import_from=other)
    with pytest.raises(ValueError, match="cannot read a progress record"):
        cu.progress(import_from=tmp_path / "missing.json")


def test_the_default_folder_is_the_user_s_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(student_record.ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(student_record.sys, "platform", "linux")
    assert student_record.path() == tmp_path / "course-utils" / "progress.json"
