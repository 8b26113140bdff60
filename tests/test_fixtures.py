"""End to end: every fixture repository reaches the levels its expected.json claims.

``fixtures/<name>/expected.json``: ``{"phases": {"1": 0, ...}, "reasons": {"1": "...",
...}, "results": {"PY001": "fail", "PY003@2": "pass", ...}}`` — phase levels (all seven, or
the ones the fixture is about), a one-line reason per phase (the evidence, by the rubric of
levels.md; "tool N, rubric M" where the tool's level is not the rubric's) and the combined
status of rules (``RULE`` over all its results, ``RULE@L`` for one level). ``commits.txt``
(one subject per line) is replayed into a real git repo.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import check_repo, init_git, maturity_of
from mlops_lint.catalog import Catalog
from mlops_lint.maturity import combine

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p.parent.name for p in FIXTURES.glob("*/expected.json"))


def materialize(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns(
        "expected.json", "commits.txt"))
    commits = FIXTURES / name / "commits.txt"
    if commits.exists():
        init_git(root, [m for m in commits.read_text(encoding="utf-8").splitlines() if m])
    return root


@pytest.mark.parametrize("name", CASES)
def test_fixture_reaches_expected_levels(name: str, tmp_path: Path, catalog: Catalog) -> None:
    expected = json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))
    root = materialize(name, tmp_path)
    results = check_repo(root, catalog)
    maturity = maturity_of(root, catalog, results)
    levels = {str(p.phase): p.level for p in maturity.phases}
    wanted_levels = expected.get("phases", {})
    assert set(expected) <= {"phases", "reasons", "results"}, sorted(expected)
    reasons = expected.get("reasons", {})
    assert set(reasons) == set(wanted_levels), "one reason per expected phase"
    assert all(isinstance(r, str) and r and "\n" not in r for r in reasons.values())
    assert {k: levels[k] for k in wanted_levels} == wanted_levels, [
        (p.phase, p.level, p.blockers, p.reason.en if p.reason else None)
        for p in maturity.phases]
    actual: dict[str, str] = {}
    for key in expected.get("results", {}):
        rule, _, level = key.partition("@")
        rows = [r for r in results if r.rule == rule and (not level or r.level == int(level))]
        actual[key] = combine(r.status for r in rows).value if rows else "absent"
    assert actual == expected.get("results", {}), [
        (r.rule, r.level, r.status.value, r.path, r.message.en) for r in results
        if f"{r.rule}" in expected.get("results", {}) and actual.get(r.rule) !=
        expected["results"].get(r.rule)]
