"""The course's benchmark: how long each notebook takes, how fast its widgets redraw, and how much
memory its kernel needs, against the budgets in COURSE.md.

    python benchmarks/run.py                      # every notebook
    python benchmarks/run.py notebooks/01_*.ipynb # some

For each notebook: a fresh kernel runs every cell, timed from kernel start to the last cell's
end; the floor is the same for a notebook that only imports torch and course_utils. Then, in the
same kernel, every knob of every Explorer is moved to a setting it has not shown (a new setting)
and back and forth between seen ones (cached), timing the redraw; last, the kernel's peak RSS.
Results are printed as a table and written to benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from notebook_kernel import NOTEBOOKS, ROOT, code_cells, run_sources, tagged_line

BUDGET_S, GOAL_S, MEMORY_BUDGET_MIB = 45.0, 20.0, 1536
CAPSTONE, CAPSTONE_BUDGET_S = "06_capstone_small_gpt", 90.0
"""The capstone has a budget of its own, and the whole course's 180 s counts the others."""

_KNOB_TIMER = r"""
import json, time
from course_utils import Explorer

def _other(knob, seen):
    options = getattr(knob, "options", None)
    if options is not None:        # Dropdown, SelectionSlider: (label, value) pairs or values
        values = [o[1] if isinstance(o, tuple) else o for o in options]
    else:                          # IntSlider / FloatSlider
        values = [knob.value + knob.step, knob.value - knob.step]
        values = [v for v in values if knob.min <= v <= knob.max]
    for value in values:
        if value not in seen:
            return value
    return None

_rows = []
for _i, _explorer in enumerate(Explorer.instances()):
    for _name, _knob in _explorer.knobs.items():
        _start = _knob.value
        _new = _other(_knob, {_start})
        if _new is None:
            continue
        _knob.value = _new
        _new_s, _new_cached = _explorer.last_seconds, _explorer.last_cached
        _knob.value = _start
        _back_s = _explorer.last_seconds
        _knob.value = _new
        _again_s = _explorer.last_seconds
        _rows.append(dict(explorer=repr(_explorer), knob=_name, new_s=_new_s,
                          new_was_cached=_new_cached, cached_s=max(_back_s, _again_s),
                          status=_explorer.status.value))
        _knob.value = _start
print("KNOBS" + json.dumps(_rows))
"""

_CLAIMS_HELD = tagged_line("CLAIMS", "sum(r.held for r in __import__('course_utils').claims.RECORD)")
"""Claims that held, shown or not (a check that pins the experiment prints nothing)."""

_PEAK_MEMORY = r"""
import resource, json
print("PEAK" + json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""


def benchmark(paths: list[Path]) -> dict:
    floor = run_sources(["import torch\nimport course_utils"])
    if floor.errors:
        raise SystemExit(f"the floor notebook failed: {floor.errors}")
    results = {"floor_s": floor.seconds, "notebooks": []}
    for path in paths:
        run = run_sources(code_cells(path), extra=(_KNOB_TIMER, _PEAK_MEMORY, _CLAIMS_HELD),
                          tags=("KNOBS", "PEAK", "CLAIMS"))
        results["notebooks"].append(dict(
            notebook=path.stem, seconds=run.seconds, ratio=run.seconds / floor.seconds,
            errors=run.errors, knobs=run.tagged.get("KNOBS") or [],
            peak_mib=run.tagged.get("PEAK"),
            claims=run.tagged.get("CLAIMS", 0),
            failed_claims=run.stderr.count("✗ claim does not hold")))
    return results


def report(results: dict) -> str:
    lines = [f"floor (kernel start + import torch, course_utils): {results['floor_s']:.1f} s", "",
             f"{'notebook':32s} {'seconds':>8s} {'x floor':>8s} {'peak MiB':>9s} {'claims':>7s}  budget"]
    total = 0.0
    for nb in results["notebooks"]:
        if nb["notebook"] == CAPSTONE:
            verdict = ("ok" if nb["seconds"] <= CAPSTONE_BUDGET_S
                       else f"OVER BUDGET ({CAPSTONE_BUDGET_S:.0f} s)")
        else:
            total += nb["seconds"]
            verdict = ("ok" if nb["seconds"] <= GOAL_S else "over goal (20 s)"
                       if nb["seconds"] <= BUDGET_S else "OVER BUDGET (45 s)")
        if nb["peak_mib"] and nb["peak_mib"] > MEMORY_BUDGET_MIB:
            verdict += ", OVER MEMORY BUDGET"
        if nb["errors"]:
            verdict += f", ERRORS: {nb['errors']}"
        if nb["failed_claims"]:
            verdict += f", {nb['failed_claims']} FAILED CLAIMS"
        lines.append(f"{nb['notebook']:32s} {nb['seconds']:8.1f} {nb['ratio']:8.1f} "
                     f"{nb['peak_mib'] or 0:9.0f} {nb['claims']:7d}  {verdict}")
    lines.append(f"{'whole course, capstone aside':32s} {total:8.1f}  (budget 180 s)")
    lines += ["", f"{'notebook':28s} {'knob':12s} {'new (s)':>8s} {'cached (s)':>10s}  budget: new <= 2 s, cached <= 0.3 s"]
    for nb in results["notebooks"]:
        for knob in nb["knobs"]:
            lines.append(f"{nb['notebook']:28s} {knob['knob']:12s} {knob['new_s']:8.3f} "
                         f"{knob['cached_s']:10.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=NOTEBOOKS)
    args = parser.parse_args()
    results = benchmark([p.resolve() for p in args.notebooks])
    print(report(results))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    failed = any(nb["errors"] or nb["failed_claims"] for nb in results["notebooks"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
