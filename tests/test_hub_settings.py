"""What a teacher and a hub's admin rely on, checked without a hub: the set-up cell's line when
the installed course_utils is not the version the pulled notebooks expect, the switch that hides
solutions, and the README's nbgitpuller link and config fragment kept in step with the code."""

import shlex
import sys
from urllib.parse import parse_qs, urlparse

import pytest

import course_utils as cu
from conftest import ROOT
from course_utils import EXERCISES, runtime
from course_utils.exercises.framework import HIDE_SOLUTIONS, HiddenSolution, Hint, Solution
from hub.course import readme_config

sys.path.insert(0, str(ROOT / "tools"))
import repository  # noqa: E402


def _clone(folder, version, *, name="course-utils"):
    """A clone of the course as nbgitpuller leaves it: pyproject.toml beside notebooks/."""
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        f'[build-system]\nrequires = ["setuptools>=68"]\n\n[project]\nname = "{name}"\n'
        f'version = "{version}"\n\n[tool.other]\nversion = "0.0.0"\n', encoding="utf-8")
    (folder / "notebooks").mkdir()
    return folder / "notebooks"


def _setup_lines(capsys):
    cu.setup(seed=0)
    return capsys.readouterr().out.splitlines()


def test_setup_says_what_to_do_when_the_pulled_course_expects_another_version(tmp_path, monkeypatch, capsys):
    clone = tmp_path / "my course"
    monkeypatch.chdir(_clone(clone, "9.9.9"))
    first, advice = _setup_lines(capsys)
    assert first.startswith(f"course_utils {cu.__version__} · torch")
    assert f"these notebooks are for course_utils 9.9.9 but {cu.__version__} is installed" in advice
    assert "Ask your hub's admin to update the image" in advice and "restart the kernel" in advice
    user = " --user" if sys.prefix == sys.base_prefix else ""
    assert advice.endswith(f"{shlex.quote(sys.executable)} -m pip install{user} --no-deps "
                           f"{shlex.quote(str(clone))}"), advice


def test_the_advice_installs_for_the_user_outside_a_virtual_environment(tmp_path, monkeypatch):
    notebooks = _clone(tmp_path / "course", "9.9.9")
    monkeypatch.setattr(sys, "base_prefix", sys.prefix)          # as in a conda or system Python
    assert " -m pip install --user --no-deps " in runtime.version_advice("0.1.0", notebooks)
    monkeypatch.setattr(sys, "base_prefix", "/somewhere/else")   # a venv: pip refuses --user
    assert " --user" not in runtime.version_advice("0.1.0", notebooks)


def test_setup_prints_one_line_when_nothing_says_another_version(tmp_path, monkeypatch, capsys):
    matching = _clone(tmp_path / "matching", cu.__version__)
    bare = tmp_path / "colab"                                     # no pyproject above: Colab
    bare.mkdir()
    other = _clone(tmp_path / "other", "9.9.9", name="someone-elses-project")
    unreadable = _clone(tmp_path / "unreadable", "9.9.9")
    (tmp_path / "unreadable" / "pyproject.toml").write_bytes(b"\xff\xfe\x00[project")
    for folder in (matching, bare, other, unreadable):
        monkeypatch.chdir(folder)
        assert len(_setup_lines(capsys)) == 1, folder


def test_the_version_is_read_from_the_project_table_only(tmp_path):
    notebooks = _clone(tmp_path / "course", "2.0.0")
    assert runtime.expected_version(notebooks) == ("2.0.0", tmp_path / "course" / "pyproject.toml")
    assert runtime.expected_version(ROOT / "notebooks") == (cu.__version__, ROOT / "pyproject.toml")


@pytest.mark.parametrize("value", ["1", "true", "Yes", " on "])
def test_the_admins_switch_hides_every_solution_and_keeps_hints(monkeypatch, value):
    shown = {name: EXERCISES[name].solution().code for name in EXERCISES}
    monkeypatch.setenv(HIDE_SOLUTIONS, value)
    for name, code in shown.items():
        hidden = cu.solution(name)
        assert isinstance(hidden, HiddenSolution)
        for text in (str(hidden), repr(hidden), hidden._repr_markdown_()):
            assert "hidden by your course's admin" in text and code.splitlines()[-1] not in text
        assert isinstance(cu.hint(name), Hint)


@pytest.mark.parametrize("value", ["", "0", "false", "no"])
def test_solutions_show_when_the_switch_is_off(monkeypatch, value):
    monkeypatch.setenv(HIDE_SOLUTIONS, value)
    assert isinstance(cu.solution("residual_block"), Solution)


def test_readme_gives_this_repositorys_nbgitpuller_link():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Teaching a class", 1)[1].split("\n## ", 1)[0]
    link = repository.nbgitpuller_link()
    assert link in section, "run python tools/repository.py --hub-link https://<your-hub>"
    query = parse_qs(urlparse(link).query)
    assert query["repo"] == [repository.repository_url()] and query["branch"] == ["main"]
    folder, path = query["urlpath"][0].removeprefix("lab/tree/").split("/", 1)
    assert folder == repository.repository_url().rsplit("/", 1)[1] and (ROOT / path).is_file()


def test_moving_the_course_rewrites_the_readmes_hub_link(tmp_path, monkeypatch):
    for name in ("pyproject.toml", "README.md"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    monkeypatch.setattr(repository, "ROOT", tmp_path)
    monkeypatch.setattr(repository, "NOTEBOOKS", [])
    old, new = repository.repository_url(), "https://github.com/a-teacher/our-course"
    repository._move(new)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert repository.nbgitpuller_link(url=new) in readme
    assert repository.nbgitpuller_link(url=old) not in readme and old not in readme


def test_readmes_config_fragment_sets_what_the_course_needs():
    config = readme_config()
    single = config["singleuser"]
    assert single["extraEnv"][HIDE_SOLUTIONS] == "1" and single["extraEnv"]["OMP_NUM_THREADS"] == "1"
    assert single["cpu"]["limit"] == 1                  # the set-up cell runs torch on one thread
    assert single["memory"]["guarantee"] and single["memory"]["limit"]
    assert single["defaultUrl"] == "/lab"
    assert config["cull"]["enabled"] is True
