"""Phase 4 CI accuracy: the image build is judged only where there is an image, and the
coverage and matrix fixes are built from the project (its package, requires-python, the
setup action it uses)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result
from mlops_lint.rules.ci.ci004_python_matrix import matrix_versions

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]


def wf(*runs: str, uses: str = "actions/setup-python@v5") -> str:
    steps = "".join(f"      - run: {r}\n" for r in runs)
    return ("on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - uses: actions/checkout@v4\n"
            f"      - uses: {uses}\n        with:\n          python-version: '3.12'\n"
            + steps)


# -- CI009 -------------------------------------------------------------------------------


def test_ci009_not_applicable_in_a_docs_repository_with_template_dockerfiles(
        make_repo: Maker, results_for: Results) -> None:
    docs = {".github/workflows/docs.yml": wf("mkdocs build"),
            "docs/templates/Dockerfile": "FROM python:3.12-slim\n",
            "docs/index.md": "# Guide\n"}
    rows = results_for(make_repo(docs), "CI009")
    assert statuses(rows) == ["skip", "skip"]
    assert rows[0].message.en.startswith("not applicable: nothing in this repository is "
                                         "deployed")
    assert "no image to build" in rows[0].message.en
    assert "docs/templates/Dockerfile" in rows[0].message.en


def test_ci009_not_applicable_without_a_dockerfile_of_its_own(make_repo: Maker,
                                                              results_for: Results) -> None:
    """A managed endpoint deployed with the platform's prebuilt container: deployed, but
    no image of its own to build; DOCK001 carries the missing Dockerfile."""
    files = {".github/workflows/cd.yml": wf("terraform apply -auto-approve"),
             "main.tf": 'resource "aws_sagemaker_endpoint" "e" {\n  name = "e"\n}\n'}
    rows = results_for(make_repo(files), "CI009")
    assert statuses(rows) == ["skip", "skip"]
    assert "no Dockerfile of its own" in rows[0].message.en and rows[0].see == "DOCK001"


def test_ci009_still_fails_when_an_image_exists_and_ci_never_builds_it(
        make_repo: Maker, results_for: Results) -> None:
    files = {".github/workflows/ci.yml": wf("pytest"), "Dockerfile": "FROM python:3.12-slim\n"}
    rows = results_for(make_repo(files), "CI009")
    assert statuses(rows) == ["fail", "fail"]
    assert "never builds the container image" in rows[0].message.en


# -- CI006: the coverage fix names the package ---------------------------------------------


def test_ci006_fix_targets_the_app_folder_and_asks_for_pytest_cov(make_repo: Maker,
                                                                  results_for: Results) -> None:
    files = {".github/workflows/ci.yml": wf("pip install -r requirements-dev.txt", "pytest -q"),
             "requirements-dev.txt": "pytest\nruff\n",
             "app/main.py": "x = 1\n", "app/model.py": "y = 2\n",
             "tests/test_app.py": "def test_a():\n    assert True\n"}
    row = results_for(make_repo(files), "CI006")[0]
    assert row.status.value == "fail"
    assert "--cov=app " in row.fix.en and "src/<pkg>" not in row.fix.en
    assert row.fix.en.startswith("add pytest-cov to the test dependencies")


def test_ci006_fix_targets_the_src_package_and_omits_a_declared_plugin(
        make_repo: Maker, results_for: Results) -> None:
    files = {".github/workflows/ci.yml": wf("pytest"),
             "pyproject.toml": '[project]\nname = "churn"\nversion = "1"\n'
                               '[project.optional-dependencies]\ndev = ["pytest-cov>=5"]\n',
             "src/churn/__init__.py": "", "tests/test_a.py": "def test_a():\n    assert 1\n"}
    row = results_for(make_repo(files), "CI006")[0]
    assert "--cov=churn " in row.fix.en and "add pytest-cov" not in row.fix.en


def test_ci006_fix_keeps_the_placeholder_when_the_package_is_ambiguous(
        make_repo: Maker, results_for: Results) -> None:
    files = {".github/workflows/ci.yml": wf("pytest"), "a/__init__.py": "", "b/__init__.py": "",
             "requirements.txt": "pytest-cov\n"}
    row = results_for(make_repo(files), "CI006")[0]
    assert "--cov=src/<pkg> " in row.fix.en


# -- CI004: the matrix fix follows requires-python and the setup action ------------------------


@pytest.mark.parametrize("spec, versions", [
    (">=3.12", ["3.12", "3.13", "3.14"]),
    (">=3.10,<3.13", ["3.10", "3.11", "3.12"]),
    (">=3.9", ["3.9", "3.13", "3.14"]),
    (None, ["3.10", "3.11", "3.12"]),
    ("==2.7.*", ["3.10", "3.11", "3.12"]),  # nothing known allowed: the default
])
def test_matrix_versions_inside_requires_python(spec: str | None, versions: list[str]) -> None:
    assert matrix_versions(spec) == versions


def test_ci004_fix_uses_requires_python_and_setup_uv(make_repo: Maker,
                                                    results_for: Results) -> None:
    files = {".github/workflows/ci.yml": wf("uv run pytest", uses="astral-sh/setup-uv@v6"),
             "pyproject.toml": '[project]\nname = "p"\nversion = "1"\n'
                               'requires-python = ">=3.12"\n'}
    rows = results_for(make_repo(files), "CI004")
    assert set(statuses(rows)) == {"fail"}
    fix = rows[0].fix.en
    assert "['3.12', '3.13', '3.14']" in fix and "astral-sh/setup-uv" in fix
    assert "3.10" not in fix and "setup-python" not in fix
    assert "requires-python '>=3.12'" in fix


def test_ci004_fix_for_a_one_version_matrix_keeps_setup_python(make_repo: Maker,
                                                              results_for: Results) -> None:
    body = ("on: [push]\njobs:\n  test:\n    runs-on: x\n    strategy:\n      matrix:\n"
            "        python-version: ['3.11']\n    steps:\n"
            "      - uses: actions/setup-python@v5\n        with:\n"
            "          python-version: ${{ matrix.python-version }}\n      - run: pytest\n")
    files = {".github/workflows/ci.yml": body,
             "pyproject.toml": '[project]\nname = "p"\nversion = "1"\n'
                               'requires-python = ">=3.11"\n'}
    rows = results_for(make_repo(files), "CI004")
    level2 = next(r for r in rows if r.level == 2)
    assert level2.status.value == "fail"
    assert "['3.11', '3.13', '3.14']" in level2.fix.en
    assert "actions/setup-python" in level2.fix.en
