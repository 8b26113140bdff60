"""DOC001-DOC003: README, licence, badges, architecture and navigation (repo-scoped)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

MIT = ("MIT License\n\nCopyright (c) 2024 Ana Pérez\n\nPermission is hereby granted, free of "
       "charge, to any person obtaining a copy of this software...\n")
APACHE = ("                                 Apache License\n"
          "                           Version 2.0, January 2004\n")

GOOD_README = """\
# 🏦 BankChurn Predictor

[![CI](https://github.com/ana/bankchurn/actions/workflows/ci.yml/badge.svg)](https://github.com/ana/bankchurn/actions)
[![Coverage](https://codecov.io/gh/ana/bankchurn/branch/main/graph/badge.svg)](https://codecov.io/gh/ana/bankchurn)
[![License](https://img.shields.io/badge/License-MIT-blue.svg)](LICENSE)

> API para predicción de churn bancario con MLOps completo.

## 🚀 Quick Start

```bash
git clone https://github.com/ana/bankchurn.git
pip install -e ".[dev]"
pytest
uvicorn app.main:app --reload
```

## 📖 Documentation

- [Model Card](docs/model_card.md)

## 🏗️ Architecture

```mermaid
flowchart LR
    Client --> API --> Model
```

## 📊 Metrics

| Metric | Value |
|--------|-------|
| AUC-ROC | 0.87 |
| Coverage | 85% |
"""

CI = {".github/workflows/ci.yml": "name: CI\non: push\njobs: {}\n"}


def repo(make_repo: MakeRepo, readme: str | None = GOOD_README, license_text: str | None = MIT,
         extra: dict[str, str] | None = None) -> Path:
    files: dict[str, str] = dict(extra or {})
    if readme is not None:
        files["README.md"] = readme
    if license_text is not None:
        files["LICENSE"] = license_text
    return make_repo(files)


def by_path(results: list[Result]) -> dict[str | None, Result]:
    return {r.path: r for r in results}


# -- DOC001 ----------------------------------------------------------------------------

def test_doc001_guide_readme_and_mit_pass(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    results = results_for(repo(make_repo), "DOC001")
    assert statuses(results) == ["pass", "pass"]
    assert by_path(results)["LICENSE"].message.en == "LICENSE: MIT"
    assert all(r.level == 1 and not r.gate and r.project == "." for r in results)


def test_doc001_readme_without_quick_start_fails(make_repo: MakeRepo,
                                                 results_for: ResultsFor) -> None:
    readme = ("# churn\n\nPredicts customer churn from account activity.\n\n## Installation\n\n"
              "Install the package with pip and run the training script.\n")
    results = results_for(repo(make_repo, readme), "DOC001")
    readme_result = by_path(results)["README.md"]
    assert readme_result.status.value == "fail"
    assert readme_result.message.en == (
        "README lacks: Quick Start code block, usage "
        "(has: one-line description, installation instructions)")
    assert "bloque de código Quick Start" in readme_result.message.es


def test_doc001_quick_start_heading_inside_code_does_not_count(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    readme = ("# churn\n\nPredicts customer churn from account activity.\n\n"
              "```markdown\n## Quick Start\n```\n")
    readme_result = by_path(results_for(repo(make_repo, readme), "DOC001"))["README.md"]
    assert readme_result.status.value == "fail"
    assert "installation instructions, Quick Start code block, usage" in readme_result.message.en


def test_doc001_install_block_that_runs_the_project_is_a_quick_start(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    readme = ("# churn-lite\n\nPredicts customer churn with a scikit-learn pipeline.\n\n"
              "## Setup\n\n```console\n$ pip install -e .\n$ make train\n```\n")
    assert statuses(results_for(repo(make_repo, readme), "DOC001")) == ["pass", "pass"]


def test_doc001_description_must_be_prose_not_badges(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    readme = GOOD_README.replace("> API para predicción de churn bancario con MLOps completo.\n",
                                 "")
    readme_result = by_path(results_for(repo(make_repo, readme), "DOC001"))["README.md"]
    assert readme_result.status.value == "fail"
    assert "one-line description" in readme_result.message.en.split("(has")[0]
    about = readme.replace("## 🚀 Quick Start", "## About\n\nA churn prediction service for "
                           "the retention team.\n\n## 🚀 Quick Start")
    assert statuses(results_for(repo(make_repo, about), "DOC001")) == ["pass", "pass"]


def test_doc001_missing_readme(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    results = results_for(repo(make_repo, None), "DOC001")
    assert statuses(results) == ["fail", "pass"]
    rst = results_for(repo(make_repo, None, extra={"README.rst": "churn\n=====\n"}), "DOC001")
    failing = next(r for r in rst if r.status.value == "fail")
    assert failing.path == "README.rst" and "Markdown" in failing.message.en


def test_doc001_licence_variants(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    apache = by_path(results_for(repo(make_repo, license_text=None,
                                      extra={"LICENSE.md": APACHE}), "DOC001"))
    assert apache["LICENSE.md"].status.value == "pass"
    assert "Apache-2.0 (the guide recommends MIT)" in apache["LICENSE.md"].message.en
    copying = by_path(results_for(repo(make_repo, license_text=None,
                                       extra={"COPYING": "Some custom terms.\n"}), "DOC001"))
    assert copying["COPYING"].status.value == "pass"
    assert "not recognised" in copying["COPYING"].message.en
    empty = by_path(results_for(repo(make_repo, license_text="\n"), "DOC001"))
    assert empty["LICENSE"].status.value == "fail"
    template = MIT.replace("2024 Ana Pérez", "[year] [fullname]")
    held = by_path(results_for(repo(make_repo, license_text=template), "DOC001"))
    assert held["LICENSE"].status.value == "warn" and held["LICENSE"].line == 3


APACHE_FULL = """\
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.

   END OF TERMS AND CONDITIONS

   APPENDIX: How to apply the Apache License to your work.

   Copyright [yyyy] [name of copyright owner]

   Licensed under the Apache License, Version 2.0 (the "License");
"""


def test_doc001_licence_files_with_suffixes_and_the_apache_appendix(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    for name in ("LICENSE-CODE", "LICENSE.txt", "COPYING", "LICENSE_MIT", "LICENSES/MIT.txt"):
        results = by_path(results_for(repo(make_repo, license_text=None,
                                           extra={name: MIT}), "DOC001"))
        assert results[name].status.value == "pass", name
    # the Apache licence's appendix tells how to apply it: its placeholders are not holes
    results = by_path(results_for(repo(make_repo, license_text=APACHE_FULL), "DOC001"))
    assert results["LICENSE"].status.value == "pass", results["LICENSE"].message.en
    # a hole before the end of the terms still is one
    held = APACHE_FULL.replace("1. Definitions.", "Copyright [yyyy] Acme")
    results = by_path(results_for(repo(make_repo, license_text=held), "DOC001"))
    assert results["LICENSE"].status.value == "warn"


def test_doc001_no_licence_file(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    results = results_for(repo(make_repo, license_text=None), "DOC001")
    missing = next(r for r in results if r.path is None)
    assert missing.status.value == "fail" and "MIT" in missing.fix.en
    declared = results_for(repo(make_repo, license_text=None, extra={
        "pyproject.toml": "[project]\nname='x'\nlicense = {text = 'MIT'}\n"}), "DOC001")
    missing = next(r for r in declared if r.path is None)
    assert "pyproject.toml declares MIT" in missing.message.en


def test_doc001_is_checked_once_in_a_monorepo(make_repo: MakeRepo,
                                              results_for: ResultsFor) -> None:
    root = repo(make_repo, extra={"a/pyproject.toml": "", "a/src/a/__init__.py": "",
                                  "b/pyproject.toml": "", "b/tests/t.py": ""})
    results = results_for(root, "DOC001")
    assert len(results) == 2 and {r.project for r in results} == {"."}


# -- DOC002 ----------------------------------------------------------------------------

def test_doc002_badges_for_existing_workflow_pass(make_repo: MakeRepo,
                                                  results_for: ResultsFor) -> None:
    results = results_for(repo(make_repo, extra=CI), "DOC002")
    assert statuses(results) == ["pass", "pass"]
    coverage = next(r for r in results if "coverage" in r.message.en)
    assert coverage.line == 4 and "License" in coverage.message.en


def test_doc002_badge_to_missing_workflow_fails(make_repo: MakeRepo,
                                                results_for: ResultsFor) -> None:
    results = results_for(repo(make_repo), "DOC002")
    ci = next(r for r in results if "CI badge" in r.message.en)
    assert ci.status.value == "fail" and ci.line == 3
    assert ci.message.en == "CI badge points at .github/workflows/ci.yml, which does not exist"


def test_doc002_legacy_and_shields_badges(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    readme = ("# x\n![Tests](https://github.com/ana/x/workflows/Tests/badge.svg)\n"
              "![b](https://img.shields.io/github/actions/workflow/status/ana/x/build.yml)\n"
              "![c](https://img.shields.io/github/workflow/status/ana/x/missing)\n"
              "![coverage](https://coveralls.io/repos/github/ana/x/badge.svg)\n")
    files = {".github/workflows/test.yml": "name: Tests\non: push\njobs: {}\n",
             ".github/workflows/build.yml": "on: push\njobs: {}\n",
             ".github/workflows/bad.yml": "on: [push\n"}
    results = results_for(repo(make_repo, readme, extra=files), "DOC002")
    assert {(r.line, r.status.value) for r in results} == {
        (2, "pass"), (3, "pass"), (4, "fail"), (5, "pass")}


def test_doc002_template_placeholders_warn(make_repo: MakeRepo,
                                           results_for: ResultsFor) -> None:
    readme = ("# [Nombre del Proyecto]\n\n"
              "[![CI](https://github.com/USER/REPO/actions/workflows/ci.yml/badge.svg)]"
              "(https://github.com/USER/REPO/actions)\n"
              "[![Coverage](https://img.shields.io/badge/Coverage-XX%25-brightgreen)](reports/)\n")
    results = results_for(repo(make_repo, readme, extra=CI), "DOC002")
    assert statuses(results) == ["warn", "warn"]
    assert "USER/REPO" in results[0].message.en


def test_doc002_no_badges(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    results = results_for(repo(make_repo, "# x\n\nText.\n", extra=CI), "DOC002")
    assert statuses(results) == ["fail", "fail"]
    assert {r.message.en for r in results} == {"no CI status badge", "no coverage badge"}
    assert statuses(results_for(repo(make_repo, None), "DOC002")) == ["fail"]


def test_doc002_other_ci_systems(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    readme = ("# x\n![pipeline](https://gitlab.com/ana/x/badges/main/pipeline.svg)\n"
              "![travis](https://app.travis-ci.com/ana/x.svg?branch=main)\n")
    results = results_for(repo(make_repo, readme, extra={".gitlab-ci.yml": "test: {}\n"}),
                          "DOC002")
    assert {(r.line, r.status.value) for r in results if r.line} == {(2, "pass"), (3, "fail")}


# -- DOC003 ----------------------------------------------------------------------------

def test_doc003_guide_readme_passes(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    (result,) = results_for(repo(make_repo), "DOC003")
    assert result.status.value == "pass"
    assert result.message.en.startswith("3 of 5: architecture diagram, metrics table, links")
    assert "tech stack" in result.message.en.split("missing:")[1]


def test_doc003_tree_stack_and_image_diagram(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    readme = ("# x\n\n## Arquitectura\n\n![Vista general](docs/img/overview.png)\n\n"
              "## Estructura\n\n```\nproyecto/\n├── src/\n└── tests/\n```\n\n"
              "## Stack Tecnológico\n\n- FastAPI\n- MLflow\n")
    (result,) = results_for(repo(make_repo, readme), "DOC003")
    assert result.status.value == "pass"
    assert "arquitectura" in result.message.es and "stack tecnológico" in result.message.es


def test_doc003_one_or_two_signals_warn_none_fails(make_repo: MakeRepo,
                                                   results_for: ResultsFor) -> None:
    readme = "# x\n\n| Metric | Value |\n|---|---|\n| F1 | 0.81 |\n"
    (result,) = results_for(repo(make_repo, readme), "DOC003")
    # the warning is about what is missing: it points at the README, not at the metrics table
    assert result.status.value == "warn" and result.line is None
    template_metrics = "# x\n\n| Métrica | Valor |\n|---|---|\n| Accuracy | XX% |\n"
    (result,) = results_for(repo(make_repo, template_metrics), "DOC003")
    assert result.status.value == "fail" and result.message.en.startswith("0 of 5")
    assert statuses(results_for(repo(make_repo, None), "DOC003")) == ["fail"]
