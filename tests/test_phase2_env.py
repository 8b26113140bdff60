"""ENV001 versioned dependencies, ENV002 lockfile used by CI, ENV003 Python versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import git, init_git, statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]


def found(results: list[Result]) -> list[tuple[str, str | None, int | None]]:
    return [(r.status.value, r.path, r.line) for r in results]


# -- ENV001 ----------------------------------------------------------------------------------


def test_env001_versioned_pyproject(make_repo: MakeRepo, results_for: Results) -> None:
    text = '[project]\nname = "x"\ndependencies = [\n  "pandas>=2.0",\n  "numpy~=1.26",\n]\n'
    results = results_for(make_repo({"pyproject.toml": text}), "ENV001")
    assert found(results) == [("pass", "pyproject.toml", 3)]
    assert "all 2 entries" in results[0].message.en


def test_env001_bare_names_fail_with_their_line(make_repo: MakeRepo,
                                                results_for: Results) -> None:
    text = '[project]\nname = "x"\ndependencies = [\n  "pandas>=2.0",\n  "numpy",\n  "mlflow",\n]\n'
    results = results_for(make_repo({"pyproject.toml": text}), "ENV001")
    assert found(results) == [("fail", "pyproject.toml", 5)]
    assert "2 of 3 entries have no version specifier: numpy, mlflow" in results[0].message.en
    assert "numpy>=X.Y" in results[0].fix.en


def test_env001_requirements_with_includes_and_constraints(make_repo: MakeRepo,
                                                           results_for: Results) -> None:
    root = make_repo({"requirements.txt": "-r requirements/base.txt\nrequests>=2\n",
                      "requirements/base.txt": "numpy\n# c\npandas==2.1.0\n"})
    results = results_for(root, "ENV001")
    assert found(results) == [("pass", "requirements.txt", 1), ("fail", "requirements/base.txt", 1)]
    constrained = make_repo({"requirements.in": "-c constraints.txt\nnumpy\n"})
    assert statuses(results_for(constrained, "ENV001")) == ["pass"]


def test_env001_poetry_conda_and_dynamic(make_repo: MakeRepo, results_for: Results) -> None:
    poetry = ('[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.10"\n'
              'pandas = "^2.0"\nnumpy = "*"\nlib = {git = "https://x"}\n')
    results = results_for(make_repo({"pyproject.toml": poetry}), "ENV001")
    assert found(results) == [("fail", "pyproject.toml", 6)] and "numpy" in results[0].message.en
    conda = ("name: env\ndependencies:\n  - python=3.11\n  - pip\n  - numpy=1.26\n  - scipy\n"
             "  - pip:\n    - mlflow>=2\n    - evidently\n")
    results = results_for(make_repo({"environment.yml": conda}), "ENV001")
    assert found(results) == [("fail", "environment.yml", 6)]
    assert "2 of 4 entries" in results[0].message.en and "scipy, evidently" in \
        results[0].message.en
    dynamic = ('[project]\nname = "x"\ndynamic = ["dependencies"]\n'
               '[tool.setuptools.dynamic]\ndependencies = {file = ["reqs/run.txt"]}\n')
    results = results_for(make_repo({"pyproject.toml": dynamic, "reqs/run.txt": "numpy>=1\n"}),
                          "ENV001")
    assert found(results) == [("pass", "reqs/run.txt", 1)]


@pytest.mark.parametrize(("files", "expected", "words"), [
    ({"train.py": "import numpy\n"}, "fail", "no runtime dependency declaration"),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = []\n'}, "warn",
     "declares no runtime dependencies"),
    ({"pyproject.toml": "[project\n"}, "fail", "cannot read"),
    ({"environment.yml": "dependencies: [\n"}, "fail", "cannot read"),
])
def test_env001_edge_cases(make_repo: MakeRepo, results_for: Results, files: dict[str, str],
                           expected: str, words: str) -> None:
    results = results_for(make_repo(files), "ENV001")
    assert statuses(results) == [expected] and words in results[0].message.en


def test_env001_conda_files_with_other_names_and_per_service_files(
        make_repo: MakeRepo, results_for: Results) -> None:
    conda = "name: x\ndependencies:\n  - python=3.10\n  - pip:\n    - scikit-learn==1.4\n"
    root = make_repo({"training/conda_dependencies.yml": conda,
                      "environment-gpu.yml": conda.replace("x", "gpu"),
                      "configs/model.yml": "dependencies: {a: 1}\n"})
    results = results_for(root, "ENV001")
    # a conda file at the root under another name is the project's declaration
    assert found(results) == [("pass", "environment-gpu.yml", 1)]
    root = make_repo({"training/conda_dependencies.yml": conda, "README.md": "# x\n",
                      "services/api/requirements.txt": "fastapi==0.110\nuvicorn\n",
                      "docs/requirements.txt": "mkdocs\n"})
    results = results_for(root, "ENV001")
    assert sorted(found(results)) == [("fail", "services/api/requirements.txt", 2),
                                      ("pass", "training/conda_dependencies.yml", 1)]
    # a YAML file with a dependencies: key that is not a package list is not a conda file
    nothing = make_repo({"ci/dependencies.yml": "dependencies: {build: [test]}\n",
                         "main.py": ""})
    assert "neither at the project root nor per service" in \
        results_for(nothing, "ENV001")[0].message.en


def test_env001_sub_folder_package_declaration(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    # no declaration at the root; a sub-folder package (own pyproject.toml, no src/ or
    # tests/) declares the dependencies
    text = "[project]\nname = 'c'\ndependencies = ['boto3>=1.35', 'requests']\n"
    results = results_for(make_repo({"client/pyproject.toml": text, "client/check.py": "",
                                     "infra/main.tf": ""}), "ENV001")
    assert found(results) == [("fail", "client/pyproject.toml", 3)], results
    assert "1 of 2 entries have no version specifier: requests" in results[0].message.en


def test_env002_per_service_lockfiles(make_repo: MakeRepo, results_for: Results) -> None:
    pinned = "# uv pip compile requirements.in -o requirements.txt\nflask==3.0.0\n"
    root = make_repo({"src/email/requirements.in": "flask\n",
                      "src/email/requirements.txt": pinned,
                      ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: x\n"
                      "    steps:\n      - run: pip install -r src/email/requirements.txt\n"})
    results = level2(results_for(root, "ENV002"))
    assert found(results) == [("pass", ".github/workflows/ci.yml", 6)], results
    assert "src/email/requirements.txt" in results[0].message.en


# -- ENV002 ----------------------------------------------------------------------------------

def level2(results: list[Result]) -> list[Result]:
    """ENV002 is reported at level 2 and, as the phase's level-3 gate, again at level 3."""
    return [r for r in results if r.level == 2]


CI = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {run}\n"
PINNED = "# autogenerated by pip-compile\nnumpy==1.26.4\npandas==2.1.0\n"


def test_env002_pinned_requirements_installed_by_ci(make_repo: MakeRepo,
                                                    results_for: Results) -> None:
    root = make_repo({"requirements.txt": PINNED, "requirements.in": "numpy\npandas\n",
                      ".github/workflows/ci.yml": CI.format(run="pip install -r requirements.txt")},
                     commits=["chore: init"])
    results = level2(results_for(root, "ENV002"))
    assert found(results) == [("pass", ".github/workflows/ci.yml", 6)]


@pytest.mark.parametrize(("lock", "run"), [
    ("poetry.lock", "poetry install --no-root"),
    ("uv.lock", "uv sync --frozen"),
    ("pdm.lock", "pdm install"),
    ("Pipfile.lock", "pipenv install --deploy"),
    ("conda-lock.yml", "conda-lock install -n env conda-lock.yml"),
    ("environment-lock.yml", "conda env create -f environment-lock.yml"),
])
def test_env002_lockfile_kinds(make_repo: MakeRepo, results_for: Results, lock: str,
                               run: str) -> None:
    root = make_repo({lock: "x", ".github/workflows/ci.yml": CI.format(run=run)})
    assert statuses(level2(results_for(root, "ENV002"))) == ["pass"]


def test_env002_lock_through_make(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"uv.lock": "x", "Makefile": "install:\n\tuv sync\n",
                      ".github/workflows/ci.yml": CI.format(run="make install")})
    results = level2(results_for(root, "ENV002"))
    assert statuses(results) == ["pass"] and "via make install" in results[0].message.en


def test_env002_failures(make_repo: MakeRepo, results_for: Results) -> None:
    loose = make_repo({"requirements.txt": "numpy==1.0\npandas>=2\n"})
    results = level2(results_for(loose, "ENV002"))
    assert statuses(results) == ["fail"] and "pins only 1/2 entries" in results[0].message.en
    no_ci = level2(results_for(make_repo({"poetry.lock": "x"}), "ENV002"))
    assert "there is no CI" in no_ci[0].message.en
    unused = make_repo({"poetry.lock": "x", ".github/workflows/ci.yml":
                        CI.format(run='pip install -e ".[dev]"')})
    results = level2(results_for(unused, "ENV002"))
    assert statuses(results) == ["fail"] and "no CI install step uses it" in results[0].message.en
    assert results[0].path == "poetry.lock"


def test_env002_ignored_lockfile_fails(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({".gitignore": "poetry.lock\n", "poetry.lock": "x", "a.txt": ""})
    init_git(root)
    results = level2(results_for(root, "ENV002"))
    assert statuses(results) == ["fail"] and "git ignores it" in results[0].message.en
    git(root, "add", "-f", "poetry.lock")
    git(root, "commit", "-q", "-m", "build: lock")
    assert "no CI" in level2(results_for(root, "ENV002"))[0].message.en
    untracked = make_repo({"uv.lock": "x", "a.txt": ""})
    init_git(untracked, add_all=False)
    results = level2(results_for(untracked, "ENV002"))
    assert statuses(results) == ["fail"] and "uv.lock is not committed" in results[0].message.en


def test_env002_root_lock_for_a_project(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"uv.lock": "x", "svc/pyproject.toml": "[project]\nname='svc'\n",
                      "svc/src/svc/__init__.py": "",
                      ".github/workflows/ci.yml": CI.format(run="uv sync")})
    results = level2(results_for(root, "ENV002"))
    assert [(r.project, r.status.value) for r in results] == [("svc", "pass")]


def test_env002_lockfile_of_a_sub_folder_package(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    # a folder with its own pyproject.toml and lockfile, but no src/ or tests/ (so not a
    # project of its own): its lockfile is the repository's lockfile
    ci = ("on: push\njobs:\n  t:\n    runs-on: x\n    defaults:\n      run:\n"
          "        working-directory: client\n    steps:\n      - run: uv sync --no-dev\n")
    files = {"client/pyproject.toml": "[project]\nname = 'c'\ndependencies = ['boto3>=1']\n",
             "client/uv.lock": "x", "client/check.py": "", "infra/main.tf": ""}
    results = level2(results_for(make_repo({**files, ".github/workflows/ci.yml": ci}), "ENV002"))
    assert found(results) == [("pass", ".github/workflows/ci.yml", 9)], results
    assert "client/uv.lock is committed and CI installs from it" in results[0].message.en
    # a lockfile under docs/ or examples/ is not the project's own
    results = level2(results_for(make_repo({"examples/demo/pyproject.toml": "[project]\nname='d'\n",
                                     "examples/demo/uv.lock": "x", "main.py": ""}), "ENV002"))
    assert statuses(results) == ["fail"] and "no lockfile" in results[0].message.en


# -- ENV003 ----------------------------------------------------------------------------------

MATRIX = """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: {versions}
        include:
          - python-version: "3.12"
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{{{ matrix.python-version }}}}
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
"""
REQUIRES = '[project]\nname = "x"\nrequires-python = ">=3.10"\n'


def test_env003_consistent(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": REQUIRES, ".python-version": "3.11.7\n",
                      "Dockerfile": "FROM python:3.11-slim\n",
                      ".github/workflows/ci.yml": MATRIX.format(versions='["3.10", "3.11"]')})
    results = results_for(root, "ENV003")
    assert found(results) == [("pass", "pyproject.toml", 3)]
    assert "3.10, 3.11, 3.11.7, 3.12" in results[0].message.en


def test_env003_guide_template_bug(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": REQUIRES,
                      ".github/workflows/ci.yml": MATRIX.format(versions="[3.9, 3.10]"),
                      "docker/Dockerfile": "FROM python:3.8-slim AS base\nFROM base\n"})
    results = results_for(root, "ENV003")
    bad = sorted((r.path or "", r.message.en.split(",")[0]) for r in results)
    assert bad == [(".github/workflows/ci.yml", "CI matrix (test) uses Python 3.1"),
                   (".github/workflows/ci.yml", "CI matrix (test) uses Python 3.9"),
                   ("docker/Dockerfile", "Dockerfile FROM uses Python 3.8")]
    assert any("unquoted 3.10 in YAML is read as 3.1" in r.message.en for r in results)


def test_env003_poetry_conda_and_skips(make_repo: MakeRepo, results_for: Results) -> None:
    poetry = '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.10"\n'
    root = make_repo({"pyproject.toml": poetry, "environment.yml":
                      "dependencies:\n  - python=3.9\n"})
    results = results_for(root, "ENV003")
    assert found(results) == [("fail", "environment.yml", 2)]
    assert statuses(results_for(make_repo({"pyproject.toml": REQUIRES}), "ENV003")) == ["skip"]
    # .python-version alone declares the interpreter: nothing contradicts it
    declared = results_for(make_repo({".python-version": "3.11\n"}), "ENV003")
    assert found(declared) == [("pass", ".python-version", 1)]
    assert "declared by .python-version (3.11)" in declared[0].message.en
    no_requires = results_for(make_repo({
        ".github/workflows/ci.yml": MATRIX.format(versions='["3.11"]')}), "ENV003")
    assert statuses(no_requires) == ["fail"]
    assert "no declared interpreter" in no_requires[0].message.en
    odd = make_repo({"pyproject.toml": '[project]\nrequires-python = "py3"\n',
                     ".python-version": "3.11\n"})
    assert statuses(results_for(odd, "ENV003")) == ["warn"]


def test_env002_is_the_level_3_gate(make_repo: MakeRepo, results_for: Results) -> None:
    # levels.md, phase 2: level 3 is "locked dependencies actually used"
    used = make_repo({"poetry.lock": "x", ".github/workflows/ci.yml":
                      CI.format(run="poetry install --no-root")})
    unused = make_repo({"poetry.lock": "x"})
    for root, status in ((used, "pass"), (unused, "fail")):
        by_level = {r.level: r for r in results_for(root, "ENV002")}
        assert sorted(by_level) == [2, 3]
        assert by_level[3].gate and not by_level[2].gate
        assert by_level[2].status.value == by_level[3].status.value == status
