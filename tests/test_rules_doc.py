"""The rule reference (docs/rules.md, docs/rules.es.md) is generated from the catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint.catalog import Catalog
from mlops_lint.cli import cli
from mlops_lint.rules_doc import rules_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize(("lang", "name"), [("en", "rules.md"), ("es", "rules.es.md")])
def test_checked_in_reference_is_the_generated_one(catalog: Catalog, lang: str,
                                                   name: str) -> None:
    expected = rules_markdown(catalog, lang)
    actual = (DOCS / name).read_text(encoding="utf-8")
    assert actual == expected, (
        f"docs/{name} is stale: regenerate it with "
        f"`mlops-lint rules --format markdown{' --lang es' if lang == 'es' else ''} "
        f"> docs/{name}`")


def test_every_rule_has_one_section_and_a_toc_link(catalog: Catalog) -> None:
    text = rules_markdown(catalog)
    sections = re.findall(r"^### ([A-Z0-9]+) — ", text, flags=re.MULTILINE)
    assert sections == [r.id for p in catalog.phases for r in catalog.rules
                        if r.phase == p.phase]
    for rule in catalog.rules:
        assert f"[{rule.id}](#{rule.id.lower()})" in text


def test_a_rule_section_has_the_ruff_shaped_parts(catalog: Catalog) -> None:
    text = rules_markdown(catalog)
    section = text.split("### DOCK005 — ", 1)[1].split("\n### ", 1)[0]
    for part in ("**What it checks**", "**Why it matters**", "**How to fix**",
                 "**Source in the guide**", "- L2"):
        assert part in section
    spanish = rules_markdown(catalog, "es")
    assert "**Por qué importa**" in spanish and "**Why it matters**" not in spanish


def test_gates_are_marked(catalog: Catalog) -> None:
    gated = [r for r in catalog.rules if any(c.gate for c in r.levels)]
    assert gated, "the catalog has gates"
    text = rules_markdown(catalog)
    rule = gated[0]
    section = text.split(f"### {rule.id} — ", 1)[1].split("\n### ", 1)[0]
    assert "(gate):" in section


def test_cli_markdown_of_one_phase(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "markdown", "--phase", "4"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert "## Phase 4 — " in result.output
    assert "### DOCK005 — " in result.output
    assert "## Phase 1 — " not in result.output and "### PY001 — " not in result.output
