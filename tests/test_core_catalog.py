from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops_lint.catalog import CatalogError, builtin_rules_dir, load_catalog

RULE = """
phase: 1
rules:
  - id: {id}
    title: {{en: "A title", es: "Un título"}}
    fix: {{en: "Fix it", es: "Arréglalo"}}
    rationale: {{en: "Why", es: "Por qué"}}
    check: {check}
    params: {params}
    levels:
      - {{level: 1, gate: true, text: {{en: "criterion", es: "criterio"}}}}
"""


def rules_dir(tmp_path: Path, **files: str) -> Path:
    directory = tmp_path / "rules"
    directory.mkdir(exist_ok=True)
    shutil.copy(builtin_rules_dir() / "phases.yaml", directory / "phases.yaml")
    for name, text in files.items():
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


def rule(rule_id: str = "TST001", check: str = "file_exists",
         params: str = "{globs: [README.md]}") -> str:
    return RULE.format(id=rule_id, check=check, params=params)


def test_builtin_catalog_is_complete_and_bilingual() -> None:
    catalog = load_catalog()
    ids = [r.id for r in catalog.rules]
    assert len(ids) == len(set(ids))
    assert [p.phase for p in catalog.phases] == list(range(1, 8))
    for r in catalog.rules:
        for text in (r.title, r.fix, r.rationale, *(c.text for c in r.levels)):
            assert text.en.strip() and text.es.strip(), r.id
        assert r.source, r.id
    assert ids == sorted(ids, key=lambda i: (catalog.by_id(i).phase, i))  # type: ignore[union-attr]


def test_a_rule_file_loads_with_phase_from_the_file(tmp_path: Path) -> None:
    catalog = load_catalog(rules_dir=rules_dir(tmp_path, a=rule()))
    assert [r.id for r in catalog.rules] == ["TST001"]
    assert catalog.rules[0].phase == 1
    assert catalog.rules[0].levels[0].effective_weight == 3.0


@pytest.mark.parametrize("text, fragment", [
    ("rules: [\n", "invalid YAML"),
    (rule(check="no_such_check"), "rule TST001: unknown check 'no_such_check'"),
    (rule(params="{globs: [x], globz: [y]}"), "rule TST001: params.globz"),
    (rule(params="{globs: []}"), "rule TST001: params.globs"),
    (rule(check="manual", params="{x: 1}"), "takes no params"),
    (rule(rule_id="lower1"), "rule lower1: id"),
    (RULE.format(id="TST001", check="manual", params="{}").replace("level: 1", "level: 4"),
     "levels.0.level"),
    ("rules:\n  - id: TST001\n", "rule TST001: phase"),
    ("phase: 1\nrulez: []\n", "rulez"),
])
def test_broken_catalogs_name_file_and_rule(tmp_path: Path, text: str, fragment: str) -> None:
    directory = rules_dir(tmp_path, broken=text)
    with pytest.raises(CatalogError) as info:
        load_catalog(rules_dir=directory)
    assert "broken.yaml" in str(info.value)
    assert fragment in str(info.value)


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    directory = rules_dir(tmp_path, a=rule(), b=rule())
    with pytest.raises(CatalogError, match=r"already defined in a\.yaml"):
        load_catalog(rules_dir=directory)


def test_duplicate_levels_rejected(tmp_path: Path) -> None:
    text = rule().replace(
        '      - {level: 1, gate: true, text: {en: "criterion", es: "criterio"}}',
        '      - {level: 1, text: {en: "a", es: "a"}}\n'
        '      - {level: 1, text: {en: "b", es: "b"}}')
    with pytest.raises(CatalogError, match="each level"):
        load_catalog(rules_dir=rules_dir(tmp_path, a=text))


def test_phases_must_be_seven_in_order(tmp_path: Path) -> None:
    directory = rules_dir(tmp_path)
    text = (directory / "phases.yaml").read_text().replace("phase: 7", "phase: 8")
    (directory / "phases.yaml").write_text(text)
    with pytest.raises(CatalogError, match="phases"):
        load_catalog(rules_dir=directory)


def test_team_rule_pack_is_added(tmp_path: Path) -> None:
    pack = tmp_path / "ours.yaml"
    pack.write_text(rule("TEAM001"), encoding="utf-8")
    catalog = load_catalog([pack], rules_dir=rules_dir(tmp_path, a=rule()))
    assert [r.id for r in catalog.rules] == ["TEAM001", "TST001"]


def test_select_and_ignore_by_prefix(tmp_path: Path) -> None:
    directory = rules_dir(tmp_path, a=rule("DOCK001") + rule("DOCK002").split("rules:")[1]
                          + rule("K8S001").split("rules:")[1])
    catalog = load_catalog(rules_dir=directory)
    assert [r.id for r in catalog.select(["ALL"], [])] == ["DOCK001", "DOCK002", "K8S001"]
    assert [r.id for r in catalog.select(["dock"], ["DOCK002"])] == ["DOCK001"]
    assert [r.id for r in catalog.select(["ALL"], ["DOCK"])] == ["K8S001"]
    assert catalog.unknown_prefixes(["DOCK", "NOPE", "all"]) == ["NOPE"]
