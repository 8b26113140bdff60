"""Per-rule cases: ``tests/rules/<family>/<ID>.yaml``, one file per rule, run by this one
runner (sqlfluff's ``std_rule_cases`` shape).

A case file::

    rule: DOCK005
    cases:
      - name: the final stage switches to a non-root user     # what the case shows
        files:                                                # the repository, path: text
          Dockerfile: |
            FROM python:3.12-slim
            ...
        commits: ["feat: first"]     # optional: a git repository with these commits
        tags: ["v0.1.0"]             # optional: tags on the last commit (with commits)
        config: {thresholds: {coverage: [60, 70, 80]}}        # optional: .mlops-lint.yaml
        expect: {L2: pass}           # the worst status at each level (or all: <status>)
        message: ["non-root"]        # optional: fragments of one result's English message
        fix: ["USER app"]            # optional: fragments of one fail/warn result's English fix
        not_fix: ["python:3"]        # optional: fragments no fail/warn result's fix holds

The worst status at a level ranks error > fail > warn > pass > waived > manual > skip, so
a case about one bad file among good ones expects ``fail``. Every case file has at least
one case that passes and one that fails or warns (the meta-test below); a rule that can
never fail (a manual item, or informational of weight 0) shows its two outcomes instead.
Every rule has a case file: ``PENDING`` is empty and must stay so.

Files several cases share can sit under another top-level key and be merged into each
case with a YAML anchor and merge key (``project: &project {...}`` then
``files: {<<: *project, app.py: ...}``); the runner reads only ``rule`` and ``cases``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from conftest import git
from mlops_lint.catalog import Catalog, Rule, load_catalog
from mlops_lint.config import Config
from mlops_lint.model import Result

HERE = Path(__file__).resolve().parent
FAMILY = {
    "DES": "design", "PY": "python", "DATA": "data", "ENV": "env", "GIT": "git",
    "SEC": "security", "ML": "ml", "MLF": "tracking", "TEST": "testing", "CI": "ci",
    "DOCK": "docker", "API": "api", "DASH": "api", "DEP": "deploy", "OBS": "obs",
    "FIN": "obs", "IAC": "iac", "K8S": "k8s", "DOC": "docs",
}
RANK = {"skip": 0, "manual": 1, "waived": 2, "pass": 3, "warn": 4, "fail": 5, "error": 6}

# Rules whose case file is still to be written (the older per-phase test files cover
# them). The list may only shrink: the meta-test fails when a listed rule gains a file.
PENDING: frozenset[str] = frozenset()


def family_of(rule_id: str) -> str:
    prefix = re.match(r"[A-Z]+(?:8S)?", rule_id)
    assert prefix is not None
    return FAMILY[prefix.group(0)]


def _case_files() -> list[Path]:
    return sorted(HERE.glob("*/*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: a mapping with 'rule' and 'cases'"
    return data


def _cases() -> list[Any]:
    params = []
    for path in _case_files():
        data = _load(path)
        for number, case in enumerate(data.get("cases") or [], 1):
            name = case.get("name", f"case {number}")
            params.append(pytest.param(data["rule"], case,
                                       id=f"{data['rule']}-{number}-{name}"[:90]))
    return params


def worst_per_level(results: list[Result]) -> dict[int, str]:
    worst: dict[int, str] = {}
    for result in results:
        status = result.status.value
        if result.level not in worst or RANK[status] > RANK[worst[result.level]]:
            worst[result.level] = status
    return worst


def expected_per_level(expect: dict[str, str], levels: list[int]) -> dict[int, str]:
    if "all" in expect:
        return dict.fromkeys(levels, expect["all"])
    return {int(key.lstrip("L")): value for key, value in expect.items()}


@pytest.mark.parametrize(("rule_id", "case"), _cases())
def test_rule_case(rule_id: str, case: dict[str, Any], catalog: Catalog,
                   make_repo: Callable[..., Path],
                   results_for: Callable[..., list[Result]]) -> None:
    rule = catalog.by_id(rule_id)
    assert rule is not None, f"unknown rule {rule_id}"
    files = {k: str(v) for k, v in (case.get("files") or {}).items()}
    root = make_repo(files, case.get("commits"))
    for tag in case.get("tags") or []:
        git(root, "tag", str(tag))
    config = Config.model_validate(case["config"]) if case.get("config") else None
    results = results_for(root, rule_id, config)
    results = [r for r in results if r.rule == rule_id]
    assert results, "the rule gave no result"
    expected = expected_per_level(case["expect"], [c.level for c in rule.levels])
    actual = worst_per_level(results)
    shown = [(r.level, r.status.value, r.path, r.line, r.message.en) for r in results]
    assert {lv: actual.get(lv) for lv in expected} == expected, shown
    for fragment in case.get("message") or []:
        assert any(fragment in r.message.en for r in results), (fragment, shown)
    fixes = [r.fix.en for r in results if r.status.value in ("fail", "warn")]
    for fragment in case.get("fix") or []:
        assert any(fragment in f for f in fixes), (fragment, fixes)
    for fragment in case.get("not_fix") or []:
        assert not any(fragment in f for f in fixes), (fragment, fixes)


def test_every_case_file_is_named_after_its_rule_and_family() -> None:
    for path in _case_files():
        rule_id = _load(path)["rule"]
        assert path.stem == rule_id, path
        assert path.parent.name == family_of(rule_id), path


def _informational(rule: Rule) -> bool:
    """A rule that can never fail: a manual item (kind M) or one of weight 0."""
    return rule.kind == "M" or not rule.scored or all(
        c.effective_weight == 0 for c in rule.levels)


def test_every_case_file_has_a_passing_and_a_failing_case(catalog: Catalog) -> None:
    for path in _case_files():
        data = _load(path)
        outcomes = {s for case in data.get("cases") or [] for s in case["expect"].values()}
        rule = catalog.by_id(data["rule"])
        assert rule is not None, path
        if _informational(rule):
            # it only lists an item for a person, passes or skips: show both outcomes
            assert len(outcomes) >= 2 and outcomes & {"pass", "manual"}, path.name
            continue
        assert "pass" in outcomes, f"{path.name}: no passing case"
        assert outcomes & {"fail", "warn"}, f"{path.name}: no failing case"


def test_every_rule_has_a_case_file_or_is_pending() -> None:
    catalog = load_catalog()
    with_files = {path.stem for path in _case_files()}
    ids = {rule.id for rule in catalog.rules}
    assert with_files <= ids, with_files - ids
    assert not (PENDING & with_files), f"remove from PENDING: {sorted(PENDING & with_files)}"
    assert ids - with_files <= PENDING, f"no case file: {sorted(ids - with_files - PENDING)}"


def test_worst_status_ranks_fail_over_pass_and_pass_over_skip() -> None:
    assert RANK["fail"] > RANK["warn"] > RANK["pass"] > RANK["skip"]
    assert expected_per_level({"all": "pass"}, [1, 2]) == {1: "pass", 2: "pass"}
    assert expected_per_level({"L2": "fail", "L3": "warn"}, [2, 3]) == {2: "fail", 3: "warn"}
