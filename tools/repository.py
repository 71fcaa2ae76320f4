"""The repository's address and the package's version, read from their one home
(pyproject.toml), and the strings derived from them that notebooks and README must contain.

    python tools/repository.py NEW_URL   move the course: rewrites pyproject.toml, every
                                         notebook's badge and set-up cell, and the README's badges
    python tools/repository.py --sync    rewrite every notebook's Colab set-up block from
                                         pyproject.toml (after a version bump)
    python tools/repository.py --hub-link https://HUB
                                         print the nbgitpuller link that gives the course to a
                                         class on the JupyterHub at https://HUB
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_URL_LINE = re.compile(r'^Repository = "(https://github\.com/[^"]+)"$', re.MULTILINE)
_VERSION_LINE = re.compile(r'^version = "([^"]+)"$', re.MULTILINE)
COLAB_IF = 'if "google.colab" in sys.modules:'
HUB_BLANK = "https://<your-hub>"
"""The one blank of the README's nbgitpuller link: the hub's address."""


def _pyproject(pattern: re.Pattern, what: str) -> str:
    match = pattern.search((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    if not match:
        raise RuntimeError(f"pyproject.toml has no {what} line")
    return match.group(1)


def repository_url() -> str:
    """The URL under [project.urls] Repository in pyproject.toml."""
    return _pyproject(_URL_LINE, "'Repository = \"https://github.com/...\"'")


def package_version() -> str:
    """course_utils' version in pyproject.toml."""
    return _pyproject(_VERSION_LINE, "'version = \"...\"'")


def site_url(url: str | None = None) -> str:
    """The course's website on GitHub Pages (.github/workflows/site.yml publishes it)."""
    owner, name = (url or repository_url()).removeprefix("https://github.com/").split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def colab_url(stem: str, url: str | None = None) -> str:
    """The Colab address that opens notebook `stem` from the repository's main branch."""
    slug = (url or repository_url()).removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{stem}.ipynb"


def nbgitpuller_link(hub: str = HUB_BLANK, url: str | None = None, *,
                     stem: str = "01_highway_analogy", branch: str = "main") -> str:
    """The nbgitpuller link that clones the course (or, clicked again, merges its updates) into a
    student's server on the JupyterHub at `hub`, then opens notebook `stem` in JupyterLab.
    `url` is the repository to pull (default: this one); nbgitpuller clones it into a folder
    named like its last path segment."""
    repo = url or repository_url()
    folder = repo.rstrip("/").rsplit("/", 1)[-1]
    query = urlencode({"repo": repo, "urlpath": f"lab/tree/{folder}/notebooks/{stem}.ipynb",
                       "branch": branch})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def colab_setup(url: str | None = None, version: str | None = None) -> str:
    """The set-up cell's Colab block: install course_utils (only it: Colab ships the rest) unless
    this version is already installed, so a second run of the cell is instant and silent; then
    turn on Colab's widget manager. Plain Python (no %pip), the same on Python 3.10 to 3.13."""
    return f'''{COLAB_IF}
    from importlib.metadata import PackageNotFoundError, version
    try:
        installed = version("course-utils")
    except PackageNotFoundError:
        installed = None
    if installed != "{version or package_version()}":   # install once per Colab session
        import importlib, subprocess
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "git+{url or repository_url()}"], check=True)
        importlib.invalidate_caches()
    from google.colab import output
    output.enable_custom_widget_manager()'''


def colab_block(source: str) -> str:
    """The Colab block of a set-up cell's source: from the `if` line to the first line after it
    that is not indented."""
    lines = source.splitlines()
    start = lines.index(COLAB_IF)
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return "\n".join(lines[start:end])


def _rewrite_notebooks(old_url: str | None = None, new_url: str | None = None) -> None:
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        setup = next(cell for cell in nb["cells"] if cell["cell_type"] == "code")
        source = "".join(setup["source"])
        source = source.replace(colab_block(source), colab_setup(url=new_url))
        setup["source"] = source.splitlines(keepends=True)
        text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if old_url and new_url:
            old_slug, new_slug = (u.removeprefix("https://github.com/") for u in (old_url, new_url))
            text = text.replace(f"github/{old_slug}/", f"github/{new_slug}/")
        path.write_text(text, encoding="utf-8")
        print("rewrote", path.relative_to(ROOT))


def _move(new: str) -> None:
    old = repository_url()
    for path in (ROOT / "pyproject.toml", ROOT / "README.md"):
        old_slug, new_slug = old.removeprefix("https://github.com/"), new.removeprefix("https://github.com/")
        text = path.read_text(encoding="utf-8").replace(site_url(old), site_url(new))
        text = text.replace(nbgitpuller_link(url=old), nbgitpuller_link(url=new))
        path.write_text(text.replace(old, new).replace(f"github/{old_slug}/", f"github/{new_slug}/"),
                        encoding="utf-8")
        print("rewrote", path.relative_to(ROOT))
    _rewrite_notebooks(old, new)


if __name__ == "__main__":
    if sys.argv[1:] == ["--sync"]:
        _rewrite_notebooks()
    elif len(sys.argv) == 3 and sys.argv[1] == "--hub-link":
        print(nbgitpuller_link(sys.argv[2]))
    elif len(sys.argv) == 2 and sys.argv[1].startswith("https://github.com/"):
        _move(sys.argv[1].rstrip("/"))
    else:
        sys.exit("usage: python tools/repository.py https://github.com/OWNER/NAME | --sync | "
                 "--hub-link https://HUB")
