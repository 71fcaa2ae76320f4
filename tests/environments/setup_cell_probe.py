"""Runs a set-up cell's Colab block as Colab would, three times, on whatever Python runs this
script (no torch needed), and prints what happened as JSON. Used by
tests/test_notebook_files.py on every Python 3.10-3.13 the machine has.

Colab is simulated: a google.colab module whose output.enable_custom_widget_manager counts its
calls, a subprocess.run that records the pip command and "installs" the version it was asked
for, and importlib.metadata.version that reports what is "installed"."""

import contextlib
import importlib.metadata
import io
import json
import subprocess
import sys
import types

EXPECTED = sys.argv[1]
block = sys.stdin.read()
state = {"installed": None, "pip": [], "widget_manager": 0}


def fake_version(name):
    if name != "course-utils" or state["installed"] is None:
        raise importlib.metadata.PackageNotFoundError(name)
    return state["installed"]


def fake_run(command, check=False):
    state["pip"].append(command)
    state["installed"] = EXPECTED
    return subprocess.CompletedProcess(command, 0)


output = types.ModuleType("google.colab.output")
output.enable_custom_widget_manager = lambda: state.__setitem__("widget_manager", state["widget_manager"] + 1)
colab = types.ModuleType("google.colab")
colab.output = output
google = types.ModuleType("google")
google.colab = colab
sys.modules.update({"google": google, "google.colab": colab, "google.colab.output": output})
importlib.metadata.version = fake_version
subprocess.run = fake_run

runs = []
for before in (None, "same", "0.0.0"):         # a fresh session, a second run, an older install
    if before == "0.0.0":
        state["installed"] = "0.0.0"
    n_pip = len(state["pip"])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        exec(block, {"sys": sys, "__name__": "__main__"})
    runs.append({"pip": state["pip"][n_pip:], "printed": printed.getvalue()})
print(json.dumps({"python": sys.version.split()[0], "executable": sys.executable, "runs": runs,
                  "widget_manager": state["widget_manager"]}))
