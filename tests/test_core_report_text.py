from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from mlops_lint.checks import check
from mlops_lint.config import Config
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed
from mlops_lint.report import renderer
from mlops_lint.report.json_report import as_dict
from mlops_lint.runner import build_report, read_baseline, write_baseline
from test_core_engine import catalog_with


def test_blockers_show_path_line_message_and_fix(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TLA001", "test_engine_line", "{path: Dockerfile, line: 3}"))
    root = make_repo({"Dockerfile": "FROM x\n"})
    report = build_report(root, "demo", Config(), catalog)
    text = renderer("text")(report)
    assert "mlops-lint" in text and "demo" in text
    assert "What blocks the next level" in text
    assert "TLA001 L1 fail Dockerfile:3: bad line" in text
    assert "fix: Fix it" in text
    assert "\033[" not in text
    colored = renderer("text")(replace(report, color=True))
    assert "\033[31m" in colored
    spanish = renderer("text")(replace(report, lang="es"))
    assert "Qué bloquea el siguiente nivel" in spanish and "solución: Arréglalo" in spanish
    assert "línea mala" in spanish


@check("test_report_many")
def _many(ctx: Context, params: None) -> Iterator[Finding]:
    for line in range(1, 8):
        yield failed(T(f"problem {line}", f"problema {line}"), "f", line)


def test_many_results_of_one_rule_are_capped(tmp_path: Path,
                                             make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TMY001", "test_report_many", "{}"))
    report = build_report(make_repo({"f": ""}), ".", Config(), catalog)
    text = renderer("text")(report)
    assert "f:5: problem 5" in text and "f:6:" not in text
    assert "… and 2 more" in text


def test_json_counts_and_ignored(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TOK001", "file_exists", "{globs: [README.md]}"))
    report = build_report(make_repo({"README.md": ""}), ".", Config(ignore=("TGR",)), catalog)
    data = as_dict(report)
    assert data["summary"]["counts"]["pass"] == 1
    assert data["summary"]["ignored"] == ["TGR001"]
    text = renderer("text")(report)
    assert "Ignored without justification: TGR001" in text


def test_baseline_round_trip(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TLA001", "test_engine_line", "{path: f, line: 1}"))
    root = make_repo({"f": ""})
    report = build_report(root, ".", Config(), catalog)
    assert not report.gate.passed
    baseline = tmp_path / "baseline.json"
    write_baseline(baseline, report)
    assert len(read_baseline(baseline)) == 2  # TLA001 and the graded rule's level-2 failure
    again = build_report(root, ".", Config(), catalog, baseline=baseline)
    assert again.baselined == 2 and again.gate.passed
    assert "2 known failure(s) baselined" in renderer("text")(again)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nope": []}))
    try:
        read_baseline(bad)
    except ValueError as exc:
        assert "fingerprints" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a baseline without fingerprints must be rejected")
