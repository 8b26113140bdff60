"""``mlops-lint badge``: an SVG "MLOps maturity | L2 · 78" for the README."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from mlops_lint.badge import COLORS, render_badge, text_width
from mlops_lint.cli import cli

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_badge_reads_label_and_value() -> None:
    svg = render_badge(2, 78)
    root = ET.fromstring(svg)  # well-formed, standalone SVG
    assert root.tag == f"{SVG}svg" and root.get("height") == "20"
    assert texts(svg) == ["MLOps maturity", "MLOps maturity", "L2 · 78", "L2 · 78"]
    assert root.get("aria-label") == "MLOps maturity: L2 · 78"
    assert COLORS[2] in svg
    assert render_badge(2, 78) == svg  # deterministic


def test_badge_colour_and_width_follow_level_and_text() -> None:
    fills = {level: re.findall(r'fill="(#[0-9a-f]+)"', render_badge(level, 50))
             for level in range(4)}
    assert all(COLORS[level] in fills[level] for level in range(4))
    assert len(set(COLORS.values())) == 4
    narrow = int(ET.fromstring(render_badge(1, 5)).get("width") or 0)
    wide = int(ET.fromstring(render_badge(1, 100)).get("width") or 0)
    assert wide > narrow
    assert text_width("MW") > text_width("il")


def test_badge_in_spanish() -> None:
    svg = render_badge(3, 95, "es")
    assert texts(svg)[0] == "Madurez MLOps" and texts(svg)[2] == "N3 · 95"


def test_badge_command_writes_the_file(tmp_path: Path, make_repo: Any) -> None:
    root = make_repo({"README.md": "# x\n"})
    out = tmp_path / "badge.svg"
    result = CliRunner().invoke(cli, ["badge", str(root), "--output", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    value = texts(svg)[2]
    assert re.fullmatch(r"L[0-3] · \d{1,3}", value)
    stdout = CliRunner().invoke(cli, ["badge", str(root), "--lang", "es"])
    assert stdout.exit_code == 0 and texts(stdout.output)[0] == "Madurez MLOps"


def test_badge_uses_the_same_numbers_as_the_json_report(tmp_path: Path,
                                                         make_repo: Any) -> None:
    import json

    root = make_repo({"README.md": "# x\n", "LICENSE": "MIT"})
    runner = CliRunner()
    report = json.loads(runner.invoke(cli, ["check", str(root), "--format", "json",
                                            "--exit-zero"]).output)
    svg = runner.invoke(cli, ["badge", str(root)]).output
    summary = report["summary"]
    assert texts(svg)[2] == f"L{summary['level']} · {summary['score']}"


def test_badge_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["badge", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    (tmp_path / ".mlops-lint.yaml").write_text("bogus: 1\n", encoding="utf-8")
    bad = runner.invoke(cli, ["badge", str(tmp_path)])
    assert bad.exit_code == 2 and "bogus" in bad.output
    (tmp_path / ".mlops-lint.yaml").unlink()
    unwritable = runner.invoke(cli, ["badge", str(tmp_path), "--output",
                                     str(tmp_path / "no" / "dir" / "b.svg")])
    assert unwritable.exit_code == 2
