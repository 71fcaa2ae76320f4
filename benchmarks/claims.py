"""The numerics sweep: does every claim of every notebook hold on every seed, with the rounding
of this machine's CPU kernels AND with another CPU's?

    python benchmarks/claims.py                         # seeds 0-4, both settings, every notebook
    python benchmarks/claims.py --seeds 0-19 --settings default,other,scalar --write-record
    python benchmarks/claims.py --seeds 3 --settings other notebooks/02_*.ipynb
    python benchmarks/claims.py --seeds 0-19 --settings default,other,scalar --update-record notebooks/02_*.ipynb

Each run is one notebook executed as a student executes it (a fresh kernel, every cell, with the
set-up cell's SEED changed), in its own process, under one numerics setting:
- "default": torch's kernels as this CPU selects them;
- "other": ATEN_CPU_CAPABILITY=avx2 where torch picked AVX512, else ATEN_CPU_CAPABILITY=default:
  other SIMD kernels, so other rounding, which is what a student's different CPU does;
- "scalar": ATEN_CPU_CAPABILITY=default, every kernel's plain (unvectorised) path. On an AMD
  AVX512 machine "other" changes only softmax and attention, not BatchNorm or the batched
  matrix products; "scalar" changes them all.
A failed claim does not stop a run. The table gives, per claim, the runs where it held out of the
runs that tried it, and its smallest margin (how far the measured figure stayed from its
threshold, as a fraction of the threshold; "exact" for facts without one). --write-record stores
the counts in course_utils/data/claims_held.json, which a failed claim's ✗ message quotes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_kernel import NOTEBOOKS, ROOT, code_cells, run_sources, tagged_line  # noqa: E402

RECORD_PATH = ROOT / "course_utils" / "data" / "claims_held.json"
MARGIN_FLOOR = 0.10          # no threshold within 10 % of the worst value measured for it
_CLAIMS_TAG = "CLAIMS"
_READ_CLAIMS = tagged_line(_CLAIMS_TAG, "[vars(r) for r in __import__('course_utils').claims.RECORD]")


def default_capability() -> str:
    """The SIMD level torch selects on this CPU (read in a fresh process)."""
    out = subprocess.run([sys.executable, "-c", "import torch; "
                          "print(torch.backends.cpu.get_cpu_capability())"],
                         capture_output=True, text=True, check=True, env={
                             k: v for k, v in os.environ.items() if k != "ATEN_CPU_CAPABILITY"})
    return out.stdout.strip()


def settings(names: list[str]) -> dict[str, dict[str, str]]:
    """{setting name: environment variables} for "default", "other" and "scalar"."""
    other = "avx2" if default_capability().upper() == "AVX512" else "default"
    known = {"default": {}, "other": {"ATEN_CPU_CAPABILITY": other},
             "scalar": {"ATEN_CPU_CAPABILITY": "default"}}
    unknown = set(names) - set(known)
    if unknown:
        raise SystemExit(f"unknown settings {sorted(unknown)}; choose from {sorted(known)}")
    return {name: known[name] for name in names}


@dataclass
class Run:
    """One notebook run: its claims as checked, and what went wrong outside the claims."""

    notebook: str
    seed: int
    setting: str
    seconds: float = 0.0
    claims: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[dict]:
        return [c for c in self.claims if not c["held"]]


def run_notebook(path: Path, seed: int, setting: str, env: dict[str, str]) -> Run:
    """Execute `path` with SEED = seed under `env`; every cell runs even after a failure."""
    kernel = run_sources(code_cells(path, seed), extra=(_READ_CLAIMS,), tags=(_CLAIMS_TAG,),
                         env=env, keep_going=True)
    return Run(path.stem, seed, setting, kernel.seconds, kernel.tagged.get(_CLAIMS_TAG, []),
               kernel.errors)


@dataclass
class ClaimSummary:
    notebook: str
    claim: str              # the claim's key (its sentence where it has none)
    held: int = 0
    tried: int = 0
    worst_margin: float | None = None
    worst: str = ""


def summarise(runs: list[Run]) -> list[ClaimSummary]:
    """One row per claim, in the order the notebooks make them."""
    rows: dict[tuple[str, str], ClaimSummary] = {}
    for run in runs:
        for claim in run.claims:
            key = claim.get("key") or claim["claim"]
            row = rows.setdefault((run.notebook, key), ClaimSummary(run.notebook, key))
            row.tried += 1
            row.held += claim["held"]
            margin = claim["margin"]
            if margin is not None and (row.worst_margin is None or margin < row.worst_margin):
                row.worst_margin = margin
                figures = ", ".join(f"{k} = {v}" for k, v in claim["figures"].items())
                row.worst = f"seed {run.seed} {run.setting}: {figures}"
    return list(rows.values())


def parse_seeds(text: str) -> list[int]:
    """"0-19" -> 0..19; "0,3,5" -> those; "7" -> [7]."""
    seeds: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds.extend(range(int(low), int(high or low) + 1))
    return seeds


def sweep(paths: list[Path], seeds: list[int], setting_names: list[str], *, jobs: int = 2,
          echo: bool = True) -> list[Run]:
    """Every (notebook, seed, setting), `jobs` kernels at a time."""
    envs = settings(setting_names)
    tasks = [(path, seed, name) for name in envs for path in paths for seed in seeds]

    def one(task):
        path, seed, name = task
        run = run_notebook(path, seed, name, envs[name])
        if echo:
            status = (f"{len(run.failed)} FAILED" if run.failed else "ok") + (
                f", {len(run.errors)} ERRORS" if run.errors else "")
            print(f"{run.notebook} seed {seed} {name}: {len(run.claims)} claims, {status}, "
                  f"{run.seconds:.1f} s", flush=True)
        return run

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, tasks))


def report(runs: list[Run], summaries: list[ClaimSummary]) -> str:
    lines = [f"{'held':>9s} {'margin':>8s}  claim  [worst: seed, setting, figures]"]
    for row in summaries:
        margin = "exact" if row.worst_margin is None else f"{100 * row.worst_margin:.0f} %"
        flag = "" if row.held == row.tried and (row.worst_margin is None
                                               or row.worst_margin >= MARGIN_FLOOR) else "  <-- "
        lines.append(f"{row.held:4d}/{row.tried:<4d} {margin:>8s}  {row.notebook[:2]} "
                     f"{row.claim}{flag}")
        if row.worst:
            lines.append(f"{'':24s}[worst: {row.worst}]")
    seconds = defaultdict(list)
    for run in runs:
        seconds[run.notebook].append(run.seconds)
        for error in run.errors:
            lines.append(f"ERROR {run.notebook} seed {run.seed} {run.setting}: {error}")
    lines.append("")
    for notebook, values in seconds.items():
        lines.append(f"{notebook:32s} {len(values)} runs, {min(values):.1f} to {max(values):.1f} s")
    return "\n".join(lines)


def presentation_only(source: str) -> bool:
    """True for a cell that only records or checks a prediction, or shows the source of a
    readable reference run: every statement a call `cu.predict("name", <literal>)` or
    `cu.check("name", <variable>)` of a predict exercise, or `cu.show_code(cu.<name>)`. None of
    these draws a random number or changes a result (tests/test_predictions.py,
    tests/test_readable.py), so such a cell cannot change a claim."""
    import ast

    from course_utils.exercises import EXERCISES

    try:
        statements = ast.parse(source).body
    except SyntaxError:
        return False

    def is_cu(node: ast.expr, attribute: str | None = None) -> bool:
        return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "cu" and attribute in (None, node.attr))

    def harmless(statement: ast.stmt) -> bool:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not isinstance(call, ast.Call) or call.keywords:
            return False
        if is_cu(call.func, "show_code"):
            return len(call.args) == 1 and is_cu(call.args[0])
        if not (is_cu(call.func) and call.func.attr in ("predict", "check") and len(call.args) == 2):
            return False
        name, value = call.args
        if not (isinstance(name, ast.Constant) and name.value in EXERCISES
                and EXERCISES[name.value].kind == "predict"):
            return False
        if call.func.attr == "check":
            return isinstance(value, ast.Name)
        try:
            ast.literal_eval(value)
        except ValueError:
            return False
        return True

    return bool(statements) and all(harmless(statement) for statement in statements)


def byte_spans(data: bytes, nodes: list) -> list[tuple[int, int]]:
    """Each AST node's (start, end) byte offsets in `data`, the UTF-8 source it was parsed from
    (ast's columns count bytes): the text to cut when a fingerprint leaves a node out."""
    starts = [0]                                  # byte offset of each line
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return [(starts[n.lineno - 1] + n.col_offset, starts[n.end_lineno - 1] + n.end_col_offset)
            for n in nodes]


def _without_labels(source: str) -> str:
    """`source` with every `cu.expect(condition, claim, key=..., shown=..., differs=...,
    **figures)` call's claim sentence, key and presentation (each with the comma after it) cut
    out: the labels of a claim, which its measurement does not depend on
    (tests/test_claims_everywhere.py checks that every key a notebook uses was swept). The rest
    of the text stays as written, so the fingerprint does not depend on Python's version."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    labels = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "cu"
                and node.func.attr == "expect"):
            labels += [n for n in node.args[1:2] if isinstance(n, (ast.Constant, ast.JoinedStr))]
            labels += [k for k in node.keywords if k.arg in ("key", "shown", "differs")
                       and isinstance(k.value, (ast.Constant, ast.JoinedStr))]   # literals only
    if not labels:
        return source
    data = source.encode("utf-8")
    for start, end in sorted(byte_spans(data, labels), reverse=True):
        after = len(data[end:]) - len(data[end:].lstrip())
        if data[end + after:end + after + 1] == b",":           # and the comma after the label
            end += after + 1
            end += len(data[end:]) - len(data[end:].lstrip())
        data = data[:start] + data[end:]
    return data.decode("utf-8")


def code_fingerprint(path: Path) -> str:
    """A short hash of the code its claims depend on: the notebook's code cells up to the last
    one that makes a claim (a cell runs after every claim above it, so the cells below the last
    claim, the exercises and the quiz, cannot change one), leaving out the cells that only
    record or check a prediction or show a reference run's code (`presentation_only`), and
    without the claims' labels (`_without_labels`): a claim's wording and how it is shown can
    change without a new sweep. The record keeps one per notebook, and the tests check that it
    is the notebook's current one, so that code changed after its sweep cannot pass CI on the
    old counts."""
    cells = code_cells(path)
    last = max((i for i, source in enumerate(cells) if "cu.expect(" in source), default=len(cells) - 1)
    kept = [_without_labels(source) for source in cells[:last + 1] if not presentation_only(source)]
    return hashlib.sha256("\n\0\n".join(kept).encode("utf-8")).hexdigest()[:16]


def write_record(summaries: list[ClaimSummary], seeds: list[int], setting_names: list[str], *,
                 update: bool = False, fingerprints: dict[str, str] | None = None) -> None:
    """Store each claim's counts and each swept notebook's `code_fingerprint` (`fingerprints`,
    by notebook stem). With `update`, the notebooks not swept this time keep their stored counts
    and fingerprints (the seeds and settings must be the record's)."""
    claims, notebooks = {}, {}
    scope = {"seeds": f"{min(seeds)}-{max(seeds)}", "settings": setting_names}
    swept = {row.notebook for row in summaries}
    if update:
        old = json.loads(RECORD_PATH.read_text(encoding="utf-8"))
        if {k: old[k] for k in scope} != scope:
            raise SystemExit(f"--update-record: the record covers seeds {old['seeds']} under "
                             f"{old['settings']}; sweep those, or write a new record")
        claims = {claim: counts for claim, counts in old["claims"].items()
                  if counts["notebook"] not in swept}
        notebooks = {name: code for name, code in old.get("notebooks", {}).items()
                     if name not in swept}
    claims.update({row.claim: {"notebook": row.notebook, "held": row.held, "tried": row.tried}
                   for row in summaries})
    notebooks.update({name: code for name, code in (fingerprints or {}).items() if name in swept})
    RECORD_PATH.parent.mkdir(exist_ok=True)
    record = {**scope, "notebooks": dict(sorted(notebooks.items())), "claims": claims}
    RECORD_PATH.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                           encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, default=NOTEBOOKS)
    parser.add_argument("--seeds", default="0-4", help="e.g. 0-19 or 0,3,5 (default 0-4)")
    parser.add_argument("--settings", default="default,other",
                        help="comma-separated, from default, other, scalar (default: default,other)")
    parser.add_argument("--jobs", type=int, default=2, help="kernels at a time (default 2)")
    parser.add_argument("--write-record", action="store_true",
                        help=f"store the counts in {RECORD_PATH.relative_to(ROOT)}")
    parser.add_argument("--update-record", action="store_true",
                        help="like --write-record, keeping the counts of notebooks not swept")
    parser.add_argument("--json", type=Path, help="also write every run's claims here")
    args = parser.parse_args()
    seeds, names = parse_seeds(args.seeds), args.settings.split(",")
    runs = sweep([p.resolve() for p in args.notebooks], seeds, names, jobs=args.jobs)
    summaries = summarise(runs)
    print(report(runs, summaries))
    if args.json:
        args.json.write_text(json.dumps([vars(r) for r in runs], indent=1, ensure_ascii=False), encoding="utf-8")
    if args.write_record or args.update_record:
        write_record(summaries, seeds, names, update=args.update_record,
                     fingerprints={p.stem: code_fingerprint(p) for p in args.notebooks})
    bad = any(run.failed or run.errors or not run.claims for run in runs)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
