"""Sizing a hub for a class: N students run the same notebook at the same moment on one
JupyterHub, for N = 1, 2, 4 and 8.

    python benchmarks/hub.py                        # notebook 01, N = 1, 2, 4, 8
    python benchmarks/hub.py --students 1 2         # some N
    python benchmarks/hub.py --notebook notebooks/02_residual_math.ipynb

The hub is the hub test's (tests/hub/): 127.0.0.1, its real proxy, the shared-password login,
one local single-user server per student, the README's `singleuser.extraEnv`. For each N, N new
students click the nbgitpuller link (their servers start and pull the course), start a kernel in
the notebook's folder, wait for each other, then all send the notebook's cells at once. Per
student server: the peak resident memory of the server plus its kernel (RSS summed over the
processes), of the kernel alone, and the CPU-seconds both used from the server's start to the
notebook's end; per N, the notebook's wall time. Their servers stop before the next N.

Needs configurable-http-proxy (npm install -g configurable-http-proxy@4), like the hub test.
Prints a table and writes benchmarks/results/hub.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))           # before benchmarks/: `hub` is tests/hub/

os.environ.setdefault("OMP_NUM_THREADS", "1")

from hub.course import FOLDER, link, make_origin, readme_config  # noqa: E402
from hub.server import Hub, Meter, proxy_command  # noqa: E402
from hub.student import FAILED_CLAIM, Kernel, Student  # noqa: E402


def _session(student: Student, url: str, notebook: str, barrier: threading.Barrier) -> dict:
    """One student's session: click, kernel, wait for the others, every cell. Times in seconds."""
    try:
        student.click(url)
        student.create_token()
        kernel = Kernel(student, f"{FOLDER}/{Path(notebook).parent}")
    except BaseException:
        barrier.abort()
        raise
    try:
        nb = student.notebook(f"{FOLDER}/{notebook}")
        sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
        barrier.wait(timeout=600)
        started, errors, failed = time.monotonic(), [], 0
        for source in sources:
            cell = kernel.execute(source, timeout=900)
            failed += cell.text.count(FAILED_CLAIM)
            if cell.error:
                errors.append(cell.error)
                break
        return dict(student=student.name, started=started, seconds=time.monotonic() - started,
                    errors=errors, failed_claims=failed)
    finally:
        kernel.shutdown()


def benchmark(counts: list[int], notebook: str) -> dict:
    if proxy_command() is None:
        raise SystemExit("configurable-http-proxy is not on the PATH: "
                         "npm install -g configurable-http-proxy@4")
    names = {n: [f"n{n}-student{i + 1}" for i in range(n)] for n in counts}
    load_at_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="course-hub-benchmark-") as work:
        origin = make_origin(Path(work) / "origin")
        hub = Hub(Path(work) / "hub", [name for group in names.values() for name in group],
                  environment=readme_config()["singleuser"]["extraEnv"])
        meter = Meter(hub)
        rounds = []
        try:
            hub.start()
            meter.start()
            url = link(hub.url, origin)
            for n in counts:
                students = [Student(hub, name) for name in names[n]]
                barrier = threading.Barrier(n)
                with ThreadPoolExecutor(n) as pool:
                    sessions = list(pool.map(lambda s: _session(s, url, notebook, barrier), students))
                meter.sample()
                peak, kernel, cpu = meter.peak_mib(), meter.kernel_peak_mib(), meter.cpu_seconds()
                for session in sessions:
                    name = session["student"]
                    session.update(peak_mib=peak.get(name), kernel_peak_mib=kernel.get(name),
                                   cpu_seconds=cpu.get(name))
                with ThreadPoolExecutor(n) as pool:
                    list(pool.map(Student.stop_server, students))
                rounds.append(dict(students=n, sessions=sessions))
                print(f"N = {n}: done", flush=True)
            hub_mib = meter.peak_mib().get("", 0.0)
        finally:
            if meter.is_alive():
                meter.stop()
            killed = hub.stop()
    return dict(notebook=notebook, rounds=rounds, hub_and_proxy_peak_mib=hub_mib,
                leftover_processes_killed=killed, machine=_machine(), load_average_at_start=load_at_start)


def _machine() -> dict:
    model = ""
    if Path("/proc/cpuinfo").exists():
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    return dict(cpus=os.cpu_count(), cpu_model=model, memory_gib=psutil.virtual_memory().total / 2**30,
                load_average_at_end=os.getloadavg() if hasattr(os, "getloadavg") else None,
                python=platform.python_version(), jupyterhub=version("jupyterhub"),
                nbgitpuller=version("nbgitpuller"))


def report(results: dict) -> str:
    lines = [f"{results['notebook']}, every student at the same moment; "
             f"{results['machine']['cpus']} CPUs ({results['machine']['cpu_model'] or 'unknown model'})", "",
             "| students at once | notebook wall s (median, slowest) "
             "| peak MiB per student server (server + kernel; kernel alone) | CPU-s per student server |",
             "|---|---|---|---|"]
    for one in results["rounds"]:
        s = one["sessions"]
        wall = [x["seconds"] for x in s]
        peak = max(x["peak_mib"] for x in s)
        kernel = max(x["kernel_peak_mib"] for x in s)
        cpu = statistics.median(x["cpu_seconds"] for x in s)
        lines.append(f"| {one['students']} | {statistics.median(wall):.0f}, {max(wall):.0f} | "
                     f"{peak:.0f}; {kernel:.0f} | {cpu:.0f} |")
        for x in s:
            if x["errors"] or x["failed_claims"]:
                lines.append(f"  {x['student']}: errors {x['errors']}, failed claims {x['failed_claims']}")
    start, end = results.get("load_average_at_start"), results["machine"]["load_average_at_end"]
    lines.append(f"\nhub + proxy peak: {results['hub_and_proxy_peak_mib']:.0f} MiB; load average (1 min) "
                 f"at the start {start and round(start[0], 1)}, at the end {end and round(end[0], 1)}")
    if results["leftover_processes_killed"]:
        lines.append(f"LEFTOVER PROCESSES KILLED: {results['leftover_processes_killed']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", nargs="+", type=int, default=[1, 2, 4, 8])
    parser.add_argument("--notebook", default="notebooks/01_highway_analogy.ipynb",
                        help="the notebook's path in the repository")
    args = parser.parse_args()
    results = benchmark(args.students, Path(args.notebook).as_posix())
    print(report(results))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "hub.json").write_text(json.dumps(results, indent=2))
    failed = any(x["errors"] or x["failed_claims"] for one in results["rounds"] for x in one["sessions"])
    sys.exit(1 if failed or results["leftover_processes_killed"] else 0)


if __name__ == "__main__":
    main()
