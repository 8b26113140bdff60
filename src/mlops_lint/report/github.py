"""GitHub Actions output (``--format github``).

Workflow commands on stdout, one per problem that counts (``fail``, ``warn``, ``error``;
baselined results are left out), most important first because GitHub shows only the
first few annotations of each kind per step (ten errors, ten warnings):

1. what the failing gate names (a critical finding under the default gate, whatever
   its level; with a ``min-level`` gate, the problems of a phase below its required
   level, up to that level), then the errors and failing gate criteria of each phase's
   next level, and every ``error`` result;
2. the blockers of each phase's next level (the rules the reports list as blocking);
3. the rest. A problem beyond a phase's next level (a level-3 finding in a phase at
   level 0) is a ``notice``: it does not block the next step, so it gives way to
   those that do.

Within a group, errors come before warnings and notices, then the report order.

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
from mlops_lint.report.common import (
    FIX,
    GATE_GROUP,
    TITLE,
    Priority,
    baselined_note,
    gate_line,
    level_tag,
)
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


def _kind(priority: Priority, result: Result) -> str:
    """The annotation kind: a notice beyond the next level, unless it fails the gate."""
    if priority.beyond_next(result) and priority.group(result) != GATE_GROUP:
        return "notice"
    return _COMMAND[sarif_level(result)]


def _annotation(rows: list[Result], lang: Lang, titles: dict[str, str],
                priority: Priority) -> tuple[int, int, str]:
    """One workflow command for the results of one rule about one place (a graded rule
    says the same thing at several levels: one annotation names them all), with its
    group and kind rank."""
    first = rows[0]
    name = min((_kind(priority, r) for r in rows), key=_RANK.__getitem__)
    # what the failing gate names comes first, then the groups of the priority
    group = 0 if any(priority.fails_gate(r) for r in rows) else \
        1 + min(priority.group(r) for r in rows)
    levels = "/".join(level_tag(r.level, lang) for r in rows)
    title = f"{first.rule} {levels} · {titles.get(first.rule, '')}".strip(" ·")
    body = f"{first.message(lang)}\n{FIX(lang)}: {first.fix(lang)}"
    return group, _RANK[name], command(name, body, file=first.path,
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
    priority = Priority(report)
    rows = [_annotation(group, lang, titles, priority) for group in groups.values()]
    rows.sort(key=lambda row: row[:2])  # stable: report order within a group and kind
    lines += [line for _, _, line in rows]
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
