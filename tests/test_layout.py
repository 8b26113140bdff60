"""One rule, one place: each built-in rule is a module ``rules/<family>/<id>_<name>.py``
registered by its id, with its metadata ``<id>_<name>.yaml`` beside it, and every family
is in the import contract that keeps families from importing each other."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_lint.catalog import load_catalog
from mlops_lint.resources import builtin_rules_dir
from mlops_lint.rules import check_index

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def families() -> list[str]:
    return sorted(p.name for p in builtin_rules_dir().iterdir()
                  if (p / "__init__.py").is_file())


def test_every_built_in_rule_has_its_module_and_metadata_side_by_side() -> None:
    index = check_index()
    for rule in load_catalog().rules:
        assert rule.check == rule.id, rule.id
        module = index[rule.id]  # mlops_lint.rules.<family>.<id>_<name>
        family, name = module.split(".")[-2:]
        assert family in families(), module
        assert name.startswith(rule.id.lower() + "_"), module
        assert (builtin_rules_dir() / family / f"{name}.yaml").is_file(), module


def test_no_metadata_file_without_its_module() -> None:
    for family in families():
        for meta in (builtin_rules_dir() / family).glob("*.yaml"):
            assert meta.with_suffix(".py").is_file(), meta


def test_every_family_is_in_the_independence_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    independent = next(c for c in contracts if c["type"] == "independence")
    assert sorted(m.rsplit(".", 1)[1] for m in independent["modules"]) == families()
