"""GitHub Actions output (``--format github``).

Workflow commands on stdout, one per problem that counts (``fail``, ``warn``, ``error``;
baselined results are left out), most important first because GitHub shows only the
first few annotations of each kind per step:

    ::error file=docker/Dockerfile,line=14,title=DOCK005 L2 · Non-root user::final stage …

Data is escaped as GitHub's toolkit does (``%``, ``\\r``, ``\\n``); property values also
escape ``:`` and ``,``. When ``GITHUB_STEP_SUMMARY`` names a file, the Markdown report
is appended to it, cut to fit GitHub's 1 MiB limit per step.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mlops_lint.model import Lang, Result
from mlops_lint.report import Report
from mlops_lint.report.common import FIX, TITLE, baselined_note, gate_line, level_tag
from mlops_lint.report.markdown import render_markdown
from mlops_lint.report.sarif import sarif_level
from mlops_lint.sanitize import clean, encodable

SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub accepts per step summary
_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}
_RANK = {"error": 0, "warning": 1, "notice": 2}


def escape_data(text: str) -> str:
    """Escape as GitHub's toolkit does, and break ``##[`` (the runner's legacy command
    marker, honoured anywhere in a line) with a zero-width space."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace("##[", "#\u200b#[")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    props = ",".join(f"{key}={escape_property(clean(str(value)))}"
                     for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(clean(message))}"


def _annotation(rows: list[Result], lang: Lang, titles: dict[str, str]) -> tuple[str, str]:
    """One workflow command for the results of one rule about one place (a graded rule
    says the same thing at several levels: one annotation names them all)."""
    first = rows[0]
    name = min((_COMMAND[sarif_level(r)] for r in rows), key=_RANK.__getitem__)
    levels = "/".join(level_tag(r.level, lang) for r in rows)
    title = f"{first.rule} {levels} · {titles.get(first.rule, '')}".strip(" ·")
    body = f"{first.message(lang)}\n{FIX(lang)}: {first.fix(lang)}"
    return name, command(name, body, file=first.path,
                         line=first.line if first.path else None, title=title)


def workflow_commands(report: Report) -> str:
    lang = report.lang
    titles = {rule.id: rule.title.t()(lang) for rule in report.catalog.rules}
    m = report.maturity
    head = (f"{TITLE(lang)}: {level_tag(m.level, lang)} · {m.score}/100 "
            f"({m.band_text(lang)}) — {gate_line(report, lang)}")
    if report.baselined:
        head += f" — {baselined_note(report)(lang)}"
    lines = [command("notice", head, title="mlops-lint")]
    lines += [command("warning", note(lang), title="mlops-lint") for note in report.run.notes]
    groups: dict[tuple[str, str, str | None, int | None, str], list[Result]] = {}
    for result in report.problems():
        key = (result.rule, result.project, result.path, result.line, result.message(lang))
        groups.setdefault(key, []).append(result)
    rows = [_annotation(group, lang, titles) for group in groups.values()]
    rows.sort(key=lambda row: _RANK[row[0]])  # stable: report order within a kind
    lines += [line for _, line in rows]
    return "\n".join(lines) + "\n"


def append_summary(report: Report, path: Path) -> None:
    """Append the Markdown report to the step summary, within GitHub's size limit."""
    try:
        used = path.stat().st_size
    except OSError:  # not written yet
        used = 0
    budget = max(SUMMARY_LIMIT - used - 1024, 4096)
    text = encodable(render_markdown(report, limit=budget))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def render(report: Report) -> str:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            append_summary(report, Path(summary))
        except OSError as exc:  # a summary we cannot write must not hide the annotations
            sys.stderr.write(f"mlops-lint: warning: cannot write the step summary: {exc}\n")
    return workflow_commands(report)
