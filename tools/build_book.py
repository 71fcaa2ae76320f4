"""Build the course's website: execute every notebook once, then render the HTML.

    python tools/build_book.py            # -> book/_build/html/index.html
    python tools/build_book.py --out DIR  # -> DIR/html/index.html

1. Copies book/ (Sphinx configuration, landing page, the site's script and styles) into
   OUT/source, fills the landing page from README.md and pyproject.toml, and copies the
   course's reference pages (notebooks/glossary.md, notebooks/cheatsheet.md) beside the
   notebooks, so that a notebook's link `glossary.md#jacobian` works on GitHub, in JupyterLab
   and on the site alike.
2. Executes every notebook once (two at a time), as a student's kernel would, except that
   COURSE_SITE_EXPORT is set: each explorer pre-renders the figures of its grid of knob settings
   into _static/explorers and shows HTML knobs over them, each quiz shows as HTML graded in the
   page, and no progress bar is drawn (course_utils/site.py).
3. Prepares each executed notebook for the page: every figure becomes an <img> with the alt text
   its figure carries (a figure without one stops the build), the Colab badge is served
   locally, a note says how to run the notebook, and the lines of the claims that held (✓, and
   ≠ for a difference from the paper) become one compact block per output, each claim's measured
   figures folded in a details element. A ✗ claim or a Python warning stops the build: the site
   never shows what CI would fail.
4. Renders the HTML with Sphinx (myst-nb, sphinx-book-theme, MathJax served locally).

Nothing is fetched at build time or by the pages: the site works offline.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from repository import colab_url, repository_url  # noqa: E402

BOOK = ROOT / "book"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Pages of the site that are markdown files beside the notebooks (book/index.md lists them).
REFERENCE_PAGES = [ROOT / "notebooks" / "glossary.md", ROOT / "notebooks" / "cheatsheet.md"]
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
LOCAL_BADGE = "_static/colab-badge.svg"
FAILED_CLAIM = "✗ claim does not hold"
WARNING_LINE = re.compile(r"^.*:\d+: \w*Warning: .*$", re.MULTILINE)


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def install_and_open() -> str:
    """The README's Quick start command that installs the course and opens it."""
    quick = _readme().split("## Quick start")[1].split("\n## ")[0]
    return next(c for c in re.findall(r"```bash\n(.+?)\n```", quick) if "jupyter lab" in c)


def _landing_page(source: Path) -> None:
    readme = _readme()
    intro = readme.split("\n", 1)[1].split("## The notebooks")[0].strip()
    rows = re.findall(r"^\| (\d\d) \| \[([^\]]+)\]\(notebooks/([^)]+)\.ipynb\).*? \| (.+?) \|$", readme,
                      re.MULTILINE)
    notebooks = "\n".join(
        f"- **[{number} · {title}]({stem}.ipynb)** [![Open In Colab]({LOCAL_BADGE})]({colab_url(stem)}): "
        f"{what}" for number, title, stem, what in rows)
    page = (BOOK / "index.md").read_text(encoding="utf-8")
    page = re.sub(r"<!--.*?-->\n\n", "", page, flags=re.DOTALL)
    for field, value in (("INTRO", intro), ("NOTEBOOKS", notebooks), ("REPOSITORY", repository_url()),
                         ("INSTALL_AND_OPEN", install_and_open()),
                         ("TOCTREE", "\n".join(path.stem for path in NOTEBOOKS))):
        page = page.replace(f"@{field}@", value)
    assert "@" not in re.sub(r"\S+@\S+", "", page), "a field of book/index.md was not filled"
    (source / "index.md").write_text(page, encoding="utf-8")


def _execute(path: Path, source: Path) -> tuple[str, float]:
    """Execute one notebook in a fresh kernel with the site export on; return its JSON."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["COURSE_SITE_EXPORT"] = str(source / "_static" / "explorers")
    os.environ["COURSE_PROGRESS_DIR"] = str(source.parent / "progress")  # never the builder's own record
    os.environ.pop("MPLBACKEND", None)                  # the kernel draws inline, as a student's
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(source)}}).execute()
    return nbformat.writes(nb), time.perf_counter() - started


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def _figure_html(output: dict, figures: Path) -> str:
    png = base64.b64decode(output["data"]["image/png"])
    alt = (output.get("metadata", {}).get("image/png", {}).get("alt")
           or output.get("metadata", {}).get("alt"))
    if not alt:
        raise SystemExit(f"a figure without alt text: {output['data'].get('text/plain', '')[:80]!r}; "
                         "draw it with course_utils.plotting and finish(fig)")
    name = hashlib.sha256(png).hexdigest()[:16] + ".png"
    figures.mkdir(parents=True, exist_ok=True)
    (figures / name).write_bytes(png)
    width, height = _png_size(png)
    return (f'<img class="course-figure" src="_static/figures/{name}" alt="{html.escape(alt, quote=True)}" '
            f'width="{width}" height="{height}">')


CHECK_LINE = re.compile(r"^(✓|≠) (.*?)(?:  \((.*)\))?$")


def _check_item(line: str) -> str:
    mark, claim, figures = CHECK_LINE.match(line).groups()
    kind = "differs" if mark == "≠" else "held"
    folded = (f" <details><summary>measured</summary>{html.escape(figures)}</details>"
              if figures else "")
    return (f'<li class="course-check-{kind}"><span>{mark}</span> '
            f"{html.escape(claim)}{folded}</li>")


def compact_checks(output: dict) -> list[dict]:
    """A stdout output with its runs of check lines (✓ or ≠, printed by course_utils.expect)
    as compact HTML lists, the other lines left as they were; a list of outputs in order."""
    if output.get("output_type") != "stream" or output.get("name") != "stdout":
        return [output]
    text = "".join(output.get("text", ""))
    pieces: list[tuple[bool, list[str]]] = []
    for line in text.splitlines():
        is_check = bool(CHECK_LINE.match(line))
        if pieces and pieces[-1][0] == is_check:
            pieces[-1][1].append(line)
        else:
            pieces.append((is_check, [line]))
    if not any(is_check for is_check, _ in pieces):
        return [output]
    outputs = []
    for is_check, lines in pieces:
        if is_check:
            items = "".join(_check_item(line) for line in lines)
            outputs.append({"output_type": "display_data", "metadata": {},
                            "data": {"text/html": f'<ul class="course-checks" aria-label="checks of the '
                                                  f'text above">{items}</ul>'}})
        else:
            outputs.append({"output_type": "stream", "name": "stdout", "text": "\n".join(lines) + "\n"})
    return outputs


def _run_note(stem: str) -> dict:
    command = install_and_open().replace("notebooks/01_highway_analogy.ipynb", f"notebooks/{stem}.ipynb")
    text = (f'<div class="course-run-note">\n\n**Run this notebook yourself**: on Colab with the badge '
            f"above, or on your computer: `git clone {repository_url()}`, then in its folder\n"
            f"`{command}`\n\n</div>")
    return {"cell_type": "markdown", "id": f"run-note-{stem[:2]}", "metadata": {}, "source": text}


def prepare(nb: dict, stem: str, source: Path) -> list[str]:
    """Ready an executed notebook for its page (in place); return what must stop the build."""
    problems = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            cell["source"] = text.replace(COLAB_BADGE, LOCAL_BADGE)
            continue
        if cell["cell_type"] != "code":
            continue
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) if output.get("output_type") == "stream" else ""
            if FAILED_CLAIM in text:
                problems.append(f"{stem}: {text.strip()[:300]}")
            if output.get("name") == "stderr":
                problems += [f"{stem}: {line}" for line in WARNING_LINE.findall(text)]
            if output.get("output_type") == "error":
                problems.append(f"{stem}: {output.get('ename')}: {output.get('evalue')}")
            data = output.get("data", {})
            if any("widget" in mime for mime in data):
                problems.append(f"{stem}: a widget output ({''.join(cell['source'])[:60]!r}): the site cannot run it")
            if "image/png" in data:
                output["data"] = {"text/html": _figure_html(output, source / "_static" / "figures")}
                output["metadata"] = {}
        cell["outputs"] = [shown for output in cell.get("outputs", []) for shown in compact_checks(output)]
    # The kernel's widgets (the explorers' knobs, made before the site export took over) are
    # not on the page: without their state myst-nb loads no widget scripts from a CDN.
    nb["metadata"].pop("widgets", None)
    nb["cells"].insert(1, _run_note(stem))
    return problems


def build(out: Path, jobs: int = 2) -> dict:
    """Build the site into out/html; return the timings."""
    started = time.perf_counter()
    source, site = out / "source", out / "html"
    shutil.rmtree(source, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(BOOK, source, ignore=shutil.ignore_patterns("_build", "index.md"))
    _landing_page(source)
    for page in REFERENCE_PAGES:
        shutil.copy(page, source / page.name)
    timings, problems = {}, []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {path.stem: pool.submit(_execute, path, source) for path in NOTEBOOKS}
        for stem, future in futures.items():
            text, seconds = future.result()
            timings[stem] = round(seconds, 1)
            nb = json.loads(text)
            problems += prepare(nb, stem, source)
            (source / f"{stem}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
            print(f"executed {stem} in {seconds:.1f} s", flush=True)
    if problems:
        raise SystemExit("the site would show what CI fails:\n" + "\n".join(problems))
    sphinx_started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
                    str(source), str(site)], check=True)
    timings["sphinx"] = round(time.perf_counter() - sphinx_started, 1)
    timings["total"] = round(time.perf_counter() - started, 1)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BOOK / "_build", help="default: book/_build")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    args = parser.parse_args()
    timings = build(args.out.resolve(), args.jobs)
    site = args.out.resolve() / "html"
    explorers = sum(1 for _ in (site / "_static" / "explorers").rglob("*.png"))
    print(json.dumps({"seconds": timings, "pre-rendered explorer images": explorers}, indent=1))
    print(f"open {site / 'index.html'}")


if __name__ == "__main__":
    main()
