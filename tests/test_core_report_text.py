from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlops_lint.config import Config
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed
from mlops_lint.report import renderer
from mlops_lint.report.json_report import as_dict
from mlops_lint.rules import check
from mlops_lint.runner import build_report, read_baseline, write_baseline
from test_core_engine import catalog_with


def test_blockers_show_path_line_message_and_fix(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TLA001", "test_engine_line", "{path: Dockerfile, line: 3}"))
    # A Python file makes phase 1 (the test rule's) applicable: TLA001 blocks its level 1.
    root = make_repo({"Dockerfile": "FROM x\n", "app.py": "x = 1\n"})
    report = build_report(root, "demo", Config(), catalog)
    text = renderer("text")(report)
    assert "mlops-lint" in text and "demo" in text
    assert "What blocks the next level" in text
    assert "  Phase 1 → L1" in text
    assert "TLA001 L1 [gate] fail Dockerfile:3: bad line" in text
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
    report = build_report(make_repo({"f": "", "app.py": "x = 1\n"}), ".", Config(), catalog)
    text = renderer("text")(report)
    assert "  Phase 1 → L1" in text
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
    # Phase 2 (the graded rule's) has two artefacts, requirements.txt and pre-commit; the
    # failing gate of TGR001 at level 2 keeps it from the level 2 the gate asks for.
    root = make_repo({"f": "", "requirements.txt": "numpy==2.0.0\n",
                      ".pre-commit-config.yaml": "repos: []\n"})
    config = Config(min_level={2: 2})
    report = build_report(root, ".", config, catalog)
    assert not report.gate.passed and "phase 2 is level 1, below 2" in report.gate.reason.en
    baseline = tmp_path / "baseline.json"
    write_baseline(baseline, report)
    assert len(read_baseline(baseline)) == 2  # TLA001 and the graded rule's level-2 failure
    again = build_report(root, ".", config, catalog, baseline=baseline)
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


# --- the terminal: wrapping, colour --------------------------------------------------

LONG = ("the final stage runs as root because no USER instruction follows the last FROM, "
        "so a compromised process owns the container's whole file system")


def _wide_report(tmp_path: Path, make_repo: Callable[..., Path]) -> object:
    from test_report_common import make_catalog, report_for, rule

    catalog = make_catalog(tmp_path, [rule(
        "TWR001", 4, [{"path": "docker/Dockerfile", "line": 3, "en": LONG, "es": LONG,
                       "fix_en": "create a user in the final stage and switch to it:\n"
                                 "RUN useradd --create-home --uid 1000 appuser\n"
                                 "USER appuser",
                       "fix_es": "crea un usuario\nUSER appuser"}])])
    root = make_repo({"docker/Dockerfile": "FROM x\nRUN a\nRUN b\n"})
    return report_for(root, catalog)


def test_text_wraps_to_80_columns_with_a_hanging_indent(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    report = _wide_report(tmp_path, make_repo)
    text = renderer("text")(replace(report, width=80))  # type: ignore[type-var]
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), [x for x in lines if len(x) > 80]
    start = next(i for i, x in enumerate(lines) if x.startswith("    TWR001 L1 fail "))
    head = lines[start:start + 3]
    assert head[0].startswith("    TWR001 L1 fail docker/Dockerfile:3: the final stage")
    assert head[1].startswith("      ") and not head[1].startswith("       ")
    # the message reads the same once the wrapped pieces are joined
    joined = " ".join(x.strip() for x in head if not x.lstrip().startswith("fix:"))
    assert LONG in joined
    fix = lines.index("        fix: create a user in the final stage and switch to it:")
    assert lines[fix + 1] == "             RUN useradd --create-home --uid 1000 appuser"
    assert lines[fix + 2] == "             USER appuser"
    # the gate line wraps too
    assert lines[-1].startswith("  ") or lines[-1].startswith("Gate: ")


def test_multi_line_fixes_are_indented_without_wrapping(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    report = _wide_report(tmp_path, make_repo)
    text = renderer("text")(report)  # type: ignore[arg-type]
    assert "docker/Dockerfile:3: " + LONG in text  # no width: one line
    assert "\n             USER appuser\n" in text
    spanish = renderer("text")(replace(report, lang="es"))  # type: ignore[type-var]
    assert "        solución: crea un usuario\n                  USER appuser\n" in spanish


def test_wrapping_keeps_colour_on_the_status_word(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    report = _wide_report(tmp_path, make_repo)
    text = renderer("text")(replace(report, width=80, color=True))  # type: ignore[type-var]
    assert "    TWR001 L1 \033[31mfail\033[0m docker/Dockerfile:3: the final" in text
    assert "\033[2m             USER appuser\033[0m" in text


def test_a_directory_with_nothing_of_the_phases_is_said_to_not_look_like_a_repository(
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mlops_lint.cli import cli

    (tmp_path / "notes.txt").write_text("shopping list\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--exit-zero"])
    assert "is this the root of a machine-learning repository?" in result.stdout
    (tmp_path / "README.md").write_text("# A model\n\n" + "It predicts things. " * 30,
                                        encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--exit-zero"])
    assert "machine-learning repository?" not in result.stdout


def test_a_graded_rules_identical_finding_is_shown_once_with_its_levels() -> None:
    from mlops_lint.model import Result, Status
    from mlops_lint.report.text import _merged

    def row(level: int, message: str) -> Result:
        return Result("CI004", 4, level, False, 1.0, Status.FAIL, "error", ".", "ci.yml", 1,
                      T(message, message), T("f", "f"), T("t", "t"))

    merged = _merged([row(2, "no matrix"), row(3, "no matrix"), row(3, "fewer than 3")])
    assert [(r.message.en, levels) for r, levels in merged] == [("no matrix", (2, 3)),
                                                                ("fewer than 3", (3,))]


# --- what the text report lists: next-level blockers by default, --all, --phase, --quiet

def _view_catalog(tmp_path: Path) -> Any:
    from test_report_common import make_catalog, rule

    return make_catalog(tmp_path, [
        # phase 4 at level 1 (a passing L1 gate); a level-2 blocker, a level-3 finding
        rule("TVA001", 4, [{"status": "pass", "en": "ok", "es": "ok"}], levels=((1, True),)),
        rule("TVB001", 4, [{"path": "Dockerfile", "line": 1, "en": "next step",
                            "es": "paso siguiente"}], levels=((2, False),)),
        rule("TVD001", 4, [{"path": "Dockerfile", "line": 2, "en": "far away",
                            "es": "muy lejos"}], levels=((3, False),)),
        # phase 7 at level 0: a level-1 blocker, and a level-3 finding
        rule("TVC001", 7, [{"en": "no README", "es": "sin README"}], scope="repo"),
        rule("TVE001", 7, [{"en": "no model card", "es": "sin model card"}], scope="repo",
             levels=((3, False),)),
    ], critical=("TVE001",))


def _view_report(tmp_path: Path, make_repo: Callable[..., Path], **config: Any) -> Any:
    from test_report_common import report_for

    root = make_repo({"Dockerfile": "RUN a\nRUN b\n"})
    return report_for(root, _view_catalog(tmp_path), Config.model_validate(config))


def test_default_view_lists_next_level_blockers_and_counts_the_rest(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    report = _view_report(tmp_path, make_repo, **{"min-level": {4: 1}})
    text = renderer("text")(report)
    assert "Phase 4 → L2" in text and "TVB001 L2 fail Dockerfile:1: next step" in text
    assert "TVC001 L1" in text
    assert "far away" not in text and "TVD001" not in text  # phase 4's level 3: a count
    assert "TVE001" not in text
    assert "2 more finding(s) that do not block the next level (phase 4: 1, phase 7: 1)" \
        in " ".join(text.split())
    assert "--all" in text


def test_all_lists_every_finding_and_phase_narrows_to_one_phase(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    report = _view_report(tmp_path, make_repo, **{"min-level": {4: 1}})
    every = renderer("text")(replace(report, view="all"))
    assert "TVD001 L3 fail Dockerfile:2: far away" in every and "TVE001 L3" in every
    assert "Other findings" in every and "more finding(s)" not in every
    four = renderer("text")(replace(report, phases=frozenset({4})))
    assert "TVB001" in four and "TVD001 L3" in four
    assert "TVC001" not in four and "TVE001" not in four and "Phase 7 →" not in four
    assert "7 The final artefact" in four  # the phase table stays whole
    both = renderer("text")(replace(report, phases=frozenset({4, 7})))
    assert "TVD001" in both and "TVE001" in both


def test_quiet_shows_the_table_and_the_gate_only(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    report = _view_report(tmp_path, make_repo)
    text = renderer("text")(replace(report, view="quiet"))
    assert "4 Packaging and delivery" in text and "Overall:" in text
    assert text.rstrip().splitlines()[-1].startswith("Gate: FAILED")
    assert "TVB001" not in text and "What blocks" not in text and " pass · " not in text


def test_a_finding_that_fails_the_gate_is_shown_even_beyond_the_next_level(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    # TVE001 (level 3 of a phase at level 0) is critical: the default gate fails on it
    report = _view_report(tmp_path, make_repo)
    assert not report.gate.passed
    text = renderer("text")(report)
    assert "Other findings that fail the gate" in text
    assert "TVE001 L3 fail (repository): no model card" in text
    assert "TVD001" not in text
    # a min-level gate names the findings of the phases below it, up to that level
    below = renderer("text")(_view_report(tmp_path / "b", make_repo, **{"min-level": {4: 3}}))
    assert "TVD001 L3 fail Dockerfile:2: far away" in below
    assert "TVE001" not in below


def test_view_options_on_the_command_line(tmp_path: Path,
                                          make_repo: Callable[..., Path]) -> None:
    from click.testing import CliRunner

    from mlops_lint.cli import cli

    root = make_repo({"train.py": "import pandas\n"})
    runner = CliRunner()
    default = runner.invoke(cli, ["check", str(root), "--exit-zero"])
    every = runner.invoke(cli, ["check", str(root), "--exit-zero", "--all"])
    assert default.exit_code == every.exit_code == 0
    assert len(every.stdout) > len(default.stdout)
    assert "more finding(s) that do not block" in default.stdout
    phase = runner.invoke(cli, ["check", str(root), "--exit-zero", "--phase", "4,6"])
    assert "DOCK" in phase.stdout and "MLF001" not in phase.stdout
    quiet = runner.invoke(cli, ["check", str(root), "--exit-zero", "-q"])
    assert quiet.stdout.rstrip().splitlines()[-1].startswith("Gate:")
    assert "fix:" not in quiet.stdout
    for bad in (["--phase", "8"], ["--phase", "x"], ["--quiet", "--all"],
                ["--quiet", "--phase", "2"]):
        result = runner.invoke(cli, ["check", str(root), *bad])
        assert result.exit_code == 2, bad
    # machine formats stay complete whatever the view
    full = runner.invoke(cli, ["check", str(root), "--exit-zero", "--format", "json"])
    quiet_json = runner.invoke(cli, ["check", str(root), "--exit-zero", "--format", "json",
                                     "--quiet"])
    assert json.loads(full.stdout)["results"] == json.loads(quiet_json.stdout)["results"]
