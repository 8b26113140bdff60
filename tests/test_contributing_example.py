"""CONTRIBUTING.md's worked example of adding a rule works as written: its module
registers the rule, its metadata loads into the catalog beside the shipped rules, and
its cases give the statuses they expect."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from conftest import check_repo
from mlops_lint import rules
from mlops_lint.catalog import builtin_rules_dir, load_catalog
from mlops_lint.rules import REGISTRY
from rules.test_rule_cases import expected_per_level, worst_per_level

GUIDE = Path(__file__).resolve().parent.parent / "CONTRIBUTING.md"


def blocks() -> dict[str, str]:
    """The example's fenced blocks, by language (python, yaml: metadata then cases)."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Adding a rule"):text.index("## Checks before a commit")]
    found: dict[str, str] = {}
    for lang, body in re.findall(r"\n   ```(python|yaml)\n(.*?)\n   ```", section, re.S):
        key = lang if lang not in found else f"{lang}2"
        found[key] = "\n".join(line[3:] for line in body.splitlines())
    return found


@pytest.fixture
def example(tmp_path: Path) -> Iterator[dict[str, Any]]:
    code = blocks()
    module_path = tmp_path / "data006_remote_credentials.py"
    module_path.write_text(code["python"], encoding="utf-8")
    spec = importlib.util.spec_from_file_location("contributing_data006", module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)  # registers DATA006
    catalog_dir = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), catalog_dir,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for family in catalog_dir.iterdir():  # family folders are packages
        if family.is_dir() and any(family.glob("*.yaml")) and family.name != "_data":
            (family / "__init__.py").write_text("", encoding="utf-8")
    (catalog_dir / "data" / "data006_remote_credentials.yaml").write_text(
        code["yaml"], encoding="utf-8")
    try:
        yield {"catalog": load_catalog(rules_dir=catalog_dir),
               "cases": YAML(typ="safe").load(code["yaml2"])}
    finally:
        REGISTRY.pop("DATA006", None)
        sys.modules.pop(spec.name, None)


def test_the_example_rule_loads_beside_the_shipped_rules(example: dict[str, Any]) -> None:
    rule = example["catalog"].by_id("DATA006")
    assert rule is not None and rule.check == "DATA006" and rule.phase == 2
    assert len(example["catalog"].rules) == len(load_catalog().rules) + 1
    assert rules.spec_of("DATA006") is not None


def test_the_example_cases_pass(example: dict[str, Any],
                                make_repo: Callable[..., Path]) -> None:
    catalog = example["catalog"]
    rule = catalog.by_id("DATA006")
    assert example["cases"]["rule"] == "DATA006"
    for case in example["cases"]["cases"]:
        root = make_repo({k: str(v) for k, v in case["files"].items()})
        results = [r for r in check_repo(root, catalog, ("DATA006",)) if r.rule == "DATA006"]
        expected = expected_per_level(case["expect"], [c.level for c in rule.levels])
        assert {lv: worst_per_level(results).get(lv) for lv in expected} == expected, \
            (case["name"], [(r.status.value, r.message.en) for r in results])
        for fragment in case.get("message") or []:
            assert any(fragment in r.message.en for r in results), (case["name"], fragment)
