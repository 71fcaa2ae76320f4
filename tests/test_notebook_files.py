"""The notebooks' shared contract: clean, valid, Python 3, one Colab-aware set-up cell whose
address agrees with the repository's one home, and the parts every notebook has."""

import json
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import NOTEBOOKS, PYTHONS, ROOT
from course_utils import EXERCISES, QUIZZES

sys.path.insert(0, str(ROOT / "tools"))
from repository import (colab_block, colab_setup, colab_url, package_version, repository_url,  # noqa: E402
                        site_url)

EXPECTED = ["01_highway_analogy", "02_residual_math", "03_layernorm_vs_batchnorm",
            "04_post_norm_vs_pre_norm", "05_architecture_zoo", "06_capstone_small_gpt"]


def _load(path):
    return nbformat.read(path, as_version=4)


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_notebooks_are_the_course_s_in_order():
    stems = [p.stem for p in NOTEBOOKS]
    assert stems and stems == EXPECTED[:len(stems)], stems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_valid_clean_and_python3(path):
    nb = _load(path)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in _code(nb):
        assert cell.outputs == [] and cell.execution_count is None, "commit notebooks without outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_opens_with_title_three_bullets_and_its_colab_badge(path):
    first = _load(path).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert f"({colab_url(path.stem)})" in first.source
    learn = first.source.split("you will learn:")[1]
    bullets = re.findall(r"^- ", learn, flags=re.MULTILINE)
    assert len(bullets) == 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_setup_cell_installs_course_utils_only_on_colab(path):
    nb = _load(path)
    setup = _code(nb)[0].source
    assert nb.cells[1].cell_type == "code"
    assert colab_block(setup) == colab_setup(), "run python tools/repository.py --sync"
    assert re.findall(r"^SEED = 0$", setup, flags=re.MULTILINE) == ["SEED = 0"]
    assert "cu.setup(seed=SEED)" in setup
    for cell in _code(nb)[1:]:
        assert not re.search(r"^\s*[!%]\s*pip|pip.+install", cell.source, flags=re.MULTILINE), cell.source
        assert "SEED =" not in cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_code_cell_reaches_the_network(path):
    for cell in _code(_load(path))[1:]:
        for word in ("http://", "https://", "urllib", "requests", "wget", "curl", "download"):
            assert word not in cell.source, f"{word!r} in a code cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_ends_with_exercises_and_its_quiz(path):
    nb = _load(path)
    source = "\n".join(c.source for c in nb.cells)
    assert "## Exercises" in source and "## Quiz" in source
    names = re.findall(r'cu\.check\("([a-z_]+)"', source)
    assert len(names) >= 3 and set(names) <= set(EXERCISES)
    assert re.findall(r'cu\.quiz\("([0-9a-z_]+)"\)', source) == [path.stem]
    assert path.stem in QUIZZES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_claim_section_checks_itself(path):
    source = "\n".join(c.source for c in _code(_load(path)))
    assert source.count("cu.expect(") >= 5


def test_readme_badges_and_commands_agree_with_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"({colab_url(path.stem)})" in readme, path.stem
    assert repository_url() in readme


def _quick_start_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start")[1].split("\n## ")[0]
    return re.findall(r"```bash\n(.+?)\n```", quick)


def test_quick_start_has_two_commands_and_ci_runs_the_test_one():
    install_and_open, install_and_test = _quick_start_commands()
    assert "jupyter lab" in install_and_open and "requirements.txt" in install_and_open
    assert install_and_test.endswith("pytest")
    assert install_and_test in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert f"run: {install_and_test}" in (ROOT / ".github/workflows/tests.yml").read_text(encoding="utf-8")


# The documents the course grew from are not the student's: no text they see names them. A
# correction quotes the claim as "a common summary says ..." with its real source.
_SOURCE_DOCUMENTS = re.compile(r"\bprimers?\b|source documents?|grew (?:out of|from)|seed documents?|"
                               r"\bthe seed['’]s\b|\bseed \d{3}\b|notes? this course", re.IGNORECASE)


def test_no_student_facing_text_names_the_documents_the_course_grew_from():
    texts = {path.name: path.read_text(encoding="utf-8") for path in NOTEBOOKS}
    texts.update({str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
                  for path in (ROOT / "course_utils").rglob("*.py")})
    texts["README.md"] = (ROOT / "README.md").read_text(encoding="utf-8")
    found = {name: _SOURCE_DOCUMENTS.findall(text) for name, text in texts.items()}
    assert not {name: hits for name, hits in found.items() if hits}
    assert _SOURCE_DOCUMENTS.search("Seed 003 writes ...") and _SOURCE_DOCUMENTS.search("the primer says")


@pytest.mark.parametrize("python", [pytest.param(path, id=f"python{version}") for version, path in PYTHONS])
def test_the_colab_set_up_installs_once_and_is_silent_when_run_again(python):
    probe = ROOT / "tests" / "environments" / "setup_cell_probe.py"
    block = colab_block(_code(_load(NOTEBOOKS[0])).pop(0).source)
    result = subprocess.run([python, str(probe), package_version()], input=block, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    first, again, older = report["runs"]
    assert [command[1:] for command in first["pip"]] == [
        ["-m", "pip", "install", "--quiet", "--no-deps", f"git+{repository_url()}"]]
    assert first["pip"][0][0] == report["executable"]      # the kernel's own Python, not some pip
    assert again == {"pip": [], "printed": ""}, "a second run must install nothing and print nothing"
    assert len(older["pip"]) == 1, "an older course_utils must be replaced"
    assert report["widget_manager"] == 3


def test_readme_links_the_website_and_its_command_is_the_one_that_publishes_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert site_url() in readme
    site = readme.split("## The website")[1].split("\n## ")[0]
    (command,) = re.findall(r"```bash\n(.+?)\n```", site)
    assert command.endswith("python tools/build_book.py")
    assert f"run: {command}" in (ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8")
