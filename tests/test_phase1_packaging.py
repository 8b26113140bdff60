"""PY001 packaging metadata, PY002 src layout, PY010 task runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

GOOD_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "churn"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["pandas>=2.0"]

[project.optional-dependencies]
dev = ["pytest>=7.4", "pytest-cov>=4.1"]

[tool.setuptools.packages.find]
where = ["src"]
"""
PKG = {"src/churn/__init__.py": "", "tests/test_x.py": "def test_x() -> None: ...\n"}


def messages(results: list[Result]) -> str:
    return " | ".join(r.message.en for r in results)


# -- PY001 ---------------------------------------------------------------------------------


def test_py001_complete_pyproject_passes(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"pyproject.toml": GOOD_PYPROJECT, **PKG}), "PY001")
    assert statuses(results) == ["pass"]
    # Packaging metadata is a level-2 practice (levels.md, phase 1), not a gate.
    assert results[0].path == "pyproject.toml"
    assert (results[0].level, results[0].gate) == (2, False)


@pytest.mark.parametrize(("files", "expected", "words"), [
    ({"train.py": "print(1)\n"}, "fail", "no pyproject.toml (and no setup.py)"),
    ({"setup.py": "from setuptools import setup\nsetup()\n"}, "warn", "setup.py only"),
    ({"requirements.txt": "numpy\n"}, "warn", "requirements.txt only"),
    ({"pyproject.toml": "[project\n"}, "fail", "does not parse"),
    ({"pyproject.toml": "[tool.black]\n", "setup.cfg": "[metadata]\nname = x\n"}, "warn",
     "metadata lives in setup.cfg"),
    ({"pyproject.toml": "[tool.black]\n"}, "fail", "no [project] (PEP 621) or [tool.poetry]"),
])
def test_py001_missing_or_legacy(make_repo: MakeRepo, results_for: Results,
                                 files: dict[str, str], expected: str, words: str) -> None:
    results = results_for(make_repo(files), "PY001")
    assert statuses(results) == [expected]
    assert words in messages(results)


def test_py001_lists_every_gap(make_repo: MakeRepo, results_for: Results) -> None:
    text = '[project]\nname = "x"\ndynamic = ["version"]\n'
    results = results_for(make_repo({"pyproject.toml": text}), "PY001")
    assert statuses(results) == ["fail"]
    text = messages(results)
    assert "[build-system] needs" in text and "requires-python, dependencies" in text
    assert "lack pytest, pytest-cov" in text


def test_py001_dev_set_variants(make_repo: MakeRepo, results_for: Results) -> None:
    base = GOOD_PYPROJECT.split("[project.optional-dependencies]")[0]
    groups = base + '[dependency-groups]\ndev = ["pytest", "pytest-cov"]\n'
    assert statuses(results_for(make_repo({"pyproject.toml": groups}), "PY001")) == ["pass"]
    req = make_repo({"pyproject.toml": base, "requirements-dev.txt": "pytest\npytest-cov\n"})
    assert statuses(results_for(req, "PY001")) == ["pass"]
    test_extra = base + '[project.optional-dependencies]\ntest = ["pytest", "pytest-cov"]\n'
    results = results_for(make_repo({"pyproject.toml": test_extra}), "PY001")
    assert statuses(results) == ["warn"] and "only in a test extra" in messages(results)


def test_py001_poetry(make_repo: MakeRepo, results_for: Results) -> None:
    poetry = """\
[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
[tool.poetry]
name = "x"
version = "0.1.0"
[tool.poetry.dependencies]
python = "^3.10"
[tool.poetry.group.dev.dependencies]
pytest = "^7"
pytest-cov = "^4"
"""
    assert statuses(results_for(make_repo({"pyproject.toml": poetry}), "PY001")) == ["pass"]
    no_python = poetry.replace('python = "^3.10"\n', "")
    results = results_for(make_repo({"pyproject.toml": no_python}), "PY001")
    assert statuses(results) == ["fail"] and "dependencies.python" in messages(results)


# -- PY002 ---------------------------------------------------------------------------------


def test_py002_src_layout_passes(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"pyproject.toml": GOOD_PYPROJECT, **PKG, "main.py": ""}),
                          "PY002")
    assert statuses(results) == ["pass"]
    assert results[0].path == "src/churn/__init__.py" and "packages.find" in results[0].message.en


def test_py002_flat_package_layout_passes_with_advice(make_repo: MakeRepo,
                                                     results_for: Results) -> None:
    # A package at the project root is a package layout all the same (levels.md point 2):
    # the guide's src/ layout is advice.
    root = make_repo({"train.py": "", "utils.py": "", "setup.py": "", "churn/__init__.py": "",
                      "tests/__init__.py": ""})
    results = results_for(root, "PY002")
    assert statuses(results) == ["pass"]
    assert results[0].message.en.startswith("flat package layout: churn/ (the guide's src/")
    assert results[0].message.es.startswith("estructura de paquete plana: churn/")
    assert results[0].path == "churn"


def test_py002_root_modules_without_a_package_fail(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    root = make_repo({"train.py": "", "utils.py": "", "setup.py": "", "tests/__init__.py": ""})
    results = results_for(root, "PY002")
    assert statuses(results) == ["fail"]
    assert "flat layout: train.py, utils.py at the project root" in results[0].message.en
    assert (results[0].path, results[0].line) == ("train.py", 1)


def test_py002_stray_root_modules_warn(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"pyproject.toml": GOOD_PYPROJECT, **PKG, "utils.py": ""}),
                          "PY002")
    assert statuses(results) == ["warn"] and "utils.py" in results[0].message.en


@pytest.mark.parametrize(("extra", "expected"), [
    ('[tool.setuptools.packages.find]\nwhere = ["."]\n', "fail"),
    ('[tool.setuptools]\npackage-dir = {"" = "src"}\n', "pass"),
    ('[tool.poetry]\npackages = [{include = "churn", from = "src"}]\n', "pass"),
    ('[tool.poetry]\npackages = [{include = "churn"}]\n', "fail"),
    ('[tool.hatch.build.targets.wheel]\npackages = ["src/churn"]\n', "pass"),
    ("", "pass"),  # setuptools finds src/ by itself
])
def test_py002_discovery(make_repo: MakeRepo, results_for: Results, extra: str,
                         expected: str) -> None:
    head = ('[build-system]\nrequires = ["x"]\nbuild-backend = "setuptools.build_meta"\n'
            '[project]\nname = "churn"\n')
    results = results_for(make_repo({"pyproject.toml": head + extra, **PKG}), "PY002")
    assert statuses(results) == [expected]


def test_py002_setup_cfg_discovery(make_repo: MakeRepo, results_for: Results) -> None:
    good = make_repo({"setup.cfg": "[options]\npackage_dir =\n    =src\n", **PKG})
    assert statuses(results_for(good, "PY002")) == ["pass"]
    bad = make_repo({"setup.cfg": "[options.packages.find]\nwhere = lib\n", **PKG})
    results = results_for(bad, "PY002")
    assert statuses(results) == ["fail"] and results[0].path == "setup.cfg"


def test_py002_per_project_in_a_monorepo(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({
        "a/pyproject.toml": GOOD_PYPROJECT, "a/src/a/__init__.py": "", "a/tests/t.py": "",
        "b/pyproject.toml": GOOD_PYPROJECT, "b/tests/t.py": "", "b/model.py": "",
    })
    results = results_for(root, "PY002")
    assert sorted((r.project, r.status.value) for r in results) == [("a", "pass"),
                                                                     ("b", "fail")]


def test_py002_placeholder_package_of_a_template_repository(make_repo: MakeRepo,
                                                            results_for: Results) -> None:
    root = make_repo({"templates/service/pyproject.toml": GOOD_PYPROJECT,
                      "templates/service/src/{service}/__init__.py": "",
                      "templates/service/tests/test_x.py": "def test_x() -> None: ...\n"})
    results = results_for(root, "PY002")
    assert [(r.project, r.status.value) for r in results] == [("templates/service", "pass")]
    assert "src/{service}/" in results[0].message.en
    # a brace that is not a placeholder name is not a package name
    odd = make_repo({"pyproject.toml": GOOD_PYPROJECT, "src/{a b}/__init__.py": ""})
    assert statuses(results_for(odd, "PY002")) == ["fail"]


# -- PY010 ---------------------------------------------------------------------------------

FULL_MAKEFILE = """\
.PHONY: help install test lint format train serve docker-build
help:
\t@echo targets
install:
\tpip install -e ".[dev]"
test:
\tpytest
lint:
\truff check .
fmt:
\truff format .
train:
\tpython -m churn.train
serve:
\tuvicorn churn.api:app
"""


def test_py010_levels(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"Makefile": FULL_MAKEFILE}), "PY010")
    assert statuses(results, 1) == ["pass"] and statuses(results, 2) == ["pass"]
    minimal = "install:\n\tpip install .\ntest:\n\tpytest\nlint:\n\truff check .\n"
    results = results_for(make_repo({"Makefile": minimal}), "PY010")
    assert statuses(results, 1) == ["pass"] and statuses(results, 2) == ["fail"]
    assert "format, serve, docker-build|help" in results[1].message.en  # no training code
    assert "no train target needed" in results[1].message.en


def test_py010_missing_targets_and_no_makefile(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"Makefile": "test:\n\tpytest\n"}), "PY010")
    assert statuses(results, 1) == ["fail"] and "install, lint" in results[0].message.en
    results = results_for(make_repo({"README.md": "x", "train.py": "print(1)\n"}), "PY010")
    assert statuses(results) == ["fail", "fail"] and "no Makefile" in results[0].message.en


def test_py010_alternatives(make_repo: MakeRepo, results_for: Results) -> None:
    just = "set shell := ['bash']\ninstall:\n    pip install .\ntest *ARGS:\n    pytest\n" \
           "@lint:\n    ruff check .\n"
    assert statuses(results_for(make_repo({"justfile": just}), "PY010"), 1) == ["pass"]
    nox = ("import nox\n\n@nox.session\ndef install(session): ...\n\n@nox.session\n"
           "def test(session): ...\n\n@nox.session(name='lint')\ndef lint_it(session): ...\n")
    assert statuses(results_for(make_repo({"noxfile.py": nox}), "PY010"), 1) == ["pass"]
    tasks = ("from invoke import task\n\n@task\ndef install(c): ...\n\n@task\n"
             "def test(c): ...\n\n@task\ndef lint(c): ...\n")
    assert statuses(results_for(make_repo({"tasks.py": tasks}), "PY010"), 1) == ["pass"]
