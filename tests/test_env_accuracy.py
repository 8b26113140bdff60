"""Accuracy of the environment rules (ENV001-ENV003) on real stacks: no Python at all is
not applicable, Pipenv/conda/.python-version declare the interpreter, Jinja templates are
templates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

CI = """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "{version}"
"""


def found(results: list[Result]) -> list[tuple[str, str | None, int | None]]:
    return [(r.status.value, r.path, r.line) for r in results]


# -- no Python code: not applicable -----------------------------------------------------------


def test_env_rules_skip_a_repository_without_python(make_repo: MakeRepo,
                                                    results_for: Results) -> None:
    root = make_repo({"docs/index.md": "# guide\n", "README.md": "# guide\n"})
    for rule in ("ENV001", "ENV002", "ENV003"):
        results = results_for(root, rule)
        assert set(statuses(results)) == {"skip"}, rule
    assert "no Python code" in results_for(root, "ENV001")[0].message.en
    assert "no Python code" in results_for(root, "ENV002")[0].message.en


def test_env002_other_stacks_are_judged_on_their_own_lock(make_repo: MakeRepo,
                                                          results_for: Results) -> None:
    module = {"main.tf": 'resource "aws_vpc" "this" {}\n', "README.md": "# vpc\n"}
    assert statuses(results_for(make_repo(module), "ENV001")) == ["skip"]
    results = results_for(make_repo({**module, ".gitignore": ".terraform.lock.hcl\n"}),
                          "ENV002")
    assert set(statuses(results)) == {"fail"}
    assert "no Terraform dependency lock file: .terraform.lock.hcl is listed in .gitignore" \
        in results[0].message.en
    locked = make_repo({**module, ".terraform.lock.hcl": "provider {}\n"})
    assert set(statuses(results_for(locked, "ENV002"))) == {"pass"}
    node = make_repo({"web/package.json": "{}", "web/package-lock.json": "{}"})
    results = results_for(node, "ENV002")
    assert set(statuses(results)) == {"pass"} and "Node.js" in results[0].message.en


def test_env_rules_still_fail_python_code_without_declaration(make_repo: MakeRepo,
                                                              results_for: Results) -> None:
    root = make_repo({"train.py": "import numpy\n"})
    assert statuses(results_for(root, "ENV001")) == ["fail"]
    assert set(statuses(results_for(root, "ENV002"))) == {"fail"}
    # a notebook is Python code too
    notebook = make_repo({"notebooks/eda.ipynb": '{"cells": []}'})
    assert statuses(results_for(notebook, "ENV001")) == ["fail"]


# -- ENV003: the declared interpreter, whichever tool declares it -----------------------------


def test_env003_pipfile_requires_is_the_declaration(make_repo: MakeRepo,
                                                    results_for: Results) -> None:
    pipfile = '[packages]\nboto3 = "*"\n\n[requires]\npython_version = "3.9"\n'
    root = make_repo({"Pipfile": pipfile, "pyproject.toml": "[tool.black]\nline-length = 88\n",
                      "Dockerfile": "FROM public.ecr.aws/lambda/python:3.9\n",
                      ".github/workflows/ci.yml": CI.format(version="3.9")})
    results = results_for(root, "ENV003")
    assert found(results) == [("pass", "Pipfile", 5)]
    assert "Pipfile [requires] python_version 3.9" in results[0].message.en
    # a version outside the Pipfile's series fails, naming the Pipfile
    other = make_repo({"Pipfile": pipfile, ".github/workflows/ci.yml": CI.format(version="3.11")})
    results = results_for(other, "ENV003")
    assert found(results) == [("fail", ".github/workflows/ci.yml", 6)]
    assert "outside the interpreter declared by Pipfile" in results[0].message.en
    # python_full_version pins the patch release
    full = make_repo({"Pipfile": '[requires]\npython_full_version = "3.9.7"\n',
                      ".github/workflows/ci.yml": CI.format(version="3.9.7")})
    assert statuses(results_for(full, "ENV003")) == ["pass"]


def test_env003_conda_and_python_version_declare(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    conda = "name: x\ndependencies:\n  - python=3.10\n  - numpy=1.26\n"
    root = make_repo({"environment.yml": conda, ".github/workflows/ci.yml":
                      CI.format(version="3.10")})
    results = results_for(root, "ENV003")
    assert found(results) == [("pass", "environment.yml", 3)]
    assert "declared by environment.yml (3.10)" in results[0].message.en
    bad = make_repo({"environment.yml": conda, "Dockerfile": "FROM python:3.12-slim\n"})
    results = results_for(bad, "ENV003")
    assert found(results) == [("fail", "Dockerfile", 1)]
    pinned = make_repo({".python-version": "3.11\n", "Dockerfile": "FROM python:3.11-slim\n"})
    assert found(results_for(pinned, "ENV003")) == [("pass", ".python-version", 1)]
    # requires-python still wins over the other declarations
    both = make_repo({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12"\n',
                      ".python-version": "3.11\n"})
    results = results_for(both, "ENV003")
    assert found(results) == [("fail", ".python-version", 1)]
    assert "outside requires-python '>=3.12'" in results[0].message.en


def test_env003_without_any_declaration_fails(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    root = make_repo({"app.py": "", ".github/workflows/ci.yml": CI.format(version="3.11")})
    results = results_for(root, "ENV003")
    assert statuses(results) == ["fail"]
    assert "no declared interpreter" in results[0].message.en
    assert "Pipfile [requires]" in results[0].message.en


# -- Jinja templates are templates ------------------------------------------------------------

TEMPLATE = """\
[project]
name = {{ cookiecutter.module_name|tojson }}
requires-python = "~={{ cookiecutter.python_version }}"
dependencies = []
{% if cookiecutter.linting == 'ruff' %}
[tool.ruff]
{% endif %}
"""


def test_env_templated_pyproject_is_not_judged(make_repo: MakeRepo,
                                               results_for: Results) -> None:
    root = make_repo({"{{ cookiecutter.repo_name }}/pyproject.toml": TEMPLATE,
                      "{{ cookiecutter.repo_name }}/tests/test_x.py": "def test_x(): ...\n",
                      "{{ cookiecutter.repo_name }}/src/pkg/__init__.py": "",
                      ".github/workflows/ci.yml": CI.format(version="3.11")})
    project = "{{ cookiecutter.repo_name }}"
    env001 = [r for r in results_for(root, "ENV001") if r.project == project]
    assert statuses(env001) == ["skip"]
    assert "is a Jinja template" in env001[0].message.en
    assert "cannot read" not in env001[0].message.en
    env003 = [r for r in results_for(root, "ENV003") if r.project == project]
    assert statuses(env003) == ["skip"] and "Jinja template" in env003[0].message.en


def test_env_template_markup_in_a_plain_path_counts(make_repo: MakeRepo,
                                                    results_for: Results) -> None:
    # a file outside a templated folder, with Jinja blocks: still a template
    root = make_repo({"pyproject.toml": TEMPLATE, "app.py": ""})
    assert statuses(results_for(root, "ENV001")) == ["skip"]
    # a broken TOML file without markup is still reported as unreadable
    broken = make_repo({"pyproject.toml": "[project\nname = 'x'\n", "app.py": ""})
    results = results_for(broken, "ENV001")
    assert statuses(results) == ["fail"] and "cannot read" in results[0].message.en
