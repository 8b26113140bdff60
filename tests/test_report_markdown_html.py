"""Markdown (PR comments) and the self-contained HTML report: phases chart, blockers,
every result filterable by phase and status, no network resources, safe escaping."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import init_git
from mlops_lint.catalog import Catalog
from mlops_lint.config import Config
from mlops_lint.report import renderer
from mlops_lint.report.markdown import code, md
from test_report_common import FIXTURES, make_catalog, report_for, rule, standard_report

VOID = {"meta", "br", "input", "img", "link", "hr", "line", "rect", "stop"}
RESOURCE = re.compile(
    r"""(?:\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|@import|<link\b|<iframe\b|<object\b|<embed\b""",
    re.IGNORECASE)


class Tree(HTMLParser):
    """Collects tags (checking they nest), rows, options, checkboxes and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.rows: list[dict[str, str | None]] = []
        self.options: list[str | None] = []
        self.boxes: list[tuple[str | None, bool]] = []
        self.phase_bars: list[str | None] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and "data-status" in a:
            self.rows.append(a)
        if tag == "option":
            self.options.append(a.get("value"))
        if tag == "input" and a.get("type") == "checkbox":
            self.boxes.append((a.get("value"), "checked" in a))
        if tag == "g" and a.get("class") == "phase":
            self.phase_bars.append(a.get("data-phase"))
        if tag in ("script", "style"):
            self._skip += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    assert not tree.errors, tree.errors[:3]
    assert tree.stack == [], tree.stack
    return tree


def assert_offline(html: str) -> None:
    assert not RESOURCE.search(html), RESOURCE.search(html)
    assert "<script src" not in html and "<img" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_html_is_self_contained_and_filterable(tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo)
    html = renderer("html")(report)
    assert_offline(html)
    # Nothing points anywhere: the only "http" is the http-equiv of the CSP meta tag.
    assert html.replace('http-equiv="Content-Security-Policy"', "").count("http") == 0
    tree = parse(html)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert len(tree.rows) == len(report.results)
    assert {(r["data-phase"], r["data-status"]) for r in tree.rows} == {
        (str(r.phase), r.status.value) for r in report.results}
    assert tree.options == ["", "1", "2", "3", "4", "5", "6", "7"]
    assert dict(tree.boxes) == {"fail": True, "error": True, "warn": True, "manual": True,
                                "waived": True, "pass": False, "skip": False}
    assert tree.phase_bars == ["1", "2", "3", "4", "5", "6", "7"]
    assert "r.dataset.phase" in html and "r.dataset.status" in html  # the filter script
    text = " ".join(tree.text)
    assert "What blocks the next level" in text and "All results" in text
    assert "TRA001" in text and "100% root: USER 0, again second line" in html.replace(
        "\n", " ")
    assert "Gate: failed" in text


def test_html_chart_bars_follow_scores(tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo)
    html = renderer("html")(report)
    chart = html[html.index("<svg"):html.index("</svg>")]
    widths = re.findall(r'<rect x="250" y="\d+" width="([\d.]+)" height="20" rx="3" '
                        r'fill="#(?!eaeef2)', chart)
    assert [float(w) for w in widths] == [4.0 * p.score for p in report.maturity.phases]
    for p in report.maturity.phases:
        assert f"L{p.level} · {p.score}</text>" in chart


def test_html_escapes_hostile_text(tmp_path: Path, make_repo: Any) -> None:
    hostile = '<script>alert(1)</script> <img src="https://evil.example/x.png"> "q" & \''
    catalog = make_catalog(tmp_path, [
        rule("THX001", 4, [{"path": "a<b>.py", "line": 1, "en": hostile, "es": hostile}],
             fix=(hostile, hostile), title=(hostile, hostile))])
    report = report_for(make_repo({"a<b>.py": "x\n"}), catalog)
    # Markdown escapes "<" with a backslash (outside code spans); HTML with entities.
    assert not re.search(r"(?<![\\`])<(script|img)\b", renderer("markdown")(report))
    html = renderer("html")(report)
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_offline(html)
    parse(html)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*/") if p.is_dir()))
def test_every_fixture_html_is_offline_and_well_formed(
        name: str, tmp_path: Path, catalog: Catalog) -> None:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("expected.json"))
    if (root / "commits.txt").exists():
        init_git(root, [m for m in (root / "commits.txt").read_text(
            encoding="utf-8").splitlines() if m])
    report = report_for(root, catalog)
    html = renderer("html")(report)
    assert_offline(html)
    tree = parse(html)
    assert len(tree.rows) == len(report.results)


def test_markdown_report_structure(tmp_path: Path, make_repo: Any) -> None:
    report = standard_report(tmp_path, make_repo)
    text = renderer("markdown")(report)
    assert text.startswith("## mlops-lint · MLOps maturity: L0 · 13/100")
    table = [line for line in text.splitlines() if line.startswith("| ") and " · " in line
             and "`" in line and "**L" in line]
    assert len(table) == 7  # the seven phases with level and score bars
    assert "| 4 · Packaging and delivery | `■□□` **L1** functional | `████░░░░░░` **40**" \
        in text
    assert "### 🚧 What blocks the next level" in text
    assert "- ❌ **TRA001** L1 fail — Title of TRA001 · `docker/Dockerfile:3`" in text
    # One collapsible section per phase, one per status inside; failures open.
    assert text.count("<details>\n<summary><b>Phase ") == 7
    assert "<details open><summary>❌ fail (1)</summary>" in text
    assert "<details><summary>✅ pass (1)</summary>" in text
    assert text.count("<details") == text.count("</details>")
    assert "http" not in text


def test_markdown_monorepo_lists_projects(tmp_path: Path, make_repo: Any) -> None:
    catalog = make_catalog(tmp_path, [
        rule("TMP001", 1, [{"path": "README.md", "line": 1, "en": "x", "es": "x"}])])
    root = make_repo({
        "svc/a/pyproject.toml": "[project]\nname='a'\n", "svc/a/src/a/__init__.py": "",
        "svc/b/pyproject.toml": "[project]\nname='b'\n", "svc/b/tests/test_b.py": "",
        "svc/a/README.md": "a", "svc/b/README.md": "b"})
    report = report_for(root, catalog)
    assert len(report.run.projects) == 2
    text = renderer("markdown")(report)
    assert "**Per project (level by phase)**" in text
    assert "| `svc/a` (a) |" in text and "| Project |" in text
    html = renderer("html")(report)
    assert "Per project (level by phase)" in html and "<code>svc/b</code>" in html
    parse(html)


def test_markdown_escaping() -> None:
    assert md("a|b *c* _d_ <e> [f](g) @user\nx") == \
        "a\\|b \\*c\\* \\_d\\_ \\<e\\> \\[f\\](g) @&#8203;user x"
    assert md("R&D") == "R&amp;D"
    assert code("src/app.py:3") == "`src/app.py:3`"
    assert code("we`ird|name") == "we\\`ird\\|name"


def test_reports_say_how_many_were_baselined(tmp_path: Path, make_repo: Any) -> None:
    from mlops_lint.runner import write_baseline

    root = make_repo({"Dockerfile": "a\n"})
    catalog = make_catalog(tmp_path, [
        rule("TBL001", 4, [{"path": "Dockerfile", "line": 1, "en": "old", "es": "viejo"}])])
    baseline = tmp_path / "b.json"
    write_baseline(baseline, report_for(root, catalog))
    report = report_for(root, catalog, baseline=baseline)
    for fmt in ("markdown", "html", "text", "github", "sarif"):
        assert "1 known failure(s) baselined" in renderer(fmt)(report), fmt
    assert '"baselined": 1' in renderer("json")(report)
    es = replace(report, lang="es")
    for fmt in ("markdown", "html", "text", "github", "sarif"):
        assert "1 fallo(s) conocidos en la línea base" in renderer(fmt)(es), fmt
    assert "(baseline)" in renderer("markdown")(report)


def test_ignored_rules_are_listed(tmp_path: Path, make_repo: Any) -> None:
    catalog = make_catalog(tmp_path, [
        rule("TIG001", 1, [{"status": "pass", "en": "ok", "es": "ok"}]),
        rule("TIG002", 1, [{"en": "bad", "es": "mal"}])])
    report = report_for(make_repo({"x": ""}), catalog, Config(ignore=("TIG002",)))
    assert "Ignored without justification: TIG002" in renderer("markdown")(report)
    assert "TIG002" in renderer("html")(report)


def test_no_blockers_message(tmp_path: Path, make_repo: Any) -> None:
    # Every phase at level 3: every criterion passes and every artefact the phases'
    # requirements name is present (files, and the rules that stand for a serving app,
    # a model card and a data card).
    passing = [{"status": "pass", "level": lvl, "en": "ok", "es": "ok"} for lvl in (1, 2, 3)]
    every = ((1, False), (2, False), (3, False))
    catalog = make_catalog(tmp_path, [
        *(rule(f"TNB00{p}", p, passing, levels=every) for p in range(1, 8)),
        *(rule(rule_id, phase, passing, levels=every)
          for rule_id, phase in (("API001", 5), ("DOC004", 7), ("DOC007", 7)))])
    files = {
        "pkg/model.py": "def predict(x: int) -> int:\n    return x\n" * 10,
        "requirements.txt": "numpy==2.0.0\n", ".pre-commit-config.yaml": "repos: []\n",
        "CHANGELOG.md": "# Changelog\n",
        "tests/test_model.py": "def test_model():\n    assert True\n",
        "pipeline.py": "", "MLproject": "name: x\n",
        ".github/workflows/cd.yml": "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
                                    "    steps:\n      - run: helm upgrade --install m chart\n",
        "Dockerfile": "FROM python:3.12\n",
        "infra/main.tf": "", "chart/Chart.yaml": "", "prometheus.yml": "",
        "README.md": "# Model\n\n" + "What it does and how to run it. " * 12,
        "docs/index.md": "# Docs\n"}
    report = report_for(make_repo(files), catalog)
    assert [p.level for p in report.maturity.phases] == [3] * 7
    assert report.maturity.level == 3
    assert "Nothing blocks the next level." in renderer("markdown")(report)
    assert "Nothing blocks the next level." in renderer("html")(report)
    assert "Nada bloquea" in renderer("markdown")(replace(report, lang="es"))


def test_many_problems_of_one_rule_are_capped_in_blockers(
        tmp_path: Path, make_repo: Any) -> None:
    catalog = make_catalog(tmp_path, [rule("TCP001", 4, [
        {"path": "f", "line": i, "en": f"p{i}", "es": f"p{i}"} for i in range(1, 9)],
        levels=((1, True),))])
    report = report_for(make_repo({"f": "\n" * 9}), catalog)
    md_text = renderer("markdown")(report)
    blockers = md_text.split("### 📋")[0]
    assert "`f:5`" in blockers and "`f:6`" not in blockers and "… and 3 more" in blockers
    html = renderer("html")(report)
    assert "… and 3 more" in html


EMOJI = re.compile("[\u2300-\u23ff\u2600-\u27bf\U0001f000-\U0001faff\ufe0f]")


def test_html_status_reads_without_an_emoji_font_and_bars_take_the_keyboard(
        tmp_path: Path, make_repo: Any) -> None:
    page = renderer("html")(standard_report(tmp_path, make_repo))
    assert not EMOJI.search(page), EMOJI.findall(page)
    assert '<span class="st st-fail">fail</span>' in page
    bars = re.findall(r'<g class="phase"[^>]*>', page)
    assert len(bars) == 7
    assert all('tabindex="0"' in g and 'role="button"' in g and "aria-label=" in g
               and 'aria-pressed="false"' in g for g in bars)
    assert "keydown" in page and 'role="img"' not in page
