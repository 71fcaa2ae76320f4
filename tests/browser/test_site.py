"""The course's website, built by the README's site command (tools/build_book.py) from this
checkout, then read in Chromium as a visitor would, with every request to another host blocked
and recorded: the site must work offline.

Every page loads with no failed request and no console error, its maths is typeset, every image
has loaded and has alt text, every internal link resolves, each pre-rendered explorer's knobs
swap its image, each quiz grades in the page, no page weighs more than 6 MB, and axe-core finds
no serious or critical accessibility violation. The glossary and the cheat sheet are pages of the
site, linked from the landing page; every heading of theirs keeps the anchor GitHub gives it, so
a notebook's link such as `glossary.md#jacobian` lands on the same term on GitHub and on the
site, and every such link in a notebook resolves; the cheat sheet prints on one page, A4 or US
Letter, without the site's navigation.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import json
import re
import socketserver
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import NOTEBOOKS, ROOT, npm_package

sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402

pytestmark = pytest.mark.browser

AXE = "axe-core@4.14.1"
PAGE_BUDGET_BYTES = 6 * 1024 * 1024
REFERENCE_PAGES = [f"{path.stem}.html" for path in build_book.REFERENCE_PAGES]   # glossary, cheat sheet
PAGES = ["index.html", *[f"{path.stem}.html" for path in NOTEBOOKS], *REFERENCE_PAGES, "search.html",
         "genindex.html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    timings = build_book.build(out)
    print(f"site built: {timings}")
    return out / "html"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class Visit:
    """One page opened in a fresh tab, with what went wrong on the way recorded."""

    def __init__(self, chromium, origin: str, name: str):
        self.page = chromium.new_page(viewport={"width": 1300, "height": 900})
        self.elsewhere, self.failed, self.errors = [], [], []

        def route(route):
            if route.request.url.startswith(origin):
                route.continue_()
            else:                                  # another host: never reached, always reported
                self.elsewhere.append(route.request.url)
                route.abort()

        self.page.route("**/*", route)
        self.page.on("requestfailed", lambda r: r.url not in self.elsewhere and self.failed.append(r.url))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{origin}/{name}")
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")

    def bytes_loaded(self) -> int:
        return self.page.evaluate("""() => performance.getEntriesByType('navigation')
            .concat(performance.getEntriesByType('resource'))
            .reduce((sum, e) => sum + (e.decodedBodySize || e.transferSize || 0), 0)""")


@pytest.fixture(scope="module")
def visits(chromium, server):
    opened = {}

    def visit(name: str) -> Visit:
        if name not in opened:
            opened[name] = Visit(chromium, server, name)
        return opened[name]

    yield visit
    for page in opened.values():
        page.page.close()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_loads_offline_without_a_failed_request_or_console_error(visits, name):
    visit = visits(name)
    assert visit.elsewhere == [], "a request to another host"
    assert visit.failed == [] and visit.errors == []


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_within_its_budget(visits, name):
    loaded = visits(name).bytes_loaded()
    print(f"{name}: {loaded / 1e6:.2f} MB")
    assert 0 < loaded <= PAGE_BUDGET_BYTES


@pytest.mark.parametrize("name", PAGES[:1 + len(NOTEBOOKS) + len(REFERENCE_PAGES)])
def test_maths_is_typeset_and_no_raw_tex_is_left(visits, name):
    page = visits(name).page
    typeset = page.locator("mjx-container").count()
    assert typeset > 0
    raw = page.evaluate(r"""() => {
        const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                                 NodeFilter.SHOW_TEXT);
        const found = [];
        while (walker.nextNode()) {
            const node = walker.currentNode, parent = node.parentElement;
            if (parent.closest('pre, code, script, style, mjx-container, .highlight, .cell_output')) continue;
            if (/\$|\\\(|\\\[/.test(node.textContent)) found.push(node.textContent.trim().slice(0, 80));
        }
        return found;
    }""")
    assert raw == []


@pytest.mark.parametrize("name", PAGES[1:1 + len(NOTEBOOKS)])
def test_a_notebook_s_checks_show_as_compact_lists_with_their_figures_folded(visits, name):
    page = visits(name).page
    assert page.locator("ul.course-checks li").count() > 0
    folded = page.locator("ul.course-checks details").first
    assert not folded.evaluate("d => d.open")
    outputs = page.evaluate("() => Array.from(document.querySelectorAll('.cell_output pre')).map(p => p.innerText)")
    assert not [text for text in outputs if re.search(r"^(✓|≠) ", text, re.MULTILINE)]


@pytest.mark.parametrize("name", PAGES[:1 + len(NOTEBOOKS)])
def test_every_image_has_loaded_and_says_what_it_shows(visits, name):
    images = visits(name).page.evaluate("""() => Array.from(document.images).map(img => ({
        src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
        alt: (img.getAttribute('alt') || '').trim()}))""")
    assert images
    assert [i["src"] for i in images if not i["loaded"]] == []
    assert [i["src"] for i in images if not i["alt"]] == []
    figures = [i for i in images if "_static/figures/" in i["src"] or "_static/explorers/" in i["src"]]
    if name != "index.html":
        assert figures and all(len(i["alt"]) > 40 for i in figures), "a figure's alt text is too thin"


class _Anchors(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _parsed(path: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_resolves(site):
    parsed = {path.name: _parsed(path) for path in site.glob("*.html")}
    broken, checked = [], 0
    for name, parser in parsed.items():
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = unquote(parts.path) or name
            checked += 1
            if not (site / target).exists():
                broken.append(f"{name}: {link}")
            elif parts.fragment and target.endswith(".html") and parts.fragment not in parsed[target].ids:
                broken.append(f"{name}: {link} (no such anchor)")
    assert checked > 50 and broken == []


def test_the_landing_page_lists_every_notebook_and_how_to_run_it(visits):
    page = visits("index.html").page
    for path in NOTEBOOKS:
        assert page.locator(f'main a[href="{path.stem}.html"]').count() >= 1
    text = page.inner_text("main")
    assert "Run it yourself" in text and build_book.install_and_open() in text


@pytest.mark.parametrize("name", [f"{path.stem}.html" for path in NOTEBOOKS])
def test_every_pre_rendered_knob_swaps_the_image(visits, name):
    page = visits(name).page
    explorers = page.locator(".course-explorer")
    assert explorers.count() >= 1
    for e in range(explorers.count()):
        explorer = explorers.nth(e)
        image = explorer.locator("img.course-explorer-image")
        controls = explorer.locator("[data-knob]")
        for c in range(controls.count()):
            control = controls.nth(c)
            before = image.get_attribute("src")
            count = control.evaluate("el => el.tagName === 'SELECT' ? el.options.length : Number(el.max) + 1")
            current = int(control.evaluate("el => el.value"))
            other = str((current + 1) % count)
            if control.evaluate("el => el.tagName") == "SELECT":
                control.select_option(other)
            else:
                control.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", other)
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
            assert image.get_attribute("src") != before, f"knob {c} of explorer {e} did not swap the image"
            assert image.get_attribute("alt")


@pytest.mark.parametrize("name", [f"{path.stem}.html" for path in NOTEBOOKS])
def test_the_quiz_grades_in_the_page(visits, name):
    from course_utils import QUIZZES

    page = visits(name).page
    question = QUIZZES[Path(name).stem][0]
    box = page.locator(".course-question").first
    box.locator(".course-check").click()
    assert "Choose one of the answers" in box.locator(".course-feedback").inner_text()
    wrong = next(i for i in range(len(question.choices)) if i not in question.correct)
    box.locator(f'input[value="{wrong}"]').check()
    box.locator(".course-check").click()
    assert box.locator(".course-feedback").inner_text().startswith("✗ Not quite")
    box.locator(f'input[value="{question.correct[0]}"]').check()
    box.locator(".course-check").click()
    assert box.locator(".course-feedback").inner_text().startswith("✓ Correct")


def test_a_checked_quiz_answer_is_there_again_after_a_reload(chromium, server):
    from course_utils import QUIZZES

    stem = NOTEBOOKS[0].stem
    visit = Visit(chromium, server, f"{stem}.html")        # a tab of its own: its own storage
    try:
        page, question = visit.page, QUIZZES[stem][-1]
        box = page.locator(".course-question").last
        box.locator(f'input[value="{question.correct[0]}"]').check()
        box.locator(".course-check").click()
        page.reload()
        page.wait_for_load_state("networkidle")
        box = page.locator(".course-question").last
        assert box.locator(f'input[value="{question.correct[0]}"]').is_checked()
        assert box.locator(".course-feedback").inner_text().startswith("✓ Correct")
        assert page.locator(".course-question").first.locator(".course-feedback").inner_text() == ""
        assert visit.errors == []
    finally:
        visit.page.close()


@pytest.mark.parametrize("name", PAGES)
def test_the_accessibility_scan_finds_nothing_serious(visits, name):
    page = visits(name).page
    page.add_script_tag(path=str(npm_package(AXE) / "axe.min.js"))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                               first: v.nodes[0].html.slice(0, 160)}))""")
    counts = {impact: sum(v["nodes"] for v in violations if v["impact"] == impact)
              for impact in ("critical", "serious", "moderate", "minor")}
    print(f"axe {name}: {counts}")
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a markdown heading (myst's heading anchors follow the same rule)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


# Terms the notebooks use before or without explaining them (issue 19): each has its entry.
GLOSSARY_TERMS = ["jacobian", "singular-value", "frobenius-norm", "he-initialisation",
                  "xavier-initialisation", "pytorch-default-initialisation", "fan-in",
                  "lag-1-autocorrelation", "white-noise", "brown-noise", "top-1-error",
                  "10-crop-testing", "groupnorm", "fpn", "token-shift", "wkv", "downsampling-block",
                  "attention", "attention-head", "queries-keys-and-values", "causal-mask",
                  "feed-forward-network", "adam", "warm-up", "bleu", "residual-connection",
                  "residual-stream", "post-norm", "pre-norm", "deepnorm", "rezero", "fixup", "skipinit"]


def test_the_landing_page_links_the_glossary_and_the_cheat_sheet(visits):
    page = visits("index.html").page
    for name in REFERENCE_PAGES:
        assert page.locator(f'main a[href="{name}"]').count() >= 1, name


def test_every_heading_of_the_glossary_and_cheat_sheet_keeps_its_github_anchor(site):
    for source in build_book.REFERENCE_PAGES:
        headings = re.findall(r"^#{1,3} (.+)$", source.read_text(encoding="utf-8"), re.MULTILINE)
        ids = _parsed(site / f"{source.stem}.html").ids
        assert len(headings) > 5
        assert [h for h in headings if _github_anchor(h) not in ids] == [], source.name
    glossary = (build_book.ROOT / "notebooks" / "glossary.md").read_text(encoding="utf-8")
    terms = re.findall(r"^### (.+)$", glossary, re.MULTILINE)
    assert terms == sorted(terms, key=str.lower), "the glossary's terms are in alphabetical order"
    assert [t for t in GLOSSARY_TERMS if t not in map(_github_anchor, terms)] == []


def test_every_link_from_a_notebook_to_the_glossary_or_cheat_sheet_lands_on_an_anchor(site):
    targets = {path.name: path.stem for path in build_book.REFERENCE_PAGES}
    ids = {stem: _parsed(site / f"{stem}.html").ids for stem in targets.values()}
    broken = []
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for link in re.findall(r"\]\(([^)\s]+)\)|href=\"([^\"]+)\"", text):
            link = link[0] or link[1]
            parts = urlsplit(link)
            name = parts.path.rsplit("/", 1)[-1].replace(".html", ".md")
            if name not in targets:
                continue
            if not (parts.scheme or parts.netloc) and parts.path != name:
                broken.append(f"{notebook.stem}: {link} (link it as {name}, from the notebook's own folder)")
            elif parts.fragment and unquote(parts.fragment) not in ids[targets[name]]:
                broken.append(f"{notebook.stem}: {link} (no such anchor)")
    assert broken == []


def test_the_cheat_sheet_prints_on_one_page_without_the_navigation(chromium, server):
    visit = Visit(chromium, server, "cheatsheet.html")
    try:
        visit.page.emulate_media(media="print")
        shown = visit.page.evaluate("""() => ['.bd-header', '.bd-sidebar-primary', '.bd-sidebar-secondary',
                '.bd-header-article', '.prev-next-footer', '.bd-footer', '#jb-print-docs-body']
            .filter(s => Array.from(document.querySelectorAll(s))
                              .some(e => getComputedStyle(e).display !== 'none'))""")
        assert shown == [], "navigation printed"
        for paper in ("A4", "Letter"):
            pdf = visit.page.pdf(format=paper)
            pages = len(re.findall(rb"/Type\s*/Page(?!s)\b", pdf))
            assert pages == 1, f"the cheat sheet prints on {pages} {paper} pages"
    finally:
        visit.page.close()
