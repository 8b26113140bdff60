"""``--format github``: workflow commands escaped as GitHub's toolkit does, the Markdown
job summary, both golden-tested on a fixed catalog; GitHub's 1 MiB summary limit.

Regenerate the golden files with ``UPDATE_GOLDEN=1 pytest tests/test_report_github.py``
and review the diff.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mlops_lint.config import Config
from mlops_lint.report import renderer
from mlops_lint.report.github import (
    SUMMARY_LIMIT,
    append_summary,
    command,
    escape_data,
    escape_property,
    workflow_commands,
)
from mlops_lint.report.markdown import render_markdown
from mlops_lint.runner import write_baseline
from test_report_common import make_catalog, report_for, rule, standard_report

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path} (run with UPDATE_GOLDEN=1)"
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}"


def test_escaping_follows_githubs_toolkit() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\nd") == "a%3Ab%2Cc%25%0Ad"
    assert escape_data("%0A") == "%250A"  # already-escaped text is escaped again


def test_command_skips_missing_properties() -> None:
    assert command("error", "m") == "::error::m"
    assert command("warning", "m", file="a,b.py", line=None, title="T: x") == \
        "::warning file=a%2Cb.py,title=T%3A x::m"
    assert command("notice", "x", file="f", line=3) == "::notice file=f,line=3::x"


def test_annotations_golden(tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo)
    text = workflow_commands(report)
    golden("github_annotations.txt", text)
    lines = text.splitlines()
    assert lines[0].startswith("::notice title=mlops-lint::MLOps maturity: L0")
    # Errors first (GitHub shows only the first few of each kind per step).
    kinds = [line.split(" ", 1)[0].split("::")[1] for line in lines[1:]]
    assert kinds == sorted(kinds, key=["error", "warning", "notice"].index)
    assert ("::error file=docker/Dockerfile,line=3,title=TRA001 L1 · Title of TRA001::"
            "100%25 root: USER 0, again%0Asecond line%0AFix: Fix it") in lines
    assert not any("TRD001" in line or "TRF001" in line or "TRH001" in line for line in lines)


def test_annotations_golden_in_spanish(tmp_path: Path, make_repo: Any) -> None:
    text = workflow_commands(standard_report(tmp_path, make_repo, lang="es"))
    golden("github_annotations.es.txt", text)
    assert "Solución: Arréglalo" in text and "Fix:" not in text
    assert "Madurez MLOps: N0" in text and "Puerta: fallida" in text


def test_summary_golden_appended_to_the_step_summary(
        tmp_path: Path, make_repo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    report = standard_report(tmp_path, make_repo)
    summary = tmp_path / "summary.md"
    summary.write_text("previous step output\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    stdout = renderer("github")(report)
    assert stdout == workflow_commands(report)
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("previous step output\n")
    golden("github_summary.md", written[len("previous step output\n"):])
    renderer("github")(report)  # appended again, never overwritten
    assert summary.read_text(encoding="utf-8").count("## mlops-lint") == 2


def test_summary_golden_in_spanish(tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo, lang="es")
    summary = tmp_path / "summary.md"
    append_summary(report, summary)
    golden("github_summary.es.md", summary.read_text(encoding="utf-8"))


def test_no_summary_without_the_variable(tmp_path: Path, make_repo: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    report = standard_report(tmp_path, make_repo)
    assert renderer("github")(report).startswith("::notice")
    assert not list(tmp_path.glob("*.md"))


def test_unwritable_summary_warns_and_keeps_the_annotations(
        tmp_path: Path, make_repo: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing-dir" / "s.md"))
    text = renderer("github")(standard_report(tmp_path, make_repo))
    assert text.startswith("::notice")
    assert "cannot write the step summary" in capsys.readouterr().err


def test_graded_rule_saying_the_same_thing_gives_one_annotation(
        tmp_path: Path, make_repo: Any) -> None:
    catalog = make_catalog(tmp_path, [
        rule("TGA001", 7, [{"en": "no data card", "es": "sin data card"}], scope="repo",
             levels=((2, False), (3, False)), severity="warning")])
    text = workflow_commands(report_for(make_repo({"README.md": "x"}), catalog))
    lines = text.splitlines()[1:]
    # phase 7 is at level 0 (no descriptive README): level 2 and 3 are beyond its next level
    assert lines == ["::notice title=TGA001 L2/L3 · Title of TGA001::no data card%0AFix: Fix it"]


def test_graded_annotation_takes_the_kind_of_its_next_level_row(
        tmp_path: Path, make_repo: Any) -> None:
    catalog = make_catalog(tmp_path, [
        rule("TGB001", 7, [{"status": "pass", "en": "readme", "es": "readme"}], scope="repo"),
        rule("TGA001", 7, [{"en": "no data card", "es": "sin data card"}], scope="repo",
             levels=((2, False), (3, False)), severity="warning")])
    # A descriptive README (300 bytes or more) puts phase 7 at level 1: level 2 is next.
    readme = "# Churn\n\n" + "Predicts which customers will leave, and why. " * 8
    report = report_for(make_repo({"README.md": readme}), catalog)
    assert report.maturity.phases[6].level == 1
    lines = workflow_commands(report).splitlines()[1:]
    assert lines == ["::warning title=TGA001 L2/L3 · Title of TGA001::no data card%0AFix: Fix it"]


# --- the order: what fails the gate, then next-level blockers, then the rest -------

CROWD = [
    # phase 4 at level 1; 30 failing findings one level up, and one two levels up
    rule("TQA001", 4, [{"status": "pass", "en": "ok", "es": "ok"}], levels=((1, True),)),
    rule("TQB001", 4, [{"path": "Dockerfile", "line": n, "en": f"crowd {n}", "es": f"m {n}"}
                       for n in range(1, 31)], levels=((2, False),)),
    rule("TQD001", 4, [{"path": "Dockerfile", "line": 31, "en": "far", "es": "lejos"}],
         levels=((3, False),)),
    # phase 7 at level 0: one level-1 blocker, a warning
    rule("TQC001", 7, [{"en": "no README", "es": "sin README"}], scope="repo",
         severity="warning"),
]


def _crowd(tmp_path: Path, make_repo: Any, config: Config) -> list[str]:
    root = make_repo({"Dockerfile": "".join(f"RUN step {n}\n" for n in range(1, 32))})
    text = workflow_commands(report_for(root, make_catalog(tmp_path, CROWD), config))
    return text.splitlines()[1:]


def _kind_and_title(line: str) -> tuple[str, str]:
    kind = line.split("::")[1].split(" ")[0]
    return kind, line.split("title=")[1].split(" ")[0]


def test_a_gate_failing_blocker_comes_before_thirty_other_errors(
        tmp_path: Path, make_repo: Any) -> None:
    lines = _crowd(tmp_path, make_repo, Config.model_validate({"min-level": {7: 1}}))
    assert len(lines) == 32
    # GitHub shows ten errors and ten warnings per step: the one that fails the gate
    # is first, before thirty errors that do not.
    assert _kind_and_title(lines[0]) == ("warning", "TQC001")
    assert [_kind_and_title(x)[1] for x in lines[1:31]] == ["TQB001"] * 30
    # beyond phase 4's next level (L3 while at L1): a notice, last
    assert _kind_and_title(lines[-1]) == ("notice", "TQD001")


def test_without_a_min_level_the_critical_next_level_findings_come_first(
        tmp_path: Path, make_repo: Any) -> None:
    lines = _crowd(tmp_path, make_repo, Config())
    kinds = [_kind_and_title(x) for x in lines]
    # the thirty level-2 errors fail the default gate; the level-1 blocker of phase 7
    # follows them, before the level-3 finding, which is a notice
    assert kinds[:30] == [("error", "TQB001")] * 30
    assert kinds[30:] == [("warning", "TQC001"), ("notice", "TQD001")]


def test_a_min_level_gate_keeps_its_findings_beyond_the_next_level(
        tmp_path: Path, make_repo: Any) -> None:
    lines = _crowd(tmp_path, make_repo, Config.model_validate({"min-level": {4: 3}}))
    kinds = [_kind_and_title(x) for x in lines]
    # phase 4 must reach L3: its L2 and L3 findings fail the gate, the L3 one stays an
    # error; phase 7's blocker of its next level comes after them
    assert kinds[:31] == [("error", "TQB001")] * 30 + [("error", "TQD001")]
    assert kinds[31] == ("warning", "TQC001")


def test_baselined_problems_are_not_annotated(tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"Dockerfile": "a\n"})
    catalog = make_catalog(tmp_path, [
        rule("TBA001", 4, [{"path": "Dockerfile", "line": 1, "en": "old", "es": "viejo"}])])
    baseline = tmp_path / "b.json"
    write_baseline(baseline, report_for(root, catalog))
    report = report_for(root, catalog, baseline=baseline)
    lines = workflow_commands(report).splitlines()
    assert len(lines) == 1
    assert "1 known failure(s) baselined" in lines[0] and "Gate: passed" in lines[0]


def big_report(tmp_path: Path, make_repo: Any, n: int = 1500) -> Any:
    long = "x" * 300
    findings = [{"status": ("fail", "warn", "pass")[i % 3], "path": "f.py", "line": i + 1,
                 "en": f"finding {i} {long}", "es": f"hallazgo {i} {long}"} for i in range(n)]
    catalog = make_catalog(tmp_path, [rule("TBG001", 1, findings)])
    return report_for(make_repo({"f.py": "\n" * n}), catalog)


def test_a_huge_summary_is_cut_to_githubs_limit(tmp_path: Path, make_repo: Any) -> None:
    report = big_report(tmp_path, make_repo, n=4000)
    full = render_markdown(report)
    assert len(full.encode()) > SUMMARY_LIMIT
    summary = tmp_path / "s.md"
    summary.write_text("x" * 1000, encoding="utf-8")
    append_summary(report, summary)
    size = summary.stat().st_size
    assert size <= SUMMARY_LIMIT
    text = summary.read_text(encoding="utf-8")
    assert "Passing and skipped results are left out" in text
    assert "## mlops-lint" in text and "What blocks the next level" in text


@pytest.mark.parametrize("limit, note", [
    (10**7, None),
    (420_000, "Passing and skipped results are left out"),
    (60_000, "Only the first"),
    (3_000, "report truncated to fit the size limit"),
])
def test_markdown_shrinks_step_by_step(tmp_path: Path, make_repo: Any, limit: int,
                                       note: str | None) -> None:
    report = big_report(tmp_path, make_repo)
    text = render_markdown(report, limit=limit)
    assert len(text.encode()) <= limit
    if note is None:
        assert text == render_markdown(report)
    else:
        assert note in text


def test_spanish_shrink_notes(tmp_path: Path, make_repo: Any) -> None:
    report = replace(big_report(tmp_path, make_repo), lang="es")
    assert "informe truncado" in render_markdown(report, limit=3_000)
    assert "Se omiten los resultados" in render_markdown(report, limit=420_000)


def test_cli_github_format_end_to_end(tmp_path: Path, make_repo: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mlops_lint.cli import cli

    root = make_repo({"README.md": "# x\n"})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "github",
                                      "--select", "DOC001", "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("::notice title=mlops-lint::")
    assert "DOC001" in result.output
    assert "## mlops-lint" in summary.read_text(encoding="utf-8")
    assert Config().lang == "en"


def test_markdown_format_fits_a_pull_request_comment(tmp_path: Path, make_repo: Any) -> None:
    from mlops_lint.report.markdown import COMMENT_LIMIT

    report = big_report(tmp_path, make_repo)
    comment = renderer("markdown")(report)
    assert len(comment) <= 65_536 and len(comment.encode()) <= COMMENT_LIMIT
    assert "What blocks the next level" in comment
    summary = tmp_path / "s.md"
    append_summary(report, summary)
    assert summary.stat().st_size > COMMENT_LIMIT  # the job summary keeps more


def test_a_critical_finding_beyond_the_next_level_fails_the_gate_and_comes_first(
        tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"Dockerfile": "".join(f"RUN step {n}\n" for n in range(1, 32))})
    catalog = make_catalog(tmp_path, CROWD, critical=("TQD001",))
    report = report_for(root, catalog, Config())
    assert not report.gate.passed
    kinds = [_kind_and_title(x) for x in workflow_commands(report).splitlines()[1:]]
    # the default gate fails on TQD001 (level 3 of a phase at level 1): an error, first
    assert kinds[0] == ("error", "TQD001")
    assert ("notice", "TQD001") not in kinds
