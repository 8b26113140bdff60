"""Helpers shared by the report tests (a fixed, self-made catalog so that outputs do not
change when rules are added to the shipped catalog), and tests of the shared pieces."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlops_lint.catalog import Catalog, builtin_rules_dir, load_catalog
from mlops_lint.config import Config
from mlops_lint.context import Context
from mlops_lint.model import Finding, Result, Status, T
from mlops_lint.report import Report
from mlops_lint.report.common import (
    STATUS_ORDER,
    STATUS_WORD,
    counts_line,
    level_tag,
    ordered,
    score_bar,
    where,
)
from mlops_lint.rules import Params, check
from mlops_lint.runner import build_report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Emit(Params):
    status: str = "fail"
    path: str | None = None
    line: int | None = None
    en: str = "problem"
    es: str = "problema"
    level: int | None = None
    fix_en: str | None = None
    fix_es: str | None = None


class EmitParams(Params):
    findings: list[Emit]


@check("test_report_emit", EmitParams)
def _emit(ctx: Context, params: EmitParams) -> Iterator[Finding]:
    for f in params.findings:
        fix = T(f.fix_en, f.fix_es or f.fix_en) if f.fix_en else None
        path = ctx.path(f.path) if f.path else None
        yield Finding(Status(f.status), T(f.en, f.es), path, f.line, f.level, fix)


def rule(rule_id: str, phase: int, findings: list[dict[str, Any]], *,
         levels: tuple[tuple[int, bool], ...] = ((1, False),), severity: str = "error",
         scope: str = "project", source: str = "13 \"Usuario no-root\"; EX4",
         fix: tuple[str, str] = ("Fix it", "Arréglalo"),
         title: tuple[str, str] | None = None) -> dict[str, Any]:
    return {
        "id": rule_id, "phase": phase, "scope": scope, "severity": severity,
        "title": {"en": title[0] if title else f"Title of {rule_id}",
                  "es": title[1] if title else f"Título de {rule_id}"},
        "fix": {"en": fix[0], "es": fix[1]},
        "rationale": {"en": "Why it matters", "es": "Por qué importa"},
        "source": source,
        "check": "test_report_emit",
        "params": {"findings": findings},
        "levels": [{"level": lvl, "gate": gate,
                    "text": {"en": f"criterion {lvl}", "es": f"criterio {lvl}"}}
                   for lvl, gate in levels],
    }


def make_catalog(tmp_path: Path, rules: list[dict[str, Any]],
                 critical: tuple[str, ...] | None = None) -> Catalog:
    """A catalog of ``rules`` with the shipped phases; ``critical`` replaces the shipped
    list of rules whose failures fail the default gate."""
    directory = tmp_path / "rules-under-test"
    directory.mkdir(parents=True, exist_ok=True)
    phases = (builtin_rules_dir() / "phases.yaml").read_text(encoding="utf-8")
    if critical is not None:
        phases, count = re.subn(r"(?m)^critical:.*$", f"critical: [{', '.join(critical)}]",
                                phases)
        assert count == 1, "phases.yaml has no 'critical:' line to replace"
    (directory / "phases.yaml").write_text(phases, encoding="utf-8")
    # JSON is YAML: the rule file is written with json.dumps.
    (directory / "rules.yaml").write_text(json.dumps({"rules": rules}), encoding="utf-8")
    return load_catalog(rules_dir=directory)


# The catalog of the golden tests: every status, escaping hazards, a graded rule,
# a repository-level finding anchored through its fix, and one that cannot be anchored.
STANDARD = [
    rule("TRA001", 4, [{"path": "docker/Dockerfile", "line": 3,
                        "en": "100% root: USER 0, again\nsecond line",
                        "es": "100% root: USER 0, otra vez\nsegunda línea"}],
         levels=((1, True),)),
    rule("TRB001", 4, [{"status": "warn", "path": "docker/Dockerfile", "line": 5,
                        "en": "layer cache busted", "es": "caché de capas invalidada"}],
         levels=((2, False),), severity="warning"),
    rule("TRC001", 7, [{"en": "no model card", "es": "no hay model card"}],
         scope="repo", fix=("add a model card and link it from README.md",
                            "añade una model card y enlázala desde README.md")),
    rule("TRD001", 1, [{"status": "pass", "path": "src/app.py", "line": 1,
                        "en": "typed", "es": "tipado"}]),
    rule("TRE001", 2, [{"status": "error", "en": "the check crashed: boom",
                        "es": "la comprobación falló: boom"}], scope="repo",
         fix=("report the bug", "informa del fallo")),
    rule("TRF001", 6, [{"status": "skip", "en": "not applicable: no k8s",
                        "es": "no aplica: sin k8s"}]),
    rule("TRG001", 3, [{"status": "pass", "level": 1, "en": "tests exist",
                        "es": "hay tests"},
                       {"status": "fail", "level": 2, "path": "pyproject.toml", "line": 2,
                        "en": "coverage threshold 60 < 80",
                        "es": "umbral de cobertura 60 < 80"}],
         levels=((1, True), (2, False)), fix=("set fail_under = 80 in pyproject.toml",
                                              "pon fail_under = 80 en pyproject.toml")),
    rule("TRH001", 5, [{"status": "manual", "en": "try the API by hand",
                        "es": "prueba la API a mano"}]),
]
# The default gate fails only on critical findings: the root user stands for one here, so
# that the reports show a failing gate.
STANDARD_CRITICAL = ("TRA001",)
STANDARD_FILES = {
    "README.md": "# demo\n",
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "docker/Dockerfile": "FROM python:3.11\nRUN pip install x\nUSER 0\nCOPY . .\nRUN a\n",
    "src/app.py": "x: int = 1\n",
}


def report_for(root: Path, catalog: Catalog, config: Config | None = None,
               baseline: Path | None = None) -> Report:
    report = build_report(root, ".", config or Config(), catalog, baseline)
    return replace(report, version="0.0.0")


def standard_report(tmp_path: Path, make_repo: Any, lang: str = "en",
                    config: Config | None = None) -> Report:
    root = make_repo(STANDARD_FILES)
    catalog = make_catalog(tmp_path, STANDARD, critical=STANDARD_CRITICAL)
    return replace(report_for(root, catalog, config), lang=lang)


def _result(status: Status, **changes: Any) -> Result:
    base = Result(rule="X001", phase=1, level=1, gate=False, weight=1.0, status=status,
                  severity="error", project=".", path=None, line=None,
                  message=T("m", "m"), fix=T("f", "f"), title=T("t", "t"))
    return replace(base, **changes)


def test_where_names_the_place_in_both_languages() -> None:
    assert where(_result(Status.FAIL), "en") == "(repository)"
    assert where(_result(Status.FAIL), "es") == "(repositorio)"
    assert where(_result(Status.FAIL, project="svc/a"), "en") == "svc/a"
    assert where(_result(Status.FAIL, path="a.py", line=3), "en") == "a.py:3"
    assert where(_result(Status.FAIL, path="a.py"), "es") == "a.py"


def test_level_tags_scores_and_order() -> None:
    assert level_tag(2, "en") == "L2" and level_tag(2, "es") == "N2"
    assert score_bar(0) == "░" * 10 and score_bar(100) == "█" * 10
    assert score_bar(78) == "█" * 8 + "░" * 2
    rows = [_result(Status.PASS), _result(Status.FAIL, rule="Z001"),
            _result(Status.WARN), _result(Status.FAIL, rule="A001")]
    assert [(r.status, r.rule) for r in ordered(rows)] == [
        (Status.FAIL, "A001"), (Status.FAIL, "Z001"), (Status.WARN, "X001"),
        (Status.PASS, "X001")]
    assert set(STATUS_ORDER) == set(Status)
    assert all(STATUS_WORD[s].en != STATUS_WORD[s].es for s in Status
               if s not in (Status.MANUAL, Status.ERROR))


def test_counts_line_counts_every_status(tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo)
    line = counts_line(report, "en")
    assert "3 fail" in line and "1 warn" in line and "1 error" in line
    assert "2 pass" in line and "1 skip" in line and "1 manual" in line
    assert "3 falla" in counts_line(report, "es")
