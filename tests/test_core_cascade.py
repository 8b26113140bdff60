"""An absence is said once: the rules whose subject another rule reports absent (no
Dockerfile: DOCK001; no CI: CI001; DVC not initialised: DATA001) are skipped with a
pointer to it, and a waiver of that rule carries to them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.config import Config
from mlops_lint.engine import collapse
from mlops_lint.model import Result, Status, T

Runner = Callable[..., list[Result]]
Maker = Callable[..., Path]

ADR = """# ADR-001: no DVC

## Context
The data is a public download, fetched by a script.

## Decision
We do not version it with DVC.

## Consequences
Nothing to version apart; DVC rules do not apply.
"""
DATA = {"data/raw/train.csv": "a,b\n1,2\n", "train.py": "import pandas\n"}


def _row(rule: str, status: Status, project: str = ".", see: str | None = None,
         waiver: str | None = None) -> Result:
    return Result(rule, 4, 2, False, 1.0, status, "error", project, None, None,
                  T(f"{rule} says so", f"{rule} lo dice"), T("fix", "arreglo"),
                  T("title", "título"), waiver=waiver, see=see)


def test_collapse_follows_the_reporting_rule() -> None:
    reporter = _row("AAA001", Status.FAIL, see="AAA001")
    dependent = _row("AAA002", Status.FAIL, "svc", see="AAA001")  # repo-level reporter
    passing = _row("AAA003", Status.PASS, see="AAA001")
    orphan = _row("AAA004", Status.FAIL, see="ZZZ001")  # its reporter did not run
    out = collapse([reporter, dependent, passing, orphan])
    assert [r.status for r in out] == [Status.FAIL, Status.SKIP, Status.PASS, Status.FAIL]
    assert out[1].message.en == "AAA002 says so; see AAA001"
    assert out[1].message.es == "AAA002 lo dice; ver AAA001"
    # a reporter that passes (the subject is there after all) collapses nothing
    assert collapse([_row("AAA001", Status.PASS), dependent])[1].status is Status.FAIL
    # an inline suppression is about one line, not the absence: it does not carry
    inline = _row("AAA001", Status.WAIVED, waiver="inline")
    assert collapse([inline, dependent])[1].status is Status.FAIL
    # a reporter that says the absence is not applicable skips what follows from it; a
    # skip that names no rule as its subject's reporter collapses nothing
    not_applicable = _row("AAA001", Status.SKIP, see="AAA001")
    assert collapse([not_applicable, dependent])[1].status is Status.SKIP
    assert collapse([_row("AAA001", Status.SKIP), dependent])[1].status is Status.FAIL


def test_no_ci_is_reported_once(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"README.md": "# x\n", "train.py": "import pandas\n"})
    results = results_for(root, "CI")
    assert "fail" in statuses([r for r in results if r.rule == "CI001"])
    ci006 = [r for r in results if r.rule == "CI006"]
    assert set(statuses(ci006)) == {"skip"}
    assert "see CI001" in ci006[0].message.en
    alone = results_for(root, "CI006")
    assert set(statuses(alone)) == {"fail"}


def test_without_dvc_the_dvc_rules_point_at_data001(make_repo: Maker,
                                                     results_for: Runner) -> None:
    root = make_repo(DATA)
    results = results_for(root, "DATA00")
    by_rule = {rule: {r.status.value for r in results if r.rule == rule}
               for rule in ("DATA001", "DATA002", "DATA003", "DATA004")}
    assert by_rule["DATA001"] == {"fail"}
    for rule in ("DATA002", "DATA003", "DATA004"):
        assert by_rule[rule] == {"skip"}, rule
        assert all("DATA001" in r.message.en for r in results if r.rule == rule)


def test_a_waiver_of_dvc_carries_to_the_rules_that_need_it(make_repo: Maker,
                                                            results_for: Runner) -> None:
    root = make_repo({**DATA, "docs/adr/001-no-dvc.md": ADR})
    config = Config(waivers={"DATA001": "docs/adr/001-no-dvc.md"})
    results = [r for r in results_for(root, "DATA00", config)
               if r.rule in ("DATA001", "DATA002", "DATA003", "DATA004")]
    assert {r.status for r in results} == {Status.WAIVED}
    carried = [r for r in results if r.rule != "DATA001"]
    assert all(r.waiver == "docs/adr/001-no-dvc.md" for r in carried)
    assert all(r.message.en.startswith("waived with DATA001 by docs/adr/001-no-dvc.md")
               for r in carried)


def test_dvc_rules_stand_on_their_own_once_dvc_is_initialised(make_repo: Maker,
                                                               results_for: Runner) -> None:
    root = make_repo({**DATA, ".dvc/config": "[core]\n", ".dvcignore": ""})
    results = results_for(root, "DATA004")
    assert set(statuses(results)) == {"fail"}
    assert "DATA001" not in results[0].message.en


def test_no_serving_code_is_reported_once_by_api001(make_repo: Maker,
                                                    results_for: Runner) -> None:
    root = make_repo({"src/pkg/__init__.py": "", "src/pkg/core.py": "def f() -> int:\n"
                      "    return 1\n", "pyproject.toml": "[project]\nname = 'pkg'\n"})
    results = results_for(root, "API")
    api001 = [r for r in results if r.rule == "API001"]
    assert statuses(api001) == ["fail"] and "no serving code" in api001[0].message.en
    dependents = [r for r in results if r.rule in {"API002", "API003", "API004", "API005",
                                                   "API006", "API008"}]
    assert dependents and all(r.status is Status.SKIP for r in dependents)
    assert all("see API001" in r.message.en for r in dependents)
    # run alone, a dependent still says the absence itself
    alone = results_for(root, "API003")
    assert "fail" in statuses(alone) and "no serving code" in alone[0].message.en


def test_a_serving_app_keeps_the_api_rules_on_their_own(make_repo: Maker,
                                                       results_for: Runner) -> None:
    root = make_repo({"app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n\n"
                      "@app.post('/predict')\ndef predict(x: dict) -> dict:\n"
                      "    return x\n"})
    results = results_for(root, "API")
    assert not any("see API001" in r.message.en for r in results)
    assert "fail" in statuses([r for r in results if r.rule == "API002"])
