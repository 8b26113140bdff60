"""Fuzzing the text, Markdown and GitHub outputs with repository text built from control
characters, bidi controls, lone surrogates and workflow-command fragments.

Properties: the text report carries no raw control character (colour off) and no
line a runner could read as a workflow command; every Markdown table row stays one
row; every GitHub line is exactly one workflow command of ours with its data
escaped. A fast subset runs in the normal suite; ``-m slow`` runs thousands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import write_tree
from mlops_lint.catalog import Catalog
from mlops_lint.config import Config
from mlops_lint.model import T
from mlops_lint.report import Report, renderer
from mlops_lint.runner import build_report

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=2000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

FRAGMENTS = (
    "\x1b[2A", "\x1b[31m", "\x1b]52;c;ZXZpbA==\x07", "\x1b]0;title\x07", "\x9b", "\x07",
    "\x00", "\x7f", "\r", "\n", "\r\n", "\t", "\u202e", "\u2066", "\u200f", "\udc80",
    "::error::", "::warning file=x,line=1::", "::add-mask::", "::stop-commands::tok",
    "::set-output name=x::", "##[error]", "##[group]", "%0A", "%25", "|", "`", "[x](1)",
    "<script>", "@user", "**", ":", ",", " ",
)
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)),
                max_size=12).map("".join)
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                         "\u2066-\u2069\ud800-\udfff]")
COMMAND = re.compile(r"^::(notice|warning|error)( [a-z]+=[^:,]*(,[a-z]+=[^:,]*)*)?::")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Report:
    root = write_tree(tmp_path_factory.mktemp("fuzzrepo"), {
        "README.md": "# x\n", "pyproject.toml": "[project]\nname = 'x'\n",
        "src/x/__init__.py": "", "tests/test_x.py": "def test_x():\n    assert 1\n"})
    return build_report(root, str(root), Config(), catalog)


def hostile(report: Report, message: str, fix: str, path: str, project: str) -> Report:
    rows = [replace(r, message=T(message, message), fix=T(fix, fix),
                    path=path or None, line=3 if path else None, project=project or ".")
            if r.status.is_problem else r for r in report.results]
    return replace(report, run=replace(report.run, results=tuple(rows)), root=project)


def prop_text(report: Report) -> None:
    out = renderer("text")(report)
    assert not RAW_CONTROL.search(out.replace("\n", "")), ascii(out)
    for line in out.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line


def prop_markdown(report: Report) -> None:
    out = renderer("markdown")(report)
    assert not RAW_CONTROL.search(out.replace("\n", "")), ascii(out)
    for line in out.splitlines():
        if line.startswith("|"):
            assert line.endswith("|") and not line.endswith("\\|"), line


def prop_github(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out = renderer("github")(report)
    assert "\r" not in out and "##[" not in out
    for line in out.splitlines():
        assert COMMAND.match(line), line
        data = line[COMMAND.match(line).end():]  # type: ignore[union-attr]
        assert not RAW_CONTROL.search(data), ascii(line)


def run(base: Report, monkeypatch: pytest.MonkeyPatch, message: str, fix: str, path: str,
        project: str) -> None:
    report = hostile(base, message, fix, path, project)
    prop_text(report)
    prop_markdown(report)
    prop_github(report, monkeypatch)


@given(TEXT, TEXT, TEXT, TEXT)
@example("\x1b]52;c;ZXZpbA==\x07\n::error::pwned", "##[error]x\r\n::add-mask::y",
         "a\rb|c.py", "\u202egnp.py\udc80")
@FAST
def test_fuzz_outputs(base: Report, monkeypatch: pytest.MonkeyPatch, message: str,
                      fix: str, path: str, project: str) -> None:
    run(base, monkeypatch, message, fix, path, project)


@pytest.mark.slow
@given(TEXT, TEXT, TEXT, TEXT)
@SLOW
def test_fuzz_outputs_slow(base: Report, monkeypatch: pytest.MonkeyPatch, message: str,
                           fix: str, path: str, project: str) -> None:
    run(base, monkeypatch, message, fix, path, project)


def test_fragments_are_escaped_not_dropped(base: Report) -> None:
    report = hostile(base, "a\x1b[2Ab\u202ec", "fix", "p.py", ".")
    out = renderer("text")(report)
    assert "a\\x1b[2Ab\\u202ec" in out
    mark: Callable[[str], str] = renderer("markdown")
    assert "\\x1b" in mark(report) and "\\u202e" in mark(report)


def test_base_report_has_problems(base: Report) -> None:
    assert any(r.status.is_problem for r in base.results)
    assert isinstance(base.root, str) and Path  # the fixture built a real report
