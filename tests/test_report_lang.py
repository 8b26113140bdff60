"""``--lang es`` reaches every string a user sees, in every format.

Each format is rendered in Spanish from a report that exercises every part of it
(every status, blockers, a baseline, an ignored rule, several projects). Its visible
text (not machine keys, attribute names or code) must contain none of the English
words the formats use; the English rendering must contain them, so the vocabulary
stays honest.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mlops_lint.config import Config
from mlops_lint.report import FORMATS, Report, renderer
from mlops_lint.runner import write_baseline
from test_report_common import STANDARD, STANDARD_CRITICAL, STANDARD_FILES, make_catalog, report_for

ENGLISH = [
    "Phase", "Level", "Score", "Fix", "Gate", "passed", "failed", "FAILED", "What blocks",
    "All results", "Rule", "Status", "Where", "Message", "baselined", "known failure",
    "Overall", "median", "repository", "Ignored", "project", "in progress", "functional",
    "acceptable", "pass", "warn", "fail", "skip", "waived", "shown", "Filters",
    "All phases", "Other findings", "Title of", "problem", "criterion", "How to fix",
    "Guide source", "Criterion per level", "again", "second line", "Click", "maturity",
    "Per project", "accepted", "holds", "no results", "baseline",
]
# English words each format must show in English (the control group).
CONTROL = {"text": ["fix", "fail", "Phase"], "json": ["Title of", "again"],
           "github": ["Title of", "Fix", "Gate"], "sarif": ["Title of", "Fix", "How to fix"]}
DEFAULT_CONTROL = ["Title of", "Fix", "fail", "Phase"]


class Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in ("aria-label", "data-word", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _strings(node: Any, keys: set[str], out: list[str], key: str | None = None) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _strings(v, keys, out, k)
    elif isinstance(node, list):
        for item in node:
            _strings(item, keys, out, key)
    elif isinstance(node, str) and key in keys:
        out.append(node)


def visible(fmt: str, output: str) -> str:
    if fmt == "html":
        parser = Visible()
        parser.feed(output)
        return "\n".join(parser.parts)
    if fmt == "sarif":
        out: list[str] = []
        _strings(json.loads(output), {"text", "markdown", "phaseName", "levelName", "bandText",
                                      "baselinedText", "reason"}, out)
        return "\n".join(out)
    if fmt == "json":
        out = []
        _strings(json.loads(output), {"title", "message", "fix", "reason"}, out)
        data = json.loads(output)
        out += [p["name"] for p in data["phases"]]
        return "\n".join(out)
    if fmt == "github":
        # Drop the command names and property keys; keep titles and messages.
        return re.sub(r"::(error|warning|notice)|\b(file|line|title)=", " ", output)
    return output


def english_in(text: str) -> list[str]:
    # Identifiers such as fail_under (escaped fail\_under in Markdown) are data, not words.
    return [w for w in ENGLISH
            if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w\\-])", text)]


@pytest.fixture
def full_report(tmp_path: Path, make_repo: Any) -> Report:
    files = {**STANDARD_FILES,
             "svc/b/pyproject.toml": "[project]\nname = 'b'\n", "svc/b/tests/test_b.py": ""}
    root = make_repo(files)
    catalog = make_catalog(tmp_path, STANDARD, critical=STANDARD_CRITICAL)
    baseline = tmp_path / "baseline.json"
    first = report_for(root, catalog)
    write_baseline(baseline, replace(first, run=replace(first.run, results=tuple(
        r for r in first.results if r.rule == "TRB001"))))
    report = report_for(root, catalog, Config(ignore=("TRF001",)), baseline=baseline)
    assert report.baselined >= 1 and report.run.ignored == ("TRF001",)
    assert len(report.run.projects) == 2
    return report


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_spanish_output_has_no_english_words(fmt: str, full_report: Report,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    spanish = visible(fmt, renderer(fmt)(replace(full_report, lang="es")))
    assert not english_in(spanish), (fmt, english_in(spanish))
    english = visible(fmt, renderer(fmt)(replace(full_report, lang="en")))
    control = CONTROL.get(fmt, DEFAULT_CONTROL)
    assert all(w in english for w in control), (fmt, [w for w in control if w not in english])
    assert "otra vez" in spanish or fmt == "text"


def test_spanish_step_summary(full_report: Report, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    renderer("github")(replace(full_report, lang="es"))
    text = summary.read_text(encoding="utf-8")
    assert not english_in(text), english_in(text)
    assert "Qué bloquea el siguiente nivel" in text


def test_every_format_is_registered() -> None:
    from mlops_lint.cli import FORMAT_NAMES

    assert set(FORMATS) == set(FORMAT_NAMES)
