from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint import __version__
from mlops_lint.catalog import load_catalog
from mlops_lint.cli import cli

STATUSES = {"pass", "warn", "fail", "skip", "waived", "manual", "error"}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and __version__ in out


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "mlops_lint", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and __version__ in done.stdout


def test_missing_path_is_a_one_line_usage_error() -> None:
    code, out, err = invoke("check", "/nonexistent/repo")
    assert code == 2
    assert err.strip().splitlines() == [
        "mlops-lint: error: path does not exist or is not a directory: /nonexistent/repo"]
    assert "Traceback" not in out + err


def test_unknown_config_key_is_a_one_line_usage_error(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"pyproject.toml": "[tool.mlops-lint]\nbogus = 1\n"})
    code, _, err = invoke("check", str(root))
    assert code == 2
    assert err.strip() == ("mlops-lint: error: pyproject.toml [tool.mlops-lint]: "
                           "unknown configuration key 'bogus'")


@pytest.mark.parametrize("args, fragment", [
    (["--select", "NOPE"], "unknown rule id or prefix: NOPE"),
    (["--min-level", "x=1"], "--min-level expects"),
    (["--min-level", "9"], "min-level"),
    (["--format", "json", "--output", "a", "--output", "b"], "more --output"),
])
def test_bad_options_exit_2(make_repo: Callable[..., Path], args: list[str],
                            fragment: str) -> None:
    code, _, err = invoke("check", str(make_repo({"README.md": ""})), *args)
    assert code == 2 and fragment in err


def test_waiver_for_unknown_rule_exits_2(make_repo: Callable[..., Path]) -> None:
    root = make_repo({".mlops-lint.yaml": "waivers: {NOPE001: docs/adr.md}\n"})
    code, _, err = invoke("check", str(root))
    assert code == 2 and "NOPE001" in err


def test_missing_rule_pack_exits_2(make_repo: Callable[..., Path]) -> None:
    root = make_repo({".mlops-lint.yaml": "rule-packs: [policies/x.yaml]\n"})
    code, _, err = invoke("check", str(root))
    assert code == 2 and "rule pack not found" in err


def test_json_report_shape(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# demo\n", "notebook.ipynb": "{}"})
    code, out, _ = invoke("check", str(root), "--format", "json")
    # Many ordinary failures, no critical one: the default gate holds.
    assert code == 0
    data = json.loads(out)
    assert data["schema_version"] == 2
    assert data["tool"] == {"name": "mlops-lint", "version": __version__}
    assert [p["phase"] for p in data["phases"]] == list(range(1, 8))
    assert set(data["summary"]) >= {"level", "median_level", "min_level", "weakest_phase",
                                    "score", "band", "gate"}
    assert data["summary"]["gate"] == {"passed": True, "reason": "no critical finding"}
    assert data["summary"]["counts"]["fail"] > 0
    for phase in data["phases"]:
        assert set(phase) >= {"level", "score", "band", "blockers", "reason", "applicable",
                              "not_applicable", "presence", "levels", "projects",
                              "project_scores"}
        assert [d["level"] for d in phase["levels"]] == [1, 2, 3]
        for detail in phase["levels"]:
            assert set(detail) >= {"reached", "ratio", "threshold", "criteria", "gates",
                                   "requirements", "problems"}
    keys = [(r["phase"], r["rule"], r["level"], r["project"], r["path"] or "", r["line"] or 0)
            for r in data["results"]]
    assert keys == sorted(keys)
    for row in data["results"]:
        assert row["status"] in STATUSES
        assert row["path"] is None or not row["path"].startswith("/")
    again = invoke("check", str(root), "--format", "json")[1]
    assert again == out


def test_gates_and_exit_zero(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": ""})
    assert invoke("check", str(root), "--min-level", "0")[0] == 0
    assert invoke("check", str(root), "--min-level", "1")[0] == 1
    assert invoke("check", str(root), "--min-level", "0", "--min-level", "7=1")[0] == 1
    assert invoke("check", str(root), "--fail-under", "0")[0] == 0
    assert invoke("check", str(root), "--fail-under", "99")[0] == 1
    assert invoke("check", str(root), "--exit-zero")[0] == 0


def test_text_report_in_spanish_to_a_file(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    root = make_repo({"README.md": ""})
    target = tmp_path / "out" / "report.txt"
    target.parent.mkdir()
    code, out, _ = invoke("check", str(root), "--lang", "es", "--output", str(target),
                          "--min-level", "1")
    assert code == 1 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "Fase" in text and "Puerta: FALLIDA" in text and "\033[" not in text


def test_several_formats_to_several_files(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    root = make_repo({"README.md": ""})
    code, _, _ = invoke("check", str(root), "--format", "json", "--output",
                        str(tmp_path / "r.json"), "--format", "text", "--output",
                        str(tmp_path / "r.txt"), "--exit-zero")
    assert code == 0
    assert json.loads((tmp_path / "r.json").read_text())["schema_version"] == 2
    assert "Gate" in (tmp_path / "r.txt").read_text()


def test_rules_lists_the_catalog_in_both_languages() -> None:
    code, out, _ = invoke("rules", "--format", "json")
    assert code == 0
    rules = json.loads(out)
    assert len(rules) == len(load_catalog().rules)
    assert all(r["title"]["en"] and r["title"]["es"] for r in rules)
    code, out, _ = invoke("rules", "--phase", "7", "--lang", "es")
    assert code == 0 and "DOC004" in out and "model card" in out.lower()


def test_explain_a_rule_and_an_unknown_one() -> None:
    code, out, _ = invoke("explain", "doc004")
    assert code == 0
    for heading in ("Why it matters:", "Evidence per level:", "How to fix:", "Guide source:"):
        assert heading in out
    code, out, _ = invoke("explain", "DOC004", "--lang", "es")
    assert code == 0 and "Por qué importa:" in out
    code, _, err = invoke("explain", "NOPE999")
    assert code == 2 and "unknown rule id" in err


# --- configuration: precedence, source, --show-config ---------------------------------


def test_two_configurations_exit_2_in_one_line(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"pyproject.toml": "[tool.mlops-lint]\nlang = 'es'\n",
                      ".mlops-lint.yaml": "min-level: 2\n"})
    for command in ("check", "badge"):
        code, out, err = invoke(command, str(root))
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and "configured in both" in err


def test_text_report_names_the_configuration_it_used(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "", ".mlops-lint.yaml": "ignore: [OBS008]\n"})
    out = invoke("check", str(root), "--exit-zero")[1]
    assert out.splitlines()[1] == "config: .mlops-lint.yaml"
    bare = make_repo({"README.md": ""})
    out = invoke("check", str(bare), "--exit-zero", "--lang", "es")[1]
    assert out.splitlines()[1].startswith("configuración: valores por defecto")


def test_show_config_prints_the_effective_configuration_and_exits_0(
        make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "",
                      "pyproject.toml": "[tool.mlops-lint]\nmin-level = '4=2'\n"})
    code, out, _ = invoke("check", str(root), "--show-config")
    assert code == 0
    assert out.startswith("# source: pyproject.toml [tool.mlops-lint]\n[tool.mlops-lint]\n")
    assert "min-level = {4 = 2}" in out and "Gate" not in out
    code, out, _ = invoke("check", str(root), "--show-config", "--min-level", "2",
                          "--select", "DOCK")
    assert code == 0
    assert "# + command-line options" in out
    assert "min-level = 2" in out and 'select = ["DOCK"]' in out


# --- one setup step for every command -------------------------------------------------


@pytest.mark.parametrize("config, fragment", [
    ("select: [NOPE]\n", "unknown rule id or prefix: NOPE"),
    ("ignore: [DOCK05]\n", "unknown rule id or prefix: DOCK05 (did you mean DOCK005?)"),
    ("waivers: {NOPE001: docs/adr.md}\n", "waiver for unknown rule id: NOPE001"),
    ("rule-packs: [policies/x.yaml]\n", "rule pack not found"),
    ("min-level: 'x'\n", "invalid value for 'min-level'"),
])
def test_every_command_rejects_what_check_rejects(
        make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, config: str,
        fragment: str) -> None:
    root = make_repo({"README.md": "", ".mlops-lint.yaml": config})
    monkeypatch.chdir(root)
    for args in (["check", str(root)], ["badge", str(root)], ["check"], ["badge"],
                 ["rules"], ["explain", "DOCK005"]):
        code, _, err = invoke(*args)
        assert code == 2, args
        assert fragment in err and err.count("\n") == 1, (args, err)


TEAM_PACK = """
rules:
  - id: TEAM001
    phase: 7
    scope: repo
    title: {en: "README present", es: "README presente"}
    fix: {en: "add README.md", es: "añade README.md"}
    rationale: {en: "a team rule", es: "una regla del equipo"}
    source: "team policy"
    check: file_exists
    params: {globs: [README.md]}
    levels:
      - {level: 1, gate: true, text: {en: "README.md exists", es: "existe README.md"}}
"""


def test_rules_and_explain_know_the_repositorys_rule_packs(
        make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo({"policies/team.yaml": TEAM_PACK,
                      ".mlops-lint.yaml": "rule-packs: [policies/team.yaml]\nlang: es\n"})
    (root / "src").mkdir()
    monkeypatch.chdir(root / "src")  # found upwards from a subdirectory
    code, out, _ = invoke("rules", "--phase", "7")
    assert code == 0 and "TEAM001" in out and "README presente" in out
    code, out, _ = invoke("explain", "team001", "--lang", "en")
    assert code == 0 and "Why it matters:" in out and "a team rule" in out


def test_did_you_mean_for_unknown_rule_ids(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": ""})
    code, _, err = invoke("check", str(root), "--select", "DOCK05")
    assert code == 2 and "(did you mean DOCK005?)" in err
    code, _, err = invoke("check", str(root), "--ignore", "DOCKR")
    assert code == 2 and "(did you mean DOCK?)" in err
    code, _, err = invoke("explain", "DOK005")
    assert code == 2 and err.strip() == ("mlops-lint: error: unknown rule id: DOK005 "
                                         "(did you mean DOCK005?)")
    code, _, err = invoke("explain", "ZZZZZZ")
    assert code == 2 and "did you mean" not in err


def test_path_omitted_lints_the_repository_around_the_directory(
        make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo({"README.md": "", "services/api/app.py": "x = 1\n",
                      "services/api/pyproject.toml": "[project]\nname = 'api'\n",
                      ".mlops-lint.yaml": "lang: es\n"})
    (root / ".git").mkdir()  # the marker is enough: nothing runs git here
    monkeypatch.chdir(root / "services" / "api")
    code, out, _ = invoke("check", "--exit-zero")
    assert code == 0
    assert out.splitlines()[0].split(" — ")[1].startswith("../.. ")
    assert out.splitlines()[1] == "configuración: .mlops-lint.yaml"
    # without .git, the nearest pyproject.toml
    (root / ".git").rmdir()
    assert invoke("check", "--show-config")[1].startswith("# source: defaults")


# --- the terminal -----------------------------------------------------------------------


@pytest.mark.parametrize("environ, tty, expected", [
    ({}, True, True),
    ({}, False, False),
    ({"TERM": "dumb"}, True, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),            # set but empty: no effect (no-color.org)
    ({"FORCE_COLOR": "1"}, False, True),       # a CI log that renders colour
    ({"FORCE_COLOR": "true", "TERM": "dumb"}, False, True),
    ({"FORCE_COLOR": "0"}, False, False),
    ({"FORCE_COLOR": ""}, False, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),  # NO_COLOR wins
])
def test_colour_follows_no_color_and_force_color(environ: dict[str, str], tty: bool,
                                                 expected: bool) -> None:
    from mlops_lint.cli import use_color

    assert use_color(environ, tty) is expected


def test_force_color_and_columns_reach_the_text_report(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "", "notebook.ipynb": "{}"})
    plain = CliRunner().invoke(cli, ["check", str(root)], env={"COLUMNS": "60"})
    assert "\033[" not in plain.stdout
    findings = [x for x in plain.stdout.splitlines() if x.startswith("    ")]
    # findings and fixes wrap; only a word too long for a line (a path) sticks out
    assert all(len(x) <= 60 or len(max(x.split(), key=len)) > 60 - 13 for x in findings)
    assert any(x.startswith("      ") and not x.lstrip().startswith("fix:")
               for x in findings)
    wide = CliRunner().invoke(cli, ["check", str(root)], env={"COLUMNS": "300"})
    assert max(len(x) for x in wide.stdout.splitlines()) > 60
    forced = CliRunner().invoke(cli, ["check", str(root)], env={"FORCE_COLOR": "1"})
    assert "\033[31m" in forced.stdout
    both = CliRunner().invoke(cli, ["check", str(root)],
                              env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\033[" not in both.stdout


def test_reports_written_to_files_are_summed_up_on_stderr(
        make_repo: Callable[..., Path], tmp_path: Path) -> None:
    import re

    root = make_repo({"README.md": ""})
    report = tmp_path / "r.json"
    code, out, err = invoke("check", str(root), "--format", "json", "--output", str(report))
    assert code in (0, 1) and out == ""
    assert err.count("\n") == 1
    assert re.match(r"mlops-lint: L[0-3] · \d+/100 — Gate: (passed|failed) — ", err), err
    assert err.rstrip().endswith(f"wrote {report}")
    code, out, err = invoke("check", str(root), "--lang", "es", "--exit-zero")
    assert err == ""  # nothing written to a file: stdout only
    code, out, err = invoke("check", str(root), "--exit-zero", "--format", "json", "--output",
                            str(report), "--format", "text")
    assert err == "" and "Gate: " in out  # a report on stdout already says it
    code, _, err = invoke("check", str(root), "--lang", "es", "--exit-zero", "--format", "sarif",
                          "--output", str(tmp_path / "r.sarif"), "--format", "html",
                          "--output", str(tmp_path / "r.html"))
    assert re.match(r"mlops-lint: N[0-3] · \d+/100 — Puerta: (superada|fallida) — ", err), err
    assert err.rstrip().endswith(f"escrito {tmp_path / 'r.sarif'}, {tmp_path / 'r.html'}")


def test_progress_appears_after_a_second_and_is_erased() -> None:
    import io

    from mlops_lint.runner import Progress

    now = [0.0]
    out = io.StringIO()
    progress = Progress(out, clock=lambda: now[0])
    progress(0, 10, "PY001")
    now[0] = 0.9
    progress(1, 10, "PY002")
    assert out.getvalue() == ""  # a run under a second shows nothing
    now[0] = 1.2
    progress(2, 10, "PY003")
    now[0] = 1.25
    progress(3, 10, "PY004")  # redrawn at most ten times a second
    assert out.getvalue() == "\r\033[Kmlops-lint: PY003 (2/10)"
    progress(4, 10, "X\x1b[31mY")  # hostile rule-pack ids are made inert
    now[0] = 1.5
    progress(5, 10, "X\x1b[31mY")
    assert "\x1b[31m" not in out.getvalue()
    progress.close()
    assert out.getvalue().endswith("\r\033[K")


@pytest.mark.parametrize("environ, tty, wanted", [
    ({}, True, True), ({}, False, False), ({"CI": "true"}, True, False),
    ({"TERM": "dumb"}, True, False)])
def test_progress_only_on_a_terminal_outside_ci(environ: dict[str, str], tty: bool,
                                                wanted: bool) -> None:
    from mlops_lint.cli import _progress_wanted

    assert _progress_wanted(environ, tty) is wanted


def test_no_progress_when_stderr_is_not_a_terminal(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"train.py": "import pandas\n"})
    done = subprocess.run([sys.executable, "-m", "mlops_lint", "check", str(root),
                           "--exit-zero"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "\r" not in done.stderr and "\r" not in done.stdout and done.stderr == ""
