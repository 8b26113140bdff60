"""End to end: fixtures/phase3-level3 reaches level 3 in phase 3 with every phase-3 rule
passing, as its expected.json says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import check_repo, init_git, maturity_of
from mlops_lint.catalog import Catalog
from mlops_lint.maturity import combine

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "phase3-level3"


def test_phase3_fixture_reaches_level_3(tmp_path: Path, catalog: Catalog) -> None:
    expected = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))
    root = tmp_path / "phase3-level3"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("expected.json",
                                                                 "commits.txt"))
    messages = (FIXTURE / "commits.txt").read_text(encoding="utf-8").splitlines()
    init_git(root, [m for m in messages if m])
    results = check_repo(root, catalog)
    maturity = maturity_of(root, catalog, results)
    phase3 = maturity.phases[2]
    assert {"3": phase3.level} == expected["phases"], (phase3.blockers, phase3.reason)
    assert phase3.score == 100 and phase3.blockers == ()
    phase3_rules = {r.id for r in catalog.rules if r.phase == 3}
    assert set(expected["results"]) == phase3_rules
    actual = {rule: combine(r.status for r in results if r.rule == rule).value
              for rule in expected["results"]}
    assert actual == expected["results"], [
        (r.rule, r.level, r.status.value, r.path, r.line, r.message.en) for r in results
        if r.phase == 3 and r.status.value != "pass"]


def test_phase3_fixture_drops_with_a_broken_transformer(tmp_path: Path,
                                                        catalog: Catalog) -> None:
    """The same project with a fit that forgets `return self` fails ML003 at its line."""
    root = tmp_path / "broken"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("expected.json",
                                                                 "commits.txt"))
    features = root / "src" / "churnlab" / "features.py"
    text = features.read_text(encoding="utf-8")
    features.write_text(text.replace("        return self\n", "", 1), encoding="utf-8")
    results = check_repo(root, catalog, ("ML003",))
    assert [r.status.value for r in results] == ["fail"]
    assert results[0].path == "src/churnlab/features.py" and results[0].line == 16
