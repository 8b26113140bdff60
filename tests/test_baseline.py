"""Baselines: ``--write-baseline`` records today's problems by stable fingerprint;
``--baseline`` lets only new ones count for the gate (the default gate and the
``min-level``/``fail-under`` gates), while the reported levels stay honest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from mlops_lint.catalog import Catalog
from mlops_lint.cli import cli
from mlops_lint.config import Config
from mlops_lint.runner import read_baseline, write_baseline
from test_report_common import make_catalog, report_for, rule


def emit(*messages: str, line: int = 1) -> list[dict[str, Any]]:
    return [{"path": "Dockerfile", "line": line, "en": m, "es": m} for m in messages]


def catalog_of(tmp_path: Path, name: str, findings: list[dict[str, Any]],
               extra: list[dict[str, Any]] | None = None, level: int = 1) -> Catalog:
    """TBL001, a gate of ``level`` of phase 4, and critical: its failures fail the default
    gate (which fails on critical findings only)."""
    rules = [rule("TBL001", 4, findings, levels=((level, True),)), *(extra or [])]
    return make_catalog(tmp_path / name, rules, critical=("TBL001", "TBN001"))


def test_write_baseline_records_problems_with_readable_entries(
        tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"Dockerfile": "a\n"})
    catalog = catalog_of(tmp_path, "a", [
        *emit("root user", "root user"),
        {"status": "warn", "en": "maybe", "es": "quizá"},
        {"status": "pass", "en": "fine", "es": "bien"},
    ])
    path = tmp_path / "baseline.json"
    write_baseline(path, report_for(root, catalog))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["tool"] == "mlops-lint" and data["version"] == 1
    assert len(data["fingerprints"]) == 3  # the same finding twice is recorded twice
    assert sorted(e["message"] for e in data["entries"]) == ["maybe", "root user", "root user"]
    assert {e["rule"] for e in data["entries"]} == {"TBL001"}
    root_user = next(e["fingerprint"] for e in data["entries"] if e["message"] == "root user")
    assert read_baseline(path)[root_user] == 2


def test_only_new_failures_count_for_the_default_gate(tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"Dockerfile": "a\n"})
    before = catalog_of(tmp_path, "a", emit("old problem"))
    path = tmp_path / "baseline.json"
    write_baseline(path, report_for(root, before))
    same = report_for(root, before, baseline=path)
    assert same.gate.passed and same.baselined == 1
    assert "1 baselined result(s) accepted" in same.gate.reason.en
    after = catalog_of(tmp_path, "b", emit("old problem", "new problem"))
    report = report_for(root, after, baseline=path)
    assert not report.gate.passed and report.baselined == 1
    assert "1 critical finding(s) (TBL001)" in report.gate.reason.en
    assert [r.message.en for r in report.problems()] == ["new problem"]


def test_a_baselined_fingerprint_covers_as_many_results_as_recorded(
        tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"Dockerfile": "a\n"})
    path = tmp_path / "baseline.json"
    write_baseline(path, report_for(root, catalog_of(tmp_path, "a", emit("dup"))))
    report = report_for(root, catalog_of(tmp_path, "b", emit("dup", "dup")), baseline=path)
    assert report.baselined == 1 and len(report.problems()) == 1
    assert not report.gate.passed


def test_fingerprints_survive_moved_lines(tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"Dockerfile": "a\n" * 20})
    path = tmp_path / "baseline.json"
    write_baseline(path, report_for(root, catalog_of(tmp_path, "a", emit("x", line=3))))
    moved = report_for(root, catalog_of(tmp_path, "b", emit("x", line=17)), baseline=path)
    assert moved.baselined == 1 and moved.gate.passed


def test_level_gate_with_a_baseline_counts_baselined_results_as_accepted(
        tmp_path: Path, make_repo: Any) -> None:
    # A Dockerfile and CI: phase 4 is present (level 1); TBL001, its level-2 gate, fails.
    root = make_repo({"Dockerfile": "a\n", ".github/workflows/ci.yml": "on: push\n"})
    passing = {"status": "pass", "en": "ok", "es": "ok"}
    before = catalog_of(tmp_path, "a", [*emit("legacy"), passing], level=2)
    path = tmp_path / "baseline.json"
    gate = Config(min_level={4: 2})
    write_baseline(path, report_for(root, before))
    honest = report_for(root, before, gate)
    assert not honest.gate.passed and "phase 4 is level 1, below 2" in honest.gate.reason.en
    accepted = report_for(root, before, gate, baseline=path)
    assert accepted.gate.passed
    # The report itself stays honest: phase 4 is still level 1 with its blocker.
    phase4 = accepted.maturity.phases[3]
    assert phase4.level == 1 and phase4.blockers == ("TBL001",)
    # A new failure in the phase trips the gate again.
    after = catalog_of(tmp_path, "b", [*emit("legacy"), passing], level=2, extra=[
        rule("TBN001", 4, emit("brand new"), levels=((2, True),))])
    tripped = report_for(root, after, gate, baseline=path)
    assert not tripped.gate.passed and "phase 4 is level 1" in tripped.gate.reason.en


def test_fail_under_gate_with_a_baseline(tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"Dockerfile": "a\n"})
    catalog = catalog_of(tmp_path, "a", emit("legacy"))
    path = tmp_path / "baseline.json"
    write_baseline(path, report_for(root, catalog))
    # Phases 2, 4-7 apply (no Python). Phase 4 is present (L1): 25 with TBL001 failing,
    # 49 with it accepted; the others 0. Mean 5, then 10.
    gate = Config(fail_under=8)
    honest = report_for(root, catalog, gate)
    assert honest.maturity.score == 5 and not honest.gate.passed
    accepted = report_for(root, catalog, gate, baseline=path)
    assert accepted.gate.passed and "score" not in accepted.gate.reason.en


def test_fixed_problems_simply_leave_the_baseline_unused(tmp_path: Path,
                                                         make_repo: Any) -> None:
    root = make_repo({"Dockerfile": "a\n"})
    path = tmp_path / "baseline.json"
    write_baseline(path, report_for(root, catalog_of(tmp_path, "a", emit("gone"))))
    fixed = catalog_of(tmp_path, "b", [{"status": "pass", "en": "ok", "es": "ok"}])
    report = report_for(root, fixed, baseline=path)
    assert report.baselined == 0 and report.gate.passed


def test_cli_write_then_use_a_baseline(tmp_path: Path, make_repo: Any) -> None:
    # A committed .env is a critical finding: it fails the default gate.
    root = make_repo({"README.md": "# x\n", ".env": "TOKEN=x\n"}, commits=["feat: x"])
    path = tmp_path / "baseline.json"
    runner = CliRunner()
    first = runner.invoke(cli, ["check", str(root), "--select", "DOC,SEC", "--write-baseline",
                                str(path), "--format", "json"])
    assert first.exit_code == 1  # the report is written and the gate still applies
    assert "SEC001" in json.loads(first.output)["summary"]["gate"]["reason"]
    assert json.loads(first.output)["summary"]["baselined"] == 0
    assert path.is_file()
    second = runner.invoke(cli, ["check", str(root), "--select", "DOC,SEC", "--baseline",
                                 str(path), "--format", "json"])
    assert second.exit_code == 0, second.output
    data = json.loads(second.output)
    problems = [r for r in data["results"] if r["status"] in ("fail", "warn", "error")]
    assert data["summary"]["baselined"] == len(problems) > 0
    assert all(r["baselined"] for r in problems)
    again = runner.invoke(cli, ["check", str(root), "--select", "DOC,SEC", "--baseline",
                                str(path), "--format", "json"])
    assert again.output == second.output  # deterministic


def test_cli_rejects_a_bad_baseline(tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"README.md": "# x\n"})
    runner = CliRunner()
    for content in ("not json", '{"no": "fingerprints"}', "[]"):
        bad = tmp_path / "bad.json"
        bad.write_text(content, encoding="utf-8")
        result = runner.invoke(cli, ["check", str(root), "--baseline", str(bad)])
        assert result.exit_code == 2 and "baseline" in result.output
    missing = runner.invoke(cli, ["check", str(root), "--baseline", str(tmp_path / "no.json")])
    assert missing.exit_code == 2 and "cannot read baseline" in missing.output
