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
    assert code == 1
    data = json.loads(out)
    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "mlops-lint", "version": __version__}
    assert [p["phase"] for p in data["phases"]] == list(range(1, 8))
    assert set(data["summary"]) >= {"level", "score", "band", "gate"}
    assert data["summary"]["gate"]["passed"] is False
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
    code, out, _ = invoke("check", str(root), "--lang", "es", "--output", str(target))
    assert code == 1 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "Fase" in text and "Puerta: FALLIDA" in text and "\033[" not in text


def test_several_formats_to_several_files(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    root = make_repo({"README.md": ""})
    code, _, _ = invoke("check", str(root), "--format", "json", "--output",
                        str(tmp_path / "r.json"), "--format", "text", "--output",
                        str(tmp_path / "r.txt"), "--exit-zero")
    assert code == 0
    assert json.loads((tmp_path / "r.json").read_text())["schema_version"] == 1
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
