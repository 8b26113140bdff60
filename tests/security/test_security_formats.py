"""Report formats keep repository text in its place: SARIF links, HTML scripts, the
baseline file, and GitHub's size limits."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from security_packs import team_pack

from mlops_lint.cli import cli
from mlops_lint.report import html, sarif

PACK = team_pack("text_matches", "{globs: ['**/*.txt'], pattern: 'x', present: false}")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout + result.stderr


def team_repo(make_repo: Callable[..., Path], names: list[str]) -> Path:
    files = dict.fromkeys(names, "x\n")
    files.update({"packs/team.yaml": PACK,
                  ".mlops-lint.yaml": "rule-packs: [packs/team.yaml]\n"})
    root: Path = make_repo(files)
    return root


def test_sarif_message_brackets_are_escaped(make_repo: Callable[..., Path]) -> None:
    assert sarif.message_text("see [x](1) and ]") == "see \\[x\\](1) and \\]"
    root = team_repo(make_repo, ["[evil](1).txt"])
    _, out = invoke("check", str(root), "--select", "TEAM", "--format", "sarif")
    texts = [r["message"]["text"] for r in json.loads(out)["runs"][0]["results"]]
    assert texts and all("[" not in re.sub(r"\\[\[\]]", "", t) for t in texts)


def test_sarif_results_are_capped_and_the_run_says_so(
        monkeypatch: pytest.MonkeyPatch, make_repo: Callable[..., Path]) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    root = team_repo(make_repo, [f"f{i}.txt" for i in range(6)])
    _, out = invoke("check", str(root), "--select", "TEAM", "--format", "sarif")
    run = json.loads(out)["runs"][0]
    assert len(run["results"]) == 3
    assert run["properties"]["omittedResults"] == 3
    assert "at most 3 results" in run["properties"]["omittedReason"]
    _, out = invoke("check", str(root), "--select", "TEAM", "--format", "sarif",
                    "--lang", "es")
    assert "como máximo 3" in json.loads(out)["runs"][0]["properties"]["omittedReason"]


def test_html_csp_allows_only_the_report_s_own_script_and_style(
        make_repo: Callable[..., Path]) -> None:
    root = team_repo(make_repo, ["<script>alert(1)<\\script>.txt"])
    _, out = invoke("check", str(root), "--select", "TEAM", "--format", "html")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', out)
    assert csp is not None and "unsafe-inline" not in csp.group(1)

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(html.SCRIPT)}'" in csp.group(1)
    assert f"style-src 'sha256-{digest(html.CSS)}'" in csp.group(1)
    assert f"<script>{html.SCRIPT}</script>" in out and f"<style>{html.CSS}</style>" in out
    assert "<script>alert" not in out


def test_baseline_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        make_repo: Callable[..., Path]) -> None:
    root = team_repo(make_repo, ["a.txt"])
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"fingerprints": ["old"]}\n', encoding="utf-8")

    def interrupted(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", interrupted)
    code, out = invoke("check", str(root), "--write-baseline", str(baseline))
    assert code == 2 and "No space left" in out
    assert json.loads(baseline.read_text(encoding="utf-8")) == {"fingerprints": ["old"]}
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["baseline.json"]
    monkeypatch.undo()
    code, _ = invoke("check", str(root), "--write-baseline", str(baseline), "--exit-zero")
    assert code == 0 and json.loads(baseline.read_text(encoding="utf-8"))["fingerprints"]
