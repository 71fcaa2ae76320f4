"""A design exercise's checker trains the student's model, so its verdict is a measurement: the
sweep (benchmarks/design_sweep.py) runs it on the reference and on the wrong answers with its
seeds moved (0-19) under three CPU roundings, and its record must be complete, unanimous and
written for the code as it is now."""

import json
import sys

from conftest import ROOT

from course_utils import EXERCISES

sys.path.insert(0, str(ROOT / "benchmarks"))
import design_sweep  # noqa: E402

RE_SWEEP = "run python benchmarks/design_sweep.py --write-record"


def _record() -> dict:
    return json.loads(design_sweep.RECORD_PATH.read_text(encoding="utf-8"))


def test_every_design_exercise_is_in_the_record_written_for_its_current_code():
    designs = sorted(name for name, exercise in EXERCISES.items() if exercise.kind == "design")
    assert designs, "the course has no design exercise"
    record = _record()
    assert sorted(record["exercises"]) == designs, RE_SWEEP
    for name in designs:
        assert record["exercises"][name]["fingerprint"] == design_sweep.fingerprint(name), (
            f"{name}'s checker, reference or swept answers changed after the sweep: {RE_SWEEP}")


def test_every_verdict_held_on_every_seed_and_rounding():
    record = _record()
    assert record["seeds"] == "0-19" and record["settings"] == ["default", "other", "scalar"]
    for name, entry in record["exercises"].items():
        for label, counts in entry["answers"].items():
            assert counts["tried"] == 60 and counts["held"] == counts["tried"], (name, label, counts)


def test_the_record_sweeps_the_answers_the_tests_list_with_their_verdicts():
    for name in design_sweep.designs():
        swept = _record()["exercises"][name]["answers"]
        listed = {label: expected or "passed"
                  for label, (_, expected) in design_sweep.trained_answers(name).items()}
        assert {label: counts["expected"] for label, counts in swept.items()} == listed, name
        assert "passed" in listed.values() and len(set(listed.values())) >= 3, name  # reference + 2 failures


def test_a_fingerprint_leaves_out_the_tasks_and_hints_and_nothing_else():
    source = ('LIMIT = 59\n'
              'EXERCISES = [Exercise(name="warmup", kind="design", task="reach 1 by step 59",\n'
              '                      checker=_check, hints=("idea", "how", "code"), reference=f),\n'
              '             Exercise("other", "a task", _check_other, ("one", "two"), g)]\n')
    reworded = (source.replace("reach 1 by step 59", "reach the full rate by step 59")
                .replace('("idea", "how", "code")', '("the idea, said better",\n "how", "code")')
                .replace('"a task"', '"another task"').replace('("one", "two")', '("1", "2", "3")'))
    assert design_sweep.without_wording(reworded) == design_sweep.without_wording(source)
    for changed in (source.replace("LIMIT = 59", "LIMIT = 60"),
                    source.replace("checker=_check,", "checker=_check_more,"),
                    source.replace("_check_other, (", "_check_another, ("),
                    source.replace('name="warmup"', 'name="warm"')):
        assert design_sweep.without_wording(changed) != design_sweep.without_wording(source)
