"""The design exercises' sweep: does each checker's verdict hold on every seed and rounding?

    python benchmarks/design_sweep.py                                   # seeds 0-19, three roundings
    python benchmarks/design_sweep.py --seeds 0-4 --settings default
    python benchmarks/design_sweep.py --write-record

A design exercise's checker trains the student's model briefly, so its verdict is a measurement
like a claim: the reference must pass, and each wrong answer must fail for its reason, whatever
the seeds the check trains on and whatever the CPU's rounding. For every answer the exercise's
tests list as trained (tests/answers: TAME_TRAINED), the checker is run with its seeds moved
(seed s: the check trains on s, s + 1, s + 2) under each rounding of benchmarks/claims.py, each
rounding in its own process. --write-record stores the counts, with a fingerprint of the code the
verdicts depend on, in course_utils/data/design_verdicts.json, which tests/test_design_sweep.py
checks is current and complete.
"""

from __future__ import annotations

import argparse
import hashlib
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


def _answers() -> dict[str, dict[str, tuple]]:
    """{exercise: {label: (answer, expected: None for a pass, else a fragment of the message)}}."""
    sys.path.insert(0, str(ROOT / "tests"))
    from answers import residual_blocks

    from course_utils import EXERCISES

    trained = {label: (EXERCISES["tame"].reference if answer == "tame" else answer, expected)
               for label, (answer, expected) in residual_blocks.TAME_TRAINED.items()}
    return {"tame": trained}


def _verdict_code() -> dict[str, object]:
    """{exercise: the function that judges an answer with its seeds moved}."""
    from course_utils.exercises import residual_blocks

    return {"tame": residual_blocks.tame_verdict}


def fingerprint(exercise: str) -> str:
    """A short hash of what the verdicts depend on: the exercise's module (its checker, its
    reference, its constants) and the answers swept."""
    from course_utils.exercises import residual_blocks

    sys.path.insert(0, str(ROOT / "tests"))
    from answers import residual_blocks as answers

    modules = {"tame": (residual_blocks, answers)}[exercise]
    text = "\n\0\n".join(inspect.getsource(m) for m in modules)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _worker(seeds: list[int]) -> None:
    """Run every verdict in this process (its rounding set by the parent) and print them."""
    import torch

    torch.set_num_threads(1)
    os.environ.setdefault("COURSE_PROGRESS_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "design-sweep"))
    from course_utils.exercises.framework import Incorrect

    out: dict[str, dict[str, list[str]]] = {}
    for exercise, judge in _verdict_code().items():
        for label, (answer, _) in _answers()[exercise].items():
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


def _run_setting(setting: str, env: dict[str, str], seeds: list[int]) -> dict:
    result = subprocess.run([sys.executable, __file__, "--worker", ",".join(map(str, seeds))],
                            env={**os.environ, **env, "OMP_NUM_THREADS": "1"},
                            capture_output=True, text=True, check=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith(_TAG))
    return json.loads(line[len(_TAG):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-19")
    parser.add_argument("--settings", default="default,other,scalar")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write-record", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker([int(s) for s in args.worker.split(",")])
        return
    seeds = claims.parse_seeds(args.seeds)
    names = args.settings.split(",")
    envs = claims.settings(names)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = dict(zip(names, pool.map(lambda n: _run_setting(n, envs[n], seeds), names)))
    record = {"seeds": f"{min(seeds)}-{max(seeds)}", "settings": names, "exercises": {}}
    ok = True
    for exercise, answers in _answers().items():
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
    if args.write_record:
        RECORD_PATH.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {RECORD_PATH.relative_to(ROOT)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
