"""The design exercises' sweep: does each checker's verdict hold on every seed and rounding?

    python benchmarks/design_sweep.py                                   # seeds 0-19, three roundings
    python benchmarks/design_sweep.py --seeds 0-4 --settings default
    python benchmarks/design_sweep.py --exercises warmup --write-record

A design exercise's checker trains the student's model briefly, so its verdict is a measurement
like a claim: the reference must pass, and each wrong answer must fail for its reason, whatever
the seeds the check trains on and whatever the CPU's rounding. Every exercise of kind "design"
is swept the same way. Its module (course_utils/exercises/<module>.py) has `<name>_verdict(answer,
seed=...)`, which trains on seeds seed, seed + 1, ...; its tests' answers (tests/answers/<module>.py)
list as `<NAME>_TRAINED` the answers whose verdict comes from training, with the reference spelt
as the exercise's name. Each is judged with its seeds moved (seed s for s in --seeds) under each
rounding of benchmarks/claims.py, each rounding in its own process. --write-record stores the
counts, with a fingerprint of the code the verdicts depend on, in
course_utils/data/design_verdicts.json (an exercise not swept this time keeps its entry), which
tests/test_design_sweep.py checks is current and complete.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import claims  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RECORD_PATH = ROOT / "course_utils" / "data" / "design_verdicts.json"
_TAG = "VERDICTS"


def designs() -> list[str]:
    """The names of the design exercises, sorted."""
    from course_utils import EXERCISES

    return sorted(name for name, exercise in EXERCISES.items() if exercise.kind == "design")


def _modules(exercise: str) -> tuple[object, object]:
    """(the exercise's module, its tests' answers module)."""
    from course_utils import EXERCISES

    sys.path.insert(0, str(ROOT / "tests"))
    module = importlib.import_module(EXERCISES[exercise].checker.__module__)
    return module, importlib.import_module(f"answers.{module.__name__.rsplit('.', 1)[1]}")


def trained_answers(exercise: str) -> dict[str, tuple]:
    """{label: (answer, expected: None for a pass, else a fragment of the message)}, the
    reference spelt as the exercise's name."""
    from course_utils import EXERCISES

    listed = getattr(_modules(exercise)[1], f"{exercise.upper()}_TRAINED")
    return {label: (EXERCISES[exercise].reference if answer == exercise else answer, expected)
            for label, (answer, expected) in listed.items()}


def _verdict_code(exercise: str):
    """The function that judges an answer to `exercise` with its seeds moved."""
    return getattr(_modules(exercise)[0], f"{exercise}_verdict")


def without_wording(source: str) -> str:
    """`source` with the task and the hints of every `Exercise(...)` call in it cut out (keyword
    or positional: Exercise(name, task, checker, hints, ...)): what the student reads before
    answering, which no verdict depends on, so that they can be reworded without a new sweep.
    The rest of the text stays as written, so the result does not depend on Python's version."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    nodes = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) \
                == "Exercise":
            nodes += [arg for i, arg in enumerate(node.args) if i in (1, 3)]
            nodes += [k.value for k in node.keywords if k.arg in ("task", "hints")]
    data = source.encode("utf-8")
    for start, end in sorted(claims.byte_spans(data, nodes), reverse=True):
        data = data[:start] + b"..." + data[end:]
    return data.decode("utf-8")


def fingerprint(exercise: str) -> str:
    """A short hash of what the verdicts depend on: the exercise's module (its checker, its
    reference, its constants) and the answers swept, leaving out the exercises' tasks and hints
    (`without_wording`)."""
    text = "\n\0\n".join(without_wording(inspect.getsource(m)) for m in _modules(exercise))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _worker(seeds: list[int], exercises: list[str]) -> None:
    """Run every verdict in this process (its rounding set by the parent) and print them."""
    import torch

    torch.set_num_threads(1)
    os.environ.setdefault("COURSE_PROGRESS_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "design-sweep"))
    from course_utils.exercises.framework import Incorrect

    out: dict[str, dict[str, list[str]]] = {}
    for exercise in exercises:
        judge = _verdict_code(exercise)
        for label, (answer, _) in trained_answers(exercise).items():
            verdicts = []
            for seed in seeds:
                try:
                    judge(answer, seed=seed)
                    verdicts.append("passed")
                except Incorrect as wrong:
                    verdicts.append(f"failed: {wrong}")
            out.setdefault(exercise, {})[label] = verdicts
            print(f"{exercise} {label}: {sum(v == 'passed' for v in verdicts)} of {len(verdicts)} "
                  "passed", file=sys.stderr, flush=True)
    print(_TAG + json.dumps(out), flush=True)


def _run_setting(setting: str, env: dict[str, str], seeds: list[int], exercises: list[str]) -> dict:
    result = subprocess.run([sys.executable, __file__, "--worker", ",".join(map(str, seeds)),
                             "--exercises", ",".join(exercises)],
                            env={**os.environ, **env, "OMP_NUM_THREADS": "1"},
                            capture_output=True, text=True, check=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith(_TAG))
    return json.loads(line[len(_TAG):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-19")
    parser.add_argument("--settings", default="default,other,scalar")
    parser.add_argument("--exercises", help="comma-separated design exercises (default: all)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write-record", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    exercises = args.exercises.split(",") if args.exercises else designs()
    unknown = sorted(set(exercises) - set(designs()))
    if unknown:
        parser.error(f"not design exercises: {', '.join(unknown)}; they are {', '.join(designs())}")
    if args.worker:
        _worker([int(s) for s in args.worker.split(",")], exercises)
        return
    seeds = claims.parse_seeds(args.seeds)
    names = args.settings.split(",")
    envs = claims.settings(names)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = dict(zip(names, pool.map(lambda n: _run_setting(n, envs[n], seeds, exercises),
                                           names)))
    record = {"seeds": f"{min(seeds)}-{max(seeds)}", "settings": names, "exercises": {}}
    if RECORD_PATH.exists():               # the exercises not swept now keep their entries
        old = json.loads(RECORD_PATH.read_text(encoding="utf-8"))
        if (old["seeds"], old["settings"]) == (record["seeds"], names):
            record["exercises"] = {name: entry for name, entry in old["exercises"].items()
                                   if name in designs()}
    ok = True
    for exercise in exercises:
        answers = trained_answers(exercise)
        entry = {"fingerprint": fingerprint(exercise), "answers": {}}
        for label, (_, expected) in answers.items():
            verdicts = [v for n in names for v in results[n][exercise][label]]
            held = sum(v == "passed" if expected is None else (v.startswith("failed") and expected in v)
                       for v in verdicts)
            entry["answers"][label] = {"expected": expected or "passed", "held": held,
                                       "tried": len(verdicts)}
            ok &= held == len(verdicts)
            others = sorted({v[:90] for v in verdicts
                             if not (v == "passed" if expected is None else expected in v)})
            print(f"{exercise:8s} {label:16s} {held:>3}/{len(verdicts)}  expected "
                  f"{expected or 'passed'}" + (f"  other verdicts: {others}" if others else ""))
        record["exercises"][exercise] = entry
    record["exercises"] = dict(sorted(record["exercises"].items()))
    if args.write_record:
        RECORD_PATH.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {RECORD_PATH.relative_to(ROOT)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
