"""CI001-CI012: workflows, other CI systems, the job graph, matrices, caching, the coverage
gate, blocking gates, security scans, image delivery, hardening and well-formed scripts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

Runner = Callable[..., list[Result]]
Maker = Callable[..., Path]

PYPROJECT = """\
[project]
name = "pkg"
version = "0.1.0"
requires-python = ">=3.10"
"""

LINT_TEST_BUILD = """\
name: CI
on:
  push:
    branches: [main]
  pull_request:
    branches: [main]
permissions:
  contents: read
concurrency:
  group: ci-${{ github.ref }}
  cancel-in-progress: true
jobs:
  lint:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
      - run: pip install ruff
      - run: ruff check .
  test:
    needs: lint
    runs-on: ubuntu-latest
    timeout-minutes: 15
    strategy:
      fail-fast: false
      matrix:
        python-version: ["3.10", "3.11", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
          cache: pip
      - run: pip install -e ".[dev]"
      - run: pytest --cov=src --cov-fail-under=85 --cov-report=xml
      - uses: codecov/codecov-action@v4
  build:
    needs: test
    runs-on: ubuntu-latest
    timeout-minutes: 20
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v5
        with:
          context: .
          load: true
          tags: app:test
          cache-from: type=gha
          cache-to: type=gha,mode=max
      - run: docker run --rm app:test python -c "import app"
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: ghcr.io/${{ github.repository }}
          tags: |
            type=sha
            type=semver,pattern={{version}}
      - uses: docker/build-push-action@v5
        if: github.ref == 'refs/heads/main'
        with:
          push: true
          tags: ${{ steps.meta.outputs.tags }}
          cache-from: type=gha
  deploy:
    needs: build
    runs-on: ubuntu-latest
    timeout-minutes: 10
    environment: production
    if: github.ref == 'refs/heads/main'
    steps:
      - run: kubectl apply -f k8s/
"""

# HEAD's docs/templates/ci.yml pytest step, byte for byte (comments after the backslashes)
TPL_PYTEST_STEP = """\
      - name: 🧪 Run tests with coverage
        run: |
          pytest tests/ -v \\
            --cov=src \\                # Mide coverage de src/
            --cov-report=xml \\         # Reporte XML para Codecov
            --cov-report=html \\        # Reporte HTML navegable
            --cov-fail-under=70 \\      # Falla si coverage < 70%
            -n auto                    # -n auto: usa todos los CPUs disponibles
"""


def workflow(body: str, **extra: str) -> dict[str, str]:
    return {".github/workflows/ci.yml": body, "pyproject.toml": PYPROJECT, **extra}


def simple(*steps: str, on: str = "[push, pull_request]", job: str = "") -> str:
    lines = [f"on: {on}", "jobs:", "  ci:", "    runs-on: ubuntu-latest", job + "    steps:"]
    lines += [f"      - run: {s}" for s in steps]
    return "\n".join(lines) + "\n"


def worst(results: list[Result], level: int | None = None) -> str:
    found = statuses(results, level)
    for status in ("error", "fail", "warn", "pass", "waived", "manual", "skip"):
        if status in found:
            return status
    return "absent"


def messages(results: list[Result], level: int | None = None) -> str:
    return " | ".join(r.message.en for r in results if level is None or r.level == level)


@pytest.fixture
def check(make_repo: Maker, results_for: Runner) -> Callable[..., list[Result]]:
    def go(files: dict[str, str], rule: str) -> list[Result]:
        return results_for(make_repo(files), rule)

    return go


Check = Callable[..., list[Result]]


# -- the full pipeline passes everything ----------------------------------------------


@pytest.mark.parametrize("rule", ["CI001", "CI002", "CI003", "CI004", "CI005", "CI006",
                                  "CI007", "CI009", "CI010", "CI011"])
def test_complete_pipeline_passes(check: Check, rule: str) -> None:
    results = check(workflow(LINT_TEST_BUILD), rule)
    assert worst(results) == "pass", messages(results)


# -- CI001 ----------------------------------------------------------------------------


def test_ci001_no_ci_fails_and_every_ci_rule_says_so(check: Check) -> None:
    files = {"pyproject.toml": PYPROJECT}
    for rule in ("CI001", "CI002", "CI003", "CI006", "CI007", "CI008", "CI011"):
        assert worst(check(files, rule)) == "fail", rule
    assert worst(check(files, "CI012")) == "skip"


def test_ci001_push_only_warns_and_tags_only_push_is_not_a_branch_push(check: Check) -> None:
    assert worst(check(workflow(simple("pytest", on="push")), "CI001")) == "warn"
    tags_only = "\n  push:\n    tags: ['v*']\n  pull_request:\n"
    results = check(workflow(simple("pytest", on=tags_only)), "CI001")
    assert worst(results) == "warn"
    assert "not on push" in messages(results)


def test_ci001_schedule_only_fails_and_filters_are_recommended(check: Check) -> None:
    results = check(workflow(simple("pytest", on="{schedule: [{cron: '0 0 * * *'}]}")),
                    "CI001")
    assert worst(results) == "fail"
    assert "schedule" in messages(results)
    results = check(workflow(simple("pytest")), "CI001")
    assert worst(results) == "pass"
    assert "branch filters are recommended" in messages(results)


def test_ci001_broken_workflow_fails_with_its_line(check: Check) -> None:
    files = workflow(LINT_TEST_BUILD, **{".github/workflows/bad.yml": "on: push\njobs: [\n"})
    results = check(files, "CI001")
    bad = [r for r in results if r.path == ".github/workflows/bad.yml"]
    assert bad and bad[0].status.value == "fail" and bad[0].line is not None
    assert worst(check(files, "CI011")) == "fail"


@pytest.mark.parametrize("path,text", [
    (".gitlab-ci.yml", "test:\n  script:\n    - pytest\n"),
    ("azure-pipelines.yml", "steps:\n  - script: pytest\n"),
    ("Jenkinsfile", "pipeline { stages { stage('t') { steps { sh 'pytest' } } } }\n"),
])
def test_ci001_other_ci_systems_pass_and_github_only_rules_skip(check: Check, path: str,
                                                                text: str) -> None:
    files = {path: text, "pyproject.toml": PYPROJECT}
    assert worst(check(files, "CI001")) == "pass"
    for rule in ("CI003", "CI004", "CI005", "CI009", "CI010"):
        results = check(files, rule)
        assert worst(results) == "skip", rule
        assert "GitHub Actions concept" in messages(results)


# -- CI002 ----------------------------------------------------------------------------


def test_ci002_needs_tests_and_a_real_lint_check(check: Check) -> None:
    assert worst(check(workflow(simple("python -m pytest", "ruff check .")), "CI002")) == "pass"
    results = check(workflow(simple("pytest", "black .")), "CI002")
    assert worst(results) == "fail"  # black without --check rewrites and never fails
    assert "lint/format check" in messages(results)
    results = check(workflow(simple("ruff format --check .")), "CI002")
    assert "runs the tests" in messages(results)


def test_ci002_follows_make_and_pre_commit(check: Check) -> None:
    makefile = "test:\n\tpoetry run pytest -q\nlint:\n\truff check src\n"
    files = workflow(simple("make lint test"), Makefile=makefile)
    assert worst(check(files, "CI002")) == "pass"
    precommit = ("repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
                 "    rev: v0.4.0\n    hooks:\n      - id: ruff\n")
    files = workflow(simple("pre-commit run --all-files", "tox"),
                     **{".pre-commit-config.yaml": precommit})
    assert worst(check(files, "CI002")) == "pass"
    # `make test` with no such target runs nothing
    assert worst(check(workflow(simple("make test", "flake8")), "CI002")) == "fail"


def test_ci002_follows_repository_shell_scripts(check: Check) -> None:
    script = "#!/usr/bin/env bash\nset -e\ncoverage run -m pytest tests/\ncoverage report\n"
    files = workflow(simple("bash scripts/test.sh", "ruff check ."),
                     **{"scripts/test.sh": script})
    assert worst(check(files, "CI002")) == "pass"
    assert "via scripts/test.sh" in messages(check(files, "CI002"))
    # ./x.sh and sh x.sh are scripts too; a nested script call is followed
    nested = {"scripts/ci.sh": "set -e\nsh scripts/unit.sh\n",
              "scripts/unit.sh": "set -e\npytest -q\n"}
    files = workflow(simple("./scripts/ci.sh", "flake8"), **nested)
    assert worst(check(files, "CI002")) == "pass"
    # a script that is not in the repository, or lies outside it, runs nothing known
    assert worst(check(workflow(simple("bash scripts/missing.sh", "flake8")),
                       "CI002")) == "fail"
    assert worst(check(workflow(simple("bash ../outside.sh", "flake8")), "CI002")) == "fail"


DOCS_DEPLOY = """\
on:
  push:
    branches: [main]
jobs:
  build-docs:
    runs-on: ubuntu-latest
    steps:
      - run: pip install mkdocs
      - run: mkdocs gh-deploy --force
"""


def test_ci002_judges_the_repository_ci_not_the_docs_workflow(check: Check) -> None:
    ci = "on: [pull_request]\njobs:\n  pkg:\n    runs-on: x\n    steps:\n" \
         "      - run: python -m build\n"
    files = {".github/workflows/a-docs.yml": DOCS_DEPLOY, ".github/workflows/ci.yml": ci,
             "pyproject.toml": PYPROJECT}
    results = check(files, "CI002")
    assert worst(results) == "fail"
    # the finding is about the CI as a whole, placed in a workflow that is not the docs deploy
    assert results[0].path == ".github/workflows/ci.yml", results[0].path
    assert "across all CI workflows (a-docs.yml, ci.yml)" in messages(results), messages(results)


def test_ci002_follows_a_submitted_job_entrypoint(check: Check) -> None:
    job = "name: workloads\nentrypoint: bash deploy/run.sh\n"
    run = "#!/bin/bash\npytest tests/code --verbose\n"
    files = workflow(simple("anyscale jobs submit deploy/job.yaml --wait"),
                     **{"deploy/job.yaml": job, "deploy/run.sh": run})
    results = check(files, "CI002")
    text = messages(results)
    assert worst(results) == "fail" and "runs the tests" not in text, text
    assert "lint/format check" in text
    ray = workflow(simple("ray job submit --address http://h:8265 -- python -m pytest -q",
                          "ruff check ."))
    assert worst(check(ray, "CI002")) == "pass"


def test_ci007_a_script_without_set_e_blocks_only_on_its_last_command(check: Check) -> None:
    script = "pytest -q\necho done\n"  # pytest's failure is lost: echo decides
    files = workflow(simple("bash scripts/test.sh", "ruff check ."),
                     **{"scripts/test.sh": script})
    results = check(files, "CI007")
    assert worst(results) == "fail" and "has no set -e" in messages(results)
    files = workflow(simple("bash scripts/test.sh", "ruff check ."),
                     **{"scripts/test.sh": "echo start\npytest -q\n"})
    assert worst(check(files, "CI007")) != "fail"


def test_ci002_reads_gitlab_and_jenkins_commands(check: Check) -> None:
    gitlab = "lint:\n  script: [flake8 src]\ntest:\n  script:\n    - pytest -q\n"
    assert worst(check({".gitlab-ci.yml": gitlab}, "CI002")) == "pass"
    jenkins = ('pipeline {\n  steps {\n    sh """\n      pytest\n    """\n'
               '    sh "isort --check-only ."\n  }\n}\n')
    assert worst(check({"Jenkinsfile": jenkins}, "CI002")) == "pass"


# -- CI003 ----------------------------------------------------------------------------


def test_ci003_lint_and_test_in_one_job_fails(check: Check) -> None:
    results = check(workflow(simple("ruff check .", "pytest", "docker build -t x .")), "CI003")
    assert worst(results) == "fail"
    assert "same job" in messages(results)


def test_ci003_unordered_jobs_and_missing_build(check: Check) -> None:
    body = LINT_TEST_BUILD.replace("    needs: lint\n", "").replace("    needs: test\n", "")
    results = check(workflow(body), "CI003")
    assert worst(results) == "fail"
    assert "does not need the lint job" in messages(results)
    assert "does not need the test job" in messages(results)
    results = check(workflow(simple("ruff check .")), "CI003")
    assert "no test job" in messages(results) and "no build/docker job" in messages(results)


def test_ci003_workflow_run_chain_orders_the_build(check: Check) -> None:
    ci = ("name: CI\non: [push, pull_request]\njobs:\n  lint:\n    runs-on: x\n    steps:\n"
          "      - run: ruff check .\n  test:\n    needs: lint\n    runs-on: x\n    steps:\n"
          "      - run: pytest\n")
    docker = ("on:\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\njobs:\n"
              "  image:\n    runs-on: x\n    steps:\n      - run: docker build -t app .\n")
    files = workflow(ci, **{".github/workflows/docker.yml": docker})
    assert worst(check(files, "CI003")) == "pass"


# -- CI004 ----------------------------------------------------------------------------


def matrix_job(values: str, extra: str = "") -> str:
    return ("on: [push, pull_request]\njobs:\n  test:\n    runs-on: x\n    strategy:\n"
            f"{extra}      matrix:\n        python-version: {values}\n    steps:\n"
            "      - uses: actions/setup-python@v5\n        with:\n"
            "          python-version: ${{ matrix.python-version }}\n      - run: pytest\n")


def test_ci004_versions_outside_requires_python_do_not_count(check: Check) -> None:
    results = check(workflow(matrix_job("['3.9', '3.10', '3.11']")), "CI004")
    assert worst(results, 2) == "pass"
    assert worst(results, 3) == "fail"
    assert "3.9 is outside requires-python" in messages(results, 3)


def test_ci004_unquoted_310_is_the_number_31(check: Check) -> None:
    results = check(workflow(matrix_job("[3.10, 3.11]")), "CI004")
    assert worst(results, 2) == "fail"
    assert "3.10 unquoted is the number 3.1" in messages(results, 2)


def test_ci004_include_counts_and_fail_fast_false_reaches_level_3(check: Check) -> None:
    body = matrix_job("['3.10']", "      fail-fast: false\n").replace(
        "        python-version: ['3.10']\n",
        "        python-version: ['3.10']\n        include:\n"
        "          - python-version: '3.11'\n          - python-version: '3.12'\n")
    results = check(workflow(body), "CI004")
    assert worst(results) == "pass", messages(results)


def test_ci004_dynamic_matrix_warns_and_no_matrix_fails(check: Check) -> None:
    body = matrix_job("${{ fromJSON(needs.setup.outputs.versions) }}")
    assert worst(check(workflow(body), "CI004")) == "warn"
    assert worst(check(workflow(simple("pytest")), "CI004")) == "fail"


# -- CI005 ----------------------------------------------------------------------------


def cache_job(step: str) -> str:
    return ("on: [push, pull_request]\njobs:\n  test:\n    runs-on: x\n    steps:\n"
            f"{step}      - run: pip install -r requirements.txt\n")


def test_ci005_cache_variants(check: Check) -> None:
    keyed = ("      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pip\n"
             "          key: pip-${{ hashFiles('**/requirements*.txt') }}\n")
    assert worst(check(workflow(cache_job(keyed)), "CI005")) == "pass"
    uv = "      - uses: astral-sh/setup-uv@v6\n"
    assert worst(check(workflow(cache_job(uv)), "CI005")) == "pass"
    stale = ("      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pip\n"
             "          key: pip-cache\n")
    results = check(workflow(cache_job(stale)), "CI005")
    assert worst(results) == "warn" and "does not hash" in messages(results)
    assert worst(check(workflow(cache_job("")), "CI005")) == "fail"
    assert worst(check(workflow(simple("echo hi")), "CI005")) == "skip"


# -- CI006 ----------------------------------------------------------------------------


def test_ci006_threshold_from_the_configuration_the_run_reads(check: Check) -> None:
    pyproject = PYPROJECT + "[tool.coverage.report]\nfail_under = 80\n"
    results = check({**workflow(simple("pytest --cov=src")), "pyproject.toml": pyproject},
                    "CI006")
    assert worst(results, 1) == "pass"
    assert worst(results, 2) == "fail"  # no upload
    assert "not uploaded" in messages(results, 2)
    assert worst(results, 3) == "fail"


def test_ci006_non_blocking_gate_does_not_count(check: Check) -> None:
    results = check(workflow(simple("pytest --cov=src --cov-fail-under=90 || true")), "CI006")
    assert worst(results) == "fail"
    assert "not blocking" in messages(results)
    results = check(workflow(simple("pytest")), "CI006")
    assert "no CI test run enforces" in messages(results)


def test_ci006_follows_make_and_monorepo_working_directory(check: Check) -> None:
    files = workflow(simple("make cov"), Makefile="cov:\n\tpytest --cov=src --cov-fail-under=72\n")
    assert worst(check(files, "CI006"), 1) == "pass"
    mono = ("on: [push, pull_request]\njobs:\n  t:\n    runs-on: x\n    steps:\n"
            "      - run: pytest --cov\n        working-directory: proj\n"
            "      - uses: actions/upload-artifact@v4\n        with:\n"
            "          path: proj/coverage.xml\n")
    files = {".github/workflows/ci.yml": mono,
             "proj/pyproject.toml": PYPROJECT + "[tool.pytest.ini_options]\n"
                                               "addopts = \"--cov-fail-under=81\"\n",
             "proj/src/p/__init__.py": "", "other/pyproject.toml": PYPROJECT,
             "other/tests/test_x.py": ""}
    results = check(files, "CI006")
    assert worst(results, 2) == "pass", messages(results)
    assert worst(results, 3) == "fail"


# -- CI007 ----------------------------------------------------------------------------


@pytest.mark.parametrize("step,reason", [
    ("flake8 src || true", "swallows its failure"),
    ("ruff check --exit-zero .", "--exit-zero"),
    ("pytest -q | tee pytest.log", "piped into tee"),
    ("set +e\n          pytest", "swallows"),
])
def test_ci007_non_blocking_core_gates_fail_level_2(check: Check, step: str,
                                                    reason: str) -> None:
    body = simple("pytest -q", "ruff check .").replace("- run: pytest -q", "- run: |\n"
                                                       f"          {step}")
    results = check(workflow(body), "CI007")
    assert worst(results, 2) == "fail", messages(results)
    assert reason in messages(results, 2)
    assert next(r.line for r in results if r.status.value == "fail") is not None


def test_ci007_pipefail_shells_keep_the_gate(check: Check) -> None:
    body = ("on: [push, pull_request]\njobs:\n  t:\n    runs-on: x\n    steps:\n"
            "      - run: pytest | tee log\n        shell: bash\n      - run: ruff check .\n")
    assert worst(check(workflow(body), "CI007")) == "pass"
    gitlab = "test:\n  script:\n    - pytest | tee log\n    - flake8\n"
    assert worst(check({".gitlab-ci.yml": gitlab}, "CI007")) == "pass"


def test_ci007_mypy_and_audits_non_blocking_only_fail_level_3(check: Check) -> None:
    body = ("on: [push, pull_request]\njobs:\n  t:\n    runs-on: x\n    steps:\n"
            "      - run: ruff check .\n      - run: pytest\n"
            "      - run: mypy src\n        continue-on-error: true\n"
            "      - run: pip-audit\n        continue-on-error: true\n"
            "      - uses: aquasecurity/trivy-action@0.20.0\n        with:\n"
            "          image-ref: app\n")
    results = check(workflow(body), "CI007")
    assert worst(results, 2) == "pass"
    assert worst(results, 3) == "fail"
    text = messages(results, 3)
    assert "mypy" in text and "pip-audit" in text and "exit-code is 0" in text


def test_ci007_allow_failure_make_dash_and_nothing_to_gate(check: Check) -> None:
    gitlab = "test:\n  script: [pytest]\n  allow_failure: true\nlint:\n  script: [flake8]\n"
    results = check({".gitlab-ci.yml": gitlab}, "CI007")
    assert worst(results, 2) == "fail" and "allow_failure" in messages(results)
    files = workflow(simple("make test", "ruff check ."), Makefile="test:\n\t-pytest\n")
    results = check(files, "CI007")
    assert worst(results, 2) == "fail" and "starts with '-'" in messages(results)
    assert worst(check(workflow(simple("echo build")), "CI007")) == "fail"


# -- CI008 ----------------------------------------------------------------------------


def security_job(checkout: str) -> str:
    return ("on: [push, pull_request]\njobs:\n  security:\n    runs-on: x\n    steps:\n"
            f"      - uses: actions/checkout@v4\n{checkout}"
            "      - uses: gitleaks/gitleaks-action@v2\n"
            "      - run: bandit -r src\n      - run: pip-audit\n")


def test_ci008_levels_and_full_history_for_gitleaks(check: Check) -> None:
    results = check(workflow(security_job("")), "CI008")
    assert worst(results, 2) == "pass"
    assert worst(results, 3) == "fail"
    assert "fetch-depth: 0" in messages(results, 3)
    full = security_job("").replace("actions/checkout@v4\n", "actions/checkout@v4\n"
                                    "        with:\n          fetch-depth: 0\n")
    assert worst(check(workflow(full), "CI008")) == "pass"


def test_ci008_codeql_only_and_pre_commit_gitleaks(check: Check) -> None:
    codeql = ("on: [push, pull_request]\njobs:\n  a:\n    runs-on: x\n    steps:\n"
              "      - uses: github/codeql-action/init@v3\n"
              "      - uses: github/codeql-action/analyze@v3\n")
    results = check(workflow(codeql), "CI008")
    assert worst(results, 2) == "pass"
    assert "missing secret scanning" in messages(results, 3)
    precommit = ("repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.18.1\n"
                 "    hooks:\n      - id: gitleaks\n")
    files = workflow(simple("pre-commit run --all-files", "bandit -r src", "safety check"),
                     **{".pre-commit-config.yaml": precommit})
    assert worst(check(files, "CI008")) == "pass"  # the hook scans the tree: no history


# -- CI009 ----------------------------------------------------------------------------


def test_ci009_build_problems(check: Check) -> None:
    body = ("on: [push, pull_request]\njobs:\n  build:\n    runs-on: x\n    steps:\n"
            "      - uses: docker/build-push-action@v5\n        with:\n          push: true\n")
    results = check(workflow(body), "CI009")
    text = messages(results, 2)
    assert worst(results, 2) == "fail"
    assert "after the tests" in text and "layer cache" in text and "smoke test" in text
    text3 = messages(results, 3)
    assert "not limited to main" in text3 and "SHA/semver" in text3
    image = {"Dockerfile": "FROM python:3.12-slim\n"}
    assert worst(check(workflow(simple("pytest"), **image), "CI009")) == "fail"


def test_ci009_docker_cli_build_in_the_test_job(check: Check) -> None:
    body = simple("pytest", "docker build --cache-from app:latest -t app .",
                  "docker run --rm app python -c 'import app'")
    results = check(workflow(body), "CI009")
    assert worst(results, 2) == "pass", messages(results)
    assert "never pushes" in messages(results, 3)


E2E_KIND = """\
on:
  workflow_dispatch:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  build-and-push:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
      - run: docker run -d --name kind-registry -p 5001:5000 registry:2
      - run: |
          docker build --cache-from app -t localhost:5001/app:test .
          docker push localhost:5001/app:test
  deploy-e2e:
    needs: build-and-push
    runs-on: ubuntu-latest
    steps:
      - uses: helm/kind-action@v1.10.0
      - run: kubectl apply -f k8s/
      - run: kubectl rollout status deploy/app
"""


def test_ci009_throwaway_registry_and_kind_cluster_are_not_a_release(check: Check) -> None:
    results = check(workflow(E2E_KIND), "CI009")
    text3 = messages(results, 3)
    # no main-only/semver/environment demands on an end-to-end test's local push and deploy
    assert "not limited to main" not in text3 and "SHA/semver" not in text3, text3
    assert "environment" not in text3, text3
    # and no release push exists: said as such, naming the throwaway registry
    assert worst(results, 3) == "fail"
    assert "throwaway" in text3 and "localhost:5001" in text3, text3
    # a real registry push next to it is still judged as a release
    real = E2E_KIND + """\
  release:
    runs-on: ubuntu-latest
    steps:
      - run: |
          docker build -t ghcr.io/org/app:latest .
          docker push ghcr.io/org/app:latest
      - run: kubectl apply -f k8s/
"""
    text3 = messages(check(workflow(real), "CI009"), 3)
    assert "not limited to main" in text3 and "release has no 'environment:'" in text3, text3
    assert "deploy job deploy-e2e" not in text3, text3
    assert "throwaway cluster: deploy-e2e (helm/kind-action)" in text3, text3


# -- CI010 ----------------------------------------------------------------------------


def test_ci010_findings_per_workflow(check: Check) -> None:
    results = check(workflow(simple("pytest")), "CI010")
    text = messages(results)
    assert worst(results) == "fail"
    assert "timeout-minutes" in text and "concurrency" in text and "permissions" in text
    release = ("on:\n  release:\n    types: [published]\npermissions:\n  contents: read\n"
               "jobs:\n  publish:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n"
               "      - run: echo\n  call:\n    uses: ./.github/workflows/reuse.yml\n")
    files = workflow(LINT_TEST_BUILD, **{".github/workflows/release.yml": release})
    assert worst(check(files, "CI010")) == "pass"  # no concurrency needed; reusable call exempt


def test_ci010_top_level_write_and_string_concurrency(check: Check) -> None:
    body = LINT_TEST_BUILD.replace("permissions:\n  contents: read\nconcurrency:\n"
                                   "  group: ci-${{ github.ref }}\n  cancel-in-progress: true\n",
                                   "permissions: write-all\nconcurrency: ci\n")
    text = messages(check(workflow(body), "CI010"))
    assert "write-all" in text and "cancel-in-progress" in text


# -- CI011 ----------------------------------------------------------------------------


def test_ci011_head_template_regression(check: Check, make_repo: Maker,
                                        results_for: Runner) -> None:
    body = ("on: [push, pull_request]\njobs:\n  test:\n    runs-on: x\n    steps:\n"
            + TPL_PYTEST_STEP +
            "      - uses: codecov/codecov-action@v3\n"
            "      - uses: actions/upload-artifact@v3\n")
    results = check(workflow(body), "CI011")
    failing = {r.line: r.message.en for r in results if r.status.value == "fail"}
    assert sorted(line for line, m in failing.items() if "SC1101" in m) == [9, 10, 11, 12]
    assert any("upload-artifact@v3 is retired" in m for m in failing.values())
    assert any("codecov-action@v3 is deprecated" in m for m in failing.values())


def test_ci011_floating_and_sha_pins(check: Check) -> None:
    sha = "a" * 40
    body = ("on: [push, pull_request]\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            "      - uses: aquasecurity/trivy-action@master\n"
            f"      - uses: actions/checkout@{sha} # v3\n"
            f"      - uses: actions/setup-python@{sha} # v5.1.0\n"
            "      - uses: ./.github/actions/local\n      - uses: docker://alpine:3.19\n")
    results = check(workflow(body), "CI011")
    text = messages(results)
    assert "trivy-action@master is a floating ref" in text
    assert "checkout@v3 is deprecated" in text
    assert "setup-python" not in text


def test_ci011_clean_and_other_ci_scripts(check: Check) -> None:
    results = check(workflow(LINT_TEST_BUILD), "CI011")
    assert worst(results) == "pass" and "pinned by tag" in messages(results)
    gitlab = "test:\n  script:\n    - |\n      pytest \\  \n        -q\n"
    results = check({".gitlab-ci.yml": gitlab}, "CI011")
    assert worst(results) == "fail" and "SC1101" in messages(results)


# -- CI012 ----------------------------------------------------------------------------


def test_ci012_is_manual_and_never_scored(check: Check) -> None:
    results = check(workflow(LINT_TEST_BUILD), "CI012")
    assert statuses(results) == ["manual"]
    assert all(r.weight == 0 for r in results)


# -- how commands are recognised ------------------------------------------------------


@pytest.mark.parametrize("command,spec,blocking,why", [
    ("tox -e py311", "TESTS", True, None),
    ("tox -e lint", "LINT", True, None),
    ("nox --session=format", "LINT", True, None),
    ("hatch test", "TESTS", True, None),
    ("coverage run -m pytest", "TESTS", True, None),
    ("python -m unittest discover", "TESTS", True, None),
    ("isort --check-only .", "LINT", True, None),
    ("pylint --exit-zero src", "LINT", False, "--exit-zero"),
    ("dmypy run -- src", "TYPECHECK", True, None),
    ("bandit --exit-zero -r src", "BANDIT", False, "--exit-zero"),
    ("semgrep scan --config auto", "SEMGREP", False, "semgrep scan exits 0"),
    ("semgrep ci", "SEMGREP", True, None),
    ("safety check --continue-on-error", "SAFETY", False, "--continue-on-error"),
    ("detect-secrets scan > .secrets.baseline", "DETECT_SECRETS", False, "baseline"),
    ("git secrets --scan", "OTHER_SECRETS", True, None),
    ("trivy fs --exit-code 1 .", "DEP_SCANNERS", True, None),
    ("osv-scanner -r .", "DEP_SCANNERS", True, None),
    ("grype dir:. --fail-on high", "DEP_SCANNERS", True, None),
    ("trivy image --exit-code 0 app", "IMAGE_SCAN", False, "--exit-code 0"),
    ("trivy image app", "IMAGE_SCAN", False, "no --exit-code"),
    ("grype app:latest", "IMAGE_SCAN", False, "no --fail-on"),
    ("docker scout cves app", "IMAGE_SCAN", True, None),
    ("snyk container test app", "IMAGE_SCAN", True, None),
    ("coverage report --fail-under=80", "COVERAGE_REPORT", True, None),
    ("codecov -f coverage.xml", "COVERAGE_UPLOAD", True, None),
])
def test_tools_and_exit_codes(make_repo: Maker, command: str, spec: str, blocking: bool,
                              why: str | None) -> None:
    from mlops_lint.readers import ci_tools
    from mlops_lint.readers.ci_runs import ci_runs
    from mlops_lint.repo import Repo

    repo = Repo(make_repo(workflow(simple(command))))
    runs = ci_runs(repo, getattr(ci_tools, spec))
    assert len(runs) == 1, [r.text for r in runs]
    assert runs[0].blocking is blocking
    if why:
        assert runs[0].reason is not None and why in runs[0].reason.en


@pytest.mark.parametrize("uses,with_,blocking", [
    ("anchore/scan-action@v3", "fail-build: false", False),
    ("anchore/scan-action@v3", "image: app", True),
    ("aquasecurity/trivy-action@0.20.0", "exit-code: '1'", True),
    ("pyupio/safety-action@v1", "continue-on-error: 'true'", False),
])
def test_scanning_actions_that_never_fail(make_repo: Maker, uses: str, with_: str,
                                          blocking: bool) -> None:
    from mlops_lint.readers.ci_runs import ci_runs
    from mlops_lint.readers.ci_tools import IMAGE_SCAN, SAFETY
    from mlops_lint.repo import Repo

    body = ("on: [push, pull_request]\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            f"      - uses: {uses}\n        with:\n          {with_}\n")
    repo = Repo(make_repo(workflow(body)))
    runs = [r for spec in (IMAGE_SCAN, SAFETY) for r in ci_runs(repo, spec)]
    assert [r.blocking for r in runs] == [blocking]


def test_make_directory_prerequisites_and_python_steps(make_repo: Maker) -> None:
    from mlops_lint.readers.ci_runs import ci_runs
    from mlops_lint.readers.ci_tools import LINT, TESTS
    from mlops_lint.repo import Repo

    body = ("on: [push, pull_request]\njobs:\n  a:\n    runs-on: x\n    steps:\n"
            "      - run: make -C sub ci\n"
            "      - run: import subprocess; subprocess.run(['pytest'])\n"
            "        shell: python\n")
    files = workflow(body, **{"sub/Makefile": "ci: lint test\nlint:\n\truff check .\n"
                                              "test:\n\t-pytest\n"})
    repo = Repo(make_repo(files))
    tests = ci_runs(repo, TESTS)
    assert [(r.via, r.blocking) for r in tests] == [("make ci", False)]
    assert [r.via for r in ci_runs(repo, LINT)] == ["make ci"]


# -- CI beyond GitHub: where the pipelines live, what they include, what they run ----------

AZURE_PIPELINE = """\
trigger:
  branches: {include: [main]}
pool:
  vmImage: ubuntu-latest
variables:
- template: vars.yml
stages:
- stage: CI
  jobs:
  - job: quality
    steps:
    - template: ../shared/quality.yml
"""
AZURE_STEPS = """\
steps:
- script: flake8 src
  displayName: lint
- script: python -m pytest --cov=src --cov-fail-under=$(COVERAGE_MIN)
"""


def test_ci_azure_pipelines_are_found_by_content_anywhere(check: Check) -> None:
    files = {".pipelines/main-ci.yml": AZURE_PIPELINE, "shared/quality.yml": AZURE_STEPS,
             ".pipelines/vars.yml": "variables:\n- name: COVERAGE_MIN\n  value: 85\n",
             "pyproject.toml": PYPROJECT}
    results = check(files, "CI001")
    assert worst(results) == "pass" and "Azure Pipelines" in messages(results)
    assert worst(check(files, "CI002")) == "pass"
    # a Kubernetes manifest or a docker-compose file with steps-like keys is not a pipeline
    other = {"k8s/task.yaml": "apiVersion: tekton.dev/v1\nkind: Task\nspec:\n  steps:\n"
                              "  - name: t\n    image: python\n    script: pytest\n",
             "pyproject.toml": PYPROJECT}
    assert worst(check(other, "CI001")) == "fail"


def test_ci_azure_templates_are_followed_inside_the_repository(make_repo: Maker) -> None:
    from mlops_lint.parsers.ci import ci_commands, other_ci_files
    from mlops_lint.repo import Repo

    pipeline = ("trigger: [main]\nsteps:\n- template: steps/a.yml\n"
                "- template: steps/b.yml@other-repo\n- template: ../../../etc/x.yml\n"
                "- template: ${{ parameters.t }}\n- script: echo main\n")
    # a template under a tests/ folder is never read by content: only the include reaches it
    root = make_repo({"ci/pipeline.yml": pipeline,
                      "ci/steps/a.yml": "steps:\n- template: /ci/tests/b.yml\n",
                      "ci/tests/b.yml": "steps:\n- bash: pytest -q\n- template: ../steps/a.yml\n"})
    repo = Repo(root)
    assert other_ci_files(repo)["azure"] == ["ci/pipeline.yml", "ci/steps/a.yml",
                                             "ci/tests/b.yml"]
    texts = {(c.path, c.text) for c in ci_commands(repo)}
    assert ("ci/tests/b.yml", "pytest -q") in texts


def test_ci_azure_terraform_tasks_and_variables(make_repo: Maker) -> None:
    from mlops_lint.parsers.ci import ci_commands
    from mlops_lint.repo import Repo

    pipeline = ("pool: {vmImage: ubuntu-latest}\nvariables:\n  MIN: 80\nsteps:\n"
                "- task: TerraformInstaller@0\n  inputs: {terraformVersion: 1.5.0}\n"
                "- task: TerraformTaskV4@4\n  inputs:\n    command: plan\n"
                "- task: Docker@2\n  inputs: {command: buildAndPush}\n"
                "- script: pytest --cov-fail-under=$(MIN)\n")
    repo = Repo(make_repo({"build/pipeline.yaml": pipeline}))
    texts = [c.text for c in ci_commands(repo)]
    assert texts == ["terraform plan", "pytest --cov-fail-under=80"]
    init = ("pool: {vmImage: ubuntu-latest}\nsteps:\n- task: TerraformCLI@0\n  inputs:\n"
            "    command: init\n    workingDirectory: $(Build.SourcesDirectory)/infra/tf\n"
            "    backendAzureRmKey: app.tfstate\n")
    repo = Repo(make_repo({"build/pipeline.yaml": init}))
    assert [(c.text, c.cwd) for c in ci_commands(repo)] == [
        ("terraform init -backend-config=key=app.tfstate", "infra/tf")]


def test_ci_gitlab_local_includes_are_followed(check: Check) -> None:
    gitlab = "include:\n  - local: /ci/test.yml\n  - remote: https://example.com/x.yml\n"
    files = {".gitlab-ci.yml": gitlab, "pyproject.toml": PYPROJECT,
             "ci/test.yml": "include: 'ci/lint.yml'\ntest:\n  script: [pytest -q]\n",
             "ci/lint.yml": "lint:\n  script: [ruff check .]\n"}
    assert worst(check(files, "CI002")) == "pass"
    del files["ci/lint.yml"]
    results = check(files, "CI002")
    assert worst(results) == "fail" and "lint/format check" in messages(results)
    assert "runs the tests" not in messages(results)


def test_ci_jenkinsfiles_with_suffixes_are_read(check: Check) -> None:
    jenkins = "pipeline {\n  steps {\n    sh 'pytest -q'\n    sh \"ruff check .\"\n  }\n}\n"
    files = {"ci/release.Jenkinsfile": jenkins, "pyproject.toml": PYPROJECT}
    assert worst(check(files, "CI002")) == "pass"
    assert worst(check({"Jenkinsfile.release": jenkins, "pyproject.toml": PYPROJECT},
                       "CI002")) == "pass"


def test_ci_tests_and_lint_of_other_languages_count(check: Check) -> None:
    body = simple("cd src/api && go test ./...", "golangci-lint run",
                  "npm run test:unit", "npx eslint .")
    files = workflow(body)
    assert worst(check(files, "CI002")) == "pass"
    core = check(files, "CI007")
    assert worst(core) == "pass" and "nothing gates" not in messages(core)
    matrix = check(files, "CI004")
    assert "CI runs no Python tests" in messages(matrix)
    assert "the tests run on one Python" not in messages(matrix)
    for step in ("mvn -B verify", "./gradlew test", "cargo test", "dotnet test src/app"):
        results = check(workflow(simple(step, "cargo clippy -- -D warnings")), "CI002")
        assert worst(results) == "pass", step
    # `go build` and `npm install` are not tests; `npm run build` is not lint
    results = check(workflow(simple("go build ./...", "npm install", "npm run build")), "CI002")
    assert "runs the tests" in messages(results) and "lint/format check" in messages(results)


def test_ci_shell_variables_resolve_from_env(check: Check) -> None:
    body = ("on: [push, pull_request]\nenv:\n  THRESHOLD: 85\njobs:\n  t:\n"
            "    runs-on: ubuntu-latest\n    env:\n      COV: src\n    steps:\n"
            "      - run: pytest --cov=$COV --cov-fail-under=$THRESHOLD\n"
            "      - run: pytest --cov=src --cov-fail-under=${{ env.THRESHOLD }}\n")
    results = check(workflow(body), "CI006")
    assert statuses(results, 1) == ["pass"] and "85%" in messages(results)
    unset = body.replace("  THRESHOLD: 85\n", "  OTHER: 1\n")
    assert statuses(check(workflow(unset), "CI006"), 1) == ["fail"]
    # a secret or an expression is not a literal value
    secret = body.replace("THRESHOLD: 85", "THRESHOLD: ${{ secrets.MIN }}")
    assert statuses(check(workflow(secret), "CI006"), 1) == ["fail"]


def test_ci_precommit_option_values_are_not_hook_ids(check: Check) -> None:
    precommit = ("repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
                 "    rev: v0.4.0\n    hooks:\n      - id: ruff\n")
    extra = {".pre-commit-config.yaml": precommit}
    for run in ("pre-commit run --all-files --hook-stage commit",
                "pre-commit run --hook-stage=pre-commit --all-files",
                "pre-commit run -c .pre-commit-config.yaml --all-files"):
        results = check(workflow(simple(run, "pytest"), **extra), "CI002")
        assert worst(results) == "pass", run
    # a hook id asked for by name still narrows the run
    results = check(workflow(simple("pre-commit run mypy --all-files", "pytest"), **extra),
                    "CI002")
    assert worst(results) == "fail"


@pytest.mark.parametrize("build", ["skaffold run --default-repo=gcr.io/x --tag=$GITHUB_SHA",
                                   "skaffold build", "ko build ./cmd/app",
                                   "pack build app --builder paketobuildpacks/builder"])
def test_ci009_image_builders_that_wrap_the_dockerfile_build(check: Check, build: str) -> None:
    results = check(workflow(simple("pytest", build)), "CI009")
    assert "never builds the container image" not in messages(results), build
    results = check(workflow(simple("pytest", "skaffold config set --global x"),
                             **{"Dockerfile": "FROM python:3.12-slim\n"}), "CI009")
    assert "never builds the container image" in messages(results)


def test_ci009_builder_push_cache_and_cluster_smoke_test(check: Check) -> None:
    body = ("on:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: x\n"
            "    steps:\n      - run: go test ./...\n"
            "  deploy:\n    needs: test\n    runs-on: x\n    environment: staging\n"
            "    steps:\n      - uses: actions/cache@v4\n        with:\n"
            "          path: ~/.skaffold/cache\n          key: skaffold\n"
            "      - run: skaffold run --default-repo=gcr.io/p --tag=$GITHUB_SHA\n"
            "      - run: kubectl wait --for=condition=available deployment/api\n")
    results = check(workflow(body), "CI009")
    assert statuses(results) == ["pass", "pass"], messages(results)
    assert "smoke test deploy: kubectl wait" in messages(results, 2)
    # without the cache, the push target or the readiness wait, each is reported
    bare = body.replace("--default-repo=gcr.io/p ", "").replace(
        "      - run: kubectl wait --for=condition=available deployment/api\n", "").replace(
        "path: ~/.skaffold/cache", "path: ~/.npm")
    results = check(workflow(bare), "CI009")
    assert "no layer cache" in messages(results, 2) and "no smoke test" in messages(results, 2)
    assert "never pushes the image" in messages(results, 3)
