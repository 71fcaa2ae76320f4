"""A sweep of bad input over the public API: every callable in course_utils.__all__ (and the
exercise checkers) called with bad values for one argument at a time, each call in a worker
process with a time limit. Every call is classified:

    a  a clear error: raised by course_utils and naming the argument (for a checker: feedback)
    b  an error from deep inside torch, or one that does not name the argument
    c  silently accepted: no error for a value the function cannot use
    d  a hang: no answer within the time limit

    python tools/bad_input_sweep.py               # prints the counts and every b, c and d
    python tools/bad_input_sweep.py --json out.json
    python tools/bad_input_sweep.py --only train_char_models draw_run

The valid base call of each function is small (one step, one seed), so a bad value that is
wrongly accepted shows as c, not d. It complements tests/test_bad_input.py, the table of calls
CI runs.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import multiprocessing as mp
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

# the sweep calls every public function, cu.check included: never into the real progress record
os.environ["COURSE_PROGRESS_DIR"] = os.path.join(tempfile.mkdtemp(), "progress")

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S = 20.0

# Functions whose base call needs arguments beyond their defaults (small, fast settings).
# Values are evaluated in the worker, where `cu`, `torch`, `nn` and the helpers below exist.
BASE = {
    "Explorer": "dict(compute=lambda depth: depth, draw=lambda d, depth: plt.figure(), knobs={'depth': widgets.IntSlider(value=1)})",
    "MLPStack": "dict(n_blocks=2, width=16)",
    "Residual": "dict(branch=nn.Linear(2, 2))",
    "Table": "dict(header=['a'], rows=[[1]])",
    "TinyTransformer": "dict(n_layers=1, d_model=8, n_heads=2, d_ff=16)",
    "TransformerBlock": "dict(d_model=8, n_heads=2, d_ff=16)",
    "ZooStack": "dict(arch='resnet', n_blocks=2, width=16)",
    "block_deleted": "dict(model=cu.mlp_stack(2), index=0)",
    "branch_to_stream_ratio": "dict(model=cu.mlp_stack(2), X=X)",
    "char_corpus": "dict(text=cu.documentation_text()[:2000])",
    "char_model": "dict(variant='pre-norm', vocab_size=10)",
    "char_model_explorer": "dict(runs=CHAR_RUNS)",
    "draw_char_models": "dict(runs=CHAR_RUNS)",
    "draw_inside": "dict(runs=CHAR_RUNS, checkpoint=0)",
    "draw_run": "dict(runs=CHAR_RUNS, variant='pre-norm')",
    "evaluation_windows": "dict(corpus=cu.char_corpus(cu.documentation_text()[:20000]))",
    "ngram_bits": "dict(corpus=cu.char_corpus(cu.documentation_text()[:2000]))",
    "train_char_models": "dict(corpus=cu.char_corpus(cu.documentation_text()[:20000]), variants=('pre-norm',), n_seeds=1, steps=1, progress=False)",
    "check": "dict(name='path_count', answer=lambda n, b, k: 1)",
    "deepnorm_constants": "dict(n_layers=4)",
    "deepnorm_sublayer": "dict(x=torch.randn(2, 3, 8), sublayer=nn.Linear(8, 8), norm=nn.LayerNorm(8), alpha=2.0)",
    "degradation": "dict(n_layers=(4,), steps=1, n_seeds=1, progress=False)",
    "draw_degradation": "dict(result=cu.degradation((4,), steps=2, n_seeds=1, progress=False))",
    "draw_gradients_at_init": "dict(profiles={'post': [1.0, 2.0]}, by_depth=None)",
    "draw_init_profiles": "dict(profiles=cu.init_profiles(2, width=16))",
    "draw_invariance_grid": "dict(measured=cu.invariance_table())",
    "draw_jacobian_spectra": "dict(spectra=cu.jacobian_spectra((1, 2)))",
    "draw_lesion": "dict(result=LESION, deleted=0)",
    "draw_output_change": "dict(result=cu.output_change_by_depth((1,), ('pre',), n_seeds=1))",
    "draw_padding_probe": "dict(probe=cu.padding_probe('batch', 2, 1))",
    "draw_placement_probe": "dict(profile=[1.0, 2.0], change={'post': 1.0}, placement='post', lr=1e-3, warmup=False)",
    "draw_shattered": "dict(x=torch.linspace(-2, 2, 8), gradients={'plain': torch.ones(8), 'residual': torch.ones(8)}, depth=1)",
    "draw_shortcut_scaling": "dict(result=cu.shortcut_scaling((1.0,), n_blocks=1, steps=2, n_seeds=1, progress=False))",
    "draw_small_batch": "dict(result=SMALL_BATCH)",
    "draw_warmup": "dict(result=WARMUP, chance=2.77)",
    "draw_zoo_comparison": "dict(comparison=cu.zoo_comparison(2))",
    "end_to_end_singular_values": "dict(n_blocks=2, residual=True)",
    "evaluate": "dict(model=cu.mlp_stack(2), X=X, y=Y)",
    "expect": "dict(condition=True, claim='a claim')",
    "ffn_gradient_profile": "dict(placement='pre', n_layers=2)",
    "gradient_on_grid": "dict(depth=2, residual=True, n_points=8, width=8)",
    "gradients_by_depth": "dict(depths=(1,))",
    "hint": "dict(name='path_count')",
    "init_profiles": "dict(n_blocks=2, width=16)",
    "lag1_autocorrelation": "dict(values=torch.randn(8))",
    "layer_profile": "dict(model=cu.mlp_stack(2), X=X, y=Y)",
    "lesion_explorer": "dict(result=LESION)",
    "lesion_study": "dict(n_blocks=2, steps=1, n_seeds=1, progress=False)",
    "make_norm": "dict(name='layer', width=8)",
    "mlp_branch": "dict(width=8)",
    "mlp_stack": "dict(n_blocks=2, width=16)",
    "normalise_sequence": "dict(x=torch.randn(2, 3, 4), norm='layer')",
    "output_change": "dict(placement='pre', n_layers=1)",
    "output_change_by_depth": "dict(depths=(1,), placements=('pre',), n_seeds=1)",
    "padding_probe": "dict(norm='batch', batch_size=2, padding=1)",
    "parameter_count": "dict(module=nn.Linear(2, 2))",
    "post_norm_sublayer": "dict(x=torch.randn(2, 3, 8), sublayer=nn.Linear(8, 8), norm=nn.LayerNorm(8))",
    "pre_norm_sublayer": "dict(x=torch.randn(2, 3, 8), sublayer=nn.Linear(8, 8), norm=nn.LayerNorm(8))",
    "predict": "dict(name='plain_56_loss', value=0.5)",
    "progress_bar": "dict(total=2, desc='a bar', enabled=False)",
    "quiz": "dict(stem='01_highway_analogy')",
    "scaled_init_profile": "dict(n_blocks=2, shortcut_gain=0.5)",
    "seed_everything": "dict(seed=1)",
    "shattered_explorer": "dict(result=cu.shattering((1, 2)))",
    "shattering": "dict(depths=(1,))",
    "shortcut_scaling": "dict(gains=(1.0,), n_blocks=1, steps=1, n_seeds=1, progress=False)",
    "small_batch_study": "dict(batch_sizes=(32,), norms=('layer',), n_seeds=1, progress=False)",
    "solution": "dict(name='path_count')",
    "train": "dict(model=cu.mlp_stack(2), X=X, y=Y, steps=1)",
    "two_spirals": "dict(n_points=8)",
    "warmup_study": "dict(n_seeds=1, progress=False)",
    "zero_last_linear": "dict(branch=nn.Sequential(nn.Linear(2, 2)))",
    "zoo_comparison": "dict(depth=1)",
}
SKIP = {"above", "below", "between", "new_figure", "setup", "Explorer"}   # tested in test files
RESULTS = {"CHAR_RUNS": "cu.train_char_models(cu.char_corpus(cu.documentation_text()[:20000]), n_seeds=1, steps=2, eval_every=1, progress=False)",
           "LESION": "cu.lesion_study(2, steps=1, n_seeds=1, progress=False)",
           "SMALL_BATCH": "cu.small_batch_study((32,), ('layer',), n_seeds=1, progress=False)",
           "WARMUP": "WARMUP_RESULT()"}

# bad values by kind of argument; none of them is valid for any argument of that kind
BAD = {
    "int": ["-1", "2.5", "4.0", "'3'", "None", "True", "10 ** 12"],
    "seed": ["-1", "2 ** 64", "1.5", "'0'", "None"],
    "float": ["float('nan')", "float('inf')", "'0.1'", "None"],
    "bool": ["'yes'", "None", "2"],
    "choice": ["'nope'", "3", "None", "''"],
    "tensor": ["X.double()", "X.long()", "X[:, 0]", "X * float('nan')", "X[:0]", "[[0.0, 1.0]]", "None"],
    "labels": ["Y.float()", "Y - 5", "Y[:3]", "None"],
    "sequence": ["()", "'8'", "None", "(0,)", "(2.5,)"],
    "gains": ["()", "'8'", "None", "(-1.0,)", "(float('nan'),)"],
    "module": ["None", "'model'", "3"],
    "result": ["None", "3", "'result'"],
    "callable": ["None", "3"],
    "name": ["['path_count']", "None", "'nope'"],
    "answer": ["None", "...", "3", "'x'", "lambda *a: 1 / 0", "lambda *a: None",
               "lambda *a: exec('while True: pass')", "lambda *a: print('x' * 10 ** 7)"],
    "text": ["None", "3"],
}


ONE_DIMENSIONAL = {("lag1_autocorrelation", "values"), ("draw_shattered", "x")}
HARMLESSLY_LARGE = {"level", "total", "vocab", "warmup_steps"}   # a huge value is valid, if odd
VALID = {("Table", "rows", "()")}                                  # a table of headers only


def kind_of(function: str, name: str, parameter: inspect.Parameter) -> str | None:
    """Which bad values argument `name` of `function` gets (None: none)."""
    annotation = str(parameter.annotation)
    if name == "seed":
        return "seed"
    if name in ("answer",):
        return "answer"
    if name in ("name", "stem"):
        return "name"
    if name in ("claim", "desc", "title", "caption"):
        return "text"
    if name in ("compute", "draw"):
        return "callable"
    if name in ("y",):
        return "labels"
    if name in ("x", "X", "values"):
        return "tensor"
    if name in ("model", "branch", "module", "sublayer", "norm") and annotation != "str":
        return "module"
    if name in ("result", "profiles", "spectra", "probe", "comparison", "measured", "by_depth",
                "profile", "change", "gradients"):
        return "result"
    if name == "gains":
        return "gains"
    if "tuple" in annotation or "Sequence" in annotation:
        return "sequence"
    if annotation == "bool":
        return "bool"
    if annotation == "str" or name in ("norm", "placement", "arch", "optimizer", "highlight",
                                       "branch_init", "kind"):
        return "choice"
    if annotation == "int" or "int |" in annotation:
        return "int"
    if annotation == "float":
        return "float"
    return None


def cases() -> list[tuple[str, str, str]]:
    """(function, argument, bad value source) for every public callable."""
    import course_utils as cu
    found = []
    for function in sorted(cu.__all__):
        obj = getattr(cu, function)
        if function in SKIP or not callable(obj) or function not in BASE and function not in (
                "draw_direct_term", "draw_expressway", "draw_norm_axes", "draw_path_lengths",
                "init_profile_explorer", "shortcut_gain_explorer", "norm_statistics_explorer",
                "placement_explorer", "zoo_explorer", "invariance_table", "jacobian_spectra",
                "reverse_task"):
            continue
        try:
            parameters = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            continue
        for name, parameter in parameters.items():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            kind = kind_of(function, name, parameter)
            for bad in BAD.get(kind, ()):
                if bad == "None" and parameter.default is None:
                    continue                              # None is the documented default
                if bad == "X[:, 0]" and (function, name) in ONE_DIMENSIONAL:
                    continue
                if bad == "10 ** 12" and name in HARMLESSLY_LARGE or (function, name, bad) in VALID:
                    continue
                found.append((function, name, bad))
    for exercise in sorted(cu.EXERCISES):                 # the checkers: feedback, never an error
        for bad in BAD["answer"]:
            found.append(("check", f"answer to {exercise}", bad))
    return found


def run_case(case: tuple[str, str, str]) -> tuple[str, str]:
    """Run one case in this (worker) process: (class, detail)."""
    import ipywidgets as widgets  # noqa: F401  (used by BASE sources)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: F401
    import torch
    from torch import nn  # noqa: F401

    import course_utils as cu
    from course_utils.experiments.placement import WarmupResult
    from course_utils.training import Runs

    def WARMUP_RESULT():  # noqa: N802
        loss = torch.ones(1, 3)
        return WarmupResult((0,), {("post", 0, True): Runs(loss, loss)})

    X, Y = cu.two_spirals(16, seed=0)
    namespace = {**locals(), "cu": cu, "torch": torch, "nn": nn, "math": math, "plt": plt,
                 "widgets": widgets}
    function, argument, bad = case
    if function == "check" and argument.startswith("answer to "):
        exercise = argument.removeprefix("answer to ")
        try:
            result = cu.EXERCISES[exercise].check(eval(bad, namespace), seconds=5)
        except BaseException as error:   # noqa: BLE001 - a checker must never raise
            return "b", f"{type(error).__name__}: {error}"
        return ("a", result.status) if not result.passed else ("c", "passed a bad answer")
    for name, source in RESULTS.items():
        if name in BASE.get(function, "") and name not in namespace:
            namespace[name] = eval(source, namespace)
    kwargs = eval(BASE.get(function, "dict()"), namespace)
    kwargs[argument] = eval(bad, namespace)
    obj = getattr(cu, function)
    try:
        result = obj(**kwargs)
        if isinstance(result, cu.exercises.CheckResult):       # a checker's verdict is feedback
            return ("a", result.status) if not result.passed else ("c", "passed a bad answer")
        if inspect.isgenerator(result) or hasattr(result, "__enter__"):
            with result:
                pass
    except Exception as error:  # noqa: BLE001 - classify whatever comes
        frames = traceback.extract_tb(error.__traceback__)
        ours = frames and "course_utils" in frames[-1].filename
        message = str(error)
        named = (argument.lower() in message.lower() or function in message
                 or "would need about" in message or "would take about" in message
                 or repr(eval(bad, namespace))[:20] in message
                 or (isinstance(error, TypeError) and "argument" in message))
        return ("a" if ours and named else "b"), f"{type(error).__name__}: {message[:160]}"
    finally:
        plt.close("all")
    return "c", f"accepted {bad}"


def _worker(inbox, outbox) -> None:
    sys.stdout = sys.stderr = open(os.devnull, "w")
    for case in iter(inbox.get, None):
        outbox.put(run_case(case))


def sweep(all_cases: list[tuple[str, str, str]], jobs: int) -> list[dict]:
    context = mp.get_context("spawn")
    queue = list(enumerate(all_cases))
    results: dict[int, dict] = {}
    workers: list[dict] = []

    def start() -> dict:
        inbox, outbox = context.Queue(), context.Queue()
        process = context.Process(target=_worker, args=(inbox, outbox), daemon=True)
        process.start()
        return {"process": process, "inbox": inbox, "outbox": outbox, "case": None, "since": 0.0}

    workers = [start() for _ in range(jobs)]
    while queue or any(w["case"] is not None for w in workers):
        for i, worker in enumerate(workers):
            if worker["case"] is None and queue:
                worker["case"] = queue.pop(0)
                worker["inbox"].put(worker["case"][1])
                worker["since"] = time.monotonic()
            if worker["case"] is None:
                continue
            index, case = worker["case"]
            try:
                verdict, detail = worker["outbox"].get(timeout=0.05)
            except Exception:  # noqa: BLE001 - queue.Empty
                if time.monotonic() - worker["since"] > LIMIT_S:
                    worker["process"].kill()
                    results[index] = dict(case=case, verdict="d", detail=f"no answer in {LIMIT_S:g} s")
                    workers[i] = start()
                continue
            results[index] = dict(case=case, verdict=verdict, detail=detail)
            worker["case"] = None
    for worker in workers:
        worker["inbox"].put(None)
    return [results[i] for i in range(len(all_cases))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="sweep these functions only (names in course_utils.__all__)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    all_cases = [c for c in cases() if not args.only or c[0] in args.only]
    start = time.perf_counter()
    results = sweep(all_cases, args.jobs)
    counts = Counter(r["verdict"] for r in results)
    print(f"{len(results)} calls in {time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{k} = {counts.get(k, 0)}" for k in "abcd"))
    for r in results:
        if r["verdict"] != "a":
            function, argument, bad = r["case"]
            print(f"  {r['verdict']}  {function}({argument}={bad}): {r['detail']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
