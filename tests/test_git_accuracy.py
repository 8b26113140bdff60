"""Accuracy of the git rules on real stacks: .gitignore groups only where their subject
exists (GIT001), pre-commit findings that point at the right hook and name what is wrong
(GIT004), release notes kept as GitHub Releases (GIT006)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import git, statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

PY_IGNORE = "__pycache__/\n*.py[cod]\n.venv/\n.env\n.coverage\nhtmlcov/\n"


# -- GIT001: per-group applicability ----------------------------------------------------------


def test_git001_terraform_module_is_not_applicable(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    root = make_repo({".gitignore": ".terraform/\n*.tfstate\n*.tfvars\n",
                      "main.tf": 'resource "aws_vpc" "this" {}\n', "README.md": "# vpc\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["skip"]
    assert "not applicable" in results[0].message.en
    # without any .gitignore, the absence is still reported
    bare = make_repo({"main.tf": 'resource "aws_vpc" "this" {}\n'})
    assert statuses(results_for(bare, "GIT001")) == ["fail"]


def test_git001_python_without_ml_needs_only_python_groups(make_repo: MakeRepo,
                                                           results_for: Results) -> None:
    root = make_repo({".gitignore": PY_IGNORE, "app/main.py": "import fastapi\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["pass"]
    assert "models" not in results[0].message.en and "MLflow" not in results[0].message.en
    lacking = make_repo({".gitignore": "*.pyc\n", "app/main.py": "import fastapi\n"})
    results = results_for(lacking, "GIT001")
    assert statuses(results) == ["fail"]
    assert results[0].message.en == ("the .gitignore does not cover virtual environments, "
                                     "secrets, coverage reports")


def test_git001_mlflow_group_only_with_mlflow(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    ignore = PY_IGNORE + "data/\nmodels/\n*.pkl\n"
    azure = make_repo({".gitignore": ignore,
                       "train.py": "from azureml.core import Run\nfrom sklearn.linear_model "
                                   "import Ridge\n"})
    results = results_for(azure, "GIT001")
    assert statuses(results) == ["pass"] and "MLflow" not in results[0].message.en
    # declared in a requirements file: MLflow runs land in mlruns/
    declared = make_repo({".gitignore": ignore, "requirements.txt": "mlflow==2.9\n",
                          "train.py": "from sklearn.linear_model import Ridge\n"})
    results = results_for(declared, "GIT001")
    assert statuses(results) == ["fail"] and "MLflow runs" in results[0].message.en
    assert "mlruns/" in results[0].fix.en
    imported = make_repo({".gitignore": ignore, "train.py": "import mlflow.sklearn\n"})
    assert "MLflow runs" in results_for(imported, "GIT001")[0].message.en
    conda = make_repo({".gitignore": ignore, "train.py": "import sklearn\n",
                       "environment.yml": "dependencies:\n  - mlflow-skinny=2.9\n"})
    assert "MLflow runs" in results_for(conda, "GIT001")[0].message.en
    # another package whose name contains mlflow is not MLflow
    other = make_repo({".gitignore": ignore, "requirements.txt": "mlflow-export-import\n",
                       "train.py": "import sklearn\n"})
    assert statuses(results_for(other, "GIT001")) == ["pass"]


def test_git001_small_committed_sample_data_is_advice(make_repo: MakeRepo,
                                                      results_for: Results) -> None:
    ignore = PY_IGNORE + "*.pkl\nmodels/\n"
    sample = "age,bmi,target\n" + "50,24.1,1\n" * 200
    root = make_repo({".gitignore": ignore, "train.py": "import sklearn\n",
                      "data/diabetes.csv": sample, "data/bad_schema.csv": "a,b\n1,2\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["pass"]
    assert "2 committed data file(s)" in results[0].message.en
    assert "small sample data" in results[0].message.en
    # large committed data: the data group is required
    big = make_repo({".gitignore": ignore, "train.py": "import sklearn\n",
                     "data/raw/train.csv": "1,2,3\n" * 400_000})
    results = results_for(big, "GIT001")
    assert statuses(results) == ["fail"] and results[0].message.en.endswith("cover data")
    # ML code and no data in the repository: data will be downloaded, so required
    none = make_repo({".gitignore": ignore, "train.py": "import torch\n"})
    assert "cover data" in results_for(none, "GIT001")[0].message.en


def test_git001_models_need_ml_code_or_models(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    plain = make_repo({".gitignore": PY_IGNORE, "cli.py": "import argparse\n"})
    assert statuses(results_for(plain, "GIT001")) == ["pass"]
    with_model = make_repo({".gitignore": PY_IGNORE, "cli.py": "import argparse\n",
                            "models/model.onnx": "x"})
    results = results_for(with_model, "GIT001")
    assert statuses(results) == ["fail"] and "models" in results[0].message.en
    notebook = make_repo({".gitignore": PY_IGNORE,
                          "eda.ipynb": '{"cells": [{"source": ["import pandas as pd\\n"]}]}'})
    assert "data" in results_for(notebook, "GIT001")[0].message.en


# -- GIT004: the hook the message is about, and a fix for what is wrong -----------------------

FOLDED = """\
repos:
  - repo: https://github.com/psf/black
    rev: 24.1.0
    hooks:
      - id: black
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.10.0
    hooks:
      - id: mypy
        files: >
          ^(svc_a|
            svc_b)/
            (app/.*)$
  - repo: https://github.com/gitleaks/gitleaks
    rev: v8.18.4
    hooks:
      - id: gitleaks
"""


def test_git004_points_at_the_mypy_hook_and_names_the_folded_regex(
        make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({".pre-commit-config.yaml": FOLDED, "svc_a/app/main.py": "x = 1\n"})
    results = results_for(root, "GIT004")
    assert statuses(results) == ["fail"]
    finding = results[0]
    assert finding.line == 9  # "- id: mypy", not the first hook (black, line 5)
    assert "select none of the Python files" in finding.message.en
    assert "\\n" in finding.message.en and "\n" not in finding.message.en
    assert "spans several lines" in finding.fix.en and "(?x)" in finding.fix.en
    # it does not ask for hooks that exist
    assert "add the mirrors-mypy hook" not in finding.fix.en
    assert "secrets hook" not in finding.fix.en
    assert "conventional-pre-commit" in finding.fix.en


def test_git004_one_line_regex_and_missing_hooks(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    one_line = FOLDED.replace(">\n          ^(svc_a|\n            svc_b)/\n            (app/.*)$",
                              "^(svc_a|svc_b)/(app/.*)$")
    root = make_repo({".pre-commit-config.yaml": one_line, "svc_a/app/main.py": "x = 1\n"})
    results = results_for(root, "GIT004")
    # only the commit-message enforcer is missing; it has no hook of its own to point at
    assert statuses(results) == ["fail"]
    assert results[0].message.en.startswith("no commit-message enforcer")
    assert results[0].line == 1
    assert "mypy" not in results[0].fix.en
    # no mypy hook at all: the fix asks for it; a verbose (?x) regex over lines is fine
    verbose = FOLDED.replace("^(svc_a|", "(?x)^(svc_a|")
    root = make_repo({".pre-commit-config.yaml": verbose, "svc_a/app/main.py": "x = 1\n"})
    assert "mypy" not in results_for(root, "GIT004")[0].message.en
    no_mypy = FOLDED.replace("id: mypy", "id: pyupgrade")
    root = make_repo({".pre-commit-config.yaml": no_mypy, "svc_a/app/main.py": "x = 1\n"})
    assert "add the mirrors-mypy hook" in results_for(root, "GIT004")[0].fix.en


def test_git004_no_mypy_demand_without_python(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    config = ("repos:\n  - repo: https://github.com/antonbabenko/pre-commit-terraform\n"
              "    rev: v1.88.0\n    hooks:\n      - id: terraform_fmt\n"
              "  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.18.4\n"
              "    hooks:\n      - id: gitleaks\n")
    root = make_repo({".pre-commit-config.yaml": config, "main.tf": "",
                      ".commitlintrc.json": "{}"})
    results = results_for(root, "GIT004")
    assert statuses(results) == ["pass"] and "mypy" not in results[0].message.en


# -- GIT006: release notes kept as releases count as the changelog ---------------------------

COMMITS = [f"feat: change {i} (#{i})" for i in range(6)]
GH_RELEASE = """\
on:
  push:
    tags: ["v*"]
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: softprops/action-gh-release@v2
        with:
          generate_release_notes: true
"""


def _changelog_result(results: list[Result]) -> Result:
    return next(r for r in results if "CHANGELOG" in r.message.en)


def test_git006_release_workflow_counts_as_the_changelog(make_repo: MakeRepo,
                                                         results_for: Results) -> None:
    root = make_repo({".github/workflows/release.yml": GH_RELEASE}, commits=COMMITS)
    found = _changelog_result(results_for(root, "GIT006"))
    assert found.status.value == "pass"
    assert (found.path, found.line) == (".github/workflows/release.yml", 9)
    assert "published as releases" in found.message.en
    cli = make_repo({".github/workflows/release.yml": GH_RELEASE.replace(
        "      - uses: softprops/action-gh-release@v2\n        with:\n"
        "          generate_release_notes: true\n",
        "      - run: gh release create \"$TAG\" --generate-notes\n")}, commits=COMMITS)
    assert _changelog_result(results_for(cli, "GIT006")).status.value == "pass"
    edit = make_repo({".github/workflows/release.yml": GH_RELEASE.replace(
        "      - uses: softprops/action-gh-release@v2\n        with:\n"
        "          generate_release_notes: true\n",
        "      - run: gh release edit \"$TAG\" --notes-file notes.md\n")}, commits=COMMITS)
    assert _changelog_result(results_for(edit, "GIT006")).status.value == "pass"
    config = make_repo({"release-please-config.json": "{}", "a.py": ""}, commits=COMMITS)
    assert _changelog_result(results_for(config, "GIT006")).status.value == "pass"


def test_git006_documented_release_notes_warn(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    doc = ("# Releasing\n\n1. Tag the release.\n2. Create the release on GitHub.\n\n"
           "The release notes should describe the changes since the previous release.\n")
    root = make_repo({"docs/releasing/README.md": doc}, commits=COMMITS)
    found = _changelog_result(results_for(root, "GIT006"))
    assert found.status.value == "warn"
    assert (found.path, found.line) == ("docs/releasing/README.md", 6)
    # "release notes" in an unrelated document is no release process
    other = make_repo({"docs/usage.md": "See the release notes of scikit-learn.\n"},
                      commits=COMMITS)
    assert _changelog_result(results_for(other, "GIT006")).status.value == "fail"
    # a workflow job merely called "release" (publishing to PyPI) is no release notes
    pypi = make_repo({".github/workflows/pypi.yml": "on: push\njobs:\n  release:\n"
                      "    runs-on: x\n    steps:\n      - run: twine upload dist/*\n"},
                     commits=COMMITS)
    assert _changelog_result(results_for(pypi, "GIT006")).status.value == "fail"


def test_git006_component_prefixed_release_tags(make_repo: MakeRepo,
                                                results_for: Results) -> None:
    root = make_repo({"CHANGELOG.md": "# Changes\n"}, commits=COMMITS)
    git(root, "tag", "vllm-stack-0.1.0")
    tags = next(r for r in results_for(root, "GIT006") if "tag" in r.message.en)
    assert tags.status.value == "pass" and "vllm-stack-0.1.0" in tags.message.en
    other = make_repo({"CHANGELOG.md": "# Changes\n"}, commits=COMMITS)
    git(other, "tag", "release-candidate")
    tags = next(r for r in results_for(other, "GIT006") if "tag" in r.message.en)
    assert tags.status.value == "fail"


# -- GIT003: the linter and formatter of the stack in use -------------------------------------

TF_HOOKS = """\
repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0
    hooks:
      - id: trailing-whitespace
      - id: end-of-file-fixer
      - id: check-yaml
      - id: check-added-large-files
      - id: check-merge-conflict
  - repo: https://github.com/antonbabenko/pre-commit-terraform
    rev: v1.88.0
    hooks:
      - id: terraform_fmt
      - id: terraform_tflint
"""


def test_git003_terraform_linter_and_formatter(make_repo: MakeRepo,
                                               results_for: Results) -> None:
    root = make_repo({".pre-commit-config.yaml": TF_HOOKS, "main.tf": ""})
    assert "pass" in statuses(results_for(root, "GIT003"))
    no_lint = make_repo({".pre-commit-config.yaml": TF_HOOKS.replace(
        "      - id: terraform_tflint\n", ""), "main.tf": ""})
    found = next(r for r in results_for(no_lint, "GIT003") if r.status.value == "fail")
    assert "for the code in the repository" in found.message.en
    assert "ruff" not in found.message.en
    # with Python code, the Python linter and formatter are asked for
    python = make_repo({".pre-commit-config.yaml": TF_HOOKS, "main.tf": "", "app.py": ""})
    found = next(r for r in results_for(python, "GIT003") if r.status.value == "fail")
    assert "ruff + ruff-format" in found.message.en


# -- GIT001: a sub-project's own .gitignore applies to its directory ------------------------

WEB_ROOT_IGNORE = "node_modules/\n.env\n"


def test_git001_subproject_gitignore_covers_its_own_code(make_repo: MakeRepo,
                                                         results_for: Results) -> None:
    root = make_repo({".gitignore": WEB_ROOT_IGNORE, "backend/.gitignore": PY_IGNORE,
                      "backend/app/main.py": "x = 1\n", "backend/pyproject.toml": "[project]\n",
                      "scripts/release.py": "print('x')\n"})  # a helper script, run only
    results = results_for(root, "GIT001")
    assert statuses(results) == ["pass"], [r.message.en for r in results]
    message = results[0].message.en
    assert message.startswith("the .gitignore files (.gitignore, backend/.gitignore) cover "
                              "bytecode, virtual environments, secrets"), message


def test_git001_subproject_gitignore_does_not_cover_other_code(make_repo: MakeRepo,
                                                               results_for: Results) -> None:
    """Edge: code outside the sub-project (a package at the root) is the root's business."""
    root = make_repo({".gitignore": WEB_ROOT_IGNORE, "backend/.gitignore": PY_IGNORE,
                      "backend/app/main.py": "x = 1\n", "lib/util.py": "y = 2\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["fail"]
    message = results[0].message.en
    assert message.startswith("the .gitignore files (.gitignore, backend/.gitignore) do not "
                              "cover bytecode"), message


def test_git001_a_nested_gitignore_does_not_cover_the_root(make_repo: MakeRepo,
                                                           results_for: Results) -> None:
    """The root's paths are not under backend/: its patterns do not apply there."""
    root = make_repo({".gitignore": WEB_ROOT_IGNORE, "backend/.gitignore": PY_IGNORE,
                      "main.py": "x = 1\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["fail"]
    assert "does not cover bytecode" in results[0].message.en


def test_git001_only_subproject_gitignores(make_repo: MakeRepo, results_for: Results) -> None:
    """No root .gitignore, but every piece of code is in a sub-project that has one."""
    root = make_repo({"api/.gitignore": PY_IGNORE, "api/app.py": "x = 1\n",
                      "README.md": "# x\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["pass"], [r.message.en for r in results]
    assert results[0].path == "api/.gitignore"
    assert results[0].message.en.startswith("the .gitignore files (api/.gitignore) cover")


def test_git001_names_the_subproject_gitignore_that_lacks_a_group(
        make_repo: MakeRepo, results_for: Results) -> None:
    """The root's own code needs the patterns too: the root .gitignore lacks them."""
    root = make_repo({".gitignore": "__pycache__/\n.env\n.coverage\nhtmlcov/\n",
                      "api/.gitignore": PY_IGNORE, "api/app.py": "x = 1\n",
                      "main.py": "y = 2\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["fail"]
    message = results[0].message.en
    assert "do not cover virtual environments (lacking in .gitignore)" in message, message
    assert "bytecode" not in message
