"""JupyterHub on 127.0.0.1 with its real proxy, a shared-password login and a local spawner, for
the tests and the benchmark; always shut down.

Every process the hub starts (the hub, configurable-http-proxy, each student's server, each
kernel) inherits COURSE_HUB_RUN=<this hub's id> in its environment, so the hub's processes are
found by that marker wherever they sit in the process tree (the proxy, the servers and the
kernels each start in a session of their own), measured while they run (`Meter`), and any left
behind after the stop is named and killed. The student's server process and its kernels also
carry JUPYTERHUB_USER, which says whose they are.

The spawner is JupyterHub's SimpleLocalProcessSpawner: every server runs as the user who runs
the tests, in a home folder of its own under the hub's work folder. It gives no OS isolation
between students: a test set-up, not a deployment.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import psutil   # a dependency of ipykernel, so present wherever a kernel runs

MARKER = "COURSE_HUB_RUN"


def proxy_command() -> str | None:
    """configurable-http-proxy on the PATH (npm install -g configurable-http-proxy), or None."""
    return shutil.which("configurable-http-proxy")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """A JupyterHub for `students` (their shared password is `password`), serving on 127.0.0.1.

    Args:
        workdir: an empty folder for the hub's database, config, log and the students' homes.
        students: the user names allowed to sign in.
        environment: variables every single-user server (and so every kernel) gets, as
            Zero to JupyterHub's `singleuser.extraEnv` gives them.
    """

    def __init__(self, workdir: Path, students: list[str], *, environment: dict[str, str]):
        self.workdir, self.students = Path(workdir), list(students)
        self.homes = self.workdir / "homes"
        self.homes.mkdir(parents=True, exist_ok=True)
        self.environment = dict(environment)
        self.port, self.hub_port, self.api_port = _free_port(), _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(12)
        self.run_id = secrets.token_hex(8)
        self.log = self.workdir / "jupyterhub.log"
        self.process: subprocess.Popen | None = None

    def home(self, student: str) -> Path:
        return self.homes / student

    def config(self) -> str:
        """jupyterhub_config.py: every address on 127.0.0.1, every file in the work folder."""
        single_user = [sys.executable, "-m", "jupyterhub.singleuser"]
        args = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        environment = {**self.environment, "OMP_NUM_THREADS": "1", MARKER: self.run_id}
        return "\n".join([
            "c = get_config()  # noqa: F821",
            'c.JupyterHub.ip = "127.0.0.1"',
            f"c.JupyterHub.port = {self.port}",
            'c.JupyterHub.hub_ip = "127.0.0.1"',
            f"c.JupyterHub.hub_port = {self.hub_port}",
            f'c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"',
            f"c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]",
            f"c.ConfigurableHTTPProxy.auth_token = {secrets.token_hex(16)!r}",
            f"c.ConfigurableHTTPProxy.pid_file = {str(self.workdir / 'proxy.pid')!r}",
            f"c.JupyterHub.db_url = {'sqlite:///' + str(self.workdir / 'jupyterhub.sqlite')!r}",
            f"c.JupyterHub.cookie_secret_file = {str(self.workdir / 'cookie_secret')!r}",
            f"c.JupyterHub.pid_file = {str(self.workdir / 'jupyterhub.pid')!r}",
            'c.JupyterHub.authenticator_class = "shared-password"',
            f"c.SharedPasswordAuthenticator.user_password = {self.password!r}",
            f"c.Authenticator.allowed_users = {set(self.students)!r}",
            'c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"',
            f"c.SimpleLocalProcessSpawner.home_dir_template = {str(self.homes / '{username}')!r}",
            f"c.Spawner.cmd = {single_user!r}",
            f"c.Spawner.args = {args!r}",
            'c.Spawner.default_url = "/lab"',
            f"c.Spawner.environment = {environment!r}",
            # eight servers starting at once on two busy cores answer late; not a failure
            "c.Spawner.start_timeout = 180",
            "c.Spawner.http_timeout = 180",
            "c.JupyterHub.cleanup_servers = True",
            "c.JupyterHub.cleanup_proxy = True",
        ]) + "\n"

    def start(self, timeout: float = 90) -> None:
        """Start the hub (which starts its proxy); return when the proxy answers for the hub."""
        config = self.workdir / "jupyterhub_config.py"
        config.write_text(self.config(), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "MPL"))}
        env[MARKER] = self.run_id
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)],
                                            cwd=self.workdir, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited at start:\n{self.log_tail()}")
            try:
                urllib.request.urlopen(f"{self.url}/hub/api/", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterHub did not answer in {timeout:g} s:\n{self.log_tail()}")

    def log_tail(self, characters: int = 4000) -> str:
        if not self.log.exists():
            return ""
        return self.log.read_text(encoding="utf-8", errors="replace")[-characters:]

    def processes(self) -> dict[int, str]:
        """pid -> owner of every running process this hub started: a student's name for their
        server and kernels, "" for the hub and its proxy."""
        found = {}
        for proc in psutil.process_iter():
            try:
                env = proc.environ()
            except (psutil.Error, OSError):       # gone, a zombie, or another user's
                continue
            if env.get(MARKER) == self.run_id:
                found[proc.pid] = env.get("JUPYTERHUB_USER", "")
        return found

    def stop(self, timeout: float = 60) -> list[int]:
        """Stop the hub as its admin would (SIGTERM: it stops every server, then its proxy) and
        wait for every process it started to end; kill what is left and return those pids."""
        if self.process is None:
            return []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if hasattr(signal, "SIGTERM") else signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 15              # servers stop their kernels on their way out
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.3)
        killed = []
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
            killed.append(self.process.pid)
        self.process.wait()
        self.process = None
        return killed


class Meter(threading.Thread):
    """Samples the hub's processes every `interval` seconds while it runs.

    Per owner (a student; "" for the hub and proxy): `peak_mib`, the largest sum of the resident
    memory (RSS) of their processes at one moment (server plus kernels: shared libraries count
    once per process, so this errs high, as a memory limit should), with `kernel_peak_mib` the
    same for their kernels alone; and `cpu_seconds`, the user plus system CPU time their
    processes used (a process's last sample: one that ended between samples loses under
    `interval` seconds).
    """

    def __init__(self, hub: Hub, interval: float = 0.5):
        super().__init__(name="hub meter", daemon=True)
        self.hub, self.interval = hub, interval
        self._owner: dict[tuple[int, float], str | None] = {}
        self._cpu: dict[tuple[int, float], tuple[str, float]] = {}
        self._peak: dict[str, int] = defaultdict(int)
        self._kernel_peak: dict[str, int] = defaultdict(int)
        self._done = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join()
        self.sample()

    def _whose(self, proc: psutil.Process) -> str | None:
        """The owner of one of the hub's processes; None for any other process."""
        try:
            env = proc.environ()
        except psutil.AccessDenied:               # another user's: not the hub's
            return None
        return env.get("JUPYTERHUB_USER", "") if env.get(MARKER) == self.hub.run_id else None

    def sample(self) -> None:
        rss: dict[str, int] = defaultdict(int)
        kernel_rss: dict[str, int] = defaultdict(int)
        for proc in psutil.process_iter():
            try:
                key = (proc.pid, proc.create_time())
                if key not in self._owner:
                    self._owner[key] = self._whose(proc)
                owner = self._owner[key]
                if owner is None:
                    continue
                with proc.oneshot():      # the command line each time: a fork becomes a kernel
                    memory, times = proc.memory_info().rss, proc.cpu_times()
                    kernel = any("ipykernel" in arg for arg in proc.cmdline())
            except (psutil.Error, OSError):       # gone, a zombie, or another user's
                continue
            rss[owner] += memory
            if kernel:
                kernel_rss[owner] += memory
            with self._lock:
                self._cpu[key] = (owner, times.user + times.system)
        with self._lock:
            for owner, total in rss.items():
                self._peak[owner] = max(self._peak[owner], total)
            for owner, total in kernel_rss.items():
                self._kernel_peak[owner] = max(self._kernel_peak[owner], total)

    def peak_mib(self) -> dict[str, float]:
        with self._lock:
            return {owner: total / 2**20 for owner, total in self._peak.items()}

    def kernel_peak_mib(self) -> dict[str, float]:
        with self._lock:
            return {owner: total / 2**20 for owner, total in self._kernel_peak.items()}

    def cpu_seconds(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        with self._lock:
            for owner, seconds in self._cpu.values():
                totals[owner] += seconds
        return dict(totals)
