"""SEC003-SEC005: secret scanning, Bandit SAST and dependency vulnerability management."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result
from mlops_lint.rules.security.sec004_bandit_sast import bandit_high

Runner = Callable[..., list[Result]]
Maker = Callable[..., Path]
Check = Callable[..., list[Result]]

PYPROJECT = '[project]\nname = "pkg"\nversion = "0.1.0"\n'


def hooks(*entries: tuple[str, str]) -> dict[str, str]:
    text = "repos:\n" + "".join(
        f"  - repo: {repo}\n    rev: v1.0.0\n    hooks:\n      - id: {hook}\n"
        for repo, hook in entries)
    return {".pre-commit-config.yaml": text}


def ci(*steps: str) -> dict[str, str]:
    body = "on: [push, pull_request]\njobs:\n  a:\n    runs-on: x\n    steps:\n" + "".join(
        f"      - {s}\n" for s in steps)
    return {".github/workflows/ci.yml": body}


def only(results: list[Result]) -> str:
    found = statuses(results)
    assert len(set(found)) == 1, found
    return found[0]


def text(results: list[Result]) -> str:
    return " | ".join(r.message.en for r in results)


@pytest.fixture
def check(make_repo: Maker, results_for: Runner) -> Check:
    def go(files: dict[str, str], rule: str) -> list[Result]:
        return results_for(make_repo({"pyproject.toml": PYPROJECT, **files}), rule)

    return go


# -- SEC003 ---------------------------------------------------------------------------


@pytest.mark.parametrize("files", [
    hooks(("https://github.com/gitleaks/gitleaks", "gitleaks")),
    hooks(("https://github.com/Yelp/detect-secrets", "detect-secrets")),
    ci("uses: gitleaks/gitleaks-action@v2"),
    ci("uses: trufflesecurity/trufflehog@v3.63.0"),
    ci("run: docker run --rm ghcr.io/gitleaks/gitleaks:latest detect || exit 1",
       "run: gitleaks detect --source ."),
])
def test_sec003_a_scanner_that_runs_passes(check: Check, files: dict[str, str]) -> None:
    assert only(check(files, "SEC003")) == "pass"


def test_sec003_detect_secrets_without_baseline_is_noted(check: Check) -> None:
    results = check(hooks(("https://github.com/Yelp/detect-secrets", "detect-secrets")),
                    "SEC003")
    assert "no .secrets.baseline" in text(results)


def test_sec003_configuration_alone_warns(check: Check) -> None:
    results = check({".gitleaks.toml": "title = 'x'\n"}, "SEC003")
    assert only(results) == "warn" and "no pre-commit hook or CI step runs it" in text(results)


def test_sec003_detect_private_key_only_warns_and_nothing_fails(check: Check) -> None:
    files = hooks(("https://github.com/pre-commit/pre-commit-hooks", "detect-private-key"))
    assert only(check(files, "SEC003")) == "warn"
    assert only(check({}, "SEC003")) == "fail"


def test_sec003_broken_precommit_is_named(check: Check) -> None:
    results = check({".pre-commit-config.yaml": "repos: [\n"}, "SEC003")
    assert only(results) == "fail" and ".pre-commit-config.yaml cannot be read" in text(results)


# -- SEC004 ---------------------------------------------------------------------------

BANDIT_TOML = PYPROJECT + "\n[tool.bandit]\nexclude_dirs = ['tests']\nskips = ['B101']\n"


def report(high: int) -> str:
    return json.dumps({"results": [], "metrics": {"_totals": {"SEVERITY.HIGH": high,
                                                              "SEVERITY.LOW": 3}}})


def test_sec004_configured_and_run(check: Check) -> None:
    files = {"pyproject.toml": BANDIT_TOML,
             **hooks(("https://github.com/PyCQA/bandit", "bandit"))}
    results = check(files, "SEC004")
    assert only(results) == "pass" and results[0].path == "pyproject.toml"
    assert only(check(ci("run: bandit -c pyproject.toml -r src"), "SEC004")) == "pass"
    files = {"Makefile": "audit:\n\tbandit -r src\n"}
    assert only(check(files, "SEC004")) == "pass"


def test_sec004_configuration_alone_warns(check: Check) -> None:
    results = check({"pyproject.toml": BANDIT_TOML}, "SEC004")
    assert only(results) == "warn" and results[0].line == 5


def test_sec004_report_evidence(check: Check) -> None:
    results = check({"reports/bandit.json": report(2), **ci("run: bandit -r src")}, "SEC004")
    assert "fail" in statuses(results) and "2 HIGH" in text(results)
    assert only(check({"bandit-report.json": report(0)}, "SEC004")) == "pass"
    results = check({"bandit.json": "{not json", **ci("run: bandit -r src")}, "SEC004")
    assert sorted(set(statuses(results))) == ["pass", "warn"]


def test_sec004_ruff_s_rules_count_and_nothing_fails(check: Check) -> None:
    ruff = PYPROJECT + "\n[tool.ruff.lint]\nselect = ['E', 'F', 'S']\n"
    results = check({"pyproject.toml": ruff}, "SEC004")
    assert only(results) == "pass" and "flake8-bandit" in text(results)
    assert only(check({}, "SEC004")) == "fail"


def test_bandit_high_reads_the_totals() -> None:
    assert bandit_high(report(4)) == 4
    with pytest.raises(ValueError):
        bandit_high("{}")


# -- SEC005 ---------------------------------------------------------------------------

DEPENDABOT = """\
version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule: {interval: weekly}
"""


def test_sec005_dependabot_pip_passes_and_recommends_docker(check: Check) -> None:
    results = check({".github/dependabot.yml": DEPENDABOT}, "SEC005")
    assert only(results) == "pass"
    assert "ideally also docker, github-actions" in text(results)


def test_sec005_dependabot_without_pip_fails(check: Check) -> None:
    files = {".github/dependabot.yml": DEPENDABOT.replace("pip", "github-actions")}
    results = check(files, "SEC005")
    assert only(results) == "fail" and "does not cover pip" in text(results)
    results = check({".github/dependabot.yml": "updates: [\n"}, "SEC005")
    assert only(results) == "fail" and results[0].line is not None


@pytest.mark.parametrize("files", [
    {"renovate.json": '{"extends": ["config:recommended"]}'},
    {".github/renovate.json5": "{extends: ['config:recommended']}"},
    {"package.json": '{"name": "x", "renovate": {}}'},
    ci("run: pip-audit -r requirements.txt"),
    {"Makefile": "audit:\n\tsafety check\n"},
    ci("uses: actions/dependency-review-action@v4"),
])
def test_sec005_passes(check: Check, files: dict[str, str]) -> None:
    assert only(check(files, "SEC005")) == "pass"


def test_sec005_renovate_restricted_away_from_python_and_nothing(check: Check) -> None:
    files = {"renovate.json": '{"enabledManagers": ["npm"]}'}
    assert only(check(files, "SEC005")) == "fail"
    assert only(check({}, "SEC005")) == "fail"
