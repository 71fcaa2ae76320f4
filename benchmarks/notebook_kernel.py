"""Run a notebook the way a student does: a fresh Jupyter kernel, every code cell in order, with
an optional SEED in place of the set-up cell's `SEED = 0` and extra environment variables.
Shared by benchmarks/run.py (timings), benchmarks/claims.py (the numerics sweep) and the tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@dataclass
class KernelRun:
    """What one run printed and how long its cells took.

    Attributes:
        seconds: from the kernel's start to the end of the notebook's last cell.
        stdout: lines printed to stdout; stderr: text printed to stderr.
        errors: one line per cell that raised ("ename: evalue").
        tagged: values the extra sources printed as a tag followed by JSON (see `tagged_line`).
    """

    seconds: float = 0.0
    stdout: list[str] = field(default_factory=list)
    stderr: str = ""
    errors: list[str] = field(default_factory=list)
    tagged: dict[str, object] = field(default_factory=dict)


def tagged_line(tag: str, expression: str) -> str:
    """Source that prints `tag` then the JSON of `expression`, for `KernelRun.tagged`."""
    return f"import json as _json\nprint({tag!r} + _json.dumps({expression}))"


def code_cells(path: Path, seed: int | None = None) -> list[str]:
    """The notebook's code cells; with `seed`, the set-up cell's `SEED = 0` line reads SEED = seed."""
    nb = nbformat.read(path, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    if seed is not None:
        if "SEED = 0\n" not in sources[0]:
            raise ValueError(f"{path.name}: the set-up cell must define SEED = 0 on a line of its own")
        sources[0] = sources[0].replace("SEED = 0\n", f"SEED = {seed}\n")
    return sources


def run_sources(sources: list[str], *, extra: tuple[str, ...] = (), tags: tuple[str, ...] = (),
                env: dict[str, str] | None = None, keep_going: bool = False,
                timeout: float = 600) -> KernelRun:
    """Start a kernel (with `env` added to this process's environment), run `sources`, then the
    `extra` sources; a failed source stops the rest of `sources` unless `keep_going`."""
    run = KernelRun()
    start = time.perf_counter()
    progress_dir = tempfile.mkdtemp(prefix="course-progress-")
    # the kernel draws inline, as in a notebook, and records checks in a folder of its own,
    # never in the student's progress record
    kernel_env = {**os.environ, **(env or {}), "COURSE_PROGRESS_DIR": progress_dir}
    kernel_env.pop("MPLBACKEND", None)
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "notebooks"),
                                       env=kernel_env, stderr=subprocess.DEVNULL)
    stderr: list[str] = []

    def hook(message: dict) -> None:
        kind, content = message["header"]["msg_type"], message["content"]
        if kind == "stream" and content["name"] == "stdout":
            run.stdout.extend(content["text"].splitlines())
        elif kind == "stream":
            stderr.append(content["text"])
        elif kind == "error":
            run.errors.append(f"{content['ename']}: {content['evalue']}")

    try:
        for source in sources:
            reply = client.execute_interactive(source, timeout=timeout, output_hook=hook)
            if reply["content"]["status"] != "ok" and not keep_going:
                break
        run.seconds = time.perf_counter() - start
        for source in extra:
            client.execute_interactive(source, timeout=timeout, output_hook=hook)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        shutil.rmtree(progress_dir, ignore_errors=True)
    run.stderr = "".join(stderr)
    for line in run.stdout:
        for tag in tags:
            if line.startswith(tag):
                run.tagged[tag] = json.loads(line[len(tag):])
    return run
