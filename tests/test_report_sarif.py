"""SARIF 2.1.0: schema-valid with format checking on every fixture and on odd tmp repos,
one descriptor per rule, problem results only, real relative URIs, anchoring, stable
fingerprints."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from conftest import init_git
from mlops_lint.catalog import Catalog
from mlops_lint.config import Config
from mlops_lint.model import Status
from mlops_lint.report import Report, renderer
from mlops_lint.report.sarif import (
    FINGERPRINT_KEY,
    anchor,
    as_dict,
    guide_path,
    guide_url,
    sarif_level,
    uri,
)
from test_report_common import (
    FIXTURES,
    make_catalog,
    report_for,
    rule,
    standard_report,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-2.1.0.json"
FIXTURE_DIRS = sorted(p.name for p in FIXTURES.glob("*/") if p.is_dir())


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"SARIF schema not found at {SCHEMA_PATH}")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()
    # URI formats are only checked when rfc3986-validator is installed: insist on it,
    # otherwise this test would pass without checking what it claims to check.
    assert {"uri", "uri-reference"} <= set(checker.checkers)
    assert not checker.conforms("not a uri", "uri")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=checker)


def validate(validator: jsonschema.protocols.Validator, report: Report) -> dict[str, Any]:
    text = renderer("sarif")(report)
    data = json.loads(text)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    run = data["runs"][0]
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        path = unquote(location["artifactLocation"]["uri"])
        assert path in report.files, path  # a real file, relative to the root
        assert location["region"]["startLine"] >= 1
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    return data


def materialize(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns(
        "expected.json", "commits.txt"))
    commits = FIXTURES / name / "commits.txt"
    if commits.exists():
        init_git(root, [m for m in commits.read_text(encoding="utf-8").splitlines() if m])
    return root


@pytest.mark.parametrize("name", FIXTURE_DIRS)
def test_every_fixture_gives_valid_sarif(name: str, tmp_path: Path, catalog: Catalog,
                                         validator: jsonschema.protocols.Validator) -> None:
    root = materialize(name, tmp_path)
    for lang in ("en", "es"):
        report = report_for(root, catalog, Config(lang=lang))
        data = validate(validator, report)
        run = data["runs"][0]
        problems = [r for r in report.results if r.status.is_problem]
        unanchored = run["properties"]["unanchoredResults"]
        assert len(run["results"]) + unanchored == len(problems)
        assert run["language"] == lang


def test_fixture_list_is_not_empty() -> None:
    assert FIXTURE_DIRS, "no fixture repositories found"


def test_standard_repo_descriptors_results_and_anchors(
        tmp_path: Path, make_repo: Any, validator: jsonschema.protocols.Validator) -> None:
    report = standard_report(tmp_path, make_repo)
    data = validate(validator, report)
    run = data["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {r.id for r in report.catalog.rules}
    tra = rules["TRA001"]
    assert tra["name"] == "TitleOfTRA001"
    assert tra["shortDescription"]["text"] == "Title of TRA001"
    assert tra["fullDescription"]["text"] == "Why it matters"
    assert "Fix it" in tra["help"]["text"] and '13 "Usuario no-root"' in tra["help"]["text"]
    assert "L1 (gate): criterion 1" in tra["help"]["text"]
    assert tra["helpUri"].endswith("/docs/13_DOCKER.md")
    props = tra["properties"]
    assert (props["phase"], props["level"], props["gate"], props["kind"], props["weight"]) \
        == (4, 1, True, "S", 3.0)
    assert rules["TRG001"]["properties"]["levels"] == [1, 2]
    assert rules["TRG001"]["properties"]["gateLevels"] == [1]
    # Results: fail, warn and error only (no pass, skip, manual).
    got = sorted((r["ruleId"], r["level"], r["properties"]["status"]) for r in run["results"])
    assert got == [("TRA001", "error", "fail"), ("TRB001", "warning", "warn"),
                   ("TRC001", "error", "fail"), ("TRE001", "error", "error"),
                   ("TRG001", "error", "fail")]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    tra_loc = by_rule["TRA001"]["locations"][0]["physicalLocation"]
    assert tra_loc["artifactLocation"]["uri"] == "docker/Dockerfile"
    assert tra_loc["region"] == {"startLine": 3}
    assert "Fix: Fix it" in by_rule["TRA001"]["message"]["text"]
    # The model-card finding has no file: anchored to README.md, named in its fix.
    trc = by_rule["TRC001"]
    assert trc["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "README.md"
    assert trc["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert trc["properties"]["anchored"] is True
    # The crash has no file and a fix naming none: anchored to README.md as a fallback.
    tre = by_rule["TRE001"]["locations"][0]["physicalLocation"]
    assert tre["artifactLocation"]["uri"] == "README.md"
    assert run["properties"]["unanchoredResults"] == 0


def test_unanchored_results_are_left_out_and_counted(
        tmp_path: Path, make_repo: Any, validator: jsonschema.protocols.Validator) -> None:
    catalog = make_catalog(tmp_path, [
        rule("TUA001", 7, [{"en": "no model card", "es": "sin model card"}], scope="repo",
             fix=("add docs/model_card.md", "añade docs/model_card.md")),
        rule("TUB001", 7, [{"en": "no licence", "es": "sin licencia"}], scope="repo",
             fix=("add LICENSE", "añade LICENSE")),
    ])
    root = make_repo({"LICENSE.txt": "MIT", "notes/todo.md": "x"})
    data = validate(validator, report_for(root, catalog))
    run = data["runs"][0]
    assert run["results"] == []
    assert run["properties"]["unanchoredResults"] == 2
    assert run["properties"]["unanchoredRules"] == ["TUA001", "TUB001"]
    # Once a README exists, both are anchored to it.
    (root / "README.md").write_text("# x\n", encoding="utf-8")
    again = validate(validator, report_for(root, catalog))["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in again["results"]] == ["README.md", "README.md"]


def test_anchor_prefers_the_file_the_fix_touches_in_the_project(
        tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo)
    row = next(r for r in report.results if r.rule == "TRC001")
    files = frozenset({"README.md", "pyproject.toml", "svc/a/README.md",
                       "svc/a/pyproject.toml", ".pre-commit-config.yaml"})
    assert anchor(row, files) == "README.md"
    in_project = replace(row, project="svc/a", fix=row.fix.same("set strict in pyproject.toml."))
    assert anchor(in_project, files) == "svc/a/pyproject.toml"
    dotted = replace(row, fix=row.fix.same("add a hook to .pre-commit-config.yaml"))
    assert anchor(dotted, files) == ".pre-commit-config.yaml"
    assert anchor(replace(row, fix=row.fix.same("add tests")), frozenset({"pyproject.toml"})) \
        == "pyproject.toml"
    assert anchor(row, frozenset()) is None


def test_odd_file_names_become_valid_uri_references(
        tmp_path: Path, make_repo: Any, validator: jsonschema.protocols.Validator) -> None:
    names = ["dir with space/Dockerfile", "ünïcode/ñ.yaml", "a:b/c.txt", "h#sh/p%20.md",
             "q?x/y[1].toml"]
    catalog = make_catalog(tmp_path, [
        rule(f"TOD00{i}", 4, [{"path": n, "line": 2, "en": "odd", "es": "raro"}])
        for i, n in enumerate(names, start=1)])
    root = make_repo(dict.fromkeys(names, "a\nb\n"))
    data = validate(validator, report_for(root, catalog))
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for r in data["runs"][0]["results"])
    assert sorted(unquote(u) for u in uris) == sorted(names)
    assert "dir%20with%20space/Dockerfile" in uris and "a%3Ab/c.txt" in uris
    assert uri("h#sh/p%20.md") == "h%23sh/p%2520.md"


def test_fingerprints_are_stable_and_survive_line_moves(
        tmp_path: Path, make_repo: Any) -> None:
    first = as_dict(standard_report(tmp_path / "a", make_repo))["runs"][0]["results"]
    second = as_dict(standard_report(tmp_path / "b", make_repo))["runs"][0]["results"]
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in first]
    assert prints == [r["partialFingerprints"][FINGERPRINT_KEY] for r in second]
    assert len(set(prints)) == len(prints)
    catalog = make_catalog(tmp_path / "c", [
        rule("TFP001", 4, [{"path": "Dockerfile", "line": 7, "en": "root", "es": "root"}])])
    moved = make_catalog(tmp_path / "d", [
        rule("TFP001", 4, [{"path": "Dockerfile", "line": 9, "en": "root", "es": "root"}])])
    root = make_repo({"Dockerfile": "x\n" * 10})

    def printed(cat: Catalog) -> str:
        value: str = as_dict(report_for(root, cat))["runs"][0]["results"][0][
            "partialFingerprints"][FINGERPRINT_KEY]
        return value

    assert printed(catalog) == printed(moved)


def test_sarif_is_byte_identical_across_runs(tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo)
    assert renderer("sarif")(report) == renderer("sarif")(report)
    assert "/tmp" not in renderer("sarif")(report)


def test_spanish_sarif_speaks_spanish(tmp_path: Path, make_repo: Any,
                                      validator: jsonschema.protocols.Validator) -> None:
    report = standard_report(tmp_path, make_repo, lang="es")
    data = validate(validator, report)
    run = data["runs"][0]
    tra = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "TRA001")
    assert tra["shortDescription"]["text"] == "Título de TRA001"
    assert tra["help"]["text"].startswith("Cómo arreglarlo: Arréglalo")
    assert "N1 (puerta): criterio 1" in tra["help"]["text"]
    message = next(r for r in run["results"] if r["ruleId"] == "TRA001")["message"]["text"]
    assert "otra vez" in message and "Solución: Arréglalo" in message
    assert run["properties"]["gate"]["reason"] == "1 hallazgo(s) crítico(s) (TRA001)"


def test_levels_follow_gate_status_and_severity(tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo)
    row = next(r for r in report.results if r.rule == "TRA001")
    assert sarif_level(row) == "error"
    assert sarif_level(replace(row, gate=False, severity="warning")) == "warning"
    assert sarif_level(replace(row, gate=False, severity="info")) == "note"
    assert sarif_level(replace(row, status=Status.WARN, gate=False)) == "warning"
    assert sarif_level(replace(row, status=Status.WARN, severity="info")) == "note"
    assert sarif_level(replace(row, status=Status.ERROR, gate=False, severity="info")) \
        == "error"


@pytest.mark.parametrize("source, path", [
    ('13 "Security: Non-Root User"; EX4 #5', "docs/13_DOCKER.md"),
    ('CHK §7 "Usuario no-root"', "docs/apoyo/CHECKLIST.md"),
    ("RUB Testing", "docs/apoyo/RUBRICA_EVALUACION.md"),
    ("INT F3", "docs/23_PROYECTO_INTEGRADOR.md"),
    ("HITO 1 (15)", "README.md"),
    ("EX6 🔴", "exams/EXAM_06_INTEGRATION.md"),
    ("TPL/model_card_template.md", "docs/templates/model_card_template.md"),
    ("PLA §3", "docs/apoyo/PLANTILLAS.md"),
    ("ADR-TECH ADR-013", None),
    ("TPL/unknown.md", None),
    ("", None),
])
def test_guide_citations_map_to_guide_files(source: str, path: str | None) -> None:
    assert guide_path(source) == path
    url = guide_url(source)
    if path is None:
        assert url is None
    else:
        assert url is not None and url.startswith("https://github.com/DuqueOM/Guia_MLOps/blob/")
        assert url.endswith("/" + path)


def test_shipped_catalog_help_uris_are_valid(
        catalog: Catalog, validator: jsonschema.protocols.Validator) -> None:
    checker = jsonschema.FormatChecker()
    for r in catalog.rules:
        url = guide_url(r.source)
        if url is not None:
            assert checker.conforms(url, "uri"), (r.id, url)


def test_baseline_state_marks_new_and_unchanged(
        tmp_path: Path, make_repo: Any, validator: jsonschema.protocols.Validator) -> None:
    from mlops_lint.runner import write_baseline

    root = make_repo({"Dockerfile": "a\n"})
    before = make_catalog(tmp_path / "a", [
        rule("TBS001", 4, [{"path": "Dockerfile", "line": 1, "en": "old", "es": "viejo"}])])
    baseline = tmp_path / "baseline.json"
    write_baseline(baseline, report_for(root, before))
    after = make_catalog(tmp_path / "b", [
        rule("TBS001", 4, [{"path": "Dockerfile", "line": 1, "en": "old", "es": "viejo"},
                           {"path": "Dockerfile", "line": 1, "en": "new", "es": "nuevo"}])])
    data = validate(validator, report_for(root, after, baseline=baseline))
    run = data["runs"][0]
    states = sorted((r["message"]["text"].split(".")[0], r["baselineState"])
                    for r in run["results"])
    assert states == [("new", "new"), ("old", "unchanged")]
    assert run["properties"]["baselined"] == 1
    assert "1 known failure(s) baselined" in run["properties"]["baselinedText"]


def test_the_validator_rejects_a_bad_uri(tmp_path: Path, make_repo: Any,
                                         validator: jsonschema.protocols.Validator) -> None:
    data = as_dict(standard_report(tmp_path, make_repo))
    location = data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    location["artifactLocation"]["uri"] = "dir with space/x"
    assert list(validator.iter_errors(data))  # format checking is really on
