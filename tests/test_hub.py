"""The course on a real JupyterHub, as a class gets it: three students sign in, each clicks the
README's nbgitpuller link (pointed at a local clone of this working tree) and runs notebook 01
in their own server, all at the same time.

The hub runs on 127.0.0.1 with its real proxy (configurable-http-proxy, from npm), the
shared-password login and a local spawner that gives each student a home folder of their own
(tests/hub/server.py). Kernels are started through each student's server API with that
student's token and run the cells sent over their websocket (tests/hub/student.py); nothing
executes a notebook in this process. The single-user servers get the README's config.yaml
`singleuser.extraEnv`, and each student's measured memory must fit the README's limit.

Skipped on Windows (JupyterHub does not run there) and where configurable-http-proxy is not
installed (`npm install -g configurable-http-proxy@4`, as .ci/run does), unless
COURSE_REQUIRE_HUB=1 (as in CI), where that fails instead.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course_utils import EXERCISES, __version__
from hub.course import (FOLDER, NOTEBOOK, commit_upstream, link, make_origin, quantity_bytes,
                        readme_config)
from hub.server import Hub, Meter, proxy_command
from hub.student import FAILED_CLAIM, Cell, Kernel, Student

pytestmark = pytest.mark.hub

STUDENTS = ["ada", "grace", "alan"]
SOLUTION_SHOWN = "residual_block"


def _unavailable(reason: str) -> None:
    if os.environ.get("COURSE_REQUIRE_HUB") == "1":
        pytest.fail(f"{reason}; COURSE_REQUIRE_HUB=1, so the hub test must run")
    pytest.skip(reason)


def _require_hub() -> None:
    if os.name == "nt":
        _unavailable("JupyterHub does not run on Windows")
    for module in ("jupyterhub", "nbgitpuller"):
        if importlib.util.find_spec(module) is None:
            _unavailable(f"the {module} package is not installed (pip install -r requirements-test.txt)")
    if shutil.which("git") is None:
        _unavailable("git is not installed: nbgitpuller needs it")
    if proxy_command() is None:
        _unavailable("configurable-http-proxy (JupyterHub's proxy) is not on the PATH: install "
                     "Node.js, then `npm install -g configurable-http-proxy@4`")


@dataclass
class Run:
    """One student's first session: the pull, a probe of the kernel, notebook 01, and a call
    of cu.solution (hidden by the README's config)."""

    student: Student
    pull: list[str]
    where: list[str]
    sources: list[str]
    cells: list[Cell]
    started: float
    finished: float
    solution: Cell


@dataclass
class Classroom:
    """The hub, the course's origin, the link the students clicked, their sessions, and what
    the meter measured (per student; "" for the hub and its proxy)."""

    hub: Hub
    origin: Path
    link: str
    runs: list[Run]
    peak_mib: dict[str, float]
    cpu_seconds: dict[str, float]
    begun: float
    seconds: float


def _session(student: Student, url: str, barrier: threading.Barrier) -> Run:
    try:
        pull = student.click(url)
        student.create_token()
        kernel = Kernel(student, f"{FOLDER}/notebooks")
    except BaseException:
        barrier.abort()             # the others stop waiting for this student
        raise
    try:
        where = kernel.execute("import os, sys\nprint(os.getcwd())\nprint(sys.prefix)").text.splitlines()
        nb = student.notebook(f"{FOLDER}/{NOTEBOOK}")
        sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
        barrier.wait(timeout=300)   # every student runs the notebook at the same moment
        started, cells = time.monotonic(), []
        for source in sources:
            cells.append(kernel.execute(source))
            if cells[-1].error:
                break
        finished = time.monotonic()
        solution = kernel.execute(f"cu.solution({SOLUTION_SHOWN!r})")
    finally:
        kernel.shutdown()
    return Run(student, pull, where, sources, cells, started, finished, solution)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    _require_hub()
    work = tmp_path_factory.mktemp("hub")
    origin = make_origin(work / "origin")
    hub = Hub(work / "hub", STUDENTS, environment=readme_config()["singleuser"]["extraEnv"])
    meter = Meter(hub)
    started = time.monotonic()
    try:
        hub.start()
        meter.start()
        barrier = threading.Barrier(len(STUDENTS))
        url = link(hub.url, origin)
        with ThreadPoolExecutor(len(STUDENTS)) as pool:
            futures = [pool.submit(_session, Student(hub, name), url, barrier) for name in STUDENTS]
            runs = [future.result() for future in futures]
        meter.stop()
        yield Classroom(hub, origin, url, runs, meter.peak_mib(), meter.cpu_seconds(), started,
                        time.monotonic() - started)
    finally:
        try:
            if meter.is_alive():
                meter.stop()
        finally:
            killed = hub.stop()
            if killed:
                print(f"hub test: killed leftover hub processes {killed}")


def test_every_student_runs_notebook_01_to_the_end_in_their_own_server(classroom):
    for run in classroom.runs:
        name, home = run.student.name, classroom.hub.home(run.student.name)
        assert run.where == [str(home / FOLDER / "notebooks"), sys.prefix], (
            f"{name}'s kernel: working directory and Python {run.where}")
        errors = [cell.error for cell in run.cells if cell.error]
        assert not errors and len(run.cells) == len(run.sources), f"{name}: {errors}"
        text = "\n".join(cell.text for cell in run.cells)
        assert FAILED_CLAIM not in text, f"{name}: a claim failed:\n{text}"
        assert f"course_utils {__version__} · torch" in run.cells[0].text, run.cells[0].text
        assert "these notebooks are for" not in text      # the pulled course is this version
        shown = sum(source.count("cu.expect(") - source.count("shown=False") for source in run.sources)
        assert len(re.findall(r"^(✓|≠) ", text, re.MULTILINE)) >= shown > 0
    # at the same time: every notebook started before any finished
    assert max(run.started for run in classroom.runs) < min(run.finished for run in classroom.runs)
    for run in classroom.runs:
        name = run.student.name
        print(f"hub test: {name}: ready {run.started - classroom.begun:.0f} s after the hub's start, "
              f"notebook 01 {run.finished - run.started:.0f} s, peak {classroom.peak_mib[name]:.0f} MiB, "
              f"{classroom.cpu_seconds[name]:.0f} CPU-s")
    print(f"hub test: hub and proxy peak {classroom.peak_mib['']:.0f} MiB; hub start to last "
          f"notebook's end {classroom.seconds:.0f} s")


def test_the_link_clones_the_course_into_each_students_own_home(classroom):
    for run in classroom.runs:
        assert any(line.startswith("$ git clone") for line in run.pull), run.pull
        pulled = classroom.hub.home(run.student.name) / FOLDER
        assert (pulled / NOTEBOOK).read_bytes() == (classroom.origin / NOTEBOOK).read_bytes()
    homes = {run.student.name: classroom.hub.home(run.student.name) for run in classroom.runs}
    assert len({home.resolve() for home in homes.values()}) == len(STUDENTS)


def test_a_students_token_is_refused_on_another_students_server(classroom):
    runs = classroom.runs
    for run in runs:
        assert run.student.api("GET", "kernels").status_code == 200
        for other in runs:
            if other is not run:
                refused = run.student.api("GET", "kernels", server=other.student.server)
                assert refused.status_code == 403, (
                    f"{run.student.name}'s token on {other.student.name}'s server: {refused.status_code}")
    intruder = Student(classroom.hub, STUDENTS[0])          # the right name, a wrong password
    assert intruder.sign_in("not the password").status_code == 403
    home = intruder.browser.get(f"{classroom.hub.url}/hub/home", timeout=30)
    assert home.url.split("?")[0].endswith("/hub/login"), f"a wrong password reached {home.url}"


def test_the_admins_switch_hides_solutions_in_every_kernel(classroom):
    reference = EXERCISES[SOLUTION_SHOWN].solution().code      # this process: not hidden
    for run in classroom.runs:
        shown = run.solution.text
        assert "hidden by your course's admin" in shown, shown
        assert reference.splitlines()[-1].strip() not in shown


def test_each_student_fits_the_readmes_memory_guarantee(classroom):
    memory = readme_config()["singleuser"]["memory"]
    guarantee, limit = quantity_bytes(memory["guarantee"]), quantity_bytes(memory["limit"])
    assert guarantee <= limit
    for name in STUDENTS:        # the README counts students per node by the guarantee
        assert 0 < classroom.peak_mib[name] * 2**20 <= guarantee, (
            f"{name}'s server and kernel peaked at {classroom.peak_mib[name]:.0f} MiB")
        assert classroom.cpu_seconds[name] > 1


def test_a_second_click_merges_the_teachers_update_and_keeps_the_students_work(classroom):
    other = "notebooks/02_residual_math.ipynb"
    path, line = f"{FOLDER}/{NOTEBOOK}", "- A line the teacher added after the class began."
    for run in classroom.runs:            # each student saves their work (with its outputs)
        nb = run.student.notebook(path)
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        for count, (cell, done) in enumerate(zip(code, run.cells), start=1):
            cell.outputs, cell.execution_count = done.outputs, count
        exercise = next(cell for cell in code if "cu.check(" in cell.source)
        exercise.source += f"\n# {run.student.name}'s own note"
        run.student.save(path, nb)
        run.student.delete(f"{FOLDER}/{other}")
    version = commit_upstream(classroom.origin, line=line)
    with ThreadPoolExecutor(len(classroom.runs)) as pool:
        pulls = list(pool.map(lambda run: run.student.click(classroom.link), classroom.runs))
    for run, pull in zip(classroom.runs, pulls):
        pulled = classroom.hub.home(run.student.name) / FOLDER
        assert any("merge" in step for step in pull), pull
        text = (pulled / NOTEBOOK).read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        assert "<<<<<<<" not in text and ">>>>>>>" not in text
        assert f"# {run.student.name}'s own note" in text, "the student's edit was lost"
        assert sum(len(cell.get("outputs", [])) for cell in nb.cells) > 0, "the student's outputs were lost"
        assert line in [cell for cell in nb.cells if cell.cell_type == "markdown"][-1].source
        assert (pulled / other).read_bytes() == (classroom.origin / other).read_bytes(), "not restored"
        assert f'version = "{version}"' in (pulled / "pyproject.toml").read_text(encoding="utf-8")
    # the pulled course now expects another course_utils: the set-up cell says what to do
    first = classroom.runs[0]
    kernel = Kernel(first.student, f"{FOLDER}/notebooks")
    try:
        setup = kernel.execute(first.sources[0])
    finally:
        kernel.shutdown()
    assert setup.error is None, setup.error
    home = classroom.hub.home(first.student.name)
    assert (f"these notebooks are for course_utils {version} but {__version__} is installed"
            in setup.text), setup.text
    assert "-m pip install" in setup.text and f"--no-deps {home / FOLDER}" in setup.text, setup.text


def test_the_hub_stops_and_leaves_no_process_behind(classroom):
    hub = classroom.hub
    running = hub.processes()
    owners = sorted(set(running.values()))
    assert owners == sorted(["", *STUDENTS]), f"the hub's processes by owner: {running}"
    assert list(running.values()).count("") == 2, "the hub and its proxy"
    killed = hub.stop()
    assert killed == [], f"processes left behind, killed: {killed}"
    assert hub.processes() == {}
