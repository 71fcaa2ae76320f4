"""The repository's address, read from its one home (pyproject.toml), and the strings derived
from it that notebooks and README must contain.

Run `python tools/repository.py NEW_URL` to move the course: it rewrites pyproject.toml, every
notebook's badge and set-up cell, and the README's badges.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_URL_LINE = re.compile(r'^Repository = "(https://github\.com/[^"]+)"$', re.MULTILINE)


def repository_url() -> str:
    """The URL under [project.urls] Repository in pyproject.toml."""
    match = _URL_LINE.search((ROOT / "pyproject.toml").read_text())
    if not match:
        raise RuntimeError("pyproject.toml has no 'Repository = \"https://github.com/...\"' line")
    return match.group(1)


def colab_url(stem: str, url: str | None = None) -> str:
    """The Colab address that opens notebook `stem` from the repository's main branch."""
    slug = (url or repository_url()).removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{stem}.ipynb"


def pip_line(url: str | None = None) -> str:
    """The set-up cell's install line: course_utils only, nothing Colab already ships."""
    return f'%pip install --quiet --no-deps "git+{url or repository_url()}"'


def _move(new: str) -> None:
    old = repository_url()
    paths = [ROOT / "pyproject.toml", ROOT / "README.md", *sorted((ROOT / "notebooks").glob("*.ipynb"))]
    old_slug, new_slug = old.removeprefix("https://github.com/"), new.removeprefix("https://github.com/")
    for path in paths:
        text = path.read_text()
        path.write_text(text.replace(old, new).replace(f"github/{old_slug}/", f"github/{new_slug}/"))
        print("rewrote", path.relative_to(ROOT))


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].startswith("https://github.com/"):
        sys.exit("usage: python tools/repository.py https://github.com/OWNER/NAME")
    _move(sys.argv[1].rstrip("/"))
