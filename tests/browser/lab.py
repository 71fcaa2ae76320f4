"""A throwaway JupyterLab server and Chromium for the browser tests, always shut down.

The server serves copies of the notebooks from a temporary folder (the browser never writes to
the committed ones), with its own settings, workspace and runtime folders, on 127.0.0.1 with a
random token. Notebook windowing is switched off so that every cell is in the page.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync",
                  "--disable-quic"]


def find_chromium() -> str | None:
    """$COURSE_CHROMIUM, else a chromium / chrome on the PATH; None if there is none."""
    candidates = [os.environ.get("COURSE_CHROMIUM"), shutil.which("chromium"),
                  shutil.which("chromium-browser"), shutil.which("google-chrome")]
    return next((c for c in candidates if c and Path(c).exists()), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """JupyterLab on 127.0.0.1 serving copies of `notebooks` from `workdir`."""

    def __init__(self, notebooks: list[Path], workdir: Path):
        self.workdir = workdir
        self.root, self.runtime = workdir / "root", workdir / "runtime"
        settings = workdir / "settings" / "@jupyterlab" / "notebook-extension"
        for folder in (self.root, self.runtime, settings, workdir / "workspaces", workdir / "config"):
            folder.mkdir(parents=True, exist_ok=True)
        (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        for path in notebooks:
            shutil.copy(path, self.root / path.name)
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.log = workdir / "server.log"
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def start(self, timeout: float = 90) -> None:
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}   # kernels draw inline
        env.update(JUPYTER_CONFIG_DIR=str(self.workdir / "config"),
                   JUPYTERLAB_SETTINGS_DIR=str(self.workdir / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.workdir / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(self.runtime))
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   "--LabApp.expose_app_in_browser=True"]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited at start:\n{self.log.read_text(encoding='utf-8')[-3000:]}")
            try:
                urllib.request.urlopen(self.url("api/status"), timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer in {timeout} s:\n{self.log.read_text(encoding='utf-8')[-3000:]}")

    def request(self, method: str, path: str) -> None:
        urllib.request.urlopen(urllib.request.Request(self.url(path), method=method), timeout=10)

    def _leftovers(self) -> list[int]:
        """Processes still running that belong to this server: it, or a kernel it started."""
        mine = []
        if not Path("/proc").is_dir():          # not Linux: rely on the server's own shutdown
            return mine
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(self.runtime) in cmdline or str(self.root) in cmdline:
                mine.append(int(entry.name))
        return mine

    def stop(self) -> list[int]:
        """Shut the server and its kernels down; return the pids that had to be killed."""
        if self.process is None:
            return []
        try:
            self.request("POST", "api/shutdown")        # the server stops its kernels first
            self.process.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            pass
        killed = []
        if self.process.poll() is None:
            if hasattr(os, "killpg"):                   # POSIX: the server's whole session
                os.killpg(self.process.pid, signal.SIGKILL)
            else:                                       # Windows
                self.process.kill()
            self.process.wait()
            killed.append(self.process.pid)
        for pid in self._leftovers():
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        return killed
