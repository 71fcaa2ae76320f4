"""The course as a hub sees it: a local git origin holding this working tree, the README's
nbgitpuller link pointed at it, and the README's Zero to JupyterHub config fragment."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from repository import nbgitpuller_link, repository_url  # noqa: E402

NOTEBOOK = "notebooks/01_highway_analogy.ipynb"
FOLDER = repository_url().rsplit("/", 1)[-1]
"""The folder nbgitpuller clones the course into, in each student's home (the repository's name)."""
_GIT = ["git", "-c", "user.name=Course teacher", "-c", "user.email=teacher@example.invalid",
        "-c", "commit.gpgsign=false"]


def make_origin(parent: Path) -> Path:
    """A git repository (branch main, one commit) at parent/<repository name> holding this
    working tree's files, tracked and new, as the teacher's repository would: what the student
    pulls is what the rest of the suite tests, and nothing is fetched from the network."""
    origin = parent / FOLDER
    origin.mkdir(parents=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():                      # listed but deleted in the working tree: skip
            (origin / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, origin / name)
    subprocess.run(["git", "init", "--quiet", "-b", "main"], cwd=origin, check=True)
    subprocess.run([*_GIT, "add", "--all"], cwd=origin, check=True)
    subprocess.run([*_GIT, "commit", "--quiet", "-m", "The course"], cwd=origin, check=True)
    return origin


def link(hub_url: str, origin: Path) -> str:
    """The README's nbgitpuller link with the hub's address filled in and the local origin in
    place of the GitHub repository."""
    return nbgitpuller_link(hub_url, origin.as_uri())


def commit_upstream(origin: Path, *, line: str) -> str:
    """The teacher's next commit: `line` added to the last markdown cell of notebook 01 (its
    summary) and the package's version bumped in pyproject.toml. Returns the new version."""
    path = origin / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    last = [cell for cell in nb.cells if cell.cell_type == "markdown"][-1]
    last.source = last.source.rstrip("\n") + "\n" + line
    nbformat.write(nb, path)
    pyproject = origin / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    old = re.search(r'^version = "([^"]+)"$', text, re.MULTILINE).group(1)
    new = f"{old}.post1"
    pyproject.write_text(text.replace(f'version = "{old}"', f'version = "{new}"', 1), encoding="utf-8")
    subprocess.run([*_GIT, "commit", "--quiet", "-am", "Summary: one more line; version " + new],
                   cwd=origin, check=True)
    return new


def readme_config() -> dict:
    """The Zero to JupyterHub config.yaml fragment of the README's "Teaching a class" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Teaching a class", 1)[1].split("\n## ", 1)[0]
    blocks = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.+?)\n```", section, re.DOTALL)]
    configs = [block for block in blocks if isinstance(block, dict) and "singleuser" in block]
    assert len(configs) == 1, "the README's 'Teaching a class' needs one config.yaml block with singleuser:"
    return configs[0]


def quantity_bytes(quantity: str | int) -> int:
    """A Kubernetes memory quantity ("1.5G", "2Gi", "512M") in bytes."""
    match = re.fullmatch(r"([0-9.]+)\s*([KMGT]i?)?", str(quantity))
    assert match, f"not a memory quantity: {quantity!r}"
    number, unit = float(match.group(1)), match.group(2) or ""
    scale = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[unit]
    return int(number * scale)
